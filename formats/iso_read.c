/*
 * iso_read.c - streaming readers for pain.002, camt.054 and pain.012.
 *
 * One engine serves the three messages: each has a table of paths (from
 * the message's root element down) that name either a container (the
 * start and end of a record: a payment information block, an entry, an
 * item) or a field to keep. The path engine (xmlpath.h) finds an
 * element's rule with one probe of a small hash table and this file
 * hands text to the field's slot. What is not in a table is skipped (but
 * still counted against the limits), SplmtryData subtrees are skipped
 * whole (they may hold any namespace), and any other element outside the
 * message's namespace is an error.
 *
 * Records are emitted at the end of their element, after every field of
 * the item is known; the status of the enclosing levels is known by then
 * because the schemas put it before the items (GrpSts before
 * OrgnlPmtInfAndSts, PmtInfSts before TxInfAndSts, an entry's Sts before
 * its NtryDtls). Nothing grows with the number of items.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "common/date.h"
#include "common/money.h"
#include "common/strnum.h"
#include "formats/iso_read.h"
#include "formats/xmlpath.h"
#include "formats/xmlsafe.h"

enum act {
	A_NONE,
	/* containers: something happens at their start or end */
	C_GRP, C_PMT, C_ITEM, C_ENTRY, C_NTRYDTLS, C_RTR,
	/* message */
	A_MSG_ID, A_CREATED,
	/* group (pain.002 OrgnlGrpInfAndSts) */
	A_ORIG_MSG_ID, A_ORIG_MSG_TYPE, A_ORIG_NB, A_ORIG_SUM, A_GRP_STS,
	A_GRP_RSN_CD, A_GRP_RSN_PRTRY, A_GRP_TEXT,
	/* payment information (pain.002) */
	A_PMT_ID, A_PMT_STS, A_PMT_RSN_CD, A_PMT_RSN_PRTRY, A_PMT_TEXT,
	/* entry and batch (camt.054) */
	A_NTRY_AMT, A_NTRY_CDI, A_NTRY_RVSL, A_NTRY_STS, A_NTRY_BOOK_DT,
	A_NTRY_BOOK_DTTM, A_BTCH_MSG_ID, A_BTCH_PMT_ID, A_BTCH_AMT,
	/* item */
	A_E2E, A_TX_STS, A_RSN_CD, A_RSN_PRTRY, A_TEXT, A_AMT, A_AMT_ALT,
	A_AMT_ALT2, A_BOOK_DT, A_BOOK_DTTM, A_MNDT_ID, A_MNDT_REQ_ID,
	A_ITEM_MSG_ID, A_ITEM_PMT_ID, A_TX_CDI, A_ACCEPTED,
	A_COUNT
};

_Static_assert(A_COUNT <= 64, "seen masks are 64 bits");

static const struct xp_rule pain002_rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ "OrgnlGrpInfAndSts", C_GRP },
	{ "OrgnlGrpInfAndSts/OrgnlMsgId", A_ORIG_MSG_ID },
	{ "OrgnlGrpInfAndSts/OrgnlMsgNmId", A_ORIG_MSG_TYPE },
	{ "OrgnlGrpInfAndSts/OrgnlNbOfTxs", A_ORIG_NB },
	{ "OrgnlGrpInfAndSts/OrgnlCtrlSum", A_ORIG_SUM },
	{ "OrgnlGrpInfAndSts/GrpSts", A_GRP_STS },
	{ "OrgnlGrpInfAndSts/StsRsnInf/Rsn/Cd", A_GRP_RSN_CD },
	{ "OrgnlGrpInfAndSts/StsRsnInf/Rsn/Prtry", A_GRP_RSN_PRTRY },
	{ "OrgnlGrpInfAndSts/StsRsnInf/AddtlInf", A_GRP_TEXT },
	{ "OrgnlPmtInfAndSts", C_PMT },
	{ "OrgnlPmtInfAndSts/OrgnlPmtInfId", A_PMT_ID },
	{ "OrgnlPmtInfAndSts/PmtInfSts", A_PMT_STS },
	{ "OrgnlPmtInfAndSts/StsRsnInf/Rsn/Cd", A_PMT_RSN_CD },
	{ "OrgnlPmtInfAndSts/StsRsnInf/Rsn/Prtry", A_PMT_RSN_PRTRY },
	{ "OrgnlPmtInfAndSts/StsRsnInf/AddtlInf", A_PMT_TEXT },
	{ "OrgnlPmtInfAndSts/TxInfAndSts", C_ITEM },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/OrgnlEndToEndId", A_E2E },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/TxSts", A_TX_STS },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/StsRsnInf/Rsn/Cd", A_RSN_CD },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/StsRsnInf/Rsn/Prtry", A_RSN_PRTRY },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/StsRsnInf/AddtlInf", A_TEXT },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/AccptncDtTm", A_BOOK_DTTM },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/OrgnlTxRef/Amt/InstdAmt", A_AMT },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/OrgnlTxRef/IntrBkSttlmAmt",
	  A_AMT_ALT },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/OrgnlTxRef/IntrBkSttlmDt", A_BOOK_DT },
	{ "OrgnlPmtInfAndSts/TxInfAndSts/OrgnlTxRef/MndtRltdInf/MndtId",
	  A_MNDT_ID },
	{ NULL, A_NONE },
};

#define TX "Ntfctn/Ntry/NtryDtls/TxDtls"

