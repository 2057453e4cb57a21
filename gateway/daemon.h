/*
 * daemon.h - `debitgw serve`: one loop driven by deadlines.
 *
 * Each job knows when it is next due; the loop runs the due ones, then
 * sleeps in select() until the earliest deadline, an HTTP request or a
 * signal. Signal handlers only set flags (and write a byte to a pipe to
 * wake the loop): SIGTERM/SIGINT stop after the job in hand finishes its
 * transaction and transfer, SIGHUP reloads the config (a failed reload
 * keeps the old one and says why).
 *
 * Everything runs on one thread, so jobs and HTTP handlers share the
 * database handle without locks; a lock file keeps a second daemon off the
 * same home.
 */
#ifndef GW_DAEMON_H
#define GW_DAEMON_H

#include <time.h>

#include "common/err.h"
#include "gateway/cli.h"

struct daemon;

struct daemon_job {
	char		 name[48];
	time_t		 next;		/* due at; 0 = now */
	/* Do one step; set j->next. A returned error is logged, not fatal. */
	int		(*run)(struct daemon *d, struct daemon_job *j,
			    struct gw_err *e);
	const void	*arg;		/* e.g. the bank the job polls */
	int		 failures;	/* consecutive failed steps */
	char		 last_error[256];
};

struct daemon_opts {
	int		 use_syslog;
	const char	*pidfile;
	const char	*listen;	/* overrides [http] listen */
};

/* Run until told to stop. Returns 0 on a clean stop. */
int	daemon_main(struct cli *c, const struct daemon_opts *o, struct gw_err *e);

/* The home the daemon works on (jobs use it). */
struct home *daemon_home(struct daemon *d);

/* The command line it was started with (actor, passphrase file). */
struct cli *daemon_cli(struct daemon *d);

/* The key passphrase read at start (NULL: none); never logged. */
const char *daemon_passphrase(struct daemon *d);

/* Make the job called name due now (e.g. send right after a run). */
void	daemon_wake(struct daemon *d, const char *name);

/* 1 once a stop was requested: long jobs check it between items. */
int	daemon_stopping(const struct daemon *d);

#endif
