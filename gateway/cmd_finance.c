/*
 * cmd_finance.c - `debitgw failed|payment|refund|certificate|export ...`:
 * what finance staff do with the ledger.
 *
 * Contact details for the failed-debit worklist come from the payer's live
 * mandate through mandates/mandate.h; the ledger holds no names or phones.
 */
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "gateway/commands.h"
#include "gateway/ledger_policy.h"
#include "ledger/certificate.h"
#include "ledger/export.h"
#include "ledger/ledger.h"
#include "ledger/obligation.h"
#include "ledger/refund.h"
#include "mandates/mandate.h"

static int
opt_obligation(const char *s, int64_t *id, struct gw_err *e)
{
	struct gw_err pe = GW_ERR_INIT;

	if (s == NULL)
		return gw_err_set(e, GW_EUSAGE, "--obligation is required");
	if (obligation_id_parse(id, s, &pe) != 0)
		return gw_err_set(e, GW_EINPUT, "--obligation: %s", pe.msg);
	return 0;
}

/* ---- failed list ---------------------------------------------------- */

static const struct out_col failed_cols[] = {
	{ "obligation", OUT_TEXT, 11 }, { "payer_id", OUT_TEXT, 18 },
	{ "payer_name", OUT_TEXT, 10 }, { "phone", OUT_TEXT, 11 },
	{ "region", OUT_TEXT, 8 }, { "unit_code", OUT_TEXT, 18 },
	{ "period", OUT_TEXT, 7 }, { "amount", OUT_MONEY, 9 },
	{ "category", OUT_TEXT, 18 }, { "raw_code", OUT_TEXT, 8 },
	{ "bank", OUT_TEXT, 6 }, { "failed_on", OUT_TEXT, 10 },
	{ "days_left", OUT_INT, 0 },
};

struct failed_ctx {
	struct db	*db;
	struct out	*o;
	const char	*region;
	int		 today;
	struct gw_err	*e;
};

static int
failed_row(void *arg, const struct obligation *ob)
{
	struct failed_ctx *fc = arg;
	struct mandate m;
	char ref[OBLIGATION_REF_SZ];
	int found, failed_on;

	found = mandate_live_for_payer(fc->db, ob->payer_id, &m, fc->e);
	if (found < 0)
		return found;
	if (!found)
		memset(&m, 0, sizeof(m));
	if (fc->region && strcmp(m.region, fc->region) != 0)
		return 0;
	out_text(fc->o, obligation_ref(ref, ob->id));
	out_text(fc->o, ob->payer_id);
	out_text_or_null(fc->o, m.payer_name);
	out_text_or_null(fc->o, m.phone);
	out_text_or_null(fc->o, m.region);
	out_text_or_null(fc->o, m.unit_code);
	out_text(fc->o, ob->period);
	out_money(fc->o, ob->due_fen);
	out_text(fc->o, ob->fail_category);
	out_text_or_null(fc->o, ob->fail_code);
	out_text_or_null(fc->o, ob->fail_bank);
	out_text(fc->o, ob->failed_on);
	/* Zhongshan: pay through another channel before the month ends. */
	if (strcmp(ob->state, "failed") == 0 &&
	    date_parse(&failed_on, ob->failed_on, strlen(ob->failed_on),
	    NULL) == 0)
		out_int(fc->o, date_month_end(failed_on) - fc->today);
	else
		out_null(fc->o);
	out_row(fc->o);
	return 0;
}

