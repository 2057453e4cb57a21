/*
 * Unit tests: reading banks' files (formats/iso_read.c, formats/xmlsafe.c)
 * - every fixture kind in tests/fixtures/iso20022/, hostile input, the
 * ambiguities we refuse, limits, and schema validation.
 */
#include "tests/unit/formats/fmttest.h"

#include "common/date.h"
#include "formats/iso_read.h"

#define FIX "tests/fixtures/iso20022/"
#define MAXREC 32

struct rec {
	enum iso_scope	 scope;
	char		 key[ISO_ID_MAX + 1];	/* e2e, mandate or pmtinf id */
	char		 orig[ISO_ID_MAX + 1];
	enum iso_status	 status;
	char		 reason[ISO_ID_MAX + 1];
	enum reason_cat	 cat;
	int64_t		 amount;
	int		 booked;
	int64_t		 listed;
	char		 text[ISO_TEXT_MAX];
};

struct got {
	struct rec	r[MAXREC];
	int		n;
	int		stop_after;	/* return 7 after this many; 0 never */
};

static int
collect(void *arg, const struct iso_item *it)
{
	struct got *g = arg;
	struct rec *r;

	if (g->stop_after && g->n == g->stop_after)
		return 7;
	ck_assert_int_lt(g->n, MAXREC);
	r = &g->r[g->n++];
	r->scope = it->scope;
	snprintf(r->key, sizeof(r->key), "%s", it->scope != ISO_SCOPE_ITEM ?
	    it->orig_pmtinf_id : it->end_to_end_id[0] ? it->end_to_end_id :
	    it->mandate_id[0] ? it->mandate_id : it->mandate_req_id);
	snprintf(r->orig, sizeof(r->orig), "%s", it->orig_msg_id);
	r->status = it->status;
	snprintf(r->reason, sizeof(r->reason), "%s", it->reason_code);
	r->cat = it->category;
	r->amount = it->amount_fen;
	r->booked = it->booking_date;
	r->listed = it->n_listed;
	snprintf(r->text, sizeof(r->text), "%s", it->reason_text);
	return 0;
}

static int
read_fixture(const char *name, struct got *g, struct iso_summary *sum,
    struct gw_err *e)
{
	struct iso_read_opts o;
	char path[256];

	iso_read_opts_init(&o);
	snprintf(path, sizeof(path), FIX "%s", name);
	memset(g, 0, sizeof(*g));
	return iso_read_file(path, &o, collect, g, sum, e);
}

#define A ISO_ST_ACCEPTED
#define R ISO_ST_REJECTED
#define P ISO_ST_PENDING
#define X ISO_ST_PARTIAL
#define I ISO_SCOPE_ITEM
#define PI ISO_SCOPE_PMTINF
#define G ISO_SCOPE_GROUP

struct want {
	enum iso_scope	 scope;
	const char	*key;
	enum iso_status	 status;
	const char	*reason;
	const char	*cat;		/* NULL: not checked (not rejected) */
	int64_t		 amount;
	const char	*booked;	/* NULL: none */
};

