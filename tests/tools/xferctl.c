/*
 * xferctl.c - the transport API as other parts will call it, for the
 * end-to-end tests: automatic passes (as the daemon runs them) with hooks
 * that print what they are told, and the clean-up after ingestion.
 *
 *   xferctl send HOME BANK          automatic send pass, hooks print
 *   xferctl fetch HOME BANK         automatic fetch pass, hooks print
 *   xferctl remote-done HOME BANK NAME   apply after_ingest to NAME
 *
 * Output: the pass's report lines, "hook uploaded BANK NAME", "hook
 * downloaded BANK NAME PATH", and a last line of counts.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/home.h"
#include "gateway/transport.h"

static void
report(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
}

static int
uploaded(void *arg, const char *bank, const char *name, struct gw_err *e)
{
	(void)arg;
	(void)e;
	printf("hook uploaded %s %s\n", bank, name);
	return 0;
}

static int
downloaded(void *arg, const char *bank, const char *name, const char *path,
    struct gw_err *e)
{
	(void)arg;
	(void)e;
	printf("hook downloaded %s %s %s\n", bank, name, path);
	return 0;
}

int
main(int argc, char **argv)
{
	struct transport_hooks hooks = { NULL, uploaded, downloaded };
	struct gw_err e = GW_ERR_INIT;
	struct transport_opts o;
	struct transport_result r;
	struct home *h = NULL;
	const char *verb = argc > 1 ? argv[1] : "";
	int rc;

	if (!((argc == 4 && (strcmp(verb, "send") == 0 ||
	    strcmp(verb, "fetch") == 0)) ||
	    (argc == 5 && strcmp(verb, "remote-done") == 0))) {
		fprintf(stderr, "usage: xferctl send|fetch HOME BANK | "
		    "xferctl remote-done HOME BANK NAME\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.actor = "xferctl";
	o.report = report;
	o.hooks = &hooks;
	o.bank = argv[3];
	if ((rc = home_open(&h, argv[2], &e)) == 0) {
		if (strcmp(verb, "send") == 0)
			rc = transport_send_pass(h, &o, &r, &e);
		else if (strcmp(verb, "fetch") == 0)
			rc = transport_fetch_pass(h, &o, &r, &e);
		else
			rc = transport_remote_done(h, argv[3], argv[4], &o, &e);
	}
	home_close(h);
	printf("done %d already %d failed %d stopped %d deferred %d "
	    "attempts %d\n", r.done, r.already, r.failed, r.stopped,
	    r.deferred, r.attempts);
	if (rc != 0) {
		fprintf(stderr, "xferctl: %s\n", e.msg);
		return gw_err_exit_status(e.code);
	}
	return 0;
}
