/*
 * httpsd.c - an HTTPS bank endpoint for the transport tests.
 *
 *   httpsd --root DIR --port N --cert F --key F --client-ca F
 *          [--log F] [--ready F] [--fail-first N] [--drop-uploads N]
 *          [--discard-uploads N]
 *
 * Serves DIR by the protocol in docs/transport.md (tests/lib/bankhttp.c)
 * on 127.0.0.1 until SIGTERM or SIGINT. --ready F is written once the
 * port listens, so a test waits on a condition, not a guess.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "tests/lib/bankhttp.h"

int
main(int argc, char **argv)
{
	struct bankhttp_opts o;
	struct bankhttp *s;
	struct gw_err e = GW_ERR_INIT;
	const char *ready = NULL;
	sigset_t set;
	int i, sig;

	memset(&o, 0, sizeof(o));
	for (i = 1; i + 1 < argc && e.code == 0; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--root") == 0)
			o.root = v;
		else if (strcmp(k, "--port") == 0)
			strnum_int(&o.port, v, 1, 65535, "--port", &e);
		else if (strcmp(k, "--cert") == 0)
			o.cert = v;
		else if (strcmp(k, "--key") == 0)
			o.key = v;
		else if (strcmp(k, "--client-ca") == 0)
			o.client_ca = v;
		else if (strcmp(k, "--log") == 0)
			o.log = v;
		else if (strcmp(k, "--ready") == 0)
			ready = v;
		else if (strcmp(k, "--fail-first") == 0)
			strnum_int(&o.fail_first, v, 0, 1000, k, &e);
		else if (strcmp(k, "--drop-uploads") == 0)
			strnum_int(&o.drop_uploads, v, 0, 1000, k, &e);
		else if (strcmp(k, "--discard-uploads") == 0)
			strnum_int(&o.discard_uploads, v, 0, 1000, k, &e);
		else
			gw_err_set(&e, GW_EUSAGE, "unknown option %s", k);
	}
	if (e.code == 0 && (i != argc || !o.root || !o.port || !o.cert ||
	    !o.key || !o.client_ca))
		gw_err_set(&e, GW_EUSAGE, "usage: httpsd --root DIR --port N "
		    "--cert F --key F --client-ca F [--log F] [--ready F] "
		    "[--fail-first N] [--drop-uploads N] [--discard-uploads N]");
	if (e.code != 0) {
		fprintf(stderr, "httpsd: %s\n", e.msg);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Block before the server thread starts, so it inherits the mask. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (bankhttp_start(&s, &o, &e) != 0) {
		fprintf(stderr, "httpsd: %s\n", e.msg);
		return 3;
	}
	if (ready != NULL && fs_write_atomic(ready, "ready\n", 6, 0644, &e) != 0) {
		fprintf(stderr, "httpsd: %s\n", e.msg);
		bankhttp_stop(s);
		return 3;
	}
	sigwait(&set, &sig);
	bankhttp_stop(s);
	return 0;
}