static const struct {
	const char	*file;
	enum iso_msg	 type;
	const char	*orig;
	int64_t		 nitems, nacc, nrej, npend, nscoped, nskipped;
	struct want	 w[12];
} fixtures[] = {
	{ "pain002_03_group_reject.xml", ISO_PAIN002_03, "B20240126000001",
	  0, 0, 0, 0, 1, 0, {
	  { G, "", R, "FF01", "other", -1, NULL } } },
	{ "pain002_03_item_rejects.xml", ISO_PAIN002_03, "B20240126000001",
	  9, 2, 7, 0, 2, 0, {
	  { I, "B20240126000001-000000001", R, "AM04", "insufficient_funds",
	    38000, NULL },
	  { I, "B20240126000001-000000002", R, "AC01", "account_abnormal",
	    39001, NULL },
	  { I, "B20240126000001-000000003", R, "AC04", "account_closed", -1,
	    NULL },
	  { I, "B20240126000001-000000004", R, "AC06", "account_frozen", -1,
	    NULL },
	  { I, "B20240126000001-000000005", R, "MD01", "mandate_invalid", -1,
	    NULL },
	  { I, "B20240126000001-000000006", R, "MS02", "mandate_invalid", -1,
	    NULL },
	  { I, "B20240126000001-000000007", R, "E1001", "account_frozen", -1,
	    NULL },
	  { I, "B20240126000001-000000008", A, "", NULL, 42004, "2024-01-26" },
	  { I, "B20240126000001-000000009", A, "", NULL, 38000, "2024-01-27" },
	  { PI, "B20240126000001-P001", X, "", NULL, -1, NULL },
	  { G, "", X, "", NULL, -1, NULL } } },
	{ "pain002_10_pmtinf_reject.xml", ISO_PAIN002_10, "B20240126000002",
	  4, 1, 3, 0, 4, 0, {
	  { PI, "B20240126000002-P001", R, "DT01", "other", -1, NULL },
	  { I, "B20240126000002-000000121", R, "AC06", "account_frozen", -1,
	    NULL },
	  { I, "B20240126000002-000000122", R, "AC06", "account_frozen", 38000,
	    NULL },
	  { PI, "B20240126000002-P002", R, "AC06", "account_frozen", -1, NULL },
	  { I, "B20240126000002-000000123", R, "MD07", "payer_deceased", 38000,
	    NULL },
	  { I, "B20240126000002-000000124", A, "", NULL, 39001, "2024-01-26" },
	  { PI, "B20240126000002-P003", A, "", NULL, -1, NULL },
	  { G, "", X, "", NULL, -1, NULL } } },
	{ "pain002_10_bank_quirks.xml", ISO_PAIN002_10, "B20240126000004",
	  2, 1, 1, 0, 1, 0, {
	  { I, "B20240126000004-000000001", R, "AM04", "insufficient_funds",
	    40002, "2024-01-26" },
	  { I, "B20240126000004-000000002", A, "", NULL, 38000, NULL },
	  { G, "", X, "", NULL, -1, NULL } } },
	{ "camt054_02_returns.xml", ISO_CAMT054_02, "B20240126000001",
	  5, 2, 2, 1, 0, 1, {
	  { I, "B20240126000001-000000001", A, "", NULL, 38000, "2024-01-26" },
	  { I, "B20240126000001-000000002", A, "", NULL, 39001, "2024-01-26" },
	  { I, "B20240126000001-000000003", R, "AM04", "insufficient_funds",
	    40002, "2024-01-29" },
	  { I, "B20240126000001-000000004", R, "AC04", "account_closed", 41003,
	    "2024-01-29" },
	  { I, "B20240126000001-000000005", P, "", NULL, -1, NULL } } },
	{ "camt054_08_returns.xml", ISO_CAMT054_08, "B20240126000003",
	  4, 0, 4, 0, 1, 1, {
	  { I, "B20240126000003-000000001", R, "MD01", "mandate_invalid",
	    38000, "2024-01-29" },
	  { I, "B20240126000003-000000002", R, "MS02", "mandate_invalid",
	    39001, "2024-01-29" },
	  { I, "B20240126000003-000000003", R, "R017", "mandate_invalid",
	    40002, "2024-01-29" },
	  { I, "B20240126000003-000000004", R, "", "other", 41003,
	    "2024-01-30" },
	  { PI, "B20240126000003-P002", A, "", NULL, 3800000,
	    "2024-01-26" } } },
	{ "pain012_08_acceptance.xml", ISO_PAIN012_08, "MR2024012600001",
	  3, 1, 2, 0, 0, 0, {
	  { I, "M0000000001", A, "", NULL, -1, NULL },
	  { I, "M0000000002", R, "AC01", "account_abnormal", -1, NULL },
	  { I, "M0000000003", R, "MS02", "mandate_invalid", -1, NULL } } },
	{ "pain012_05_acceptance.xml", ISO_PAIN012_05, "MR2024010500007",
	  2, 1, 1, 0, 0, 0, {
	  { I, "M0000000010", A, "", NULL, -1, NULL },
	  { I, "M0000000011", R, "账户已销户", "account_closed", -1, NULL } } },
};