static const struct xp_rule camt054_rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ "Ntfctn/Ntry", C_ENTRY },
	{ "Ntfctn/Ntry/Amt", A_NTRY_AMT },
	{ "Ntfctn/Ntry/CdtDbtInd", A_NTRY_CDI },
	{ "Ntfctn/Ntry/RvslInd", A_NTRY_RVSL },
	{ "Ntfctn/Ntry/Sts", A_NTRY_STS },		/* .02: the code */
	{ "Ntfctn/Ntry/Sts/Cd", A_NTRY_STS },		/* .08 */
	{ "Ntfctn/Ntry/Sts/Prtry", A_NTRY_STS },
	{ "Ntfctn/Ntry/BookgDt/Dt", A_NTRY_BOOK_DT },
	{ "Ntfctn/Ntry/BookgDt/DtTm", A_NTRY_BOOK_DTTM },
	{ "Ntfctn/Ntry/NtryDtls", C_NTRYDTLS },
	{ "Ntfctn/Ntry/NtryDtls/Btch/MsgId", A_BTCH_MSG_ID },
	{ "Ntfctn/Ntry/NtryDtls/Btch/PmtInfId", A_BTCH_PMT_ID },
	{ "Ntfctn/Ntry/NtryDtls/Btch/TtlAmt", A_BTCH_AMT },
	{ TX, C_ITEM },
	{ TX "/Refs/MsgId", A_ITEM_MSG_ID },
	{ TX "/Refs/PmtInfId", A_ITEM_PMT_ID },
	{ TX "/Refs/EndToEndId", A_E2E },
	{ TX "/Refs/MndtId", A_MNDT_ID },
	{ TX "/Amt", A_AMT },				/* .08 */
	{ TX "/CdtDbtInd", A_TX_CDI },			/* .08 */
	{ TX "/AmtDtls/InstdAmt/Amt", A_AMT_ALT },
	{ TX "/AmtDtls/TxAmt/Amt", A_AMT_ALT2 },
	{ TX "/RtrInf", C_RTR },
	{ TX "/RtrInf/Rsn/Cd", A_RSN_CD },
	{ TX "/RtrInf/Rsn/Prtry", A_RSN_PRTRY },
	{ TX "/RtrInf/AddtlInf", A_TEXT },
	{ NULL, A_NONE },
};

#define AD "UndrlygAccptncDtls"

static const struct xp_rule pain012_rules[] = {
	{ "GrpHdr/MsgId", A_MSG_ID },
	{ "GrpHdr/CreDtTm", A_CREATED },
	{ AD, C_ITEM },
	{ AD "/OrgnlMsgInf/MsgId", A_ITEM_MSG_ID },
	{ AD "/AccptncRslt/Accptd", A_ACCEPTED },
	{ AD "/AccptncRslt/RjctRsn/Cd", A_RSN_CD },
	{ AD "/AccptncRslt/RjctRsn/Prtry", A_RSN_PRTRY },
	{ AD "/AccptncRslt/AddtlRjctRsnInf", A_TEXT },
	{ AD "/OrgnlMndt/OrgnlMndtId", A_MNDT_ID },
	{ AD "/OrgnlMndt/OrgnlMndt/MndtId", A_MNDT_ID },
	{ AD "/OrgnlMndt/OrgnlMndt/MndtReqId", A_MNDT_REQ_ID },
	{ NULL, A_NONE },
};

/* Status codes banks send, and what they mean for one of our debits. */
static const struct {
	const char	*code;
	enum iso_status	 st;
	int		 entry;		/* a camt.054 entry status (Sts) */
} status_codes[] = {
	{ "ACCC", ISO_ST_ACCEPTED, 0 }, { "ACCP", ISO_ST_ACCEPTED, 0 },
	{ "ACFC", ISO_ST_ACCEPTED, 0 }, { "ACIS", ISO_ST_ACCEPTED, 0 },
	{ "ACSC", ISO_ST_ACCEPTED, 0 }, { "ACSP", ISO_ST_ACCEPTED, 0 },
	{ "ACTC", ISO_ST_ACCEPTED, 0 }, { "ACWC", ISO_ST_ACCEPTED, 0 },
	{ "ACWP", ISO_ST_ACCEPTED, 0 },
	{ "RJCT", ISO_ST_REJECTED, 0 }, { "CANC", ISO_ST_REJECTED, 0 },
	{ "PDNG", ISO_ST_PENDING, 0 }, { "RCVD", ISO_ST_PENDING, 0 },
	{ "PATC", ISO_ST_PENDING, 0 }, { "PRES", ISO_ST_PENDING, 0 },
	{ "PART", ISO_ST_PARTIAL, 0 },
	/* BOOK is refined by the entry's direction (camt_status) */
	{ "BOOK", ISO_ST_ACCEPTED, 1 }, { "PDNG", ISO_ST_PENDING, 1 },
	{ "INFO", ISO_ST_PENDING, 1 }, { "FUTR", ISO_ST_PENDING, 1 },
};


#define CDI_CRDT 1
#define CDI_DBIT 2

/* One level's status and reason (group, payment information, item). */
struct lvl {
	char	 sts[8];
	char	 rsn[ISO_ID_MAX + 1];
	int	 rsn_prtry;
	char	 text[ISO_TEXT_MAX];
};

struct rd {
	const struct iso_read_opts *o;
	iso_item_fn		 fn;
	void			*arg;
	struct iso_summary	*sum;
	enum iso_msg		 type;
	enum iso_family		 fam;
	int			 stop_at_root;	/* iso_detect */
	struct xp		 xp;		/* the path engine (xmlpath.h) */
	char			 ccy[8];

