/*
 * mndtmsg.c - streaming writers for pain.009 (mandate initiation) and
 * pain.011 (mandate cancellation), versions .001.08 and .001.05.
 *
 * For what we write, the two versions differ only in the BIC pattern
 * (.05 has the strict pre-2014 one), so one writer serves both; the
 * group header is the same for both messages. Values are checked before
 * their element is written, so a file is schema-valid or not written at
 * all. Invariant: w->n counts what is in the file; finish compares it
 * with the declared count.
 */
#include <stdlib.h>

#include "common/money.h"
#include "formats/mndtmsg.h"
#include "formats/xmlout.h"

struct mndt_writer {
	enum iso_msg	 type;
	int		 strict_bic;
	int		 done;
	struct gw_err	 err;
	int64_t		 declared, n;
	struct xo	 xo;
};

static int
fail(struct mndt_writer *w, struct gw_err *e)
{
	return xo_stuck(&w->err, e);
}

int
mndt_writer_new(struct mndt_writer **out, FILE *fp, enum iso_msg type,
    const struct mndt_group *g, struct gw_err *e)
{
	struct mndt_writer *w;
	struct gw_err why = GW_ERR_INIT;
	enum iso_family fam = iso_msg_family(type);
	const struct iso_field f[] = {
		{ "msg_id", g->msg_id, ISO_F_ID, 0, NULL },
		{ "initiator_name", g->initiator_name, ISO_F_TEXT, 140, NULL },
		{ "initiator_id", g->initiator_id, ISO_F_ID, 0, NULL },
	};

	*out = NULL;
	if (fam != ISO_FAM_MANDATE_REQ && fam != ISO_FAM_MANDATE_CXL)
		return gw_err_set(e, GW_EINPUT, "cannot write %s as a mandate "
		    "message", iso_msg_name(type));
	if (iso_check_fields(f, 3, 0, &why) != 0)
		return gw_err_set(e, why.code, "%s group header: %s",
		    iso_msg_name(type), why.msg);
	if (g->count < 1 || g->count > 10000000)
		return gw_err_set(e, GW_EINPUT, "%s: %lld mandates out of "
		    "range", iso_msg_name(type), (long long)g->count);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	w->type = type;
	w->strict_bic = type == ISO_PAIN009_05 || type == ISO_PAIN011_05;
	w->declared = g->count;
	xo_init(&w->xo, fp);
	xo_document(&w->xo, type);
	xo_group_header(&w->xo, g->msg_id, g->created, -1, 0,
	    g->initiator_name, g->initiator_id);
	*out = w;
	return 0;
}

/* Entry checks of both add calls, into why. */
static int
may_add(struct mndt_writer *w, enum iso_family fam, struct gw_err *why)
{
	if (iso_msg_family(w->type) != fam || w->done)
		return gw_err_set(why, GW_EINPUT, "wrong call for a %s "
		    "writer%s", iso_msg_name(w->type), w->done ?
		    " that is finished" : "");
	if (w->n == w->declared)
		return gw_err_set(why, GW_EINPUT, "the header declared %lld "
		    "mandates and this would be one more",
		    (long long)w->declared);
	return 0;
}

/* Record why in w, naming the mandate, and hand it to e. */
static int
add_failed(struct mndt_writer *w, const char *what, const char *mandate_id,
    const struct gw_err *why, struct gw_err *e)
{
	gw_err_set(&w->err, why->code, "%s %s %lld (MndtId %.35s): %s",
	    iso_msg_name(w->type), what, (long long)w->n + 1,
	    mandate_id ? mandate_id : "", why->msg);
	return fail(w, e);
}

int
mndt_add_request(struct mndt_writer *w, const struct mndt_request *m,
    struct gw_err *e)
{
	struct gw_err why = GW_ERR_INIT;
	int c_cnaps = 0, d_cnaps = 0;
	const struct iso_field f[] = {
		{ "mandate_id", m->mandate_id, ISO_F_ID, 0, NULL },
		{ "request_id", m->request_id, ISO_F_ID, 0, NULL },
		{ "creditor_name", m->creditor_name, ISO_F_TEXT, 140, NULL },
		{ "creditor_id", m->creditor_id, ISO_F_ID, 0, NULL },
		{ "creditor_account", m->creditor_account, ISO_F_ACCOUNT, 0,
		  NULL },
		{ "creditor_agent", m->creditor_agent, ISO_F_AGENT, 0,
		  &c_cnaps },
		{ "creditor_scheme_id", m->creditor_scheme_id, ISO_F_ID, 0,
		  NULL },
		{ "debtor_name", m->debtor_name, ISO_F_TEXT, 140, NULL },
		{ "debtor_id", m->debtor_id, ISO_F_ID, 0, NULL },
		{ "debtor_account", m->debtor_account, ISO_F_ACCOUNT, 0, NULL },
		{ "debtor_agent", m->debtor_agent, ISO_F_AGENT, 0, &d_cnaps },
		{ "ultimate_debtor_name", m->ultimate_debtor_name,
		  ISO_F_TEXT_OPT, 140, NULL },
		{ "ultimate_debtor_id", m->ultimate_debtor_id, ISO_F_ID_OPT, 0,
		  NULL },
	};

	if (w->err.code)
		return fail(w, e);
	if (may_add(w, ISO_FAM_MANDATE_REQ, &why) != 0 ||
	    iso_check_fields(f, sizeof(f) / sizeof(f[0]), w->strict_bic,
	    &why) != 0)
		;
	else if ((m->ultimate_debtor_id != NULL) !=
	    (m->ultimate_debtor_name != NULL))
		gw_err_set(&why, GW_EINPUT, "ultimate debtor needs both a name "
		    "and an ID");
	else if (m->max_amount_fen < 0 || m->max_amount_fen > MONEY_MAX_FEN)
		gw_err_set(&why, GW_EINPUT, "maximum amount out of range");
	else if (m->signed_on >= 0)
		iso_check_day(m->signed_on, "date of signature", &why);
	if (why.code)
		return add_failed(w, "mandate", m->mandate_id, &why, e);
	w->n++;

