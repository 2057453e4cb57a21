/*
 * daemon.c - the serve loop, its signals, its lock, and /healthz.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <unistd.h>

#include <jansson.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "gateway/daemon.h"
#include "gateway/httpd.h"
#include "gateway/jobs.h"
#include "gateway/metrics.h"

#define MAX_JOBS	(CFG_MAX_BANKS * 2 + 8)
#define MAX_SLEEP_MS	60000L

static volatile sig_atomic_t sig_stop, sig_reload;
static int wake_pipe[2] = { -1, -1 };

struct daemon {
	struct cli		*cli;
	struct home		*home;
	struct httpd		*http;
	struct daemon_job	 jobs[MAX_JOBS];
	int			 njobs;
	time_t			 started;
	int			 lock_fd;
	char			*passphrase;
};

struct cli *
daemon_cli(struct daemon *d)
{
	return d->cli;
}

const char *
daemon_passphrase(struct daemon *d)
{
	return d->passphrase;
}

void
daemon_wake(struct daemon *d, const char *name)
{
	int i;

	for (i = 0; i < d->njobs; i++)
		if (strcmp(d->jobs[i].name, name) == 0)
			d->jobs[i].next = 0;
}

struct home *
daemon_home(struct daemon *d)
{
	return d->home;
}

int
daemon_stopping(const struct daemon *d)
{
	(void)d;
	return sig_stop != 0;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = 1;

	if (sig == SIGHUP)
		sig_reload = 1;
	else
		sig_stop = 1;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
		/* The pipe is full: the loop is awake anyway. */
	}
	errno = saved;
}

static int
signals_setup(struct gw_err *e)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return gw_err_set(e, GW_EENV, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static void
health(struct daemon *d, struct httpd_reply *r)
{
	static const char q[] = "SELECT count(*) FROM schema_migrations";
	json_t *j = json_object(), *jobs = json_array();
	sqlite3_stmt *st;
	struct gw_err e = GW_ERR_INIT;
	int db_ok = 0, i;
	char ts[TS_BUFSZ];

	if ((st = db_stmt(d->home->db, q, &e)) != NULL) {
		db_ok = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
	}
	for (i = 0; i < d->njobs; i++) {
		struct daemon_job *jb = &d->jobs[i];

		json_array_append_new(jobs, json_pack("{s:s, s:s, s:i, s:s?}",
		    "name", jb->name, "next", ts_format(ts, jb->next),
		    "failures", jb->failures, "last_error",
		    jb->last_error[0] ? jb->last_error : NULL));
	}
	json_object_set_new(j, "status", json_string(db_ok ? "ok" : "degraded"));
	json_object_set_new(j, "database", json_string(db_ok ? "ok" : "error"));
	json_object_set_new(j, "uptime_seconds",
	    json_integer((json_int_t)(gw_now() - d->started)));
	json_object_set_new(j, "fake_clock", json_boolean(gw_clock_is_fake()));
	json_object_set_new(j, "jobs", jobs);
	r->status = db_ok ? 200 : 503;
	r->content_type = "application/json";
	r->body = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
}

static void
on_http(void *arg, const char *method, const char *url, struct httpd_reply *r)
{
	struct daemon *d = arg;
	struct gw_err e = GW_ERR_INIT;

	(void)method;
	if (strcmp(url, "/healthz") == 0) {
		health(d, r);
		return;
	}
	if (strcmp(url, "/metrics") == 0) {
		if (metrics_render(&r->body, &r->len, d->home, d->started,
		    &e) != 0) {
			log_err("metrics: %s", e.msg);
			r->status = 500;
			r->body = strdup("metrics unavailable\n");
			r->len = 0;
			return;
		}
		r->content_type = "text/plain; version=0.0.4; charset=utf-8";
		return;
	}
	r->status = 404;
	r->body = strdup("not found\n");
}

static void
reload(struct daemon *d)
{
	struct config *nc;
	struct gw_err e = GW_ERR_INIT;

	if (config_load(&nc, d->home->conf_path, d->home->dir, &e) != 0) {
		log_err("reload refused, keeping the running config: %s", e.msg);
		return;
	}
	config_free(d->home->cfg);
	d->home->cfg = nc;
	d->njobs = jobs_setup(d->jobs, MAX_JOBS, d->home->cfg, gw_now());
	log_info("config reloaded from %s (%d banks, %d jobs)",
	    d->home->conf_path, nc->nbanks, d->njobs);
}

static void
run_due(struct daemon *d)
{
	int i;

	for (i = 0; i < d->njobs && !sig_stop; i++) {
		struct daemon_job *j = &d->jobs[i];
		struct gw_err e = GW_ERR_INIT;

		if (j->next > gw_now())
			continue;
		if (j->run(d, j, &e) != 0) {
			j->failures++;
			snprintf(j->last_error, sizeof(j->last_error), "%.255s",
			    e.msg);
			log_err("%s: %s", j->name, e.msg);
			/* A job that failed retries with backoff, never a storm. */
			if (j->next <= gw_now()) {
				int shift = j->failures < 6 ? j->failures : 6;

				j->next = gw_now() + (5 << shift);
			}
		} else {
			j->failures = 0;
			j->last_error[0] = '\0';
		}
	}
}

static long
sleep_ms(struct daemon *d)
{
	long ms = MAX_SLEEP_MS;
	time_t now = gw_now();
	int i;

	for (i = 0; i < d->njobs; i++) {
		time_t next = d->jobs[i].next;

		if (next <= now)
			return 0;
		/* Compare in seconds first: a far deadline must not overflow. */
		if (next - now < MAX_SLEEP_MS / 1000 &&
		    (long)(next - now) * 1000 < ms)
			ms = (long)(next - now) * 1000;
	}
	return ms;
}

static int
lock_home(struct daemon *d, struct gw_err *e)
{
	char *p = home_path(d->home, "debitgw.lock");

	if (p == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	d->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	if (d->lock_fd < 0)
		return gw_err_set(e, GW_EENV, "lock file: %s", strerror(errno));
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0)
		return gw_err_set(e, GW_EENV, "%s: another `debitgw serve` runs "
		    "on this home", d->home->dir);
	return 0;
}

static int
write_pidfile(const char *path, struct gw_err *e)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	return fs_write_atomic(path, buf, (size_t)n, 0644, e);
}

