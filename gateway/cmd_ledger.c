/*
 * cmd_ledger.c - `debitgw assess|obligation|ledger|month ...`: assessments
 * in, obligations, the journal and its balances, month close.
 *
 * Commands parse and print; every rule lives in ledger/. A command that
 * changes something is one transaction (the ledger functions that work
 * inside a caller's transaction get one here).
 */
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "gateway/commands.h"
#include "gateway/ledger_policy.h"
#include "ledger/assess.h"
#include "ledger/journal.h"
#include "ledger/ledger.h"
#include "ledger/obligation.h"

static void
report_line(void *arg, int warning, const char *line)
{
	(void)arg;
	(void)warning;
	fprintf(stderr, "%s\n", line);
}

static int
cmd_assess_import(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	int strict = 0;
	const struct cli_opt opts[] = {
		{ "strict", OPT_FLAG, &strict }, { NULL, 0, NULL },
	};
	struct assess_import_opts o;
	struct assess_import_result r;
	struct ledger_policy pol;
	struct home *h;
	char *pos[1], due[MONEY_BUFSZ], sub[MONEY_BUFSZ];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	ledger_policy_from_config(&pol, h->cfg);
	memset(&o, 0, sizeof(o));
	o.path = pos[0];
	o.actor = cli_actor(c);
	o.policy = &pol;
	o.strict = strict;
	o.today = date_today();
	o.report = report_line;
	if (assess_import(h->db, &o, &r, e) != 0)
		return e->code;
	if (r.already) {
		printf("%s: already imported at %s; nothing to do\n", o.path,
		    r.already_at);
		return 0;
	}
	printf("%s: %ld rows, %ld obligations (%ld open, %ld settled with "
	    "nothing due), due %s, subsidised %s, %ld warnings, %ld legacy IDs "
	    "converted\n", o.path, r.rows, r.imported, r.open, r.settled,
	    money_format(due, r.due_fen), money_format(sub, r.subsidy_fen),
	    r.warnings, r.ids_converted);
	return 0;
}

/* ---- obligation ----------------------------------------------------- */

static const struct out_col obl_cols[] = {
	{ "id", OUT_TEXT, 11 }, { "payer_id", OUT_TEXT, 18 },
	{ "period", OUT_TEXT, 7 }, { "category", OUT_TEXT, 8 },
	{ "amount", OUT_MONEY, 9 }, { "subsidy", OUT_MONEY, 9 },
	{ "due", OUT_MONEY, 9 }, { "state", OUT_TEXT, 18 },
	{ "paid_on", OUT_TEXT, 10 }, { "channel", OUT_TEXT, 8 },
	{ "reference", OUT_TEXT, 16 }, { "cover_from", OUT_TEXT, 10 },
	{ "failure", OUT_TEXT, 18 }, { "raw_code", OUT_TEXT, 0 },
};

static int
obl_row(void *arg, const struct obligation *o)
{
	struct out *out = arg;
	char ref[OBLIGATION_REF_SZ];

	out_text(out, obligation_ref(ref, o->id));
	out_text(out, o->payer_id);
	out_text(out, o->period);
	out_text(out, o->category);
	out_money(out, o->amount_fen);
	out_money(out, o->subsidy_fen);
	out_money(out, o->due_fen);
	out_text(out, o->state);
	out_text_or_null(out, o->paid_on);
	out_text_or_null(out, o->pay_channel);
	out_text_or_null(out, o->pay_ref);
	out_text_or_null(out, o->cover_from);
	out_text_or_null(out, o->fail_category);
	out_text_or_null(out, o->fail_code);
	out_row(out);
	return 0;
}