START_TEST(test_fixture)
{
	struct gw_err e = GW_ERR_INIT;
	struct iso_summary sum;
	struct got g;
	char date[DATE_BUFSZ];
	int i;

	ck_assert_msg(read_fixture(fixtures[_i].file, &g, &sum, &e) == 0,
	    "%s", e.msg);
	ck_assert_int_eq(sum.type, fixtures[_i].type);
	ck_assert_str_eq(sum.orig_msg_id, fixtures[_i].orig);
	ck_assert_int_eq(sum.nitems, fixtures[_i].nitems);
	ck_assert_int_eq(sum.naccepted, fixtures[_i].nacc);
	ck_assert_int_eq(sum.nrejected, fixtures[_i].nrej);
	ck_assert_int_eq(sum.npending, fixtures[_i].npend);
	ck_assert_int_eq(sum.nscoped, fixtures[_i].nscoped);
	ck_assert_int_eq(sum.nskipped, fixtures[_i].nskipped);
	ck_assert_int_eq(g.n, fixtures[_i].nitems + fixtures[_i].nscoped);
	for (i = 0; i < g.n; i++) {
		const struct want *w = &fixtures[_i].w[i];
		const struct rec *r = &g.r[i];

		ck_assert_msg(r->scope == w->scope &&
		    strcmp(r->key, w->key) == 0,
		    "%s record %d: %s %s, want %s %s", fixtures[_i].file, i,
		    iso_scope_name(r->scope), r->key, iso_scope_name(w->scope),
		    w->key);
		ck_assert_msg(r->status == w->status, "%s %s: %s, want %s",
		    fixtures[_i].file, r->key, iso_status_name(r->status),
		    iso_status_name(w->status));
		ck_assert_str_eq(r->reason, w->reason);
		if (w->cat)
			ck_assert_str_eq(reason_cat_name(r->cat), w->cat);
		ck_assert_int_eq(r->amount, w->amount);
		if (w->booked)
			ck_assert_str_eq(date_format(date, r->booked),
			    w->booked);
		else
			ck_assert_int_eq(r->booked, -1);
		if (r->scope == I)
			ck_assert_str_eq(r->orig, fixtures[_i].orig);
	}
}
END_TEST

START_TEST(test_inherited_and_listed)
{
	struct gw_err e = GW_ERR_INIT;
	struct iso_summary sum;
	struct got g;

	/* P002 lists two items without TxSts: they inherit RJCT and AC06;
	 * the scope records say how many items each level listed. */
	ck_assert_int_eq(read_fixture("pain002_10_pmtinf_reject.xml", &g, &sum,
	    &e), 0);
	ck_assert_int_eq(g.r[0].listed, 0);
	ck_assert_int_eq(g.r[3].listed, 2);
	ck_assert_int_eq(g.r[6].listed, 2);
	ck_assert_int_eq(g.r[7].listed, 4);
	ck_assert_str_eq(g.r[0].text, "扣款日期无效");
	ck_assert_str_eq(sum.msg_id, "CCB-PSR-20240127-0009");
	ck_assert_str_eq(sum.group_status, "PART");
	/* Several AddtlInf are joined; counts and sums of the header. */
	ck_assert_int_eq(read_fixture("pain002_03_item_rejects.xml", &g, &sum,
	    &e), 0);
	ck_assert_str_eq(g.r[5].text, "付款人拒付; 请联系缴费人");
	ck_assert_int_eq(sum.orig_nb_of_txs, 9);
	ck_assert_int_eq(sum.orig_ctrl_sum_fen, 360036);
	ck_assert_int_eq(sum.accepted_fen, 42004 + 38000);
	ck_assert_int_eq(sum.rejected_fen, 38000 + 39001);
}
END_TEST

static const struct {
	const char	*file;
	int		 code;
	const char	*msg;
} hostile[] = {
	{ "hostile_billion_laughs.xml", GW_EINPUT, "DTD is not allowed" },
	{ "hostile_xxe.xml", GW_EINPUT, "DTD is not allowed" },
	{ "hostile_xinclude.xml", GW_EINPUT, "XInclude" },
	{ "hostile_truncated.xml", GW_EINPUT, "truncated" },
	{ "hostile_wrong_root.xml", GW_EINPUT, "must hold <CstmrPmtStsRpt>" },
	{ "hostile_wrong_ns.xml", GW_EINPUT, "not an ISO 20022 message" },
	{ "hostile_garbage.xml", GW_EINPUT, "not an XML document" },
};

