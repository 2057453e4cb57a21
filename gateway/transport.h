/*
 * transport.h - moving files to and from the partner banks.
 *
 * A send pass uploads what waits in outbox/BANK/; a fetch pass downloads
 * new return files into inbox/BANK/. Both keep a record per file
 * (gateway/transfer.h) so a file is uploaded once and fetched once, retry
 * transient errors (connect, timeout, dropped connection, HTTP 5xx) with
 * exponential backoff and jitter up to the bank's retry_max, and stop at
 * the first authentication or host-key error of a bank without retrying.
 *
 * What `send` picks up in outbox/BANK/: every regular file whose name is
 * valid (transfer_name_is_valid) and does not end in ".p7s" or ".sig",
 * once its signature FILE.p7s or FILE.sig lies beside it. The signature
 * goes up first and the file last, so a bank that acts on a file's arrival
 * always finds its signature already there. A file without a signature
 * waits. Once both are confirmed at the bank (present, with the right
 * size) hooks->on_uploaded runs and both move to archive/BANK/.
 *
 * Downloads: a remote file whose name is not valid is never fetched; a
 * valid one goes to inbox/BANK/NAME through a temporary file in the same
 * folder and a rename that never replaces an existing file; then
 * hooks->on_downloaded runs. The remote copy stays until the ingesting
 * part calls transport_remote_done, which applies the bank's after_ingest.
 *
 * Only one pass per bank and home runs at a time (a lock file in tmp/).
 */
#ifndef GW_TRANSPORT_H
#define GW_TRANSPORT_H

#include <stdint.h>

#include "common/err.h"
#include "gateway/home.h"

/*
 * Called by the passes so other parts can follow transfers without this
 * module knowing them. Both must be idempotent: on_uploaded runs again if
 * the pass stopped between the confirmation and the archiving. A hook's
 * error is reported and counted; it does not undo the transfer.
 */
struct transport_hooks {
	void	*arg;
	/* name (the data file, not its signature) is confirmed at the bank. */
	int	(*on_uploaded)(void *arg, const char *bank, const char *name,
		    struct gw_err *e);
	/* remote_name is now local_path, whole and durable. */
	int	(*on_downloaded)(void *arg, const char *bank,
		    const char *remote_name, const char *local_path,
		    struct gw_err *e);
};

struct transport_opts {
	const char	*bank;		/* NULL: every bank with the location */
	const char	*actor;		/* for audit events */
	const char	*passphrase;	/* of an encrypted client key, or NULL */
	int		 manual;	/* run by hand: also retry what waits for
					 * an operator or is not due yet */
	const struct transport_hooks *hooks;	/* may be NULL */
	/* One line per event ("ICBC: up B1.xml confirmed ..."); may be NULL. */
	void		(*report)(void *arg, const char *line);
	void		*report_arg;
	/* Sleep between attempts; NULL: nanosleep. Tests may count calls. */
	void		(*sleep_ms)(void *arg, int64_t ms);
	void		*sleep_arg;
};

struct transport_result {
	int	done;		/* files confirmed / fetched in this pass */
	int	already;	/* confirmed earlier, nothing to do */
	int	waiting;	/* outbox files still without a signature */
	int	failed;		/* gave up for now (transient) */
	int	stopped;	/* needs an operator */
	int	skipped;	/* remote names not valid, never fetched */
	int	deferred;	/* not due yet (next_attempt_at), automatic pass */
	int	attempts;	/* network attempts made */
};

/*
 * One upload pass. Returns 0 when every eligible file is confirmed (or
 * there was nothing to do); otherwise the code of the first failure
 * (GW_ENET, GW_EAUTH, ...) with its message in e, after trying every
 * bank. Counts go to *res (may be NULL).
 */
int	transport_send_pass(struct home *h, const struct transport_opts *o,
	    struct transport_result *res, struct gw_err *e);

/* One download pass; also retries pending remote clean-ups. */
int	transport_fetch_pass(struct home *h, const struct transport_opts *o,
	    struct transport_result *res, struct gw_err *e);

/*
 * Upload NAME (and its signature) to bank again under the same name, from
 * the outbox or the archive, for a bank that lost it: recorded as a resend
 * with reason. bank may be NULL when the name was sent to one bank only.
 * If the bank still has the file with the right size nothing is uploaded.
 */
int	transport_resend(struct home *h, const char *bank, const char *name,
	    const char *reason, const struct transport_opts *o,
	    struct transport_result *res, struct gw_err *e);

/*
 * The return file remote_name of bank has been ingested: delete or move
 * it on the server, or keep it, as the bank's after_ingest says. A failed
 * delete or move is recorded and retried by the next fetch pass.
 */
int	transport_remote_done(struct home *h, const char *bank,
	    const char *remote_name, const struct transport_opts *o,
	    struct gw_err *e);

/*
 * Delay before attempt n+1 after n failed attempts (n >= 1): the
 * exponential step base_ms * 2^(n-1), capped at cap_ms, of which the upper
 * half is jittered by rnd: the result lies in [step/2, step].
 */
int64_t	transport_backoff_ms(int n, int base_ms, int cap_ms, uint32_t rnd);

/*
 * Hold bank's transfer lock, so no pass uploads or fetches for it until
 * transport_unlock(*fd). GW_EBUSY while a pass runs. A batch cancel takes
 * it to be sure the file it withdraws is not on its way to the bank.
 */
int	transport_lock(int *fd, struct home *h, const char *bank,
	    struct gw_err *e);
void	transport_unlock(int fd);

#endif