	uint64_t		 seen_grp, seen_pmt, seen_item;
	int			 mixed_orig;
	int64_t			 records;

	struct lvl		 grp;
	long			 grp_line;
	struct lvl		 pmt;
	char			 pmt_id[ISO_ID_MAX + 1];
	int64_t			 pmt_listed;
	long			 pmt_line;

	int			 ntry_cdi, ntry_rvsl;
	char			 ntry_sts[8];
	int64_t			 ntry_amt;
	int			 ntry_book[2];	/* Dt, DtTm */
	int			 ntry_dtls;	/* NtryDtls seen */
	char			 btch_msg[ISO_ID_MAX + 1];
	char			 btch_pmt[ISO_ID_MAX + 1];
	int64_t			 btch_amt;
	int64_t			 dtls_items;
	long			 dtls_line;

	struct lvl		 it;
	char			 e2e[ISO_ID_MAX + 1];
	char			 mndt[ISO_ID_MAX + 1];
	char			 mndt_req[ISO_ID_MAX + 1];
	char			 it_msg[ISO_ID_MAX + 1];
	char			 it_pmt[ISO_ID_MAX + 1];
	char			 accepted[8];
	int64_t			 amt[3];
	int			 book[2];	/* date, date of a date-time */
	int			 tx_cdi;
	int			 has_rtr;
	long			 line;
};

/* Append free text, "; " between pieces, cut at a character boundary. */
static void
append_text(char *dst, const char *s, size_t n)
{
	size_t have = strlen(dst), room;

	if (n == 0)
		return;
	if (have > 0 && have + 2 < ISO_TEXT_MAX) {
		memcpy(dst + have, "; ", 2);
		have += 2;
	}
	room = ISO_TEXT_MAX - 1 - have;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst + have, s, n);
	dst[have + n] = '\0';
}

static int
parse_status(const char *code, int entry, enum iso_status *st)
{
	size_t i;

	for (i = 0; i < sizeof(status_codes) / sizeof(status_codes[0]); i++)
		if (status_codes[i].entry == entry &&
		    strcasecmp(code, status_codes[i].code) == 0) {
			*st = status_codes[i].st;
			return 0;
		}
	return -1;
}

/* Upper-case a status code into dst (8 bytes), or fail. */
static int
keep_status(struct xs_parse *p, char *dst, int entry, const char *s,
    size_t n, const char *tag)
{
	enum iso_status st;
	size_t i;

	if (n == 0 || n > 4)
		return xs_fail(p, GW_EINPUT, "<%s> '%.*s' is not a status code",
		    tag, (int)(n > 20 ? 20 : n), s);
	for (i = 0; i < n; i++)
		dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	dst[n] = '\0';
	if (parse_status(dst, entry, &st) != 0)
		return xs_fail(p, GW_EINPUT, "<%s> status %s is not one we "
		    "understand", tag, dst);
	return 0;
}

/*
 * An amount in fen from decimal text: digits, optionally a point and
 * decimals; decimals beyond the second must be zeros. An amount in
 * another currency, or without one, is kept as AMT_NOT_CNY: it is an
 * error only if a record of ours needs it (pick_amount), because a
 * notification may carry entries that are none of our business.
 */
#define AMT_NOT_CNY INT64_C(-2)

