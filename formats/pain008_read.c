/*
 * pain008_read.c - streaming reader for our own pain.008 (.001.08 and
 * .001.02).
 *
 * A table of paths below CstmrDrctDbtInitn drives the shared path engine
 * (xmlpath.h); containers (PmtInf, DrctDbtTxInf) reset their fields at
 * their start and are checked at their end, fields keep their text. The
 * two versions differ, for what we read, only in the BIC element's name,
 * so both rows are in the table. Invariants: counted totals only grow;
 * an item is handed over complete and checked; the totals of a PmtInf
 * are compared at its end, the group's at the end of the message.
 */
#include <stdlib.h>
#include <string.h>

#include "common/money.h"
#include "common/strnum.h"
#include "formats/pain008_read.h"
#include "formats/xmlpath.h"

enum act {
	C_PMT, C_ITEM,
	/* group */
	A_MSG_ID, A_CREATED, A_NB, A_SUM, A_INITG_NM,
	/* payment information */
	A_PMT_ID, A_PMT_MTD, A_PMT_NB, A_PMT_SUM, A_PMT_DATE, A_CDTR_ACCT,
	/* item */
	A_E2E, A_AMT, A_MNDT, A_SIGNED, A_AGENT, A_DBTR_NM, A_DBTR_ACCT,
	A_ULT_NM, A_RMT,
	A_COUNT
};

_Static_assert(A_COUNT <= 64, "seen masks are 64 bits");

#define TX "PmtInf/DrctDbtTxInf"

static const struct xp_rule rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ "GrpHdr/NbOfTxs", A_NB },
	{ "GrpHdr/CtrlSum", A_SUM },
	{ "GrpHdr/InitgPty/Nm", A_INITG_NM },
	{ "PmtInf", C_PMT },
	{ "PmtInf/PmtInfId", A_PMT_ID },
	{ "PmtInf/PmtMtd", A_PMT_MTD },
	{ "PmtInf/NbOfTxs", A_PMT_NB },
	{ "PmtInf/CtrlSum", A_PMT_SUM },
	{ "PmtInf/ReqdColltnDt", A_PMT_DATE },
	{ "PmtInf/CdtrAcct/Id/Othr/Id", A_CDTR_ACCT },
	{ "PmtInf/CdtrAcct/Id/IBAN", A_CDTR_ACCT },
	{ TX, C_ITEM },
	{ TX "/PmtId/EndToEndId", A_E2E },
	{ TX "/InstdAmt", A_AMT },
	{ TX "/DrctDbtTx/MndtRltdInf/MndtId", A_MNDT },
	{ TX "/DrctDbtTx/MndtRltdInf/DtOfSgntr", A_SIGNED },
	{ TX "/DbtrAgt/FinInstnId/BICFI", A_AGENT },		/* .08 */
	{ TX "/DbtrAgt/FinInstnId/BIC", A_AGENT },		/* .02 */
	{ TX "/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId", A_AGENT },
	{ TX "/Dbtr/Nm", A_DBTR_NM },
	{ TX "/DbtrAcct/Id/Othr/Id", A_DBTR_ACCT },
	{ TX "/DbtrAcct/Id/IBAN", A_DBTR_ACCT },
	{ TX "/UltmtDbtr/Nm", A_ULT_NM },
	{ TX "/RmtInf/Ustrd", A_RMT },
	{ NULL, 0 },
};

struct rd {
	struct xp		 xp;
	const struct iso_limits	*lim;
	pain008_read_fn		 fn;
	void			*arg;
	struct pain008_read_summary *sum;
	char			 ccy[8];
	uint64_t		 seen_grp, seen_pmt, seen_item;

	char			 pmt_id[ISO_ID_MAX + 1];
	char			 pmt_mtd[8];
	char			 cdtr_acct[ISO_ID_MAX + 1];
	int			 pmt_date;
	int64_t			 pmt_nb, pmt_sum;	/* declared, -1 */
	int64_t			 p_nb, p_sum;		/* counted */
	long			 pmt_line;

	char			 e2e[ISO_ID_MAX + 1];
	char			 mndt[ISO_ID_MAX + 1];
	char			 agent[ISO_ID_MAX + 1];
	char			 dbtr_acct[ISO_ID_MAX + 1];
	char			 dbtr_nm[PAIN008_TEXT_MAX];
	char			 ult_nm[PAIN008_TEXT_MAX];
	char			 rmt[PAIN008_TEXT_MAX];
	int64_t			 amt;
	int			 signed_on;
	long			 line;
};

