/*
 * home.c - creating and opening a home.
 *
 * store_parts is the one list of parts that own tables; the order is the
 * order foreign keys need (a part after the parts it references).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "formats/textfmt.h"
#include "gateway/batch.h"
#include "gateway/home.h"
#include "gateway/mandreq.h"
#include "gateway/returns.h"
#include "gateway/transfer.h"
#include "ledger/ledger.h"
#include "keys/keys.h"
#include "mandates/mandate.h"

static const struct db_part *const store_parts[] = {
	&audit_db_part,
	&mandate_db_part,
	&transfer_db_part,
	&ledger_db_part,
	&keys_db_part,
	&batch_db_part,
	&returns_db_part,
	&mandreq_db_part,
};
#define NPARTS (sizeof(store_parts) / sizeof(store_parts[0]))

static const struct {
	const char	*name;
	mode_t		 mode;
} home_dirs[] = {
	{ "keys", 0700 },
	{ "trust", 0755 },
	{ "outbox", 0750 },
	{ "inbox", 0750 },
	{ "archive", 0750 },
	{ "formats", 0755 },
	{ "tmp", 0700 },
};

static char *
join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s/%s", a, b);
	return s;
}

char *
home_path(const struct home *h, const char *sub)
{
	return join(h->dir, sub);
}

int
store_open(struct db **out, const char *db_path, struct gw_err *e)
{
	struct db_part parts[NPARTS];
	size_t i;

	/* db_open takes the parts themselves; the list holds pointers. */
	for (i = 0; i < NPARTS; i++)
		parts[i] = *store_parts[i];
	return db_open(out, db_path, parts, NPARTS, e);
}

int
store_open_reader(struct db **out, const char *db_path, struct gw_err *e)
{
	/* Each row is read once: a small cache keeps memory flat. */
	if (store_open(out, db_path, e) == 0 &&
	    db_exec(*out, "PRAGMA cache_size=-8192", e) == 0 &&
	    db_begin_read(*out, e) == 0)
		return 0;
	db_close(*out);
	*out = NULL;
	return e->code;
}

int
home_init(const char *dir, struct gw_err *e)
{
	struct db *db = NULL;
	char *conf = NULL, *dbp = NULL, *sub;
	size_t i;
	int rc = 0;

	if ((rc = fs_mkdirs(dir, 0750, e)) != 0)
		return rc;
	conf = join(dir, "debitgw.conf");
	dbp = join(dir, "debitgw.db");
	if (conf == NULL || dbp == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if (fs_exists(conf)) {
		rc = gw_err_set(e, GW_EDUP, "%s: already exists; a home is "
		    "initialised once", conf);
		goto done;
	}
	for (i = 0; i < sizeof(home_dirs) / sizeof(home_dirs[0]); i++) {
		if ((sub = join(dir, home_dirs[i].name)) == NULL) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
		rc = fs_mkdirs(sub, home_dirs[i].mode, e);
		if (rc == 0)
			chmod(sub, home_dirs[i].mode);
		free(sub);
		if (rc != 0)
			goto done;
	}
	/* The shipped bank text formats, for `format = text:formats/NAME.fmt`. */
	for (i = 0; i < textfmt_nshipped; i++) {
		if (asprintf(&sub, "%s/formats/%s", dir,
		    textfmt_shipped[i].file) < 0) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
		rc = fs_write_atomic(sub, textfmt_shipped[i].text,
		    strlen(textfmt_shipped[i].text), 0644, e);
		free(sub);
		if (rc != 0)
			goto done;
	}
	if ((rc = store_open(&db, dbp, e)) != 0)
		goto done;
	db_close(db);
	rc = fs_write_atomic(conf, config_template, strlen(config_template),
	    0640, e);
done:
	free(conf);
	free(dbp);
	return rc;
}

int
home_open(struct home **out, const char *dir, struct gw_err *e)
{
	struct home *h;
	int rc;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	h->dir = strdup(dir);
	h->conf_path = join(dir, "debitgw.conf");
	h->db_path = join(dir, "debitgw.db");
	if (h->dir == NULL || h->conf_path == NULL || h->db_path == NULL) {
		home_close(h);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	if (!fs_exists(h->conf_path)) {
		home_close(h);
		return gw_err_set(e, GW_EENV,
		    "%s: no debitgw home here (run `debitgw init --home %s`)",
		    dir, dir);
	}
	if ((rc = config_load(&h->cfg, h->conf_path, dir, e)) != 0 ||
	    (rc = date_set_timezone(h->cfg->timezone, e)) != 0 ||
	    (rc = store_open(&h->db, h->db_path, e)) != 0) {
		home_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

void
home_close(struct home *h)
{
	if (h == NULL)
		return;
	db_close(h->db);
	config_free(h->cfg);
	free(h->dir);
	free(h->conf_path);
	free(h->db_path);
	free(h);
}
