/*
 * cmd_serve.c - `debitgw serve`.
 */
#include <string.h>

#include "gateway/commands.h"
#include "gateway/daemon.h"

static int
cmd_serve(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct daemon_opts o;
	const struct cli_opt opts[] = {
		{ "syslog", OPT_FLAG, &o.use_syslog },
		{ "pidfile", OPT_STR, &o.pidfile },
		{ "listen", OPT_STR, &o.listen },
		{ NULL, 0, NULL },
	};

	memset(&o, 0, sizeof(o));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	return daemon_main(c, &o, e);
}

const struct cli_cmd serve_cmds[] = {
	{ "serve", NULL, cmd_serve, "[--syslog] [--pidfile F] [--listen ADDR:PORT]",
	  "run the daemon in the foreground: calendar runs, transfers, "
	  "ingestion, /healthz and /metrics",
	  "One line per event on stderr (or syslog with --syslog).\n"
	  "SIGTERM/SIGINT: finish the current transaction and transfer, exit 0.\n"
	  "SIGHUP: reload debitgw.conf (a bad file is refused, the old one "
	  "kept)." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