static int
cmd_obligation_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct obligation_filter f;
	const char *year = NULL;
	const struct cli_opt opts[] = {
		{ "state", OPT_STR, &f.state }, { "payer", OPT_STR, &f.payer_id },
		{ "period", OPT_STR, &f.period }, { "year", OPT_STR, &year },
		{ NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (f.state && !obligation_state_is_valid(f.state))
		return cli_usage(c, e, "unknown state '%s'", f.state);
	if (year && ledger_period_parse(year, &f.year, e) != 0)
		return gw_err_prefix(e, "--year: ");
	if (cli_home(c, &h, e) != 0)
		return e->code;
	if ((o = out_begin(stdout, c->fmt, obl_cols,
	    OUT_NCOLS(obl_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = obligation_foreach(h->db, &f, obl_row, o, e);
	out_end(o);
	return rc;
}

static int
cmd_obligation_show(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const struct out_col cols[] = {
		{ "id", OUT_TEXT, 0 }, { "payer_id", OUT_TEXT, 0 },
		{ "period", OUT_TEXT, 0 }, { "category", OUT_TEXT, 0 },
		{ "amount", OUT_MONEY, 0 }, { "subsidy", OUT_MONEY, 0 },
		{ "due", OUT_MONEY, 0 }, { "exemption_type", OUT_TEXT, 0 },
		{ "exemption_cert", OUT_TEXT, 0 },
		{ "exemption_valid_until", OUT_TEXT, 0 },
		{ "late", OUT_INT, 0 }, { "newborn", OUT_INT, 0 },
		{ "state", OUT_TEXT, 0 }, { "batch", OUT_TEXT, 0 },
		{ "channel", OUT_TEXT, 0 }, { "bank", OUT_TEXT, 0 },
		{ "paid_on", OUT_TEXT, 0 }, { "reference", OUT_TEXT, 0 },
		{ "cover_from", OUT_TEXT, 0 }, { "failure", OUT_TEXT, 0 },
		{ "raw_code", OUT_TEXT, 0 }, { "failed_bank", OUT_TEXT, 0 },
		{ "failed_on", OUT_TEXT, 0 }, { "source", OUT_TEXT, 0 },
		{ "created_at", OUT_TEXT, 0 }, { "updated_at", OUT_TEXT, 0 },
	};
	struct obligation ob;
	struct home *h;
	struct out *o;
	int64_t id;
	char *pos[1], ref[OBLIGATION_REF_SZ];

	if (cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL, e) != 0 ||
	    obligation_id_parse(&id, pos[0], e) != 0 ||
	    cli_home(c, &h, e) != 0 || obligation_get(h->db, id, &ob, e) != 0)
		return e->code;
	if ((o = out_record(stdout, c->fmt, cols, OUT_NCOLS(cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	out_text(o, obligation_ref(ref, ob.id));
	out_text(o, ob.payer_id);
	out_text(o, ob.period);
	out_text(o, ob.category);
	out_money(o, ob.amount_fen);
	out_money(o, ob.subsidy_fen);
	out_money(o, ob.due_fen);
	out_text_or_null(o, ob.exemption_type);
	out_text_or_null(o, ob.exemption_cert);
	out_text_or_null(o, ob.exemption_valid_until);
	out_int(o, ob.late);
	out_int(o, ob.newborn);
	out_text(o, ob.state);
	out_text_or_null(o, ob.batch_ref);
	out_text_or_null(o, ob.pay_channel);
	out_text_or_null(o, ob.pay_bank);
	out_text_or_null(o, ob.paid_on);
	out_text_or_null(o, ob.pay_ref);
	out_text_or_null(o, ob.cover_from);
	out_text_or_null(o, ob.fail_category);
	out_text_or_null(o, ob.fail_code);
	out_text_or_null(o, ob.fail_bank);
	out_text_or_null(o, ob.failed_on);
	out_text(o, ob.source);
	out_text(o, ob.created_at);
	out_text(o, ob.updated_at);
	out_row(o);
	out_end(o);
	return 0;
}

static int
cmd_obligation_write_off(struct cli *c, int argc, char **argv,
    struct gw_err *e)
{
	const char *reason = NULL;
	const struct cli_opt opts[] = {
		{ "reason", OPT_STR, &reason }, { NULL, 0, NULL },
	};
	struct obligation ob;
	struct home *h;
	int64_t id;
	char *pos[1], ref[OBLIGATION_REF_SZ], m[MONEY_BUFSZ];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    obligation_id_parse(&id, pos[0], e) != 0)
		return e->code;
	if (reason == NULL || *reason == '\0')
		return cli_usage(c, e, "--reason is required");
	if (cli_home(c, &h, e) != 0 || db_begin(h->db, e) != 0)
		return e->code;
	if (obligation_write_off(h->db, id, reason, date_today(), cli_actor(c),
	    e) != 0 || obligation_get(h->db, id, &ob, e) != 0) {
		db_rollback(h->db);
		return e->code;
	}
	if (db_commit(h->db, e) != 0)
		return e->code;
	printf("obligation %s written off: %s\n", obligation_ref(ref, id),
	    money_format(m, ob.due_fen));
	return 0;
}

/* ---- ledger --------------------------------------------------------- */

static const struct out_col acct_cols[] = {
	{ "account", OUT_TEXT, 28 }, { "postings", OUT_INT, 9 },
	{ "debit", OUT_MONEY, 16 }, { "credit", OUT_MONEY, 16 },
	{ "balance", OUT_MONEY, 0 },
};

struct acct_out {
	struct out	*o;
	int64_t		 debit, credit, balance, postings;
};

static int
acct_row(void *arg, const struct journal_account *a)
{
	struct acct_out *ao = arg;

	out_text(ao->o, a->account);
	out_int(ao->o, a->postings);
	out_money(ao->o, a->debit_fen);
	out_money(ao->o, a->credit_fen);
	out_money(ao->o, a->balance_fen);
	out_row(ao->o);
	ao->debit += a->debit_fen;
	ao->credit += a->credit_fen;
	ao->balance += a->balance_fen;
	ao->postings += a->postings;
	return 0;
}

static int
cmd_ledger_balance(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *payer = NULL;
	const struct cli_opt opts[] = {
		{ "payer", OPT_STR, &payer }, { NULL, 0, NULL },
	};
	struct acct_out ao;
	struct home *h;
	char *pos[1] = { NULL };
	int npos, rc;

	if (cli_parse(c, argc, argv, opts, pos, 0, 1, &npos, e) != 0)
		return e->code;
	if (npos && !journal_account_is_valid(pos[0]) &&
	    strcmp(pos[0], "clearing") != 0 &&
	    strcmp(pos[0], "premium_income") != 0)
		return gw_err_set(e, GW_EINPUT, "no account or family '%s' (see "
		    "docs/ledger.md: receivable, clearing, clearing:BANK, "
		    "premium_income:YYYY, ...)", pos[0]);
	if (cli_home(c, &h, e) != 0)
		return e->code;
	memset(&ao, 0, sizeof(ao));
	if ((ao.o = out_begin(stdout, c->fmt, acct_cols,
	    OUT_NCOLS(acct_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (payer != NULL) {
		/* The payer's sub-ledger: one account, that payer's postings. */
		int64_t bal = 0;
		const char *acct = npos ? pos[0] : "receivable";

		rc = journal_balance(h->db, acct, payer, &bal, e);
		if (rc == 0) {
			out_text(ao.o, acct);
			out_null(ao.o);
			out_null(ao.o);
			out_null(ao.o);
			out_money(ao.o, bal);
			out_row(ao.o);
		}
	} else
		rc = journal_foreach_account(h->db, npos ? pos[0] : NULL,
		    acct_row, &ao, e);
	out_end(ao.o);
	return rc;
}

static int
cmd_ledger_trial_balance(struct cli *c, int argc, char **argv,
    struct gw_err *e)
{
	struct acct_out ao;
	struct home *h;
	char b[MONEY_BUFSZ];
	int rc;

	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	memset(&ao, 0, sizeof(ao));
	if ((ao.o = out_begin(stdout, c->fmt, acct_cols,
	    OUT_NCOLS(acct_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = journal_foreach_account(h->db, NULL, acct_row, &ao, e);
	if (rc == 0) {
		out_text(ao.o, "total");
		out_int(ao.o, ao.postings);
		out_money(ao.o, ao.debit);
		out_money(ao.o, ao.credit);
		out_money(ao.o, ao.balance);
		out_row(ao.o);
	}
	out_end(ao.o);
	if (rc == 0 && ao.balance != 0)
		return gw_err_set(e, GW_EDB, "trial balance is %s, not 0.00: the "
		    "ledger is damaged", money_format(b, ao.balance));
	return rc;
}

static const struct out_col jrn_cols[] = {
	{ "entry", OUT_INT, 7 }, { "date", OUT_TEXT, 10 },
	{ "kind", OUT_TEXT, 15 }, { "account", OUT_TEXT, 26 },
	{ "debit", OUT_MONEY, 10 }, { "credit", OUT_MONEY, 10 },
	{ "payer_id", OUT_TEXT, 18 }, { "obligation", OUT_TEXT, 11 },
	{ "source", OUT_TEXT, 12 }, { "actor", OUT_TEXT, 8 },
	{ "memo", OUT_TEXT, 0 },
};

static int
jrn_row(void *arg, const struct journal_posting *p)
{
	struct out *o = arg;
	char ref[OBLIGATION_REF_SZ], src[300];

	out_int(o, p->entry_id);
	out_text(o, p->value_date);
	out_text(o, p->kind);
	out_text(o, p->account);
	if (p->amount_fen > 0) {
		out_money(o, p->amount_fen);
		out_null(o);
	} else {
		out_null(o);
		out_money(o, -p->amount_fen);
	}
	out_text_or_null(o, p->payer_id);
	out_text(o, p->obligation_id ? obligation_ref(ref, p->obligation_id) :
	    NULL);
	snprintf(src, sizeof(src), "%s:%s", p->source_kind, p->source_ref);
	out_text(o, src);
	out_text(o, p->actor);
	out_text_or_null(o, p->memo);
	out_row(o);
	return 0;
}

static int
cmd_ledger_journal(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *since = NULL, *obl = NULL;
	struct journal_filter f;
	const struct cli_opt opts[] = {
		{ "payer", OPT_STR, &f.payer_id }, { "since", OPT_STR, &since },
		{ "obligation", OPT_STR, &obl }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if ((since && cli_opt_day("since", since, &f.since, e) != 0) ||
	    (obl && obligation_id_parse(&f.obligation_id, obl, e) != 0) ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if ((o = out_begin(stdout, c->fmt, jrn_cols,
	    OUT_NCOLS(jrn_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = journal_foreach_posting(h->db, &f, jrn_row, o, e);
	out_end(o);
	return rc;
}

static int
cmd_ledger_check(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct ledger_reconcile r;
	struct home *h;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ], d[MONEY_BUFSZ];

	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if (ledger_reconcile(h->db, &r, e) != 0)
		return e->code;
	printf("ledger sound: %lld entries, each balanced; account totals "
	    "equal to the postings; trial balance %s; receivable %s = "
	    "outstanding obligations; clearing %s; written off %s; every "
	    "account agrees with the obligations and refunds\n",
	    (long long)r.entries, money_format(d, r.trial_balance),
	    money_format(a, r.receivable[0]), money_format(b, r.clearing[0]),
	    money_format(d, r.written_off[0]));
	return 0;
}

/* ---- month close ---------------------------------------------------- */

static int
cmd_month_close(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const struct out_col cols[] = {
		{ "category", OUT_TEXT, 20 }, { "obligations", OUT_INT, 11 },
		{ "amount", OUT_MONEY, 0 },
	};
	struct month_close_result r;
	struct home *h;
	struct out *o;
	char *pos[1], t[MONEY_BUFSZ];
	int y, m, i;

	if (cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL, e) != 0)
		return e->code;
	if (ledger_month_parse(pos[0], &y, &m, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if (obligation_close_month(h->db, y, m, date_today(), cli_actor(c), &r,
	    e) != 0)
		return e->code;
	if (r.already) {
		printf("month %s was closed at %s; nothing to do\n", pos[0],
		    r.already_at);
		return 0;
	}
	if ((o = out_begin(stdout, c->fmt, cols, OUT_NCOLS(cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	for (i = 0; i < 7; i++) {
		if (r.by_category_count[i] == 0)
			continue;
		out_text(o, ledger_fail_categories[i]);
		out_int(o, r.by_category_count[i]);
		out_money(o, r.by_category_fen[i]);
		out_row(o);
	}
	out_text(o, "total");
	out_int(o, r.count);
	out_money(o, r.total_fen);
	out_row(o);
	out_end(o);
	fprintf(stderr, "month %s closed: %lld failed obligations are now "
	    "arrears (%s)\n", pos[0], (long long)r.count,
	    money_format(t, r.total_fen));
	return 0;
}

const struct cli_cmd ledger_cmds[] = {
	{ "assess", "import", cmd_assess_import, "FILE [--strict]",
	  "import the agency's assessment CSV as obligations (one transaction)",
	  "Columns (any order): payer_id period amount subsidy category\n"
	  "exemption_type exemption_cert exemption_valid_until late newborn.\n"
	  "period is YYYY (annual) or YYYY-MM (monthly); amounts in yuan.\n"
	  "Due = amount - subsidy (0 when exempt); nothing due is settled at "
	  "once.\nAny bad row: each is reported as FILE:LINE: column: reason "
	  "and nothing\nis imported. A second obligation for a payer and period "
	  "is refused; the\nsame file again is a no-op. An amount off the "
	  "[tariff] is a warning,\nor a bad row with --strict." },
	{ "obligation", "list", cmd_obligation_list,
	  "[--state S] [--payer ID] [--period P] [--year Y]",
	  "list obligations (--json, --csv)", NULL },
	{ "obligation", "show", cmd_obligation_show, "ID",
	  "one obligation; its history: `audit list --entity obligation --id "
	  "ID`", NULL },
	{ "obligation", "write-off", cmd_obligation_write_off, "ID --reason R",
	  "open, failed or arrears -> written_off (Dr written_off / Cr "
	  "receivable)", NULL },
	{ "ledger", "balance", cmd_ledger_balance, "[ACCOUNT] [--payer ID]",
	  "balances: all accounts, one, or a family (clearing, premium_income)",
	  "With --payer: that payer's sub-ledger balance of ACCOUNT (default "
	  "receivable).\nBalance = debits - credits, in yuan." },
	{ "ledger", "trial-balance", cmd_ledger_trial_balance, "",
	  "every account's debits, credits and balance; the total is 0.00",
	  "Exit 3 if the balances do not sum to zero (the ledger is damaged)." },
	{ "ledger", "journal", cmd_ledger_journal,
	  "[--payer ID] [--since YYYY-MM-DD] [--obligation ID]",
	  "journal entries with their postings (--json, --csv)", NULL },
	{ "ledger", "check", cmd_ledger_check, "",
	  "verify every entry is balanced and the ledger agrees with the "
	  "obligations", NULL },
	{ "month", "close", cmd_month_close, "YYYY-MM",
	  "turn debits still failed after the month into arrears, with a "
	  "report",
	  "Refused until the month has ended. A second close is a no-op." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