static uint64_t *
seen_mask(struct rd *r, enum act a)
{
	if (a >= A_E2E)
		return &r->seen_item;
	if (a >= A_PMT_ID)
		return &r->seen_pmt;
	return &r->seen_grp;
}

/* A count (Max15NumericText) or a control sum. */
static int
keep_count(struct xs_parse *p, int64_t *out, const char *s, size_t n,
    const char *tag)
{
	char num[24];

	if (n == 0 || n > 15 || xp_keep(p, num, sizeof(num), s, n, tag) != 0 ||
	    strnum_i64(out, num, 1, INT64_C(999999999999999), tag, NULL) != 0)
		return xs_fail(p, GW_EINPUT, "<%s> '%.20s' is not a count",
		    tag, n > 20 ? "" : s);
	return 0;
}

static int
field(struct rd *r, struct xs_parse *p, enum act a, const char *tag,
    const char *s, size_t n)
{
	struct pain008_read_summary *sum = r->sum;

	if (xp_once(p, seen_mask(r, a), a, tag) != 0)
		return GW_EINPUT;
	xp_trim(&s, &n);
	switch (a) {
	case A_MSG_ID:
		return xp_keep(p, sum->msg_id, sizeof(sum->msg_id), s, n, tag);
	case A_CREATED:
		return xp_keep(p, sum->created, sizeof(sum->created), s, n,
		    tag);
	case A_NB:
		return keep_count(p, &sum->nb_of_txs, s, n, tag);
	case A_SUM:
		return xp_amount_cny(p, &sum->ctrl_sum_fen, "CNY", s, n, tag);
	case A_INITG_NM:
		return xp_keep(p, sum->initiator_name,
		    sizeof(sum->initiator_name), s, n, tag);
	case A_PMT_ID:
		return xp_keep(p, r->pmt_id, sizeof(r->pmt_id), s, n, tag);
	case A_PMT_MTD:
		return xp_keep(p, r->pmt_mtd, sizeof(r->pmt_mtd), s, n, tag);
	case A_PMT_NB:
		return keep_count(p, &r->pmt_nb, s, n, tag);
	case A_PMT_SUM:
		return xp_amount_cny(p, &r->pmt_sum, "CNY", s, n, tag);
	case A_PMT_DATE:
		return xp_date(p, &r->pmt_date, s, n, tag);
	case A_CDTR_ACCT:
		return xp_keep(p, r->cdtr_acct, sizeof(r->cdtr_acct), s, n,
		    tag);
	case A_E2E:
		return xp_keep(p, r->e2e, sizeof(r->e2e), s, n, tag);
	case A_AMT:
		return xp_amount_cny(p, &r->amt, r->ccy, s, n, tag);
	case A_MNDT:
		return xp_keep(p, r->mndt, sizeof(r->mndt), s, n, tag);
	case A_SIGNED:
		return xp_date(p, &r->signed_on, s, n, tag);
	case A_AGENT:
		return xp_keep(p, r->agent, sizeof(r->agent), s, n, tag);
	case A_DBTR_NM:
		return xp_keep(p, r->dbtr_nm, sizeof(r->dbtr_nm), s, n, tag);
	case A_DBTR_ACCT:
		return xp_keep(p, r->dbtr_acct, sizeof(r->dbtr_acct), s, n,
		    tag);
	case A_ULT_NM:
		return xp_keep(p, r->ult_nm, sizeof(r->ult_nm), s, n, tag);
	case A_RMT:
		return xp_keep(p, r->rmt, sizeof(r->rmt), s, n, tag);
	default:
		return 0;
	}
}

/* Declared against counted totals of the group or a PmtInf. */
static int
check_totals(struct xs_parse *p, const char *what, int64_t nb_declared,
    int64_t sum_declared, int64_t nb, int64_t sum)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (nb_declared >= 0 && nb_declared != nb)
		return xs_fail(p, GW_EINPUT, "%s declares NbOfTxs %lld, it has "
		    "%lld items", what, (long long)nb_declared, (long long)nb);
	if (sum_declared >= 0 && sum_declared != sum)
		return xs_fail(p, GW_EINPUT, "%s declares CtrlSum %s, its "
		    "items add up to %s", what, money_format(a, sum_declared),
		    money_format(b, sum));
	return 0;
}

