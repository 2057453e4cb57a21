/*
 * home.h - a debitgw home: config, database, keys and file folders.
 *
 *   DIR/debitgw.conf   configuration (gateway/config.h)
 *   DIR/debitgw.db     the SQLite store, every part's tables
 *   DIR/keys/          our private keys (0700, files 0600)
 *   DIR/trust/         partner banks' certificates
 *   DIR/outbox/        signed files waiting to be sent
 *   DIR/inbox/         files fetched from banks, not yet ingested
 *   DIR/archive/       files sent or ingested, kept
 *   DIR/formats/       bank text-format descriptors
 *   DIR/tmp/           scratch space on the same file system
 */
#ifndef GW_HOME_H
#define GW_HOME_H

#include "common/db.h"
#include "common/err.h"
#include "gateway/config.h"

struct home {
	char		*dir;
	char		*conf_path;
	char		*db_path;
	struct config	*cfg;
	struct db	*db;
};

/* Create a home at dir: folders, commented config, database. Refuses to
 * overwrite an existing config (GW_EDUP). */
int	home_init(const char *dir, struct gw_err *e);

/* Load the config and open the database (applying migrations). The caller
 * owns *out and frees it with home_close. */
int	home_open(struct home **out, const char *dir, struct gw_err *e);
void	home_close(struct home *h);

/* DIR/sub as a malloc'd string (NULL when out of memory). */
char	*home_path(const struct home *h, const char *sub);

/* Open just the database file db_path, with every part's tables (tools and
 * tests). The parts are listed in home.c, store_parts, in migration order. */
int	store_open(struct db **out, const char *db_path, struct gw_err *e);

/* A reader beside the writer, for a thread of its own (due_feed, the
 * return file's look-ahead): store_open with a small page cache and a read
 * transaction begun, so everything it reads comes from one snapshot. The
 * caller frees it with db_close, which ends the transaction. */
int	store_open_reader(struct db **out, const char *db_path,
	    struct gw_err *e);

#endif