START_TEST(test_hostile_fixture)
{
	struct gw_err e = GW_ERR_INIT;
	struct got g;

	ck_assert_int_eq(read_fixture(hostile[_i].file, &g, NULL, &e),
	    hostile[_i].code);
	ck_assert_msg(strstr(e.msg, hostile[_i].msg) != NULL, "%s: %s",
	    hostile[_i].file, e.msg);
	/* One line, naming the file and a position. */
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	ck_assert_msg(strncmp(e.msg, FIX, strlen(FIX)) == 0, "%s", e.msg);
}
END_TEST

static int
read_text(const char *xml, const struct iso_limits *lim, struct got *g,
    struct gw_err *e)
{
	struct iso_read_opts o;

	iso_read_opts_init(&o);
	if (lim)
		o.lim = *lim;
	memset(g, 0, sizeof(*g));
	return iso_read_mem(xml, strlen(xml), "t.xml", &o, collect, g, NULL, e);
}

#define P2(body) "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:" \
	"pain.002.001.03\"><CstmrPmtStsRpt><GrpHdr><MsgId>S1</MsgId>" \
	"<CreDtTm>2024-01-27T08:00:00</CreDtTm></GrpHdr>" body \
	"</CstmrPmtStsRpt></Document>"
#define GRP(sts) "<OrgnlGrpInfAndSts><OrgnlMsgId>B1</OrgnlMsgId>" \
	"<OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>" sts \
	"</OrgnlGrpInfAndSts>"
#define PMT(body) "<OrgnlPmtInfAndSts><OrgnlPmtInfId>P1</OrgnlPmtInfId>" \
	body "</OrgnlPmtInfAndSts>"
#define TX(body) "<TxInfAndSts>" body "</TxInfAndSts>"
#define E2E "<OrgnlEndToEndId>E1</OrgnlEndToEndId>"
#define AMT(a) "<OrgnlTxRef><Amt>" a "</Amt></OrgnlTxRef>"

