/*
 * mndt_read.c - streaming reader for our own pain.009 and pain.011
 * (.001.08 and .001.05).
 *
 * One rule table per message drives the shared path engine (xmlpath.h);
 * the message's namespace picks the table. A record (Mndt or
 * UndrlygCxlDtls) resets its fields at its start and is checked and
 * handed over at its end. Invariant: every record handed over has a
 * mandate id that passes iso_check_id, and a pain.009 one also a request
 * id, a debtor name and an account.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/mndt_read.h"
#include "formats/xmlpath.h"

enum act {
	C_MNDT,
	A_MSG_ID, A_CREATED,
	/* record */
	A_MNDT_ID, A_REQ_ID, A_SIGNED, A_MAX_AMT, A_DBTR_NM, A_DBTR_ID,
	A_DBTR_ACCT, A_AGENT, A_ULT_NM, A_ORIG_MSG, A_RSN, A_TEXT,
	A_COUNT
};

_Static_assert(A_COUNT <= 64, "seen masks are 64 bits");

#define M "Mndt"

static const struct xp_rule pain009_rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ M, C_MNDT },
	{ M "/MndtId", A_MNDT_ID },
	{ M "/MndtReqId", A_REQ_ID },
	{ M "/Authntcn/Dt", A_SIGNED },
	{ M "/MaxAmt", A_MAX_AMT },
	{ M "/Dbtr/Nm", A_DBTR_NM },
	{ M "/Dbtr/Id/PrvtId/Othr/Id", A_DBTR_ID },
	{ M "/Dbtr/Id/OrgId/Othr/Id", A_DBTR_ID },
	{ M "/DbtrAcct/Id/Othr/Id", A_DBTR_ACCT },
	{ M "/DbtrAcct/Id/IBAN", A_DBTR_ACCT },
	{ M "/DbtrAgt/FinInstnId/BICFI", A_AGENT },
	{ M "/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId", A_AGENT },
	{ M "/UltmtDbtr/Nm", A_ULT_NM },
	{ NULL, 0 },
};

#define CX "UndrlygCxlDtls"

static const struct xp_rule pain011_rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ CX, C_MNDT },
	{ CX "/OrgnlMsgInf/MsgId", A_ORIG_MSG },
	{ CX "/CxlRsn/Rsn/Cd", A_RSN },
	{ CX "/CxlRsn/Rsn/Prtry", A_RSN },
	{ CX "/CxlRsn/AddtlInf", A_TEXT },
	{ CX "/OrgnlMndt/OrgnlMndtId", A_MNDT_ID },
	{ CX "/OrgnlMndt/OrgnlMndt/MndtId", A_MNDT_ID },
	{ NULL, 0 },
};

struct rd {
	struct xp		 xp;
	const struct iso_limits	*lim;
	mndt_read_fn		 fn;
	void			*arg;
	struct mndt_read_summary *sum;
	enum iso_family		 fam;
	char			 ccy[8];
	uint64_t		 seen_grp, seen_item;

	char			 mndt[ISO_ID_MAX + 1];
	char			 req[ISO_ID_MAX + 1];
	char			 dbtr_id[ISO_ID_MAX + 1];
	char			 dbtr_acct[ISO_ID_MAX + 1];
	char			 agent[ISO_ID_MAX + 1];
	char			 orig_msg[ISO_ID_MAX + 1];
	char			 rsn[ISO_ID_MAX + 1];
	char			 dbtr_nm[PAIN008_TEXT_MAX];
	char			 ult_nm[PAIN008_TEXT_MAX];
	char			 text[PAIN008_TEXT_MAX];
	int			 signed_on;
	int64_t			 max_amt;
	long			 line;
};