int
daemon_main(struct cli *c, const struct daemon_opts *o, struct gw_err *e)
{
	struct daemon d;
	int rc, port = 0;

	memset(&d, 0, sizeof(d));
	d.cli = c;
	d.lock_fd = -1;
	d.started = gw_now();
	log_init("debitgw", o->use_syslog, LOG_LVL_INFO);
	/* Handlers first: a SIGTERM during start-up is a clean stop too. */
	if ((rc = signals_setup(e)) != 0 || (rc = cli_home(c, &d.home, e)) != 0 ||
	    (rc = lock_home(&d, e)) != 0 ||
	    (rc = cli_passphrase(c, &d.passphrase, e)) != 0)
		goto done;
	if ((rc = httpd_start(&d.http, o->listen ? o->listen :
	    d.home->cfg->http_listen, d.home->cfg->http_tls_cert,
	    d.home->cfg->http_tls_key, d.passphrase, on_http, &d, &port,
	    e)) != 0)
		goto done;
	if (o->pidfile && (rc = write_pidfile(o->pidfile, e)) != 0)
		goto done;
	d.njobs = jobs_setup(d.jobs, MAX_JOBS, d.home->cfg, gw_now());
	log_info("serving home %s, http port %d, %d jobs, pid %ld%s", d.home->dir,
	    port, d.njobs, (long)getpid(), gw_clock_is_fake() ?
	    " (FAKE CLOCK from DEBITGW_FAKE_*: tests only)" : "");
	while (!sig_stop) {
		fd_set rs, ws, es;
		struct timeval tv;
		long ms;
		int maxfd;
		char drain[64];

		if (sig_reload) {
			sig_reload = 0;
			reload(&d);
		}
		run_due(&d);
		if (sig_stop)
			break;
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		FD_SET(wake_pipe[0], &rs);
		maxfd = wake_pipe[0];
		ms = sleep_ms(&d);
		httpd_fdset(d.http, &rs, &ws, &es, &maxfd, &ms);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (select(maxfd + 1, &rs, &ws, &es, &tv) < 0) {
			if (errno == EINTR)
				continue;
			rc = gw_err_set(e, GW_EENV, "select: %s", strerror(errno));
			break;
		}
		if (FD_ISSET(wake_pipe[0], &rs))
			while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
				;
		httpd_run(d.http, &rs, &ws, &es);
	}
	if (rc == 0)
		log_info("stopped cleanly");
done:
	httpd_stop(d.http);
	if (o->pidfile && d.http)
		unlink(o->pidfile);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	cli_passphrase_free(d.passphrase);
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
		wake_pipe[0] = wake_pipe[1] = -1;
	}
	return rc;
}