static const struct {
	const char	*what;
	const char	*xml;
	int		 ok;
	const char	*msg;
} ambiguous[] = {
	{ "PART only", P2(GRP("<GrpSts>PART</GrpSts>") PMT(TX(E2E))), 0,
	  "says PART" },
	{ "no status anywhere", P2(GRP("") PMT(TX(E2E))), 0, "has no status" },
	{ "nothing stated", P2(GRP("")), 0, "states no status" },
	{ "unknown status", P2(GRP("") PMT(TX(E2E "<TxSts>BLCK</TxSts>"))), 0,
	  "BLCK is not one we understand" },
	{ "status twice", P2(GRP("") PMT(TX(E2E "<TxSts>RJCT</TxSts>"
	  "<TxSts>ACSC</TxSts>"))), 0, "<TxSts> given twice" },
	{ "no E2E", P2(GRP("") PMT(TX("<TxSts>RJCT</TxSts>"))), 0,
	  "no OrgnlEndToEndId" },
	{ "USD", P2(GRP("") PMT(TX(E2E "<TxSts>ACSC</TxSts>" AMT(
	  "<InstdAmt Ccy=\"USD\">1.00</InstdAmt>")))), 0, "only CNY" },
	{ "no Ccy", P2(GRP("") PMT(TX(E2E "<TxSts>ACSC</TxSts>" AMT(
	  "<InstdAmt>1.00</InstdAmt>")))), 0, "without a currency" },
	{ "3rd decimal", P2(GRP("") PMT(TX(E2E "<TxSts>ACSC</TxSts>" AMT(
	  "<InstdAmt Ccy=\"CNY\">1.005</InstdAmt>")))), 0,
	  "more than two decimals" },
	{ "comma", P2(GRP("") PMT(TX(E2E "<TxSts>ACSC</TxSts>" AMT(
	  "<InstdAmt Ccy=\"CNY\">1,00</InstdAmt>")))), 0, "1,00" },
	{ "zeros ok", P2(GRP("") PMT(TX(E2E "<TxSts>ACSC</TxSts>" AMT(
	  "<InstdAmt Ccy=\"CNY\">\n 1.10000 </InstdAmt>")))), 1, "" },
	{ "no OrgnlMsgId", P2("<OrgnlGrpInfAndSts><OrgnlMsgNmId>x"
	  "</OrgnlMsgNmId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts>"), 0,
	  "no OrgnlMsgId" },
	{ "entity", P2(GRP("<GrpSts>RJCT&foo;</GrpSts>")), 0, "foo" },
	{ "char ref ok", P2(GRP("<GrpSts>&#82;JCT</GrpSts>")), 1, "" },
	{ "foreign element", P2(GRP("<x:GrpSts xmlns:x=\"urn:x\">RJCT"
	  "</x:GrpSts>")), 0, "namespace 'urn:x'" },
	{ "two messages", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	  "pain.002.001.03\"><CstmrPmtStsRpt><GrpHdr><MsgId>S1</MsgId></GrpHdr>"
	  GRP("<GrpSts>RJCT</GrpSts>") "</CstmrPmtStsRpt><CstmrPmtStsRpt/>"
	  "</Document>", 0, "more than one message" },
	{ "we send it", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	  "pain.008.001.08\"><CstmrDrctDbtInitn/></Document>", 0,
	  "a message we send" },
	{ "no namespace", "<Document><CstmrPmtStsRpt/></Document>", 0,
	  "namespace '' is not" },
	{ "empty Document", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
	  "pain.002.001.03\"/>", 0, "no message inside <Document>" },
	{ "trailing junk", P2(GRP("<GrpSts>RJCT</GrpSts>")) "<x/>", 0,
	  "Extra content" },
	{ "pain.012 no Accptd", "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
	  "xsd:pain.012.001.08\"><MndtAccptncRpt><GrpHdr><MsgId>A</MsgId>"
	  "</GrpHdr><UndrlygAccptncDtls><AccptncRslt><Accptd>maybe</Accptd>"
	  "</AccptncRslt><OrgnlMndt><OrgnlMndtId>M1</OrgnlMndtId></OrgnlMndt>"
	  "</UndrlygAccptncDtls></MndtAccptncRpt></Document>", 0,
	  "unclear Accptd" },
	{ "pain.012 no mandate", "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
	  "xsd:pain.012.001.08\"><MndtAccptncRpt><GrpHdr><MsgId>A</MsgId>"
	  "</GrpHdr><UndrlygAccptncDtls><AccptncRslt><Accptd>true</Accptd>"
	  "</AccptncRslt></UndrlygAccptncDtls></MndtAccptncRpt></Document>", 0,
	  "name no mandate" },
	{ "camt USD not ours", "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
	  "xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>N"
	  "</MsgId></GrpHdr><Ntfctn><Ntry><Amt Ccy=\"USD\">9.00</Amt>"
	  "<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts></Ntry></Ntfctn>"
	  "</BkToCstmrDbtCdtNtfctn></Document>", 1, "" },
	{ "camt USD batch", "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
	  "xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>N"
	  "</MsgId></GrpHdr><Ntfctn><Ntry><Amt Ccy=\"USD\">9.00</Amt>"
	  "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><NtryDtls><Btch><MsgId>B1"
	  "</MsgId></Btch></NtryDtls></Ntry></Ntfctn>"
	  "</BkToCstmrDbtCdtNtfctn></Document>", 0, "only CNY" },
	{ "camt no direction", "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
	  "xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>N"
	  "</MsgId></GrpHdr><Ntfctn><Ntry><Sts>BOOK</Sts><NtryDtls><TxDtls>"
	  "<Refs><EndToEndId>E1</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>"
	  "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>", 0, "CdtDbtInd" },
};