static int
keep_amount(struct xs_parse *p, int64_t *dst, const char *ccy, const char *s,
    size_t n, const char *tag)
{
	struct gw_err why = GW_ERR_INIT;
	size_t i, dot = n;

	if (strcmp(ccy, "CNY") != 0) {
		*dst = AMT_NOT_CNY;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (s[i] == '.') {
			dot = i;
			break;
		}
	while (dot < n && n - dot > 3 && s[n - 1] == '0')
		n--;
	if (money_parse_yuan(dst, s, n, 0, &why) != 0)
		return xs_fail(p, GW_EINPUT, "<%s> '%.*s': %s", tag,
		    (int)(n > 30 ? 30 : n), s, why.msg);
	return 0;
}

/* xs:date, maybe with a zone suffix; or the date of an xs:dateTime. */
static int
keep_date(struct xs_parse *p, int *dst, const char *s, size_t n, int dt,
    const char *tag)
{
	struct gw_err why = GW_ERR_INIT;

	if (n < 10 || (dt && (n < 11 || s[10] != 'T')) ||
	    (!dt && n > 10 && s[10] != 'Z' && s[10] != '+' && s[10] != '-'))
		return xs_fail(p, GW_EINPUT, "<%s> '%.*s' is not a date%s", tag,
		    (int)(n > 30 ? 30 : n), s, dt ? " and time" : "");
	if (date_parse(dst, s, 10, &why) != 0)
		return xs_fail(p, GW_EINPUT, "<%s>: %s", tag, why.msg);
	return 0;
}

static void
reset_lvl(struct lvl *l)
{
	l->sts[0] = l->rsn[0] = l->text[0] = '\0';
	l->rsn_prtry = 0;
}

static void
reset_item(struct rd *r, struct xs_parse *p)
{
	reset_lvl(&r->it);
	r->e2e[0] = r->mndt[0] = r->mndt_req[0] = '\0';
	r->it_msg[0] = r->it_pmt[0] = r->accepted[0] = '\0';
	r->amt[0] = r->amt[1] = r->amt[2] = -1;
	r->book[0] = r->book[1] = -1;
	r->tx_cdi = 0;
	r->has_rtr = 0;
	r->seen_item = 0;
	r->line = xs_line(p);
}

static void
note_orig(struct rd *r, const char *id)
{
	if (r->fam == ISO_FAM_STATUS || *id == '\0' || r->mixed_orig)
		return;
	if (r->sum->orig_msg_id[0] == '\0')
		snprintf(r->sum->orig_msg_id, sizeof(r->sum->orig_msg_id), "%s",
		    id);
	else if (strcmp(r->sum->orig_msg_id, id) != 0) {
		r->mixed_orig = 1;
		r->sum->orig_msg_id[0] = '\0';
	}
}

/* Count and hand over one record. */
static int
emit(struct rd *r, struct xs_parse *p, struct iso_item *it)
{
	struct iso_summary *s = r->sum;

	if (++r->records > r->o->lim.max_items)
		return xs_fail(p, GW_ELIMIT, "more than %lld records in one "
		    "file", (long long)r->o->lim.max_items);
	it->category = REASON_OTHER;
	if (it->status == ISO_ST_REJECTED)
		it->category = reason_classify(r->o->reasons, r->o->bank,
		    it->reason_code, it->reason_text);
	if (it->scope != ISO_SCOPE_ITEM)
		s->nscoped++;
	else {
		s->nitems++;
		if (it->status == ISO_ST_ACCEPTED) {
			s->naccepted++;
			if (it->amount_fen > 0)
				money_add(&s->accepted_fen, it->amount_fen,
				    NULL);
		} else if (it->status == ISO_ST_REJECTED) {
			s->nrejected++;
			if (it->amount_fen > 0)
				money_add(&s->rejected_fen, it->amount_fen,
				    NULL);
		} else
			s->npending++;
	}
	note_orig(r, it->orig_msg_id);
	return r->fn ? xp_handed(p, r->fn(r->arg, it), it->line) : 0;
}

static void
item_init(struct iso_item *it, enum iso_scope scope, long line)
{
	memset(it, 0, sizeof(*it));
	it->scope = scope;
	it->line = line;
	it->orig_msg_id = it->orig_pmtinf_id = it->end_to_end_id = "";
	it->mandate_id = it->mandate_req_id = it->status_code = "";
	it->reason_code = it->reason_text = "";
	it->amount_fen = -1;
	it->booking_date = -1;
}

/* The reason stated at level l. */
static void
reason_of(struct iso_item *it, const struct lvl *l)
{
	it->reason_code = l->rsn;
	it->reason_prtry = l->rsn_prtry;
	it->reason_text = l->text;
}

/*
 * The first of n amounts given in CNY into *out, else -1; an error when
 * the only amounts given are in another currency or have none.
 */
static int
pick_amount(struct xs_parse *p, const int64_t *v, int n, int64_t *out)
{
	int i, other = 0;

	for (i = 0; i < n; i++) {
		if (v[i] >= 0) {
			*out = v[i];
			return 0;
		}
		other |= v[i] == AMT_NOT_CNY;
	}
	*out = -1;
	if (other)
		return xs_fail(p, GW_EINPUT, "amount without a currency or in "
		    "one other than CNY; only CNY is handled");
	return 0;
}

/* The entry's booking date: Dt, else the date of DtTm. */
static int
entry_booked(const struct rd *r)
{
	return r->ntry_book[0] >= 0 ? r->ntry_book[0] : r->ntry_book[1];
}

/* Fill in a reason the item does not give from an enclosing level. */
static void
take_reason(struct iso_item *it, const struct lvl *l)
{
	if (it->reason_code[0] == '\0' && l->rsn[0] != '\0') {
		it->reason_code = l->rsn;
		it->reason_prtry = l->rsn_prtry;
	}
	if (it->reason_text[0] == '\0')
		it->reason_text = l->text;
}

/* pain.002: a TxInfAndSts is complete. */
static int
end_status_item(struct rd *r, struct xs_parse *p)
{
	struct iso_item it;
	const struct lvl *from = &r->it;

	item_init(&it, ISO_SCOPE_ITEM, r->line);
	if (r->e2e[0] == '\0')
		return xs_fail(p, GW_EINPUT, "TxInfAndSts from line %ld has no "
		    "OrgnlEndToEndId", r->line);
	if (from->sts[0] == '\0')
		from = r->pmt.sts[0] ? &r->pmt : &r->grp;
	if (from->sts[0] == '\0')
		return xs_fail(p, GW_EINPUT, "item %s has no status (TxSts, "
		    "PmtInfSts or GrpSts)", r->e2e);
	parse_status(from->sts, 0, &it.status);
	if (it.status == ISO_ST_PARTIAL)
		return xs_fail(p, GW_EINPUT, "item %s has no status of its own "
		    "and its %s says PART", r->e2e, from == &r->pmt ?
		    "payment information" : "group");
	it.status_code = from->sts;
	reason_of(&it, &r->it);
	if (it.status == ISO_ST_REJECTED) {
		take_reason(&it, &r->pmt);
		take_reason(&it, &r->grp);
	}
	it.orig_msg_id = r->sum->orig_msg_id;
	it.orig_pmtinf_id = r->pmt_id;
	it.end_to_end_id = r->e2e;
	it.mandate_id = r->mndt;
	if (pick_amount(p, r->amt, 2, &it.amount_fen) != 0)
		return GW_EINPUT;
	it.booking_date = r->book[0] >= 0 ? r->book[0] : r->book[1];
	r->pmt_listed++;
	return emit(r, p, &it);
}

/* A status stated for a PmtInf or the group: the scope record. */
static int
end_scope(struct rd *r, struct xs_parse *p, enum iso_scope scope,
    const struct lvl *l, int64_t listed, long line)
{
	struct iso_item it;

	item_init(&it, scope, line);
	parse_status(l->sts, 0, &it.status);
	it.status_code = l->sts;
	reason_of(&it, l);
	if (scope == ISO_SCOPE_PMTINF && it.status == ISO_ST_REJECTED)
		take_reason(&it, &r->grp);
	it.orig_msg_id = r->sum->orig_msg_id;
	it.orig_pmtinf_id = scope == ISO_SCOPE_PMTINF ? r->pmt_id : "";
	it.n_listed = listed;
	return emit(r, p, &it);
}

/* camt.054: what a booked or pending entry means for one transaction. */
static int
camt_status(struct rd *r, struct xs_parse *p, int cdi, enum iso_status *st)
{
	enum iso_status est = ISO_ST_ACCEPTED;

	if (r->ntry_sts[0] == '\0')
		return xs_fail(p, GW_EINPUT, "entry from line %ld has no "
		    "status (Sts)", r->dtls_line);
	parse_status(r->ntry_sts, 1, &est);
	if (est == ISO_ST_PENDING) {
		*st = ISO_ST_PENDING;
		return 0;
	}
	if (cdi == 0)
		return xs_fail(p, GW_EINPUT, "booked entry without CdtDbtInd");
	*st = (cdi == CDI_CRDT) != r->ntry_rvsl ? ISO_ST_ACCEPTED :
	    ISO_ST_REJECTED;
	return 0;
}

static int
end_camt_item(struct rd *r, struct xs_parse *p)
{
	struct iso_item it;

	r->dtls_items++;
	if (r->e2e[0] == '\0' || strcmp(r->e2e, "NOTPROVIDED") == 0) {
		r->sum->nskipped++;
		return 0;
	}
	item_init(&it, ISO_SCOPE_ITEM, r->line);
	if (r->has_rtr)
		it.status = ISO_ST_REJECTED;
	else if (camt_status(r, p, r->tx_cdi ? r->tx_cdi : r->ntry_cdi,
	    &it.status) != 0)
		return GW_EINPUT;
	it.status_code = r->ntry_sts;
	reason_of(&it, &r->it);
	it.orig_msg_id = r->it_msg[0] ? r->it_msg : r->btch_msg;
	it.orig_pmtinf_id = r->it_pmt[0] ? r->it_pmt : r->btch_pmt;
	it.end_to_end_id = r->e2e;
	it.mandate_id = r->mndt;
	if (pick_amount(p, r->amt, 3, &it.amount_fen) != 0)
		return GW_EINPUT;
	it.booking_date = entry_booked(r);
	return emit(r, p, &it);
}

/* camt.054: an NtryDtls that lists no transactions but names a batch. */
static int
end_camt_batch(struct rd *r, struct xs_parse *p)
{
	struct iso_item it;

	if (r->dtls_items > 0)
		return 0;
	if (r->btch_msg[0] == '\0' && r->btch_pmt[0] == '\0') {
		r->sum->nskipped++;
		return 0;
	}
	item_init(&it, r->btch_pmt[0] ? ISO_SCOPE_PMTINF : ISO_SCOPE_GROUP,
	    r->dtls_line);
	if (camt_status(r, p, r->ntry_cdi, &it.status) != 0)
		return GW_EINPUT;
	it.status_code = r->ntry_sts;
	it.orig_msg_id = r->btch_msg;
	it.orig_pmtinf_id = r->btch_pmt;
	if (pick_amount(p, (const int64_t[]){ r->btch_amt, r->ntry_amt }, 2,
	    &it.amount_fen) != 0)
		return GW_EINPUT;
	it.booking_date = entry_booked(r);
	return emit(r, p, &it);
}

static int
end_mandate_ack(struct rd *r, struct xs_parse *p)
{
	struct iso_item it;

	item_init(&it, ISO_SCOPE_ITEM, r->line);
	if (strcasecmp(r->accepted, "true") == 0 ||
	    strcmp(r->accepted, "1") == 0)
		it.status = ISO_ST_ACCEPTED;
	else if (strcasecmp(r->accepted, "false") == 0 ||
	    strcmp(r->accepted, "0") == 0)
		it.status = ISO_ST_REJECTED;
	else
		return xs_fail(p, GW_EINPUT, "acceptance details from line %ld "
		    "have %s Accptd", r->line, r->accepted[0] ? "an unclear" :
		    "no");
	if (r->mndt[0] == '\0' && r->mndt_req[0] == '\0')
		return xs_fail(p, GW_EINPUT, "acceptance details from line %ld "
		    "name no mandate (OrgnlMndtId, MndtId or MndtReqId)",
		    r->line);
	it.status_code = r->accepted;
	reason_of(&it, &r->it);
	it.orig_msg_id = r->it_msg;
	it.mandate_id = r->mndt;
	it.mandate_req_id = r->mndt_req;
	return emit(r, p, &it);
}

/* Which record a field belongs to, for the "given twice" check. */
static uint64_t *
seen_mask(struct rd *r, enum act a)
{
	if (a >= A_E2E)
		return &r->seen_item;
	if (a >= A_PMT_ID)
		return &r->seen_pmt;
	return &r->seen_grp;
}

static int
is_repeatable(enum act a)
{
	switch (a) {
	case A_GRP_RSN_CD: case A_GRP_RSN_PRTRY: case A_GRP_TEXT:
	case A_PMT_RSN_CD: case A_PMT_RSN_PRTRY: case A_PMT_TEXT:
	case A_RSN_CD: case A_RSN_PRTRY: case A_TEXT:
		return 1;
	default:
		return 0;
	}
}

/* The first reason code of a level wins; later ones are a list. */
static int
keep_reason(struct xs_parse *p, struct lvl *l, int prtry, const char *s,
    size_t n, const char *tag)
{
	if (l->rsn[0] != '\0')
		return 0;
	l->rsn_prtry = prtry;
	return xp_keep(p, l->rsn, sizeof(l->rsn), s, n, tag);
}

static int
field(struct rd *r, struct xs_parse *p, enum act a, const char *tag,
    const char *s, size_t n)
{
	struct iso_summary *sum = r->sum;
	int64_t v;
	char num[24] = "";

	if (!is_repeatable(a) && xp_once(p, seen_mask(r, a), a, tag) != 0)
		return GW_EINPUT;
	if (a == A_GRP_TEXT || a == A_PMT_TEXT || a == A_TEXT) {
		append_text(a == A_GRP_TEXT ? r->grp.text : a == A_PMT_TEXT ?
		    r->pmt.text : r->it.text, s, n);
		return 0;
	}
	xp_trim(&s, &n);
	switch (a) {
	case A_MSG_ID:
		return xp_keep(p, sum->msg_id, sizeof(sum->msg_id), s, n, tag);
	case A_CREATED:
		return xp_keep(p, sum->created, sizeof(sum->created), s, n, tag);
	case A_ORIG_MSG_ID:
		return xp_keep(p, sum->orig_msg_id, sizeof(sum->orig_msg_id), s, n,
		    tag);
	case A_ORIG_MSG_TYPE:
		return xp_keep(p, sum->orig_msg_type, sizeof(sum->orig_msg_type),
		    s, n, tag);
	case A_ORIG_NB:
		if (xp_keep(p, num, sizeof(num), s, n, tag) != 0 ||
		    strnum_i64(&v, num, 0, INT64_C(999999999999999), tag,
		    NULL) != 0)
			return xs_fail(p, GW_EINPUT, "<%s> '%.20s' is not a "
			    "count", tag, num);
		sum->orig_nb_of_txs = v;
		return 0;
	case A_ORIG_SUM:
		return keep_amount(p, &sum->orig_ctrl_sum_fen, "CNY", s, n,
		    tag);
	case A_GRP_STS:
		if (keep_status(p, r->grp.sts, 0, s, n, tag) != 0)
			return GW_EINPUT;
		memcpy(sum->group_status, r->grp.sts, sizeof(r->grp.sts));
		return 0;
	case A_GRP_RSN_CD: case A_GRP_RSN_PRTRY:
		return keep_reason(p, &r->grp, a == A_GRP_RSN_PRTRY, s, n, tag);
	case A_PMT_ID:
		return xp_keep(p, r->pmt_id, sizeof(r->pmt_id), s, n, tag);
	case A_PMT_STS:
		return keep_status(p, r->pmt.sts, 0, s, n, tag);
	case A_PMT_RSN_CD: case A_PMT_RSN_PRTRY:
		return keep_reason(p, &r->pmt, a == A_PMT_RSN_PRTRY, s, n, tag);
	case A_NTRY_AMT:
		return keep_amount(p, &r->ntry_amt, r->ccy, s, n, tag);
	case A_NTRY_CDI: case A_TX_CDI:
		if (n == 4 && strncasecmp(s, "CRDT", 4) == 0)
			v = CDI_CRDT;
		else if (n == 4 && strncasecmp(s, "DBIT", 4) == 0)
			v = CDI_DBIT;
		else
			return xs_fail(p, GW_EINPUT, "<%s> is neither CRDT nor "
			    "DBIT", tag);
		*(a == A_NTRY_CDI ? &r->ntry_cdi : &r->tx_cdi) = (int)v;
		return 0;
	case A_NTRY_RVSL:
		r->ntry_rvsl = (n == 4 && strncasecmp(s, "true", 4) == 0) ||
		    (n == 1 && *s == '1');
		return 0;
	case A_NTRY_STS:
		return keep_status(p, r->ntry_sts, 1, s, n, tag);
	case A_NTRY_BOOK_DT: case A_NTRY_BOOK_DTTM:
		return keep_date(p, &r->ntry_book[a == A_NTRY_BOOK_DTTM], s, n,
		    a == A_NTRY_BOOK_DTTM, tag);
	case A_BTCH_MSG_ID:
		return xp_keep(p, r->btch_msg, sizeof(r->btch_msg), s, n, tag);
	case A_BTCH_PMT_ID:
		return xp_keep(p, r->btch_pmt, sizeof(r->btch_pmt), s, n, tag);
	case A_BTCH_AMT:
		return keep_amount(p, &r->btch_amt, r->ccy, s, n, tag);
	case A_E2E:
		return xp_keep(p, r->e2e, sizeof(r->e2e), s, n, tag);
	case A_TX_STS:
		return keep_status(p, r->it.sts, 0, s, n, tag);
	case A_RSN_CD: case A_RSN_PRTRY:
		return keep_reason(p, &r->it, a == A_RSN_PRTRY, s, n, tag);
	case A_AMT: case A_AMT_ALT: case A_AMT_ALT2:
		return keep_amount(p, &r->amt[a - A_AMT], r->ccy, s, n, tag);
	case A_BOOK_DT: case A_BOOK_DTTM:
		return keep_date(p, &r->book[a == A_BOOK_DTTM], s, n,
		    a == A_BOOK_DTTM, tag);
	case A_MNDT_ID:
		return xp_keep(p, r->mndt, sizeof(r->mndt), s, n, tag);
	case A_MNDT_REQ_ID:
		return xp_keep(p, r->mndt_req, sizeof(r->mndt_req), s, n, tag);
	case A_ITEM_MSG_ID:
		return xp_keep(p, r->it_msg, sizeof(r->it_msg), s, n, tag);
	case A_ITEM_PMT_ID:
		return xp_keep(p, r->it_pmt, sizeof(r->it_pmt), s, n, tag);
	case A_ACCEPTED:
		return xp_keep(p, r->accepted, sizeof(r->accepted), s, n, tag);
	default:
		return 0;
	}
}

static int
container_start(struct rd *r, struct xs_parse *p, enum act a)
{
	switch (a) {
	case C_GRP:
		r->grp_line = xs_line(p);
		break;
	case C_PMT:
		reset_lvl(&r->pmt);
		r->pmt_id[0] = '\0';
		r->pmt_listed = 0;
		r->seen_pmt = 0;
		r->pmt_line = xs_line(p);
		break;
	case C_ENTRY:
		r->ntry_cdi = r->ntry_rvsl = r->ntry_dtls = 0;
		r->ntry_sts[0] = '\0';
		r->ntry_amt = -1;
		r->ntry_book[0] = r->ntry_book[1] = -1;
		r->seen_pmt = 0;
		r->dtls_line = xs_line(p);
		break;
	case C_NTRYDTLS:
		r->ntry_dtls = 1;
		r->btch_msg[0] = r->btch_pmt[0] = '\0';
		r->btch_amt = -1;
		r->dtls_items = 0;
		r->dtls_line = xs_line(p);
		/* Each NtryDtls has its own Btch. */
		r->seen_pmt &= ~((1ULL << A_BTCH_MSG_ID) |
		    (1ULL << A_BTCH_PMT_ID) | (1ULL << A_BTCH_AMT));
		break;
	case C_ITEM:
		reset_item(r, p);
		break;
	case C_RTR:
		r->has_rtr = 1;
		break;
	default:
		break;
	}
	return 0;
}

static int
container_end(struct rd *r, struct xs_parse *p, enum act a)
{
	switch (a) {
	case C_GRP:
		if (r->sum->orig_msg_id[0] == '\0')
			return xs_fail(p, GW_EINPUT, "OrgnlGrpInfAndSts has no "
			    "OrgnlMsgId");
		return 0;
	case C_PMT:
		if (r->pmt_id[0] == '\0')
			return xs_fail(p, GW_EINPUT, "OrgnlPmtInfAndSts from "
			    "line %ld has no OrgnlPmtInfId", r->pmt_line);
		if (r->pmt.sts[0] == '\0')
			return 0;
		return end_scope(r, p, ISO_SCOPE_PMTINF, &r->pmt,
		    r->pmt_listed, r->pmt_line);
	case C_ITEM:
		if (r->fam == ISO_FAM_STATUS)
			return end_status_item(r, p);
		if (r->fam == ISO_FAM_NOTIFICATION)
			return end_camt_item(r, p);
		return end_mandate_ack(r, p);
	case C_NTRYDTLS:
		return end_camt_batch(r, p);
	case C_ENTRY:
		if (!r->ntry_dtls)
			r->sum->nskipped++;
		return 0;
	default:
		return 0;
	}
}

/* Document and the message root: which message this is. */
static int
start_top(struct rd *r, struct xs_parse *p, const struct xs_elem *el)
{
	if (xp_top(&r->xp, p, el) != 0)
		return GW_EINPUT;
	if (el->depth == 1) {
		r->type = r->xp.type;
		r->sum->type = r->type;
		r->fam = iso_msg_family(r->type);
		if (r->stop_at_root)
			return 0;
		if (r->o->expect != ISO_MSG_UNKNOWN && r->type != r->o->expect)
			return xs_fail(p, GW_EINPUT, "this is a %s, not a %s",
			    iso_msg_name(r->type), iso_msg_name(r->o->expect));
		if (!iso_msg_is_inbound(r->type))
			return xs_fail(p, GW_EINPUT, "this is a %s, a message "
			    "we send, not a bank's report (pain.002, camt.054, "
			    "pain.012)", iso_msg_name(r->type));
		xp_rules(&r->xp, r->fam == ISO_FAM_STATUS ? pain002_rules :
		    r->fam == ISO_FAM_NOTIFICATION ? camt054_rules :
		    pain012_rules);
		return 0;
	}
	if (r->stop_at_root)
		return xs_fail(p, 1, "stop");	/* iso_detect has its answer */
	return 0;
}

static int
on_start(struct xs_parse *p, void *arg, const struct xs_elem *el)
{
	struct rd *r = arg;
	int a;

	if (xp_enter(&r->xp, p, el, &a) != 0)
		return GW_EINPUT;
	if (a == XP_TOP)
		return start_top(r, p, el);
	if (a == XP_NONE)
		return 0;
	if (a >= C_GRP && a <= C_RTR)
		return container_start(r, p, (enum act)a);
	if (a == A_NTRY_AMT || a == A_BTCH_AMT || (a >= A_AMT &&
	    a <= A_AMT_ALT2))
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
	if (a == XP_TOP && el->depth == 2) {
		if (r->sum->msg_id[0] == '\0')
			return xs_fail(p, GW_EINPUT, "no GrpHdr/MsgId");
		if (r->fam == ISO_FAM_STATUS && r->grp.sts[0] != '\0' &&
		    end_scope(r, p, ISO_SCOPE_GROUP, &r->grp, r->sum->nitems,
		    r->grp_line) != 0)
			return GW_EINPUT;
		if (r->fam != ISO_FAM_NOTIFICATION && r->records == 0)
			return xs_fail(p, GW_EINPUT, "the %s states no status "
			    "for the group, a payment or an item",
			    iso_msg_name(r->type));
		return 0;
	}
	if (a < 0)
		return 0;
	if (a >= C_GRP && a <= C_RTR)
		return container_end(r, p, (enum act)a);
	/* A field name that is a container in this version (camt.054.001.08
	 * Sts holds Cd): its own text is only white space. */
	if (!leaf)
		return 0;
	return field(r, p, (enum act)a, el->local, text, len);
}

void
iso_read_opts_init(struct iso_read_opts *o)
{
	const struct iso_limits lim = ISO_LIMITS_DEFAULT;

	memset(o, 0, sizeof(*o));
	o->lim = lim;
	o->expect = ISO_MSG_UNKNOWN;
}

static int
run(const struct xs_source *src, const struct iso_read_opts *o,
    iso_item_fn fn, void *arg, struct iso_summary *sum, int stop_at_root,
    struct gw_err *e)
{
	static const struct xs_handler h = { on_start, on_end };
	struct iso_summary local;
	struct rd *r;
	int rc;

	if (sum == NULL)
		sum = &local;
	memset(sum, 0, sizeof(*sum));
	sum->orig_nb_of_txs = sum->orig_ctrl_sum_fen = -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	r->o = o;
	r->fn = fn;
	r->arg = arg;
	r->sum = sum;
	r->stop_at_root = stop_at_root;
	reset_lvl(&r->grp);
	reset_lvl(&r->pmt);
	/* The rules follow the message: start_top picks them at Document. */
	rc = xp_run(&r->xp, NULL, src, &o->lim, &h, r, e);
	free(r);
	return rc;
}

int
iso_read_file(const char *path, const struct iso_read_opts *o, iso_item_fn fn,
    void *arg, struct iso_summary *sum, struct gw_err *e)
{
	struct xs_source src = { path, path, NULL, 0 };

	return run(&src, o, fn, arg, sum, 0, e);
}

int
iso_read_mem(const void *buf, size_t len, const char *name,
    const struct iso_read_opts *o, iso_item_fn fn, void *arg,
    struct iso_summary *sum, struct gw_err *e)
{
	struct xs_source src = { name, NULL, buf, len };

	return run(&src, o, fn, arg, sum, 0, e);
}

int
iso_detect(const char *path, const struct iso_limits *lim, enum iso_msg *out,
    struct gw_err *e)
{
	struct xs_source src = { path, path, NULL, 0 };
	struct iso_read_opts o;
	struct iso_summary sum;
	struct gw_err why = GW_ERR_INIT;
	int rc;

	iso_read_opts_init(&o);
	o.lim = *lim;
	*out = ISO_MSG_UNKNOWN;
	rc = run(&src, &o, NULL, NULL, &sum, 1, &why);
	if (rc == 1) {		/* stopped at the message root, as asked */
		*out = sum.type;
		return 0;
	}
	return gw_err_set(e, rc, "%s", why.msg);
}

int
iso_validate_file(const char *path, const char *schemas_dir,
    const struct iso_limits *lim, enum iso_msg *type, struct gw_err *e)
{
	static const struct xs_handler no_handler = { NULL, NULL };
	struct xs_source src = { path, path, NULL, 0 };
	xmlSchemaParserCtxtPtr pctxt = NULL;
	xmlSchemaPtr schema = NULL;
	struct gw_err why = GW_ERR_INIT;
	char *xsd = NULL;
	int64_t nerr = 0;
	int rc;

	if (iso_detect(path, lim, type, e) != 0)
		return e->code;
	if (asprintf(&xsd, "%s/%s.xsd", schemas_dir, iso_msg_name(*type)) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (access(xsd, R_OK) != 0) {
		rc = gw_err_set(e, GW_EENV, "no schema %s for %s (--schemas "
		    "DIR)", xsd, iso_msg_name(*type));
		goto done;
	}
	if ((pctxt = xmlSchemaNewParserCtxt(xsd)) != NULL) {
		xmlSchemaSetParserStructuredErrors(pctxt, NULL, NULL);
		schema = xmlSchemaParse(pctxt);
	}
	if (schema == NULL) {
		rc = gw_err_set(e, GW_EENV, "%s: schema does not compile", xsd);
		goto done;
	}
	rc = xs_run(&src, lim, schema, &no_handler, NULL, &nerr, &why);
	if (rc == 0 && nerr > 0)
		rc = GW_EINPUT;
	if (rc != 0)
		gw_err_set(e, rc, "%s", why.msg);
done:
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pctxt);
	free(xsd);
	return rc;
}

const char *
iso_status_name(enum iso_status s)
{
	static const char *const names[] = { "accepted", "rejected", "pending",
	    "partial" };

	return (unsigned)s < 4 ? names[s] : "?";
}

const char *
iso_scope_name(enum iso_scope s)
{
	static const char *const names[] = { "item", "pmtinf", "group" };

	return (unsigned)s < 3 ? names[s] : "?";
}