static int
end_item(struct rd *r, struct xs_parse *p)
{
	struct pain008_read_summary *sum = r->sum;
	struct pain008_read_item it;
	struct gw_err why = GW_ERR_INIT;
	const char *missing = r->e2e[0] == '\0' ? "PmtId/EndToEndId" :
	    r->amt < 0 ? "InstdAmt" : r->mndt[0] == '\0' ? "MndtId" :
	    r->agent[0] == '\0' ? "DbtrAgt" : r->dbtr_nm[0] == '\0' ?
	    "Dbtr/Nm" : r->dbtr_acct[0] == '\0' ? "DbtrAcct" : NULL;
	const struct iso_field f[] = {
		{ "EndToEndId", r->e2e, ISO_F_ID, 0, NULL },
		{ "MndtId", r->mndt, ISO_F_ID, 0, NULL },
		{ "DbtrAgt", r->agent, ISO_F_AGENT, 0, NULL },
		{ "Dbtr/Nm", r->dbtr_nm, ISO_F_TEXT, 140, NULL },
		{ "DbtrAcct", r->dbtr_acct, ISO_F_ACCOUNT, 0, NULL },
		{ "UltmtDbtr/Nm", r->ult_nm[0] ? r->ult_nm : NULL,
		  ISO_F_TEXT_OPT, 140, NULL },
		{ "RmtInf/Ustrd", r->rmt[0] ? r->rmt : NULL, ISO_F_TEXT_OPT,
		  140, NULL },
	};

	if (missing)
		return xs_fail(p, GW_EINPUT, "DrctDbtTxInf from line %ld has "
		    "no %s", r->line, missing);
	if (iso_check_fields(f, sizeof(f) / sizeof(f[0]), 0, &why) != 0)
		return xs_fail(p, GW_EINPUT, "DrctDbtTxInf from line %ld: %s",
		    r->line, why.msg);
	if (r->pmt_id[0] == '\0' || r->pmt_date < 0)
		return xs_fail(p, GW_EINPUT, "DrctDbtTxInf from line %ld comes "
		    "before its PmtInf's PmtInfId and ReqdColltnDt", r->line);
	if (sum->nitems >= r->lim->max_items)
		return xs_fail(p, GW_ELIMIT, "more than %lld items in one file",
		    (long long)r->lim->max_items);
	if (money_add(&r->p_sum, r->amt, &why) != 0 ||
	    money_add(&sum->sum_fen, r->amt, &why) != 0)
		return xs_fail(p, GW_ELIMIT, "DrctDbtTxInf from line %ld: %s",
		    r->line, why.msg);
	r->p_nb++;
	sum->nitems++;

	memset(&it, 0, sizeof(it));
	it.line = r->line;
	it.seq = sum->nitems;
	it.msg_id = sum->msg_id;
	it.pmtinf_id = r->pmt_id;
	it.collection_date = r->pmt_date;
	it.creditor_account = r->cdtr_acct;
	it.end_to_end_id = r->e2e;
	it.amount_fen = r->amt;
	it.mandate_id = r->mndt;
	it.signed_on = r->signed_on;
	it.debtor_agent = r->agent;
	it.debtor_name = r->dbtr_nm;
	it.debtor_account = r->dbtr_acct;
	it.ultimate_debtor_name = r->ult_nm;
	it.remittance = r->rmt;
	return r->fn ? xp_handed(p, r->fn(r->arg, &it), r->line) : 0;
}

static int
end_pmtinf(struct rd *r, struct xs_parse *p)
{
	char what[ISO_ID_MAX + 32];

	if (r->pmt_id[0] == '\0' || r->pmt_date < 0 || r->cdtr_acct[0] == '\0')
		return xs_fail(p, GW_EINPUT, "PmtInf from line %ld has no %s",
		    r->pmt_line, r->pmt_id[0] == '\0' ? "PmtInfId" :
		    r->pmt_date < 0 ? "ReqdColltnDt" : "CdtrAcct");
	if (strcmp(r->pmt_mtd, "DD") != 0)
		return xs_fail(p, GW_EINPUT, "PmtInf %.35s: PmtMtd is '%s', "
		    "not DD", r->pmt_id, r->pmt_mtd);
	if (r->p_nb == 0)
		return xs_fail(p, GW_EINPUT, "PmtInf %.35s has no items",
		    r->pmt_id);
	snprintf(what, sizeof(what), "PmtInf %s", r->pmt_id);
	if (check_totals(p, what, r->pmt_nb, r->pmt_sum, r->p_nb,
	    r->p_sum) != 0)
		return GW_EINPUT;
	r->sum->npmtinf++;
	return 0;
}