START_TEST(test_ambiguous)
{
	struct gw_err e = GW_ERR_INIT;
	struct got g;
	int rc = read_text(ambiguous[_i].xml, NULL, &g, &e);

	if (ambiguous[_i].ok) {
		ck_assert_msg(rc == 0, "%s: %s", ambiguous[_i].what, e.msg);
		return;
	}
	ck_assert_msg(rc == GW_EINPUT, "%s: rc %d", ambiguous[_i].what, rc);
	ck_assert_msg(strstr(e.msg, ambiguous[_i].msg) != NULL, "%s: %s",
	    ambiguous[_i].what, e.msg);
	ck_assert_msg(strncmp(e.msg, "t.xml:", 6) == 0, "%s", e.msg);
}
END_TEST

/* A document nested n deep inside a pain.002 root. */
static char *
deep(int n)
{
	static const char head[] = "<Document xmlns=\"urn:iso:std:iso:20022:"
	    "tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt>";
	char *s = malloc(sizeof(head) + (size_t)n * 3 + 1), *p;
	int i;

	memcpy(s, head, sizeof(head) - 1);
	p = s + sizeof(head) - 1;
	for (i = 0; i < n; i++, p += 3)
		memcpy(p, "<a>", 3);
	*p = '\0';
	return s;
}

static const char msgid_head[] = "<Document xmlns=\"urn:iso:std:iso:20022:"
    "tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt><GrpHdr><MsgId>";

START_TEST(test_limits)
{
	const struct iso_limits def = ISO_LIMITS_DEFAULT;
	struct iso_limits lim = def;
	struct gw_err e = GW_ERR_INIT;
	struct got g;
	char *s = deep(10000), big[40000];

	ck_assert_int_eq(read_text(s, NULL, &g, &e), GW_ELIMIT);
	ck_assert_msg(strstr(e.msg, "nested deeper than 64") != NULL, "%s",
	    e.msg);
	free(s);

	gw_err_clear(&e);
	memset(big, 'n', sizeof(big));
	big[0] = '<';
	memcpy(big + 1000, "/>", 3);
	ck_assert_int_eq(read_text(big, NULL, &g, &e), GW_ELIMIT);
	ck_assert_msg(strstr(e.msg, "name longer than 128") != NULL, "%s",
	    e.msg);

	gw_err_clear(&e);
	s = malloc(40000);
	memset(s, 'x', 39999);
	s[39999] = '\0';
	memcpy(s, msgid_head, sizeof(msgid_head) - 1);
	memcpy(s + 30000, "</MsgId></GrpHdr></CstmrPmtStsRpt></Document>", 46);
	ck_assert_int_eq(read_text(s, NULL, &g, &e), GW_ELIMIT);
	ck_assert_msg(strstr(e.msg, "text longer than 16384") != NULL, "%s",
	    e.msg);
	free(s);

	gw_err_clear(&e);
	ck_assert_int_eq(read_text("<Document a=\"1\" b=\"1\" c=\"1\" d=\"1\" "
	    "e=\"1\" f=\"1\" g=\"1\" h=\"1\" i=\"1\" j=\"1\" k=\"1\" l=\"1\" "
	    "m=\"1\" n=\"1\" o=\"1\" p=\"1\" q=\"1\"/>", NULL, &g, &e),
	    GW_ELIMIT);
	ck_assert_msg(strstr(e.msg, "more than 16 attributes") != NULL, "%s",
	    e.msg);

	/* Items: the third of three is one too many for a limit of two. */
	gw_err_clear(&e);
	lim.max_items = 2;
	ck_assert_int_eq(read_text(P2(GRP("<GrpSts>ACSC</GrpSts>") PMT(
	    TX("<OrgnlEndToEndId>1</OrgnlEndToEndId>")
	    TX("<OrgnlEndToEndId>2</OrgnlEndToEndId>")
	    TX("<OrgnlEndToEndId>3</OrgnlEndToEndId>"))), &lim, &g, &e),
	    GW_ELIMIT);
	ck_assert_msg(strstr(e.msg, "more than 2 records") != NULL, "%s",
	    e.msg);
	ck_assert_int_eq(g.n, 2);
}
END_TEST

