/*
 * jobs.c - what the daemon does, and when.
 *
 *   recover       once at start: finish files a crash left half made
 *   run           at the calendar's run time: the day's batches
 *   mandates      every send_interval: pain.009 / pain.011 due
 *   send          every send_interval, and right after a run: the outbox
 *   fetch:BANK    every poll_interval of the bank: download its returns,
 *                 then ingest what waits in inbox/BANK/
 *
 * Each job is idempotent: a crash at any point and a restart redo
 * nothing that was done (runs are recorded per day and bank, uploads and
 * downloads per file, ingests per file hash). A file that fails its
 * checks is moved to inbox/BANK/refused/ with its reason beside it, so it
 * is looked at by a person once instead of retried every poll.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "gateway/batch_run.h"
#include "gateway/calendar.h"
#include "gateway/hooks.h"
#include "gateway/jobs.h"
#include "gateway/mandreq.h"
#include "gateway/returns.h"
#include "gateway/transport.h"
#include "keys/keys.h"

static void
report(void *arg, const char *line)
{
	(void)arg;
	log_info("%s", line);
}

static const char *
actor(struct daemon *d)
{
	return cli_actor(daemon_cli(d));
}

static int
job_recover(struct daemon *d, struct daemon_job *j, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	int produced = 0, rc;

	j->next = (time_t)1 << 62;	/* once */
	if ((rc = batch_produce(h, daemon_cli(d)->passphrase_file, actor(d),
	    &produced, e)) != 0)
		return rc;
	if (produced > 0)
		log_info("recover: %d batch file%s finished and placed", produced,
		    produced == 1 ? "" : "s");
	/* Mandate request files are finished by the mandates job, which
	 * runs at start too. */
	return 0;
}

static void
next_run(struct daemon_job *j, const struct config *c, time_t now)
{
	struct calendar_run r;
	time_t start;

	j->next = calendar_next_run(c, now, &r, &start) ? start :
	    now + 86400;
}

static int
job_run(struct daemon *d, struct daemon_job *j, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	struct calendar_run cr;
	struct run_opts o;
	struct run_result r;
	time_t now = gw_now();
	char day[DATE_BUFSZ];
	int rc, i;

	next_run(j, h->cfg, now);
	if (!calendar_run_on(h->cfg, date_of_time(now), &cr))
		return 0;
	memset(&o, 0, sizeof(o));
	o.day = cr.day;
	o.actor = actor(d);
	o.passphrase_file = daemon_cli(d)->passphrase_file;
	o.report = report;
	log_info("run %s: starting", date_format(day, cr.day));
	if ((rc = batch_run(h, &o, &r, e)) != 0)
		return rc;
	for (i = 0; i < r.nbanks; i++)
		if (!r.banks[i].already)
			log_info("run %s: bank %s: %lld items in %d files", day,
			    r.banks[i].code, (long long)r.banks[i].items,
			    r.banks[i].files);
	log_info("run %s: %lld items, %d files placed in the outbox", day,
	    (long long)r.items, r.produced);
	daemon_wake(d, "send");
	return 0;
}

static int
job_mandates(struct daemon *d, struct daemon_job *j, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	struct mandreq_result r;
	int rc;

	j->next = gw_now() + h->cfg->send_interval;
	if ((rc = mandreq_make(h, NULL, actor(d),
	    daemon_cli(d)->passphrase_file, &r, e)) != 0)
		return rc;
	if (r.files > 0) {
		log_info("mandates: %lld to register, %lld to cancel, %d files",
		    (long long)r.requested, (long long)r.cancelled, r.files);
		daemon_wake(d, "send");
	}
	return 0;
}

/* A transfer pass as the daemon makes it (bank NULL: every bank). */
static void
pass_opts(struct daemon *d, const char *bank, struct transport_opts *o,
    struct gateway_hooks *hk)
{
	gateway_hooks_init(hk, daemon_home(d), actor(d));
	memset(o, 0, sizeof(*o));
	o->bank = bank;
	o->actor = actor(d);
	o->passphrase = daemon_passphrase(d);
	o->hooks = &hk->t;
	o->report = report;
}

static int
job_send(struct daemon *d, struct daemon_job *j, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	struct transport_opts o;
	struct transport_result r;
	struct gateway_hooks hk;

	j->next = gw_now() + h->cfg->send_interval;
	pass_opts(d, NULL, &o, &hk);
	return transport_send_pass(h, &o, &r, e);
}

/* Move a file the checks refused (and its signature) out of the way, with
 * the reason beside it, so it is looked at once, not retried forever. */
