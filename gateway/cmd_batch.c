/*
 * cmd_batch.c - `debitgw run`, `debitgw batch ...` and `debitgw notices`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/log.h"
#include "common/money.h"
#include "gateway/batch.h"
#include "gateway/batch_run.h"
#include "gateway/calendar.h"
#include "gateway/commands.h"
#include "ledger/obligation.h"

static int
parse_day(struct cli *c, const char *s, int *day, struct gw_err *e)
{
	if (s == NULL)
		return cli_usage(c, e, "--date D is required");
	if (date_parse(day, s, strlen(s), e) != 0)
		return gw_err_prefix(e, "--date: ");
	return 0;
}

static int
cmd_run(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *date = NULL, *bank = NULL;
	int dry = 0, unscheduled = 0, i;
	const struct cli_opt opts[] = {
		{ "date", OPT_STR, &date }, { "bank", OPT_STR, &bank },
		{ "dry-run", OPT_FLAG, &dry },
		{ "unscheduled", OPT_FLAG, &unscheduled }, { NULL, 0, NULL },
	};
	struct run_opts o;
	struct run_result r;
	struct home *h;
	char amt[MONEY_BUFSZ], ds[DATE_BUFSZ];
	int day, rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    parse_day(c, date, &day, e) != 0 || cli_home(c, &h, e) != 0)
		return e->code;
	memset(&o, 0, sizeof(o));
	o.day = day;
	o.bank = bank;
	o.dry_run = dry;
	o.unscheduled = unscheduled;
	o.actor = cli_actor(c);
	o.passphrase_file = c->passphrase_file;
	o.report = cli_report_line;
	if ((rc = batch_run(h, &o, &r, e)) != 0)
		return rc;
	date_format(ds, day);
	for (i = 0; i < r.nbanks; i++) {
		const struct run_bank *b = &r.banks[i];

		if (b->already) {
			printf("%s: already ran for %s (at %s); nothing new\n",
			    b->code, ds, b->already_at);
			continue;
		}
		printf("%s: %s %lld items, %s in %d file%s", b->code,
		    dry ? "would debit" : "debits", (long long)b->items,
		    money_format(amt, b->amount), b->files,
		    b->files == 1 ? "" : "s");
		if (b->held)
			printf(", %lld held back (name the file cannot carry)",
			    (long long)b->held);
		printf("\n");
	}
	printf("total %s: %lld items, %s in %d file%s", ds, (long long)r.items,
	    money_format(amt, r.amount), r.files, r.files == 1 ? "" : "s");
	if (!dry)
		printf(", %d placed in the outbox", r.produced);
	printf("\n");
	if (r.unmandated > 0)
		printf("not debited: %lld obligations, %s, without an active "
		    "mandate (listed above)\n", (long long)r.unmandated,
		    money_format(amt, r.unmandated_amount));
	return 0;
}

static const struct out_col list_cols[] = {
	{ "id", OUT_INT, 4 }, { "run_date", OUT_TEXT, 10 },
	{ "bank", OUT_TEXT, 6 }, { "msg_id", OUT_TEXT, 23 },
	{ "file", OUT_TEXT, 27 }, { "items", OUT_INT, 7 },
	{ "amount", OUT_MONEY, 12 }, { "state", OUT_TEXT, 10 },
	{ "sent_at", OUT_TEXT, 0 },
};

static int
list_row(void *arg, const struct batch *b)
{
	struct out *o = arg;

	out_int(o, b->id);
	out_text(o, b->run_date);
	out_text(o, b->bank);
	out_text(o, b->msg_id);
	out_text(o, b->file_name);
	out_int(o, b->nb_items);
	out_money(o, b->ctrl_sum);
	out_text(o, b->state);
	out_text_or_null(o, b->sent_at);
	out_row(o);
	return 0;
}

static int
cmd_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *state = NULL, *bank = NULL;
	const struct cli_opt opts[] = {
		{ "state", OPT_STR, &state }, { "bank", OPT_STR, &bank },
		{ NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if ((o = out_begin(stdout, c->fmt, list_cols,
	    OUT_NCOLS(list_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = batch_foreach(h->db, state, bank, list_row, o, e);
	out_end(o);
	return rc;
}

static const struct out_col show_cols[] = {
	{ "id", OUT_INT, 0 }, { "msg_id", OUT_TEXT, 0 },
	{ "file", OUT_TEXT, 0 }, { "signature", OUT_TEXT, 0 },
	{ "bank", OUT_TEXT, 0 }, { "format", OUT_TEXT, 0 },
	{ "run_date", OUT_TEXT, 0 }, { "state", OUT_TEXT, 0 },
	{ "items", OUT_INT, 0 }, { "amount", OUT_MONEY, 0 },
	{ "unanswered", OUT_INT, 0 }, { "accepted", OUT_INT, 0 },
	{ "rejected", OUT_INT, 0 }, { "overdue", OUT_TEXT, 0 },
	{ "file_sha256", OUT_TEXT, 0 }, { "sent_at", OUT_TEXT, 0 },
	{ "updated_at", OUT_TEXT, 0 },
};

static int
cmd_show(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const struct bank_cfg *bc;
	struct batch b;
	struct home *h;
	struct out *o;
	char *pos[1], overdue[96] = "";
	int64_t id, open, acc, rej;

	if (cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0 || batch_resolve(h->db, pos[0], &id, e) != 0 ||
	    batch_get(h->db, id, &b, e) != 0 ||
	    batch_item_counts(h->db, id, &open, &acc, &rej, e) != 0)
		return e->code;
	/* Items a bank has not answered some days after sending: overdue. */
	bc = config_bank(h->cfg, b.bank);
	if (open > 0 && b.sent_at[0] && bc != NULL) {
		int sent;

		if (date_parse(&sent, b.sent_at, 10, NULL) == 0 &&
		    date_today() > sent + bc->overdue_days)
			snprintf(overdue, sizeof(overdue), "yes: %lld items "
			    "unanswered more than %d days after sending",
			    (long long)open, bc->overdue_days);
		else
			snprintf(overdue, sizeof(overdue), "no");
	}
	o = out_record(stdout, c->fmt, show_cols, OUT_NCOLS(show_cols));
	out_int(o, b.id);
	out_text(o, b.msg_id);
	out_text(o, b.file_name);
	out_text_or_null(o, b.sig_name);
	out_text(o, b.bank);
	out_text(o, b.format);
	out_text(o, b.run_date);
	out_text(o, b.state);
	out_int(o, b.nb_items);
	out_money(o, b.ctrl_sum);
	out_int(o, open);
	out_int(o, acc);
	out_int(o, rej);
	out_text_or_null(o, overdue);
	out_text_or_null(o, b.file_sha256);
	out_text_or_null(o, b.sent_at);
	out_text(o, b.updated_at);
	out_row(o);
	out_end(o);
	return 0;
}