START_TEST(test_empty_and_garbage)
{
	struct iso_read_opts o;
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *p = tu_write(dir, "empty.xml", "");

	iso_read_opts_init(&o);
	ck_assert_int_eq(iso_read_file(p, &o, NULL, NULL, NULL, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "empty file (0 bytes)") != NULL, "%s",
	    e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_read_mem("", 0, "m", &o, NULL, NULL, NULL, &e),
	    GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_read_mem("   \n", 4, "m", &o, NULL, NULL, NULL,
	    &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "not an XML document") != NULL, "%s",
	    e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_read_mem("\x89PNG\r\n\x1a\n", 8, "m", &o, NULL,
	    NULL, NULL, &e), GW_EINPUT);
	gw_err_clear(&e);
	free(p);
	p = tu_path(dir, "missing.xml");
	ck_assert_int_eq(iso_read_file(p, &o, NULL, NULL, NULL, &e), GW_EIO);
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

START_TEST(test_expect_and_stop)
{
	struct iso_read_opts o;
	struct gw_err e = GW_ERR_INIT;
	struct got g;

	iso_read_opts_init(&o);
	o.expect = ISO_CAMT054_08;
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(iso_read_file(FIX "pain002_03_item_rejects.xml", &o,
	    collect, &g, NULL, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "not a camt.054.001.08") != NULL, "%s",
	    e.msg);

	/* The callback's code stops the read and comes back. */
	gw_err_clear(&e);
	iso_read_opts_init(&o);
	memset(&g, 0, sizeof(g));
	g.stop_after = 3;
	ck_assert_int_eq(iso_read_file(FIX "pain002_03_item_rejects.xml", &o,
	    collect, &g, NULL, &e), 7);
	ck_assert_int_eq(g.n, 3);
}
END_TEST

START_TEST(test_bank_reasons)
{
	struct iso_read_opts o;
	struct reason_table *t;
	struct gw_err e = GW_ERR_INIT;
	struct got g;

	/* E1001 is ICBC's code for a closed account, whatever its text says. */
	ck_assert_int_eq(reason_table_new(&t, &e), 0);
	ck_assert_int_eq(reason_table_add(t, "ICBC", "E1001",
	    REASON_ACCOUNT_CLOSED, &e), 0);
	iso_read_opts_init(&o);
	o.reasons = t;
	o.bank = "ICBC";
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(iso_read_file(FIX "pain002_03_item_rejects.xml", &o,
	    collect, &g, NULL, &e), 0);
	ck_assert_str_eq(g.r[6].reason, "E1001");
	ck_assert_int_eq(g.r[6].cat, REASON_ACCOUNT_CLOSED);
	ck_assert_int_eq(g.r[0].cat, REASON_INSUFFICIENT_FUNDS);
	reason_table_free(t);
}
END_TEST

/* Counting callback for big files. */
static int
count(void *arg, const struct iso_item *it)
{
	int64_t *n = arg;

	if (it->scope == ISO_SCOPE_ITEM && it->status == ISO_ST_REJECTED &&
	    strcmp(it->reason_code, "AM04") == 0 &&
	    it->category == REASON_INSUFFICIENT_FUNDS &&
	    it->amount_fen == 12345)
		n[1]++;
	n[0]++;
	return 0;
}

START_TEST(test_many_items_across_chunks)
{
	struct iso_read_opts o;
	struct iso_summary sum;
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *path = tu_path(dir, "big.xml");
	FILE *fp = fopen(path, "w");
	int64_t n[2] = { 0, 0 };
	int i;

	/* Items cross the reader's 64 KiB chunks at every possible offset. */
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\""
	    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><CstmrPmtStsRpt>"
	    "<GrpHdr><MsgId>BIG</MsgId><CreDtTm>2024-01-27T08:00:00</CreDtTm>"
	    "</GrpHdr>" GRP("<GrpSts>PART</GrpSts>") "<OrgnlPmtInfAndSts>"
	    "<OrgnlPmtInfId>P1</OrgnlPmtInfId>", fp);
	for (i = 0; i < 20000; i++)
		fprintf(fp, "<TxInfAndSts><OrgnlEndToEndId>E%07d"
		    "</OrgnlEndToEndId>"
		    "<TxSts>%s</TxSts>%s<OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">"
		    "123.45</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n", i,
		    i % 3 ? "ACSC" : "RJCT", i % 3 ? "" : "<StsRsnInf><Rsn><Cd>"
		    "AM04</Cd></Rsn><AddtlInf>余额不足</AddtlInf></StsRsnInf>");
	fputs("</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n", fp);
	fclose(fp);
	iso_read_opts_init(&o);
	ck_assert_msg(iso_read_file(path, &o, count, n, &sum, &e) == 0, "%s",
	    e.msg);
	ck_assert_int_eq(sum.nitems, 20000);
	ck_assert_int_eq(sum.nrejected, 6667);
	ck_assert_int_eq(n[1], 6667);
	ck_assert_int_eq(n[0], 20000 + 1);	/* and the group's PART */
	ck_assert_int_eq(sum.accepted_fen, INT64_C(13333) * 12345);
	free(path);
	tu_tmpdir_free(dir);
}
END_TEST

