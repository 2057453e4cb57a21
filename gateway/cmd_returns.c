/*
 * cmd_returns.c - `debitgw returns ingest|list`.
 */
#include <stdio.h>
#include <string.h>

#include "common/money.h"
#include "gateway/commands.h"
#include "gateway/returns.h"

static int
cmd_ingest(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *sig = NULL, *bank = NULL;
	int unsig = 0;
	const struct cli_opt opts[] = {
		{ "sig", OPT_STR, &sig }, { "bank", OPT_STR, &bank },
		{ "unsigned", OPT_FLAG, &unsig }, { NULL, 0, NULL },
	};
	struct returns_opts o;
	struct returns_result r;
	struct home *h;
	char *pos[1], a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0)
		return e->code;
	if (bank == NULL)
		return cli_usage(c, e, "--bank B is required");
	if (cli_home(c, &h, e) != 0)
		return e->code;
	memset(&o, 0, sizeof(o));
	o.path = pos[0];
	o.sig_path = sig;
	o.bank = bank;
	o.unsigned_ok = unsig;
	o.actor = cli_actor(c);
	o.report = cli_report_line;
	if (returns_ingest(h, &o, &r, e) != 0)
		return e->code;
	if (r.already) {
		printf("%s: ingested before (at %s); nothing changed\n", pos[0],
		    r.already_at);
		return 0;
	}
	if (r.mandates_accepted || r.mandates_rejected)
		printf("%s (%s), signed by %s: %lld mandates accepted, %lld "
		    "rejected\n", pos[0], r.kind, r.signer,
		    (long long)r.mandates_accepted,
		    (long long)r.mandates_rejected);
	else
		printf("%s (%s), signed by %s: %lld items in %d batch%s: %lld "
		    "debited (%s), %lld failed (%s), %lld pending; %lld mandates "
		    "suspended\n", pos[0], r.kind, r.signer, (long long)r.items,
		    r.batches, r.batches == 1 ? "" : "es", (long long)r.accepted,
		    money_format(a, r.accepted_fen), (long long)r.rejected,
		    money_format(b, r.rejected_fen), (long long)r.pending,
		    (long long)r.suspended);
	return 0;
}

static const struct out_col list_cols[] = {
	{ "at", OUT_TEXT, 20 }, { "bank", OUT_TEXT, 6 },
	{ "name", OUT_TEXT, 30 }, { "kind", OUT_TEXT, 16 },
	{ "items", OUT_INT, 7 }, { "accepted", OUT_INT, 8 },
	{ "rejected", OUT_INT, 8 }, { "pending", OUT_INT, 7 },
	{ "sha256", OUT_TEXT, 0 },
};

static int
list_row(void *arg, sqlite3_stmt *st)
{
	struct out *o = arg;
	int i;

	for (i = 0; i < 4; i++)
		out_text(o, db_col_text(st, i));
	for (i = 4; i < 8; i++)
		out_int(o, sqlite3_column_int64(st, i));
	out_text(o, db_col_text(st, 8));
	out_row(o);
	return 0;
}

static int
cmd_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const char q[] = "SELECT at, bank, name, kind, items, accepted,"
	    " rejected, pending, sha256 FROM return_files"
	    " WHERE (?1 IS NULL OR bank = ?1) ORDER BY at DESC";
	const char *bank = NULL;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	sqlite3_stmt *st;
	int rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0 || (st = db_stmt(h->db, q, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, bank);
	o = out_begin(stdout, c->fmt, list_cols, OUT_NCOLS(list_cols));
	rc = db_each(h->db, st, list_row, o, "return files", e);
	out_end(o);
	return rc;
}

const struct cli_cmd returns_cmds[] = {
	{ "returns", "ingest", cmd_ingest,
	  "FILE --bank B [--sig SIG] [--unsigned]",
	  "verify a bank's return file (pain.002, camt.054, pain.012 or its "
	  "text format) and apply it in one transaction",
	  "The signature (--sig, else FILE.p7s or FILE.sig) must verify\n"
	  "against bank B's trust entries; --unsigned only where B's config\n"
	  "says unsigned_ok. Every item must be one of ours, of B's batches,\n"
	  "unanswered, with the amount we debited; otherwise the whole file\n"
	  "is refused and nothing changes. The same file twice is a no-op." },
	{ "returns", "list", cmd_list, "[--bank B]",
	  "return files ingested, newest first", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