static void
refuse(const char *dir, const char *name, const char *why)
{
	char rdir[4096 + 16], src[4096 + 512], dst[4096 + 600];
	const char *ext[] = { "", keys_sig_exts[0], keys_sig_exts[1] };
	size_t i;

	snprintf(rdir, sizeof(rdir), "%s/refused", dir);
	if (fs_mkdirs(rdir, 0750, NULL) != 0)
		return;
	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/%s%s", dir, name, ext[i]);
		snprintf(dst, sizeof(dst), "%s/%s%s", rdir, name, ext[i]);
		if (fs_exists(src))
			fs_move_noreplace(src, dst, NULL);
	}
	snprintf(dst, sizeof(dst), "%s/%s.reason", rdir, name);
	fs_write_atomic(dst, why, strlen(why), 0640, NULL);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* Ingest every complete return file waiting in inbox/BANK/. */
static int
ingest_inbox(struct daemon *d, const struct bank_cfg *b, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	char dir[4096], path[4096 + 256], sig[4096 + 264];
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/inbox/%s", h->dir, b->code);
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL && !daemon_stopping(d)) {
		struct returns_opts o;
		struct returns_result r;
		struct gw_err ie = GW_ERR_INIT;
		int signed_;

		if (de->d_name[0] == '.' || de->d_type == DT_DIR ||
		    keys_is_sig_name(de->d_name) ||
		    has_suffix(de->d_name, ".reason"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		signed_ = keys_sig_beside(path, sig, sizeof(sig));
		/* Its signature may still be on its way; the config alone can
		 * say a bank's channel is the proof. */
		if (!signed_ && !b->unsigned_ok)
			continue;
		memset(&o, 0, sizeof(o));
		o.path = path;
		o.bank = b->code;
		o.unsigned_ok = !signed_;
		o.actor = actor(d);
		o.report = report;
		if (returns_ingest(h, &o, &r, &ie) == 0) {
			if (r.already)
				log_info("ingest %s %s: ingested before", b->code,
				    de->d_name);
			else
				log_info("ingest %s %s: %lld items, %lld debited, "
				    "%lld failed, %lld pending; %lld mandates "
				    "accepted, %lld rejected", b->code, de->d_name,
				    (long long)r.items, (long long)r.accepted,
				    (long long)r.rejected, (long long)r.pending,
				    (long long)r.mandates_accepted,
				    (long long)r.mandates_rejected);
			continue;
		}
		if (ie.code == GW_EINPUT || ie.code == GW_ESIG ||
		    ie.code == GW_ELIMIT) {
			log_err("ingest %s %s refused, moved to refused/: %s",
			    b->code, de->d_name, ie.msg);
			refuse(dir, de->d_name, ie.msg);
			continue;
		}
		/* Busy database, disk trouble: try again next poll. */
		rc = gw_err_pass(e, &ie);
		break;
	}
	closedir(dp);
	return rc;
}

static int
job_fetch(struct daemon *d, struct daemon_job *j, struct gw_err *e)
{
	struct home *h = daemon_home(d);
	const struct bank_cfg *b = config_bank(h->cfg, j->arg);
	struct transport_opts o;
	struct transport_result r;
	struct gateway_hooks hk;
	int rc;

	if (b == NULL)
		return 0;
	j->next = gw_now() + b->poll_interval;
	pass_opts(d, b->code, &o, &hk);
	if (b->returns != NULL &&
	    (rc = transport_fetch_pass(h, &o, &r, e)) != 0)
		return rc;
	return ingest_inbox(d, b, e);
}

static struct daemon_job *
add(struct daemon_job *jobs, int *n, int cap, const char *name,
    int (*run)(struct daemon *, struct daemon_job *, struct gw_err *),
    time_t next, const void *arg)
{
	struct daemon_job *j;

	if (*n >= cap)
		return NULL;
	j = &jobs[(*n)++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->run = run;
	j->next = next;
	j->arg = arg;
	return j;
}

int
jobs_setup(struct daemon_job *jobs, int cap, const struct config *c,
    time_t now)
{
	struct calendar_run r;
	struct daemon_job *j;
	int n = 0, i;

	add(jobs, &n, cap, "recover", job_recover, 0, NULL);
	/* A run day whose run time passed while we were down runs now: a
	 * run that was made before is recorded and makes nothing new. */
	if ((j = add(jobs, &n, cap, "run", job_run, 0, NULL)) != NULL) {
		next_run(j, c, now);
		if (calendar_run_on(c, date_of_time(now), &r)) {
			struct tm tm;
			time_t t = now;

			localtime_r(&t, &tm);
			if (tm.tm_hour * 60 + tm.tm_min >= c->run_minute)
				j->next = now;
		}
	}
	add(jobs, &n, cap, "mandates", job_mandates, now, NULL);
	add(jobs, &n, cap, "send", job_send, now, NULL);
	for (i = 0; i < c->nbanks; i++) {
		char name[48];

		snprintf(name, sizeof(name), "fetch:%s", c->banks[i].code);
		add(jobs, &n, cap, name, job_fetch, now, c->banks[i].code);
	}
	return n;
}