/* Where each field goes: a buffer of the record, or of the summary. */
static char *
slot(struct rd *r, enum act a, size_t *cap)
{
	struct { enum act a; char *buf; size_t cap; } t[] = {
		{ A_MSG_ID, r->sum->msg_id, sizeof(r->sum->msg_id) },
		{ A_CREATED, r->sum->created, sizeof(r->sum->created) },
		{ A_MNDT_ID, r->mndt, sizeof(r->mndt) },
		{ A_REQ_ID, r->req, sizeof(r->req) },
		{ A_DBTR_NM, r->dbtr_nm, sizeof(r->dbtr_nm) },
		{ A_DBTR_ID, r->dbtr_id, sizeof(r->dbtr_id) },
		{ A_DBTR_ACCT, r->dbtr_acct, sizeof(r->dbtr_acct) },
		{ A_AGENT, r->agent, sizeof(r->agent) },
		{ A_ULT_NM, r->ult_nm, sizeof(r->ult_nm) },
		{ A_ORIG_MSG, r->orig_msg, sizeof(r->orig_msg) },
		{ A_RSN, r->rsn, sizeof(r->rsn) },
		{ A_TEXT, r->text, sizeof(r->text) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].a == a) {
			*cap = t[i].cap;
			return t[i].buf;
		}
	return NULL;
}

static int
field(struct rd *r, struct xs_parse *p, enum act a, const char *tag,
    const char *s, size_t n)
{
	size_t cap;
	char *buf;

	if (xp_once(p, a >= A_MNDT_ID ? &r->seen_item : &r->seen_grp, a,
	    tag) != 0)
		return GW_EINPUT;
	xp_trim(&s, &n);
	if (a == A_SIGNED)
		return xp_date(p, &r->signed_on, s, n, tag);
	if (a == A_MAX_AMT)
		return xp_amount_cny(p, &r->max_amt, r->ccy, s, n, tag);
	if ((buf = slot(r, a, &cap)) == NULL)
		return 0;
	return xp_keep(p, buf, cap, s, n, tag);
}

static int
end_record(struct rd *r, struct xs_parse *p)
{
	struct mndt_read_item it;
	struct gw_err why = GW_ERR_INIT;
	int req = r->fam == ISO_FAM_MANDATE_REQ;
	const char *what = req ? "Mndt" : "UndrlygCxlDtls";
	const char *missing = r->mndt[0] == '\0' ? "mandate id" :
	    !req ? NULL : r->req[0] == '\0' ? "MndtReqId" :
	    r->dbtr_nm[0] == '\0' ? "Dbtr/Nm" : r->dbtr_acct[0] == '\0' ?
	    "DbtrAcct" : NULL;
	/* pain.011 records are checked on the first two rows only. */
	const struct iso_field f[] = {
		{ "mandate id", r->mndt, ISO_F_ID, 0, NULL },
		{ "OrgnlMsgInf/MsgId", r->orig_msg[0] ? r->orig_msg : NULL,
		  ISO_F_ID_OPT, 0, NULL },
		{ "MndtReqId", r->req, ISO_F_ID, 0, NULL },
		{ "Dbtr/Nm", r->dbtr_nm, ISO_F_TEXT, 140, NULL },
		{ "DbtrAcct", r->dbtr_acct, ISO_F_ACCOUNT, 0, NULL },
		{ "Dbtr/Id", r->dbtr_id[0] ? r->dbtr_id : NULL, ISO_F_ID_OPT, 0,
		  NULL },
		{ "DbtrAgt", r->agent[0] ? r->agent : NULL, ISO_F_ID_OPT, 0,
		  NULL },
		{ "UltmtDbtr/Nm", r->ult_nm[0] ? r->ult_nm : NULL,
		  ISO_F_TEXT_OPT, 140, NULL },
	};

	if (missing)
		return xs_fail(p, GW_EINPUT, "%s from line %ld has no %s", what,
		    r->line, missing);
	if (iso_check_fields(f, req ? sizeof(f) / sizeof(f[0]) : 2, 0,
	    &why) != 0)
		return xs_fail(p, GW_EINPUT, "%s from line %ld: %s", what,
		    r->line, why.msg);
	if (r->sum->count >= r->lim->max_items)
		return xs_fail(p, GW_ELIMIT, "more than %lld mandates in one "
		    "file", (long long)r->lim->max_items);
	r->sum->count++;
	memset(&it, 0, sizeof(it));
	it.line = r->line;
	it.seq = r->sum->count;
	it.kind = r->fam;
	it.msg_id = r->sum->msg_id;
	it.mandate_id = r->mndt;
	it.request_id = r->req;
	it.signed_on = r->signed_on;
	it.max_amount_fen = r->max_amt;
	it.debtor_name = r->dbtr_nm;
	it.debtor_id = r->dbtr_id;
	it.debtor_account = r->dbtr_acct;
	it.debtor_agent = r->agent;
	it.ultimate_debtor_name = r->ult_nm;
	it.orig_msg_id = r->orig_msg;
	it.reason_code = r->rsn;
	it.reason_text = r->text;
	return r->fn ? xp_handed(p, r->fn(r->arg, &it), r->line) : 0;
}