static int
cmd_cancel(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *reason = NULL;
	const struct cli_opt opts[] = {
		{ "reason", OPT_STR, &reason }, { NULL, 0, NULL },
	};
	struct batch b;
	struct home *h;
	char *pos[1];
	int64_t id;

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0)
		return e->code;
	if (reason == NULL || *reason == '\0')
		return cli_usage(c, e, "--reason is required");
	if (cli_home(c, &h, e) != 0 || batch_resolve(h->db, pos[0], &id, e) != 0 ||
	    batch_cancel(h, id, reason, cli_actor(c), e) != 0 ||
	    batch_get(h->db, id, &b, e) != 0)
		return e->code;
	printf("batch %s cancelled: %lld items back to open, file withdrawn\n",
	    b.msg_id, (long long)b.nb_items);
	return 0;
}

struct notice_ctx {
	struct out	*o;
	int		 day, funds_by;
	const char	*bank;
	int64_t		 n, amount;
};

static int
notice_row(void *arg, const struct obligation_due *d)
{
	struct notice_ctx *nc = arg;
	char masked[48], ds[DATE_BUFSZ], fb[DATE_BUFSZ];

	if (!batch_period_is_due(nc->day, d->period))
		return 0;
	out_text(nc->o, d->payer_id);
	out_text(nc->o, d->payer_name);
	out_text(nc->o, d->bank_code);
	out_text(nc->o, log_mask_account(masked, sizeof(masked), d->account_no));
	out_text(nc->o, d->period);
	out_money(nc->o, d->due_fen);
	out_text(nc->o, date_format(ds, nc->day));
	out_text(nc->o, date_format(fb, nc->funds_by));
	out_row(nc->o);
	nc->n++;
	nc->amount += d->due_fen;
	return 0;
}

static const struct out_col notice_cols[] = {
	{ "payer_id", OUT_TEXT, 18 }, { "name", OUT_TEXT, 10 },
	{ "bank", OUT_TEXT, 6 }, { "account", OUT_TEXT, 12 },
	{ "period", OUT_TEXT, 7 }, { "amount", OUT_MONEY, 10 },
	{ "debit_date", OUT_TEXT, 10 }, { "funds_by", OUT_TEXT, 0 },
};

static int
cmd_notices(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *date = NULL, *bank = NULL;
	const struct cli_opt opts[] = {
		{ "date", OPT_STR, &date }, { "bank", OPT_STR, &bank },
		{ NULL, 0, NULL },
	};
	struct calendar_run cr;
	struct notice_ctx nc;
	struct due_filter f;
	struct home *h;
	int rc;

	memset(&nc, 0, sizeof(nc));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    parse_day(c, date, &nc.day, e) != 0 || cli_home(c, &h, e) != 0)
		return e->code;
	nc.funds_by = calendar_run_on(h->cfg, nc.day, &cr) ? cr.funds_by :
	    nc.day - h->cfg->notice_days;
	memset(&f, 0, sizeof(f));
	f.bank_code = bank;
	if ((nc.o = out_begin(stdout, c->fmt, notice_cols,
	    OUT_NCOLS(notice_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = obligation_foreach_due(h->db, &f, notice_row, &nc, e);
	out_end(nc.o);
	return rc;
}

const struct cli_cmd batch_cmds[] = {
	{ "run", NULL, cmd_run,
	  "--date D [--dry-run] [--bank B] [--unscheduled]",
	  "debit every open, due obligation with an active mandate: one "
	  "signed file per bank in the outbox",
	  "D must be a run day of the calendar (--unscheduled: any day).\n"
	  "Running the same date again makes nothing new and says so.\n"
	  "--dry-run prints what would be debited per bank and in total and\n"
	  "writes nothing. Obligations without an active mandate are listed,\n"
	  "not debited. A bank's max_items / max_amount split its batch." },
	{ "batch", "list", cmd_list, "[--state S] [--bank B]",
	  "batches, newest first (--json, --csv)", NULL },
	{ "batch", "show", cmd_show, "ID",
	  "one batch: file, state, items answered and unanswered, overdue",
	  NULL },
	{ "batch", "cancel", cmd_cancel, "ID --reason R",
	  "cancel a batch not yet sent: its items go back to open", NULL },
	{ "notices", NULL, cmd_notices, "--date D [--bank B]",
	  "payers with a debit coming (for the SMS or letter): name, masked "
	  "account, amount, date, the day funds must be in", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
