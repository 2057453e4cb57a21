/*
 * cmd_transport.c - `debitgw send`, `fetch`, `transfers` and `resend`:
 * one transfer pass by hand, the record of transfers, and a resend.
 *
 * A pass run by hand also retries records that wait for an operator: the
 * operator running it is the one they waited for. Exit status follows the
 * first failure: 3 for network, authentication or key problems, 1 for a
 * file that failed a check (empty, changed, name taken at the bank).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "gateway/batch.h"
#include "gateway/commands.h"
#include "gateway/hooks.h"
#include "gateway/transfer.h"
#include "gateway/transport.h"

static void
report_line(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
	fflush(stdout);
}


static void
opts_init(struct cli *c, struct transport_opts *o, const char *bank,
    char *pass)
{
	memset(o, 0, sizeof(*o));
	o->bank = bank;
	o->actor = cli_actor(c);
	o->passphrase = pass;
	o->manual = 1;
	o->report = report_line;
}

static void
summary(const char *what, const struct transport_result *r)
{
	printf("%s: %d done, %d already done, %d waiting for a signature, "
	    "%d failed (will retry), %d need an operator, %d unsafe names "
	    "skipped, %d attempts\n", what, r->done, r->already, r->waiting,
	    r->failed, r->stopped, r->skipped, r->attempts);
}

static int
pass_cmd(struct cli *c, int argc, char **argv, int up, struct gw_err *e)
{
	const char *bank = NULL;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { NULL, 0, NULL },
	};
	struct transport_opts o;
	struct transport_result r;
	struct gateway_hooks hk;
	struct home *h;
	char *pass = NULL;
	int rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0 || cli_passphrase(c, &pass, e) != 0)
		return e->code;
	opts_init(c, &o, bank, pass);
	gateway_hooks_init(&hk, h, cli_actor(c));
	o.hooks = &hk.t;
	rc = up ? transport_send_pass(h, &o, &r, e) :
	    transport_fetch_pass(h, &o, &r, e);
	cli_passphrase_free(pass);
	summary(up ? "send" : "fetch", &r);
	return rc;
}

static int
cmd_send(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return pass_cmd(c, argc, argv, 1, e);
}

static int
cmd_fetch(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return pass_cmd(c, argc, argv, 0, e);
}

static const struct out_col cols[] = {
	{ "id", OUT_INT, 4 }, { "dir", OUT_TEXT, 4 }, { "bank", OUT_TEXT, 6 },
	{ "name", OUT_TEXT, 24 }, { "size", OUT_INT, 8 },
	{ "state", OUT_TEXT, 14 }, { "attempts", OUT_INT, 8 },
	{ "sends", OUT_INT, 5 }, { "remote", OUT_TEXT, 8 },
	{ "updated_at", OUT_TEXT, 20 }, { "local_path", OUT_TEXT, 0 },
	{ "sha256", OUT_TEXT, 0 }, { "next_attempt_at", OUT_INT, 0 },
	{ "last_error", OUT_TEXT, 0 },
};

#define NTABLE 10	/* columns the human table shows; errors below */

struct list {
	struct out	*o;
	int		 table;
};

static int
list_row(void *arg, const struct transfer *t)
{
	struct list *l = arg;
	struct out *o = l->o;

	out_int(o, t->id);
	out_text(o, t->direction);
	out_text(o, t->bank);
	out_text(o, t->remote_name);
	out_int(o, t->size);
	out_text(o, t->state);
	out_int(o, t->attempts);
	out_int(o, t->sends);
	out_text(o, strcmp(t->direction, "down") == 0 ? t->remote_state : "-");
	out_text(o, t->updated_at);
	if (!l->table) {
		out_text(o, t->local_path);
		out_text_or_null(o, t->sha256);
		out_int(o, t->next_attempt_at);
		out_text_or_null(o, t->last_error);
	}
	out_row(o);
	if (l->table && t->last_error[0] && strcmp(t->state, "done") != 0)
		printf("      last error: %s\n", t->last_error);
	return 0;
}

static int
cmd_transfers(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct transfer_filter f;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &f.bank }, { "state", OPT_STR, &f.state },
		{ "direction", OPT_STR, &f.direction }, { NULL, 0, NULL },
	};
	struct list l;
	struct home *h;
	int rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (f.state != NULL && !transfer_state_is_valid(f.state))
		return cli_usage(c, e, "unknown state '%s'", f.state);
	if (f.direction != NULL && strcmp(f.direction, "up") != 0 &&
	    strcmp(f.direction, "down") != 0)
		return cli_usage(c, e, "--direction is up or down");
	if (cli_home(c, &h, e) != 0)
		return e->code;
	l.table = c->fmt == OUT_TABLE;
	if ((l.o = out_begin(stdout, c->fmt, cols, l.table ? NTABLE :
	    OUT_NCOLS(cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = transfer_foreach(h->db, &f, list_row, &l, e);
	out_end(l.o);
	return rc;
}

static int
cmd_resend(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *bank = NULL, *reason = "resent by hand";
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { "reason", OPT_STR, &reason },
		{ NULL, 0, NULL },
	};
	struct transport_opts o;
	struct transport_result r;
	struct batch b;
	struct gw_err none = GW_ERR_INIT;
	struct home *h;
	const char *name;
	char *pos[1], *pass = NULL;
	int64_t id;
	int rc;

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	/* A batch (id, MsgId or file name) resends its file to its bank;
	 * any other sent file is named as it is. */
	name = pos[0];
	if (batch_resolve(h->db, pos[0], &id, &none) == 0 &&
	    batch_get(h->db, id, &b, &none) == 0) {
		name = b.file_name;
		if (bank == NULL)
			bank = b.bank;
	}
	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': neither a batch nor a file "
		    "name", pos[0]);
	if (cli_passphrase(c, &pass, e) != 0)
		return e->code;
	opts_init(c, &o, bank, pass);
	rc = transport_resend(h, bank, name, reason, &o, &r, e);
	cli_passphrase_free(pass);
	summary("resend", &r);
	return rc;
}

const struct cli_cmd transport_cmds[] = {
	{ "send", NULL, cmd_send, "[--bank B]",
	  "upload what waits in outbox/BANK/ (signature first), once, "
	  "confirmed at the bank",
	  "Picks up every file with its FILE.p7s or FILE.sig beside it;\n"
	  "retries connect, timeout and 5xx errors with backoff; stops a bank\n"
	  "at an authentication or host-key error. Confirmed files move to\n"
	  "archive/BANK/. Exit 3: network or authentication; 1: a file failed\n"
	  "a check." },
	{ "fetch", NULL, cmd_fetch, "[--bank B]",
	  "download new return files into inbox/BANK/, each once", NULL },
	{ "transfers", NULL, cmd_transfers,
	  "[--bank B] [--state S] [--direction up|down]",
	  "every upload and download with its state, attempts and last error",
	  "States: pending, in_progress, done, failed (retried by the next\n"
	  "pass), needs_operator (authentication, host key, conflict).\n"
	  "--json and --csv add local_path, sha256, next_attempt_at and\n"
	  "last_error columns." },
	{ "resend", NULL, cmd_resend, "BATCH|NAME [--bank B] [--reason TEXT]",
	  "upload a sent batch (id, MsgId or file name) and its signature again "
	  "under the same name",
	  "For a bank that lost a file: takes it from the outbox or the\n"
	  "archive, checks it is byte for byte what was sent, and records the\n"
	  "resend in the audit trail. Nothing is uploaded if the bank still\n"
	  "holds the file with the right size." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