static void
start_record(struct rd *r, struct xs_parse *p)
{
	r->mndt[0] = r->req[0] = r->dbtr_id[0] = r->dbtr_acct[0] = '\0';
	r->agent[0] = r->orig_msg[0] = r->rsn[0] = '\0';
	r->dbtr_nm[0] = r->ult_nm[0] = r->text[0] = '\0';
	r->signed_on = -1;
	r->max_amt = -1;
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
		r->fam = iso_msg_family(r->xp.type);
		if (r->fam != ISO_FAM_MANDATE_REQ &&
		    r->fam != ISO_FAM_MANDATE_CXL)
			return xs_fail(p, GW_EINPUT, "this is a %s, not a "
			    "pain.009 or pain.011 mandate message",
			    iso_msg_name(r->xp.type));
		r->sum->type = r->xp.type;
		if (el->depth == 1 && r->fam == ISO_FAM_MANDATE_CXL)
			xp_rules(&r->xp, pain011_rules);
		return 0;
	}
	if (a == C_MNDT)
		start_record(r, p);
	else if (a == A_MAX_AMT)
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
	if (a == XP_TOP) {
		if (el->depth == 2 && r->sum->msg_id[0] == '\0')
			return xs_fail(p, GW_EINPUT, "no GrpHdr/MsgId");
		return 0;
	}
	if (a == C_MNDT)
		return end_record(r, p);
	if (a < 0)
		return 0;
	if (!leaf)
		return xs_fail(p, GW_EINPUT, "<%s> holds elements, not a value",
		    el->local);
	return field(r, p, (enum act)a, el->local, text, len);
}

static int
run(const struct xs_source *src, const struct iso_limits *lim,
    mndt_read_fn fn, void *arg, struct mndt_read_summary *sum,
    struct gw_err *e)
{
	static const struct xs_handler h = { on_start, on_end };
	static const struct iso_limits def = ISO_LIMITS_DEFAULT;
	struct mndt_read_summary local;
	struct rd *r;
	int rc;

	if (sum == NULL)
		sum = &local;
	memset(sum, 0, sizeof(*sum));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	r->lim = lim ? lim : &def;
	r->fn = fn;
	r->arg = arg;
	r->sum = sum;
	rc = xp_run(&r->xp, pain009_rules, src, r->lim, &h, r, e);
	free(r);
	return rc;
}

int
mndt_read_file(const char *path, const struct iso_limits *lim,
    mndt_read_fn fn, void *arg, struct mndt_read_summary *sum,
    struct gw_err *e)
{
	struct xs_source src = { path, path, NULL, 0 };

	return run(&src, lim, fn, arg, sum, e);
}

int
mndt_read_mem(const void *buf, size_t len, const char *name,
    const struct iso_limits *lim, mndt_read_fn fn, void *arg,
    struct mndt_read_summary *sum, struct gw_err *e)
{
	struct xs_source src = { name, NULL, buf, len };

	return run(&src, lim, fn, arg, sum, e);
}