static int
cmd_failed_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct obligation_filter f;
	struct failed_ctx fc;
	int arrears = 0, y, m, rc;
	const struct cli_opt opts[] = {
		{ "category", OPT_STR, &f.fail_category },
		{ "bank", OPT_STR, &f.fail_bank }, { "region", OPT_STR, &fc.region },
		{ "month", OPT_STR, &f.failed_month },
		{ "arrears", OPT_FLAG, &arrears }, { NULL, 0, NULL },
	};
	struct home *h;

	memset(&f, 0, sizeof(f));
	memset(&fc, 0, sizeof(fc));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (f.fail_category && !ledger_fail_category_is_valid(f.fail_category))
		return cli_usage(c, e, "unknown category '%s'", f.fail_category);
	if (f.failed_month && ledger_month_parse(f.failed_month, &y, &m, e) != 0)
		return gw_err_prefix(e, "--month: ");
	if (cli_home(c, &h, e) != 0)
		return e->code;
	f.state = arrears ? "arrears" : "failed";
	fc.db = h->db;
	fc.today = date_today();
	fc.e = e;
	if ((fc.o = out_begin(stdout, c->fmt, failed_cols,
	    OUT_NCOLS(failed_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = obligation_foreach(h->db, &f, failed_row, &fc, e);
	out_end(fc.o);
	return rc;
}

/* ---- payment record ------------------------------------------------- */

static int
cmd_payment_record(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *obl = NULL, *amount = NULL, *paid_on = NULL;
	struct channel_payment p;
	const struct cli_opt opts[] = {
		{ "obligation", OPT_STR, &obl }, { "channel", OPT_STR, &p.channel },
		{ "ref", OPT_STR, &p.reference }, { "amount", OPT_STR, &amount },
		{ "paid-on", OPT_STR, &paid_on }, { NULL, 0, NULL },
	};
	struct ledger_policy pol;
	struct obligation ob;
	struct home *h;
	struct gw_err pe = GW_ERR_INIT;
	char ref[OBLIGATION_REF_SZ], m[MONEY_BUFSZ], cov[DATE_BUFSZ];
	int cover, first, last;

	memset(&p, 0, sizeof(p));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (obl == NULL || p.channel == NULL || p.reference == NULL ||
	    amount == NULL || paid_on == NULL)
		return cli_usage(c, e, "--obligation, --channel, --ref, --amount "
		    "and --paid-on are required");
	if (opt_obligation(obl, &p.obligation_id, e) != 0 ||
	    cli_opt_day("paid-on", paid_on, &p.paid_on, e) != 0)
		return e->code;
	if (money_parse_yuan(&p.amount_fen, amount, strlen(amount), 0,
	    &pe) != 0)
		return gw_err_set(e, GW_EINPUT, "--amount: %s", pe.msg);
	if (cli_home(c, &h, e) != 0)
		return e->code;
	ledger_policy_from_config(&pol, h->cfg);
	p.today = date_today();
	p.actor = cli_actor(c);
	if (db_begin(h->db, e) != 0)
		return e->code;
	if (obligation_pay_channel(h->db, &pol, &p, &cover, e) != 0 ||
	    obligation_get(h->db, p.obligation_id, &ob, e) != 0) {
		db_rollback(h->db);
		return e->code;
	}
	if (db_commit(h->db, e) != 0)
		return e->code;
	ledger_period_days(ob.period, &first, &last);
	printf("obligation %s paid via %s (ref %s) on %s: %s; cover from %s%s\n",
	    obligation_ref(ref, ob.id), p.channel, p.reference, ob.paid_on,
	    money_format(m, p.amount_fen), date_format(cov, cover),
	    cover > first ? " (late payment: waiting period)" : "");
	return 0;
}

/* ---- refunds -------------------------------------------------------- */

static const struct out_col refund_cols[] = {
	{ "id", OUT_TEXT, 11 }, { "obligation", OUT_TEXT, 11 },
	{ "payer_id", OUT_TEXT, 18 }, { "period", OUT_TEXT, 7 },
	{ "amount", OUT_MONEY, 9 }, { "reason", OUT_TEXT, 18 },
	{ "state", OUT_TEXT, 9 }, { "overdue", OUT_TEXT, 7 },
	{ "requested_by", OUT_TEXT, 10 }, { "requested_on", OUT_TEXT, 10 },
	{ "due_on", OUT_TEXT, 10 }, { "decided_by", OUT_TEXT, 10 },
	{ "paid_on", OUT_TEXT, 10 }, { "pay_ref", OUT_TEXT, 0 },
};

static int
refund_row(void *arg, const struct refund *r)
{
	struct out *o = arg;
	char ref[REFUND_REF_SZ], oref[OBLIGATION_REF_SZ];

	out_text(o, refund_ref(ref, r->id));
	out_text(o, obligation_ref(oref, r->obligation_id));
	out_text(o, r->payer_id);
	out_text(o, r->period);
	out_money(o, r->amount_fen);
	out_text(o, r->reason);
	out_text(o, r->state);
	out_text(o, r->overdue ? "OVERDUE" : NULL);
	out_text(o, r->requested_by);
	out_text(o, r->requested_on);
	out_text(o, r->due_on);
	out_text_or_null(o, r->decided_by);
	out_text_or_null(o, r->paid_on);
	out_text_or_null(o, r->pay_ref);
	out_row(o);
	return 0;
}

static int
cmd_refund_request(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *obl = NULL, *reason = NULL, *note = NULL;
	const struct cli_opt opts[] = {
		{ "obligation", OPT_STR, &obl }, { "reason", OPT_STR, &reason },
		{ "note", OPT_STR, &note }, { NULL, 0, NULL },
	};
	struct ledger_policy pol;
	struct refund r;
	struct home *h;
	int64_t oid, id;
	char ref[REFUND_REF_SZ], m[MONEY_BUFSZ];

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (obl == NULL || reason == NULL)
		return cli_usage(c, e, "--obligation and --reason are required");
	if (opt_obligation(obl, &oid, e) != 0 || cli_home(c, &h, e) != 0)
		return e->code;
	ledger_policy_from_config(&pol, h->cfg);
	if (refund_request(h->db, &pol, oid, reason, note, date_today(),
	    cli_actor(c), &id, e) != 0 ||
	    refund_get(h->db, id, date_today(), &r, e) != 0)
		return e->code;
	printf("refund %s requested: %s for %s, due by %s (%d working days); "
	    "another person must approve it\n", refund_ref(ref, id),
	    money_format(m, r.amount_fen), obl, r.due_on,
	    pol.refund_working_days);
	return 0;
}

static int
decision(struct cli *c, int argc, char **argv, int approve, struct gw_err *e)
{
	const char *note = NULL;
	const struct cli_opt opts[] = {
		{ "note", OPT_STR, &note }, { NULL, 0, NULL },
	};
	struct home *h;
	int64_t id;
	char *pos[1], ref[REFUND_REF_SZ];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    refund_id_parse(&id, pos[0], e) != 0 || cli_home(c, &h, e) != 0)
		return e->code;
	if (approve ? refund_approve(h->db, id, note, date_today(),
	    cli_actor(c), e) : refund_reject(h->db, id, note, cli_actor(c),
	    e))
		return e->code;
	printf("refund %s %s by %s\n", refund_ref(ref, id),
	    approve ? "approved" : "rejected", cli_actor(c));
	return 0;
}

static int
cmd_refund_approve(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return decision(c, argc, argv, 1, e);
}

static int
cmd_refund_reject(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return decision(c, argc, argv, 0, e);
}

static int
cmd_refund_pay(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *pay_ref = NULL, *paid_on = NULL;
	const struct cli_opt opts[] = {
		{ "ref", OPT_STR, &pay_ref }, { "paid-on", OPT_STR, &paid_on },
		{ NULL, 0, NULL },
	};
	struct home *h;
	int64_t id;
	int day;
	char *pos[1], ref[REFUND_REF_SZ];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    refund_id_parse(&id, pos[0], e) != 0)
		return e->code;
	if (pay_ref == NULL || paid_on == NULL)
		return cli_usage(c, e, "--ref and --paid-on are required");
	if (cli_opt_day("paid-on", paid_on, &day, e) != 0 ||
	    cli_home(c, &h, e) != 0 ||
	    refund_pay(h->db, id, day, pay_ref, date_today(), cli_actor(c),
	    e) != 0)
		return e->code;
	printf("refund %s paid out on %s (ref %s)\n", refund_ref(ref, id),
	    paid_on, pay_ref);
	return 0;
}

static int
cmd_refund_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *state = NULL;
	const struct cli_opt opts[] = {
		{ "state", OPT_STR, &state }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (state && strcmp(state, "requested") != 0 &&
	    strcmp(state, "approved") != 0 && strcmp(state, "rejected") != 0 &&
	    strcmp(state, "paid") != 0)
		return cli_usage(c, e, "unknown state '%s'", state);
	if (cli_home(c, &h, e) != 0)
		return e->code;
	if ((o = out_begin(stdout, c->fmt, refund_cols,
	    OUT_NCOLS(refund_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = refund_foreach(h->db, state, date_today(), refund_row, o, e);
	out_end(o);
	return rc;
}

/* ---- certificates --------------------------------------------------- */

/* --payer and --year, plus one more option (--out or --code) into *extra. */
static int
cert_args(struct cli *c, int argc, char **argv, const char *extra_name,
    const char **extra, char payer[19], int *year, struct home **h,
    struct gw_err *e)
{
	const char *p = NULL, *y = NULL;
	const struct cli_opt opts[] = {
		{ "payer", OPT_STR, &p }, { "year", OPT_STR, &y },
		{ extra_name, OPT_STR, extra }, { NULL, 0, NULL },
	};
	struct gw_err pe = GW_ERR_INIT;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (p == NULL || y == NULL)
		return cli_usage(c, e, "--payer and --year are required");
	if (ledger_payer_id(payer, p, date_today(), NULL, &pe) != 0)
		return gw_err_set(e, GW_EINPUT, "--payer: %s", pe.msg);
	if (strlen(y) != 4 || ledger_period_parse(y, year, &pe) != 0)
		return gw_err_set(e, GW_EINPUT, "--year: '%s' is not a year", y);
	return cli_home(c, h, e);
}

static int
cmd_certificate(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *out = NULL;
	struct certificate *cert = NULL;
	struct afile *af = NULL;
	struct mandate m;
	struct home *h;
	char payer[19], now[TS_BUFSZ], paid[MONEY_BUFSZ];
	int year, rc;

	if (cert_args(c, argc, argv, "out", &out, payer, &year, &h, e) != 0 ||
	    certificate_build(&cert, h->db, payer, year, e) != 0)
		return e->code;
	if ((rc = mandate_live_for_payer(h->db, payer, &m, e)) < 0)
		goto done;
	if (rc == 0)
		m.payer_name[0] = '\0';
	if (out != NULL && (rc = afile_open(&af, out, 0640, e)) != 0)
		goto done;
	ts_format(now, gw_now());
	if ((rc = certificate_write_html(cert, af ? afile_fp(af) : stdout,
	    m.payer_name, h->cfg->creditor_name, now, e)) != 0)
		goto done;
	if (af != NULL) {
		rc = afile_commit(af, 0, e);
		af = NULL;
		if (rc != 0)
			goto done;
	}
	fprintf(out ? stdout : stderr, "certificate for %s, %d: %zu items, "
	    "paid %s, verification code %s%s%s\n", payer, year,
	    certificate_nitems(cert),
	    money_format(paid, certificate_total_paid(cert)),
	    certificate_code(cert), out ? " -> " : "", out ? out : "");
done:
	afile_abort(af);
	certificate_free(cert);
	return rc;
}

static int
cmd_certificate_verify(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *code = NULL;
	struct home *h;
	char payer[19];
	int year;

	if (cert_args(c, argc, argv, "code", &code, payer, &year, &h, e) != 0)
		return e->code;
	if (code == NULL)
		return cli_usage(c, e, "--code is required");
	if (certificate_verify(h->db, payer, year, code, e) != 0)
		return e->code;
	printf("verification code %s matches the ledger for payer %s, %d\n",
	    code, payer, year);
	return 0;
}

/* ---- export --------------------------------------------------------- */

static const struct out_col export_cols[] = {
	{ "payer_id", OUT_TEXT, 18 }, { "period", OUT_TEXT, 7 },
	{ "amount", OUT_MONEY, 9 }, { "paid_on", OUT_TEXT, 10 },
	{ "channel", OUT_TEXT, 8 }, { "bank", OUT_TEXT, 6 },
	{ "reference", OUT_TEXT, 20 }, { "cover_from", OUT_TEXT, 10 },
	{ "obligation", OUT_TEXT, 11 }, { "entry", OUT_INT, 0 },
};

struct export_ctx {
	struct out	*o;
	struct afile	*af;
};

static int
export_row(void *arg, const struct export_row *r)
{
	struct export_ctx *x = arg;
	char ref[OBLIGATION_REF_SZ];

	out_text(x->o, r->payer_id);
	out_text(x->o, r->period);
	out_money(x->o, r->amount_fen);
	out_text(x->o, r->paid_on);
	out_text(x->o, r->channel);
	out_text_or_null(x->o, r->bank);
	out_text(x->o, r->reference);
	out_text(x->o, r->cover_from);
	out_text(x->o, obligation_ref(ref, r->obligation_id));
	out_int(x->o, r->entry_id);
	out_row(x->o);
	return 0;
}

static int
export_commit(void *arg, struct gw_err *e)
{
	struct export_ctx *x = arg;
	int rc = 0;

	out_end(x->o);
	x->o = NULL;
	if (x->af != NULL) {
		rc = afile_commit(x->af, 1, e);
		x->af = NULL;
	} else if (fflush(stdout) != 0)
		rc = gw_err_set(e, GW_EIO, "export: cannot write output");
	return rc;
}

static int
cmd_export_payments(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *since = NULL, *out = NULL;
	int again = 0;
	const struct cli_opt opts[] = {
		{ "since", OPT_STR, &since }, { "again", OPT_FLAG, &again },
		{ "out", OPT_STR, &out }, { NULL, 0, NULL },
	};
	struct export_opts o;
	struct export_result r;
	struct export_ctx x;
	struct home *h;
	char t[MONEY_BUFSZ];
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&x, 0, sizeof(x));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if ((since && cli_opt_day("since", since, &o.since, e) != 0) ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	/* An export file never overwrites an earlier one (noreplace). */
	if (out != NULL && afile_open(&x.af, out, 0640, e) != 0)
		return e->code;
	if ((x.o = out_begin(x.af ? afile_fp(x.af) : stdout, c->fmt,
	    export_cols, OUT_NCOLS(export_cols))) == NULL) {
		afile_abort(x.af);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	o.again = again;
	o.path = out;
	o.actor = cli_actor(c);
	o.row = export_row;
	o.commit = export_commit;
	o.arg = &x;
	rc = export_payments(h->db, &o, &r, e);
	out_end(x.o);
	afile_abort(x.af);
	if (rc != 0)
		return rc;
	fprintf(out ? stdout : stderr, "export %lld: %lld payment records, "
	    "%s%s%s%s\n", (long long)r.id, (long long)r.rows,
	    money_format(t, r.total_fen), again ? " (sent again included)" : "",
	    out ? " -> " : "", out ? out : "");
	return 0;
}

const struct cli_cmd finance_cmds[] = {
	{ "failed", "list", cmd_failed_list,
	  "[--category C] [--bank B] [--region R] [--month YYYY-MM] [--arrears]",
	  "failed debits to follow up: payer, contact, amount, reason, days "
	  "left",
	  "days_left counts to the end of the month the debit failed in: the "
	  "payer\nmust pay through another channel by then. --arrears lists "
	  "what month close\nturned into arrears instead." },
	{ "payment", "record", cmd_payment_record,
	  "--obligation ID --channel C --ref REF --amount A --paid-on D",
	  "record a payment through another channel (exactly the amount due)",
	  "Channels: counter wechat alipay bank_app pos other. Refused: over- "
	  "or\nunder-payment, a second payment, a reference used before, an "
	  "obligation in\na batch. Arrears and supplementary assessments start "
	  "cover [ledger]\nlate_wait_days after payment; newborns paying by "
	  "[ledger] newborn_until\nof the next year do not wait." },
	{ "refund", "request", cmd_refund_request,
	  "--obligation ID --reason duplicate|deceased|employee_insurance|"
	  "system_error|other [--note N]",
	  "ask to refund a paid obligation; due in [ledger] refund_working_days",
	  NULL },
	{ "refund", "approve", cmd_refund_approve, "ID [--note N]",
	  "approve a refund (not by its requester: maker-checker)", NULL },
	{ "refund", "reject", cmd_refund_reject, "ID [--note N]",
	  "reject a refund (not by its requester); the payment stands", NULL },
	{ "refund", "pay", cmd_refund_pay, "ID --ref REF --paid-on D",
	  "record that an approved refund was paid out", NULL },
	{ "refund", "list", cmd_refund_list, "[--state S]",
	  "refunds, overdue ones first (--json, --csv)", NULL },
	{ "certificate", "verify", cmd_certificate_verify,
	  "--payer ID --year YYYY --code CODE",
	  "check a certificate's verification code against the ledger", NULL },
	{ "certificate", NULL, cmd_certificate,
	  "--payer ID --year YYYY [--out FILE]",
	  "write a payer's payment certificate (printable HTML)",
	  "Without --out the page goes to standard output. The verification "
	  "code\nis derived from the ledger entries; `certificate verify` "
	  "checks it." },
	{ "export", "payments", cmd_export_payments,
	  "[--since YYYY-MM-DD] [--again] [--out FILE]",
	  "payment records for the agency, each exported once (use --csv)",
	  "Records already exported are left out unless --again. --out never "
	  "overwrites\nan existing file. Delivery is at least once: the file "
	  "is written before the\nrecords are marked." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