static int
end_message(struct rd *r, struct xs_parse *p)
{
	struct pain008_read_summary *sum = r->sum;
	struct gw_err why = GW_ERR_INIT;

	if (sum->msg_id[0] == '\0' || iso_check_id(sum->msg_id, &why) != 0)
		return xs_fail(p, GW_EINPUT, "GrpHdr/MsgId %s", why.code ?
		    why.msg : "missing");
	if (sum->nb_of_txs < 0)
		return xs_fail(p, GW_EINPUT, "GrpHdr has no NbOfTxs");
	if (sum->npmtinf == 0)
		return xs_fail(p, GW_EINPUT, "the pain.008 has no PmtInf");
	return check_totals(p, "the group header", sum->nb_of_txs,
	    sum->ctrl_sum_fen, sum->nitems, sum->sum_fen);
}

static void
container_start(struct rd *r, struct xs_parse *p, enum act a)
{
	if (a == C_PMT) {
		r->pmt_id[0] = r->pmt_mtd[0] = r->cdtr_acct[0] = '\0';
		r->pmt_date = -1;
		r->pmt_nb = r->pmt_sum = -1;
		r->p_nb = r->p_sum = 0;
		r->seen_pmt = 0;
		r->pmt_line = xs_line(p);
		return;
	}
	r->e2e[0] = r->mndt[0] = r->agent[0] = r->dbtr_acct[0] = '\0';
	r->dbtr_nm[0] = r->ult_nm[0] = r->rmt[0] = '\0';
	r->amt = -1;
	r->signed_on = -1;
	r->seen_item = 0;
	r->line = xs_line(p);
}

static int
on_start(struct xs_parse *p, void *arg, const struct xs_elem *el)
{
	struct rd *r = arg;
	int a;

	if (xp_enter(&r->xp, p, el, &a) != 0)
		return GW_EINPUT;
	if (a == XP_TOP) {
		if (xp_top(&r->xp, p, el) != 0)
			return GW_EINPUT;
		if (el->depth == 1 && iso_msg_family(r->xp.type) !=
		    ISO_FAM_DEBIT)
			return xs_fail(p, GW_EINPUT, "this is a %s, not a "
			    "pain.008 debit batch", iso_msg_name(r->xp.type));
		r->sum->version = r->xp.type;
		return 0;
	}
	if (a == C_PMT || a == C_ITEM)
		container_start(r, p, (enum act)a);
	else if (a == A_AMT)
		xs_attr(el, "Ccy", r->ccy, sizeof(r->ccy));
	return 0;
}

static int
on_end(struct xs_parse *p, void *arg, const struct xs_elem *el,
    const char *text, size_t len)
{
	struct rd *r = arg;
	int a, leaf;

	a = xp_leave(&r->xp, el->depth, &leaf);
	if (a == XP_TOP)
		return el->depth == 2 ? end_message(r, p) : 0;
	if (a == C_ITEM)
		return end_item(r, p);
	if (a == C_PMT)
		return end_pmtinf(r, p);
	if (a < 0)
		return 0;
	if (!leaf)
		return xs_fail(p, GW_EINPUT, "<%s> holds elements, not a value",
		    el->local);
	return field(r, p, (enum act)a, el->local, text, len);
}

static int
run(const struct xs_source *src, const struct iso_limits *lim,
    pain008_read_fn fn, void *arg, struct pain008_read_summary *sum,
    struct gw_err *e)
{
	static const struct xs_handler h = { on_start, on_end };
	static const struct iso_limits def = ISO_LIMITS_DEFAULT;
	struct pain008_read_summary local;
	struct rd *r;
	int rc;

	if (sum == NULL)
		sum = &local;
	memset(sum, 0, sizeof(*sum));
	sum->nb_of_txs = sum->ctrl_sum_fen = -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	r->lim = lim ? lim : &def;
	r->fn = fn;
	r->arg = arg;
	r->sum = sum;
	r->pmt_date = -1;
	rc = xp_run(&r->xp, rules, src, r->lim, &h, r, e);
	free(r);
	return rc;
}

int
pain008_read_file(const char *path, const struct iso_limits *lim,
    pain008_read_fn fn, void *arg, struct pain008_read_summary *sum,
    struct gw_err *e)
{
	struct xs_source src = { path, path, NULL, 0 };

	return run(&src, lim, fn, arg, sum, e);
}

int
pain008_read_mem(const void *buf, size_t len, const char *name,
    const struct iso_limits *lim, pain008_read_fn fn, void *arg,
    struct pain008_read_summary *sum, struct gw_err *e)
{
	struct xs_source src = { name, NULL, buf, len };

	return run(&src, lim, fn, arg, sum, e);
}