	xo_open(&w->xo, "Mndt");
	xo_leaf(&w->xo, "MndtId", m->mandate_id);
	xo_leaf(&w->xo, "MndtReqId", m->request_id);
	if (m->signed_on >= 0) {
		xo_open(&w->xo, "Authntcn");
		xo_date(&w->xo, "Dt", m->signed_on);
		xo_close(&w->xo, "Authntcn");
	}
	xo_open(&w->xo, "Ocrncs");
	xo_leaf(&w->xo, "SeqTp", "RCUR");
	xo_close(&w->xo, "Ocrncs");
	xo_leaf(&w->xo, "TrckgInd", "false");
	if (m->max_amount_fen > 0)
		xo_amount(&w->xo, "MaxAmt", m->max_amount_fen);
	xo_party(&w->xo, "CdtrSchmeId", NULL, XO_ID_ORG, m->creditor_scheme_id,
	    "CSID");
	xo_party(&w->xo, "Cdtr", m->creditor_name, XO_ID_ORG, m->creditor_id,
	    "USCC");
	xo_account(&w->xo, "CdtrAcct", m->creditor_account);
	xo_agent(&w->xo, "CdtrAgt", m->creditor_agent, c_cnaps, "BICFI");
	xo_party(&w->xo, "Dbtr", m->debtor_name,
	    m->debtor_is_org ? XO_ID_ORG : XO_ID_PERSON, m->debtor_id,
	    m->debtor_is_org ? "USCC" : "NIDN");
	xo_account(&w->xo, "DbtrAcct", m->debtor_account);
	xo_agent(&w->xo, "DbtrAgt", m->debtor_agent, d_cnaps, "BICFI");
	if (m->ultimate_debtor_name)
		xo_party(&w->xo, "UltmtDbtr", m->ultimate_debtor_name,
		    XO_ID_PERSON, m->ultimate_debtor_id, "NIDN");
	xo_close(&w->xo, "Mndt");
	return 0;
}

int
mndt_add_cancel(struct mndt_writer *w, const struct mndt_cancel *c,
    struct gw_err *e)
{
	struct gw_err why = GW_ERR_INIT;
	const struct iso_field f[] = {
		{ "mandate_id", c->mandate_id, ISO_F_ID, 0, NULL },
		{ "orig_msg_id", c->orig_msg_id, ISO_F_ID_OPT, 0, NULL },
		{ "reason_code", c->reason_code, ISO_F_CODE_OPT, 0, NULL },
		{ "reason_prtry", c->reason_prtry, ISO_F_TEXT_OPT, 35, NULL },
		{ "text", c->text, ISO_F_TEXT_OPT, 105, NULL },
	};

	if (w->err.code)
		return fail(w, e);
	if (may_add(w, ISO_FAM_MANDATE_CXL, &why) == 0 &&
	    iso_check_fields(f, sizeof(f) / sizeof(f[0]), 0, &why) == 0 &&
	    (c->reason_code == NULL) == (c->reason_prtry == NULL))
		gw_err_set(&why, GW_EINPUT, "give either a reason code or a "
		    "proprietary reason");
	if (why.code)
		return add_failed(w, "cancellation", c->mandate_id, &why, e);
	w->n++;

	xo_open(&w->xo, "UndrlygCxlDtls");
	if (c->orig_msg_id) {
		xo_open(&w->xo, "OrgnlMsgInf");
		xo_leaf(&w->xo, "MsgId", c->orig_msg_id);
		xo_leaf(&w->xo, "MsgNmId", iso_msg_name(w->type ==
		    ISO_PAIN011_05 ? ISO_PAIN009_05 : ISO_PAIN009_08));
		xo_close(&w->xo, "OrgnlMsgInf");
	}
	xo_open(&w->xo, "CxlRsn");
	xo_open(&w->xo, "Rsn");
	if (c->reason_code)
		xo_leaf(&w->xo, "Cd", c->reason_code);
	else
		xo_leaf(&w->xo, "Prtry", c->reason_prtry);
	xo_close(&w->xo, "Rsn");
	if (c->text)
		xo_leaf(&w->xo, "AddtlInf", c->text);
	xo_close(&w->xo, "CxlRsn");
	xo_open(&w->xo, "OrgnlMndt");
	xo_leaf(&w->xo, "OrgnlMndtId", c->mandate_id);
	xo_close(&w->xo, "OrgnlMndt");
	xo_close(&w->xo, "UndrlygCxlDtls");
	return 0;
}

int
mndt_writer_finish(struct mndt_writer *w, struct gw_err *e)
{
	if (w->err.code)
		return fail(w, e);
	if (w->done || w->n != w->declared) {
		gw_err_set(&w->err, GW_EINPUT, "%s: %s", iso_msg_name(w->type),
		    w->done ? "finished twice" : "fewer mandates written than "
		    "the header declared");
		return fail(w, e);
	}
	w->done = 1;
	xo_end_document(&w->xo);
	if (xo_flush(&w->xo) != 0) {
		gw_err_set(&w->err, GW_EIO, "%s: write failed",
		    iso_msg_name(w->type));
		return fail(w, e);
	}
	return 0;
}

void
mndt_writer_free(struct mndt_writer *w)
{
	free(w);
}