static const struct {
	const char	*file;
	enum iso_msg	 type;
} detect[] = {
	{ "pain002_03_group_reject.xml", ISO_PAIN002_03 },
	{ "pain002_10_pmtinf_reject.xml", ISO_PAIN002_10 },
	{ "camt054_02_returns.xml", ISO_CAMT054_02 },
	{ "camt054_08_returns.xml", ISO_CAMT054_08 },
	{ "pain012_05_acceptance.xml", ISO_PAIN012_05 },
	{ "pain012_08_acceptance.xml", ISO_PAIN012_08 },
};

START_TEST(test_detect_and_validate)
{
	const struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct gw_err e = GW_ERR_INIT;
	enum iso_msg t;
	char path[256];

	snprintf(path, sizeof(path), FIX "%s", detect[_i].file);
	ck_assert_int_eq(iso_detect(path, &lim, &t, &e), 0);
	ck_assert_int_eq(t, detect[_i].type);
	t = ISO_MSG_UNKNOWN;
	ck_assert_msg(iso_validate_file(path, tu_schemas_dir(), &lim, &t, &e) == 0,
	    "%s", e.msg);
	ck_assert_int_eq(t, detect[_i].type);
}
END_TEST

START_TEST(test_validate_errors)
{
	const struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct gw_err e = GW_ERR_INIT;
	enum iso_msg t;

	/* The quirks the reader accepts are schema errors all the same. */
	ck_assert_int_eq(iso_validate_file(FIX "pain002_10_bank_quirks.xml",
	    tu_schemas_dir(), &lim, &t, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "pain002_10_bank_quirks.xml:27: schema: "
	    "Element '{urn:iso:std:iso:20022:tech:xsd:pain.002.001.10}Cd'") !=
	    NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_validate_file(FIX "hostile_xxe.xml", tu_schemas_dir(),
	    &lim, &t, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "DTD is not allowed") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_validate_file(FIX "hostile_truncated.xml",
	    tu_schemas_dir(), &lim, &t, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "truncated") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(iso_validate_file(FIX "pain012_05_acceptance.xml",
	    "/nonexistent", &lim, &t, &e), GW_EENV);
	ck_assert_msg(strstr(e.msg, "no schema") != NULL, "%s", e.msg);
}
END_TEST

static Suite *
iso_read_suite(void)
{
	Suite *s = suite_create("iso_read");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_fixture, 0,
	    sizeof(fixtures) / sizeof(fixtures[0]));
	tcase_add_test(tc, test_inherited_and_listed);
	tcase_add_loop_test(tc, test_hostile_fixture, 0,
	    sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_loop_test(tc, test_ambiguous, 0,
	    sizeof(ambiguous) / sizeof(ambiguous[0]));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_empty_and_garbage);
	tcase_add_test(tc, test_expect_and_stop);
	tcase_add_test(tc, test_bank_reasons);
	tcase_add_test(tc, test_many_items_across_chunks);
	tcase_add_loop_test(tc, test_detect_and_validate, 0,
	    sizeof(detect) / sizeof(detect[0]));
	tcase_add_test(tc, test_validate_errors);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(iso_read_suite)
