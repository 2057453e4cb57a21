/*
 * xferctl.c - calls into the transport API that no command exposes yet,
 * for the end-to-end tests (the return-ingestion part will call them).
 *
 *   xferctl remote-done HOME BANK NAME   apply after_ingest to NAME
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

int
main(int argc, char **argv)
{
	struct gw_err e = GW_ERR_INIT;
	struct transport_opts o;
	struct home *h = NULL;
	int rc;

	if (argc != 5 || strcmp(argv[1], "remote-done") != 0) {
		fprintf(stderr, "usage: xferctl remote-done HOME BANK NAME\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.actor = "xferctl";
	o.report = report;
	if ((rc = home_open(&h, argv[2], &e)) == 0)
		rc = transport_remote_done(h, argv[3], argv[4], &o, &e);
	home_close(h);
	if (rc != 0) {
		fprintf(stderr, "xferctl: %s\n", e.msg);
		return gw_err_exit_status(e.code);
	}
	return 0;
}
