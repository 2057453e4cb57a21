/*
 * transfer.h - the record of every upload to and download from a bank.
 *
 * One row per (bank, file): an upload row per outbox file, so a restart
 * never uploads a confirmed file twice and a resend is explicit; a download
 * row per (bank, remote name, size), so each return file is fetched once.
 * Rows move through a small state machine; each transition is one
 * function, and the ones an operator cares about (done, resend, needs
 * operator, remote clean-up) write an audit event in the same transaction.
 *
 *                 transfer_begin            transfer_done
 *     pending ───────────────────▶ in_progress ──────────────▶ done
 *        ▲  ▲                        │   │                      │
 *        │  └── transfer_fail ───────┘   │ transfer_fail        │
 *        │      (transient, retry later) ▼                      │
 *        │                      failed | needs_operator         │
 *        │                               │                      │
 *        └──────── transfer_resend (uploads, from any state) ───────┘
 *
 * failed: transient errors used every attempt of a pass; the next pass
 * tries again. needs_operator: authentication, host key, a conflicting
 * remote file or a changed local file; only a pass run by hand (or a
 * resend) tries again. in_progress left behind by a crash is retried like
 * pending: the remote check before an upload makes that safe.
 *
 * Part "transfers", table transfers. Only this module writes it.
 */
#ifndef GW_TRANSFER_H
#define GW_TRANSFER_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "common/fsutil.h"

extern const struct db_part transfer_db_part;

#define TRANSFER_NAME_MAX 128	/* longest remote file name we accept */

struct transfer {
	int64_t	 id;
	char	 direction[5];		/* up | down */
	char	 bank[20];
	char	 remote_name[TRANSFER_NAME_MAX + 1];
	char	 local_path[1024];
	int64_t	 size;
	char	 sha256[SHA256_HEX_LEN + 1];	/* "" until known */
	char	 state[16];
	int	 attempts;		/* network attempts, all passes */
	int	 sends;			/* 1 + resends (uploads) */
	char	 last_error[512];
	int64_t	 next_attempt_at;	/* epoch seconds, 0: now */
	char	 remote_state[16];	/* downloads: present kept deleted moved cleanup */
	char	 created_at[32];
	char	 updated_at[32];
	char	 done_at[32];
};

/*
 * 1 if name is safe as a remote and local file name: 1..TRANSFER_NAME_MAX
 * characters of [A-Za-z0-9._-], not starting with '.', not "." or "..".
 */
int	transfer_name_is_valid(const char *name);

/* 1 if s is one of the states above. */
int	transfer_state_is_valid(const char *s);

/*
 * The upload row of (bank, name), created pending if there is none.
 * Returns 1 and fills out if it existed, 0 if created, negative on error.
 */
int	transfer_upload_row(struct db *db, const char *bank, const char *name,
	    const char *local_path, int64_t size, const char *sha256,
	    struct transfer *out, struct gw_err *e);

/*
 * The download row of (bank, name, size), created pending with local_path
 * if there is none. Returns 1 if it existed, 0 if created.
 */
int	transfer_download_row(struct db *db, const char *bank, const char *name,
	    int64_t size, const char *local_path, struct transfer *out,
	    struct gw_err *e);

/* Load by id; GW_ENOTFOUND if none. */
int	transfer_get(struct db *db, int64_t id, struct transfer *out,
	    struct gw_err *e);

/*
 * The newest row of (bank, direction, name); bank may be NULL (any bank:
 * GW_EINPUT if the name is at more than one). 1 found, 0 none.
 */
int	transfer_find(struct db *db, const char *bank, const char *direction,
	    const char *name, struct transfer *out, struct gw_err *e);

/* Start an attempt: any state but done -> in_progress, attempts + 1. */
int	transfer_begin(struct db *db, int64_t id, struct gw_err *e);

/*
 * in_progress -> done. sha256 may be NULL (keep the stored one). Writes an
 * audit event "upload"/"download" by actor.
 */
int	transfer_done(struct db *db, int64_t id, const char *sha256,
	    const char *actor, struct gw_err *e);

/*
 * Any state but done -> to ("pending", "failed" or "needs_operator") with the
 * reason; next_at is when a daemon may try again (epoch seconds, 0 now).
 * needs_operator writes an audit event.
 */
int	transfer_fail(struct db *db, int64_t id, const char *to,
	    const char *reason, int64_t next_at, const char *actor,
	    struct gw_err *e);

/*
 * An upload again under the same name: any state -> pending (the caller
 * holds the bank's pass lock, so in_progress is a crashed attempt),
 * sends + 1, local_path updated (the file may be archived). Audit event
 * "resend" with the reason.
 */
int	transfer_resend(struct db *db, int64_t id, const char *local_path,
	    const char *actor, const char *reason, struct gw_err *e);

/* Update local_path (an upload archived, a download ingested and moved). */
int	transfer_set_local(struct db *db, int64_t id, const char *local_path,
	    struct gw_err *e);

/*
 * The remote copy of a download after ingestion: "kept", "deleted",
 * "moved" or "cleanup" (the delete/move is still to do). Audit event.
 */
int	transfer_set_remote_state(struct db *db, int64_t id, const char *rs,
	    const char *actor, struct gw_err *e);

/* For metrics: fn(arg, bank, direction, state, transfers, attempts). */
int	transfer_stats(struct db *db, void (*fn)(void *arg, const char *bank,
	    const char *direction, const char *state, int64_t n,
	    int64_t attempts), void *arg, struct gw_err *e);

struct transfer_filter {
	const char	*bank;		/* NULL: all */
	const char	*direction;	/* NULL: both */
	const char	*state;		/* NULL: all */
	const char	*remote_state;	/* NULL: any */
};

/*
 * Call fn for each row matching f, oldest first; fn returning non-zero
 * stops the walk and is returned. Rows are copied out first, so fn may
 * change the table.
 */
int	transfer_foreach(struct db *db, const struct transfer_filter *f,
	    int (*fn)(void *arg, const struct transfer *t), void *arg,
	    struct gw_err *e);

#endif
