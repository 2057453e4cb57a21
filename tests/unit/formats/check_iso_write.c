/*
 * Unit tests: the ISO 20022 writers (formats/pain008.c, formats/mndtmsg.c).
 * Every file written here is validated with libxml2's XSD API against the
 * official schema in $SCHEMAS (../shared/schemas/iso20022).
 */
#include "tests/unit/formats/fmttest.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "common/date.h"
#include "common/money.h"
#include "formats/mndtmsg.h"
#include "formats/pain008.h"

/* 0 when path is valid against the official schema of type. */
static int
xsd_check(const char *path, enum iso_msg type)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr schema;
	char xsd[512];
	int rc;

	snprintf(xsd, sizeof(xsd), "%s/%s.xsd", tu_schemas_dir(),
	    iso_msg_name(type));
	pc = xmlSchemaNewParserCtxt(xsd);
	ck_assert_ptr_nonnull(pc);
	schema = xmlSchemaParse(pc);
	ck_assert_msg(schema != NULL, "schema %s does not load", xsd);
	vc = xmlSchemaNewValidCtxt(schema);
	rc = xmlSchemaValidateFile(vc, path, 0);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc;
}

/* The text of the n-th (1-based) element named local, from a small file. */
static char *
nth_text(const char *path, const char *local, int n)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	xmlXPathContextPtr xc;
	xmlXPathObjectPtr r;
	char expr[128], *out = NULL;

	ck_assert_ptr_nonnull(doc);
	xc = xmlXPathNewContext(doc);
	snprintf(expr, sizeof(expr), "(//*[local-name()='%s'])[%d]", local, n);
	r = xmlXPathEvalExpression((const xmlChar *)expr, xc);
	if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
		xmlChar *c = xmlNodeGetContent(r->nodesetval->nodeTab[0]);

		out = strdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(doc);
	return out;
}

/* Names that need escaping, a rare character, and plain ones. */
static const char *const names[] = {
	"张三", "李&四", "王<五>", "赵\"六\"", "钱'七'", "孙&amp;八",
	"\xF0\xA0\x80\x80" "九", "周]]>十",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static int64_t
amount(int i)
{
	return 1 + (int64_t)i * 997 % 100000;
}

struct w8 {
	char		*dir;
	char		*path;
	FILE		*fp;
	struct pain008_writer *w;
	struct gw_err	 e;
};

static void
group_for(struct pain008_group *g, int64_t n, int64_t sum)
{
	g->msg_id = "T20240126000001";
	g->created = 1706240000;
	g->initiator_name = "国家税务总局中山市税务局";
	g->initiator_id = "11440000MB2C50126Q";
	g->nb_of_txs = n;
	g->ctrl_sum_fen = sum;
}

static void
pmtinf_for(struct pain008_pmtinf *p, const char *id, int day, int64_t n,
    int64_t sum)
{
	p->pmtinf_id = id;
	p->collection_date = day;
	p->creditor_name = "国家税务总局中山市税务局";
	p->creditor_account = "44001700000000000001";
	p->creditor_agent = "102581000013";
	p->creditor_scheme_id = "11440000MB2C50126Q";
	p->nb_of_txs = n;
	p->ctrl_sum_fen = sum;
}

static void
item_for(struct pain008_item *it, int i, char *e2e, char *acct)
{
	snprintf(e2e, 36, "T20240126000001-%08d", i);
	snprintf(acct, 24, "62220200%011d", i);
	memset(it, 0, sizeof(*it));
	it->end_to_end_id = e2e;
	it->amount_fen = amount(i);
	it->mandate_id = "M0000000042";
	it->signed_on = date_from_ymd(2021, 2, 28);
	it->debtor_agent = i % 3 ? "ICBKCNBJGDG" : "102581000013";
	it->debtor_name = names[i % NNAMES];
	it->debtor_account = acct;
	it->ultimate_debtor_name = i % 4 == 1 ? "中山市某村民委员会" : NULL;
	it->remittance = "440102199001011234 2024年度城乡居民医保";
}

static void
w8_open(struct w8 *t, enum iso_msg version, int64_t n, int64_t sum)
{
	struct pain008_group g;

	memset(t, 0, sizeof(*t));
	t->dir = tu_tmpdir();
	t->path = tu_path(t->dir, "batch.xml");
	t->fp = fopen(t->path, "w");
	ck_assert_ptr_nonnull(t->fp);
	group_for(&g, n, sum);
	ck_assert_msg(pain008_writer_new(&t->w, t->fp, version, &g, &t->e) == 0,
	    "%s", t->e.msg);
}

/* A writer with PmtInf "P1" open, declaring pn items for psum. */
static void
w8_begin(struct w8 *t, enum iso_msg version, int64_t n, int64_t sum,
    int64_t pn, int64_t psum)
{
	struct pain008_pmtinf pi;

	w8_open(t, version, n, sum);
	pmtinf_for(&pi, "P1", date_from_ymd(2024, 1, 26), pn, psum);
	pi.creditor_agent = "ICBKCNBJGDG";
	ck_assert_int_eq(pain008_begin_pmtinf(t->w, &pi, &t->e), 0);
}

/* Add the test's item i; amount_fen > 0 overrides its amount. */
static int
w8_add(struct w8 *t, int i, int64_t amount_fen, struct gw_err *e)
{
	struct pain008_item it;
	char e2e[36], acct[24];

	item_for(&it, i, e2e, acct);
	if (amount_fen > 0)
		it.amount_fen = amount_fen;
	return pain008_add(t->w, &it, e);
}

static void
w8_close(struct w8 *t)
{
	pain008_writer_free(t->w);
	if (t->fp)
		fclose(t->fp);
	free(t->path);
	tu_tmpdir_free(t->dir);
}

/* Write n items in k PmtInfs; returns the finish code. */
static int
write_batch(struct w8 *t, enum iso_msg version, int n, int k)
{
	int64_t sum = 0;
	int i, p, rc = 0;

	for (i = 0; i < n; i++)
		sum += amount(i);
	w8_open(t, version, n, sum);
	for (p = 0; p < k && rc == 0; p++) {
		struct pain008_pmtinf pi;
		int first = n * p / k, last = n * (p + 1) / k;
		int64_t psum = 0;
		char id[36];

		for (i = first; i < last; i++)
			psum += amount(i);
		snprintf(id, sizeof(id), "T20240126000001-P%d", p + 1);
		pmtinf_for(&pi, id, date_from_ymd(2024, 1, 26 + p),
		    last - first, psum);
		rc = pain008_begin_pmtinf(t->w, &pi, &t->e);
		for (i = first; i < last && rc == 0; i++) {
			struct pain008_item it;
			char e2e[36], acct[24];

			item_for(&it, i, e2e, acct);
			rc = pain008_add(t->w, &it, &t->e);
		}
		if (rc == 0)
			rc = pain008_end_pmtinf(t->w, &t->e);
	}
	if (rc == 0)
		rc = pain008_writer_finish(t->w, &t->e);
	fclose(t->fp);
	t->fp = NULL;
	return rc;
}

static const struct {
	enum iso_msg	version;
	int		n, k;
} batches[] = {
	{ ISO_PAIN008_08, 1, 1 }, { ISO_PAIN008_08, 2, 2 },
	{ ISO_PAIN008_08, 10000, 3 }, { ISO_PAIN008_02, 1, 1 },
	{ ISO_PAIN008_02, 2, 1 }, { ISO_PAIN008_02, 10000, 2 },
};

START_TEST(test_pain008_valid)
{
	struct w8 t;

	ck_assert_msg(write_batch(&t, batches[_i].version, batches[_i].n,
	    batches[_i].k) == 0, "%s", t.e.msg);
	ck_assert_msg(xsd_check(t.path, batches[_i].version) == 0,
	    "%s with %d items is not valid", iso_msg_name(batches[_i].version),
	    batches[_i].n);
	w8_close(&t);
}
END_TEST

START_TEST(test_pain008_content)
{
	struct w8 t;
	char *s, buf[MONEY_BUFSZ];
	size_t i;

	ck_assert_int_eq(write_batch(&t, ISO_PAIN008_08, (int)NNAMES * 2, 2),
	    0);
	/* Escaped on the way out, the same text on the way back. */
	for (i = 0; i < NNAMES; i++) {
		s = nth_text(t.path, "Dbtr", (int)i + 1);
		ck_assert_ptr_nonnull(s);
		ck_assert_msg(strstr(s, names[i]) != NULL, "name %zu: '%s'", i,
		    s);
		free(s);
		s = nth_text(t.path, "InstdAmt", (int)i + 1);
		ck_assert_str_eq(s, money_format(buf, amount((int)i)));
		free(s);
	}
	s = nth_text(t.path, "NbOfTxs", 1);
	ck_assert_str_eq(s, "16");
	free(s);
	s = nth_text(t.path, "ReqdColltnDt", 2);
	ck_assert_str_eq(s, "2024-01-27");
	free(s);
	s = nth_text(t.path, "DtOfSgntr", 1);
	ck_assert_str_eq(s, "2021-02-28");
	free(s);
	s = nth_text(t.path, "MmbId", 1);	/* the creditor's CNAPS code */
	ck_assert_str_eq(s, "102581000013");
	free(s);
	s = nth_text(t.path, "BICFI", 1);
	ck_assert_str_eq(s, "ICBKCNBJGDG");
	free(s);
	w8_close(&t);
}
END_TEST

START_TEST(test_pain008_amounts)
{
	/* The last makes the sum the largest amount we take. */
	static const int64_t v[] = { 1, 9, 10, 99, 100, 101, 12345,
	    MONEY_MAX_FEN - 12665 };
	int64_t sum = MONEY_MAX_FEN;
	struct w8 t;
	char buf[MONEY_BUFSZ], *s;
	size_t i;

	w8_begin(&t, ISO_PAIN008_08, 8, sum, 8, sum);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(w8_add(&t, (int)i, v[i], &t.e), 0);
	ck_assert_int_eq(pain008_end_pmtinf(t.w, &t.e), 0);
	ck_assert_int_eq(pain008_writer_finish(t.w, &t.e), 0);
	fclose(t.fp);
	t.fp = NULL;
	for (i = 0; i < 8; i++) {
		s = nth_text(t.path, "InstdAmt", (int)i + 1);
		ck_assert_str_eq(s, money_format(buf, v[i]));
		free(s);
	}
	ck_assert_int_eq(xsd_check(t.path, ISO_PAIN008_08), 0);
	w8_close(&t);
}
END_TEST

/* Bad values are refused before a byte of them is written. */
static const struct {
	const char	*what;
	int		 field;
	const char	*value;
	enum iso_msg	 version;
	const char	*expect;
} bad_items[] = {
	{ "control char", 0, "张\x01三", ISO_PAIN008_08, "debtor_name" },
	{ "bad UTF-8", 0, "\xE5\xBC", ISO_PAIN008_08, "not valid UTF-8" },
	{ "U+FFFE", 0, "a\xEF\xBF\xBE", ISO_PAIN008_08, "U+FFFE" },
	{ "empty name", 0, "", ISO_PAIN008_08, "debtor_name: empty" },
	{ "long name", 0, NULL, ISO_PAIN008_08, "141 characters" },
	{ "BIC", 1, "ICBKCN", ISO_PAIN008_08, "debtor_agent" },
	{ "CNAPS 11", 1, "10258100001", ISO_PAIN008_08, "12-digit CNAPS" },
	{ "2014 BIC in .02", 1, "1CBKCNBJGDG", ISO_PAIN008_02, "pre-2014" },
	{ "account", 2, "6222 0202", ISO_PAIN008_08, "debtor_account" },
	{ "long account", 2, "12345678901234567890123456789012345",
	  ISO_PAIN008_08, "longer than 34" },
	{ "E2E non-ASCII", 3, "批次-1", ISO_PAIN008_08, "end_to_end_id" },
	{ "E2E 36", 3, "123456789012345678901234567890123456", ISO_PAIN008_08,
	  "longer than 35" },
};

START_TEST(test_pain008_bad_values)
{
	struct w8 t;
	struct pain008_item it;
	char e2e[36], acct[24], longname[600] = "";
	int i;

	for (i = 0; i < 141; i++)
		memcpy(longname + 3 * i, "张", 4);	/* 3 bytes + NUL */
	w8_begin(&t, bad_items[_i].version, 1, 100, 1, 100);
	item_for(&it, 1, e2e, acct);
	it.amount_fen = 100;
	switch (bad_items[_i].field) {
	case 0:
		it.debtor_name = bad_items[_i].value ? bad_items[_i].value :
		    longname;
		break;
	case 1:
		it.debtor_agent = bad_items[_i].value;
		break;
	case 2:
		it.debtor_account = bad_items[_i].value;
		break;
	default:
		it.end_to_end_id = bad_items[_i].value;
		break;
	}
	ck_assert_int_eq(pain008_add(t.w, &it, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, bad_items[_i].expect) != NULL,
	    "%s: '%s'", bad_items[_i].what, t.e.msg);
	ck_assert_msg(strstr(t.e.msg, "pain.008 item 1") != NULL, "%s",
	    t.e.msg);
	w8_close(&t);
}
END_TEST

START_TEST(test_pain008_counts)
{
	struct w8 t;
	char first[GW_ERR_MSG_MAX];
	struct gw_err e2 = GW_ERR_INIT;

	/* The PmtInf declares 2 items; one comes. */
	w8_begin(&t, ISO_PAIN008_08, 2, amount(0) + amount(1), 2,
	    amount(0) + amount(1));
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), 0);
	ck_assert_int_eq(pain008_end_pmtinf(t.w, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "PmtInf P1 declared 2 items") != NULL,
	    "%s", t.e.msg);
	snprintf(first, sizeof(first), "%s", t.e.msg);
	/* Sticky: every later call fails the same way. */
	ck_assert_int_eq(w8_add(&t, 1, 0, &e2), GW_EINPUT);
	ck_assert_str_eq(e2.msg, first);
	gw_err_clear(&e2);
	ck_assert_int_eq(pain008_writer_finish(t.w, &e2), GW_EINPUT);
	ck_assert_str_eq(e2.msg, first);
	w8_close(&t);

	/* One item too many for the PmtInf. */
	w8_begin(&t, ISO_PAIN008_08, 1, amount(0), 1, amount(0));
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), 0);
	ck_assert_int_eq(w8_add(&t, 1, 0, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "one more") != NULL, "%s", t.e.msg);
	w8_close(&t);

	/* PmtInfs right, group header wrong. */
	w8_begin(&t, ISO_PAIN008_08, 2, amount(0), 1, amount(0));
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), 0);
	ck_assert_int_eq(pain008_end_pmtinf(t.w, &t.e), 0);
	ck_assert_int_eq(pain008_writer_finish(t.w, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "group header declared 2") != NULL, "%s",
	    t.e.msg);
	w8_close(&t);
}
END_TEST

START_TEST(test_pain008_order)
{
	struct w8 t;
	struct pain008_pmtinf pi;

	/* An item before any PmtInf. */
	w8_open(&t, ISO_PAIN008_08, 1, 100);
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "no PmtInf is open") != NULL, "%s",
	    t.e.msg);
	w8_close(&t);

	/* The same PmtInfId twice. */
	w8_begin(&t, ISO_PAIN008_08, 2, 2 * amount(0), 1, amount(0));
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), 0);
	ck_assert_int_eq(pain008_end_pmtinf(t.w, &t.e), 0);
	pmtinf_for(&pi, "P1", date_from_ymd(2024, 1, 27), 1, amount(0));
	ck_assert_int_eq(pain008_begin_pmtinf(t.w, &pi, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "used twice") != NULL, "%s", t.e.msg);
	w8_close(&t);

	/* One PmtInf per collection date and creditor account. */
	w8_begin(&t, ISO_PAIN008_08, 2, 2 * amount(0), 1, amount(0));
	ck_assert_int_eq(w8_add(&t, 0, 0, &t.e), 0);
	ck_assert_int_eq(pain008_end_pmtinf(t.w, &t.e), 0);
	pmtinf_for(&pi, "P2", date_from_ymd(2024, 1, 26), 1, amount(0));
	ck_assert_int_eq(pain008_begin_pmtinf(t.w, &pi, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "PmtInf P1 already collects on "
	    "2024-01-26 into account 44001700000000000001") != NULL, "%s",
	    t.e.msg);
	w8_close(&t);

	/* Finished with nothing in it; not a debit batch version. */
	w8_open(&t, ISO_PAIN008_08, 1, 100);
	ck_assert_int_eq(pain008_writer_finish(t.w, &t.e), GW_EINPUT);
	ck_assert_msg(strstr(t.e.msg, "without any PmtInf") != NULL, "%s",
	    t.e.msg);
	w8_close(&t);
	{
		static char not_null;
		struct pain008_writer *w = (struct pain008_writer *)&not_null;
		struct pain008_group g;
		struct gw_err e = GW_ERR_INIT;

		group_for(&g, 1, 100);
		ck_assert_int_eq(pain008_writer_new(&w, stdout, ISO_PAIN002_03,
		    &g, &e), GW_EINPUT);
		ck_assert_ptr_null(w);
		gw_err_clear(&e);
		g.nb_of_txs = 0;
		ck_assert_int_eq(pain008_writer_new(&w, stdout, ISO_PAIN008_08,
		    &g, &e), GW_EINPUT);
		ck_assert_msg(strstr(e.msg, "group header") != NULL, "%s",
		    e.msg);
	}
}
END_TEST

START_TEST(test_pain008_write_error)
{
	struct pain008_writer *w;
	struct pain008_group g;
	struct pain008_pmtinf pi;
	struct pain008_item it;
	struct gw_err e = GW_ERR_INIT;
	char e2e[36], acct[24];
	FILE *fp = fopen("/dev/full", "w");
	int i, rc = 0;

	if (fp == NULL)
		return;		/* no /dev/full on this system */
	group_for(&g, 2000, 2000 * amount(0));
	ck_assert_int_eq(pain008_writer_new(&w, fp, ISO_PAIN008_08, &g, &e), 0);
	pmtinf_for(&pi, "P1", date_from_ymd(2024, 1, 26), 2000,
	    2000 * amount(0));
	ck_assert_int_eq(pain008_begin_pmtinf(w, &pi, &e), 0);
	for (i = 0; i < 2000 && rc == 0; i++) {
		item_for(&it, i, e2e, acct);
		it.amount_fen = amount(0);
		rc = pain008_add(w, &it, &e);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(pain008_end_pmtinf(w, &e), 0);
	ck_assert_int_eq(pain008_writer_finish(w, &e), GW_EIO);
	pain008_writer_free(w);
	fclose(fp);
}
END_TEST

static void
mgroup_for(struct mndt_group *g, int64_t n)
{
	g->msg_id = "MR2024010500001";
	g->created = 1706240000;
	g->initiator_name = "国家税务总局中山市税务局";
	g->initiator_id = "11440000MB2C50126Q";
	g->count = n;
}

static void
request_for(struct mndt_request *m, int i, char *mid, char *req)
{
	snprintf(mid, 24, "M%010d", i + 1);
	snprintf(req, 36, "%s-%d", mid, 1 + i % 3);
	memset(m, 0, sizeof(*m));
	m->mandate_id = mid;
	m->request_id = req;
	m->signed_on = i % 2 ? date_from_ymd(2023, 12, 1) : -1;
	m->max_amount_fen = i % 3 ? 120000 : 0;
	m->creditor_name = "国家税务总局中山市税务局";
	m->creditor_id = "11440000MB2C50126Q";
	m->creditor_account = "44001700000000000001";
	m->creditor_agent = "ICBKCNBJGDG";
	m->creditor_scheme_id = "11440000MB2C50126Q";
	m->debtor_name = names[i % NNAMES];
	m->debtor_id = i % 5 == 4 ? "51442000MJ0000001A" : "440102199001011234";
	m->debtor_is_org = i % 5 == 4;
	m->debtor_account = "6222020200001234567";
	m->debtor_agent = i % 2 ? "102581000013" : "ICBKCNBJGDG";
	if (i % 5 == 4) {
		m->ultimate_debtor_name = "黄&明";
		m->ultimate_debtor_id = "440102199001011234";
	}
}

static const struct {
	enum iso_msg	type;
	int		n;
} mandate_files[] = {
	{ ISO_PAIN009_08, 1 }, { ISO_PAIN009_08, 2 }, { ISO_PAIN009_08, 10000 },
	{ ISO_PAIN009_05, 1 }, { ISO_PAIN009_05, 2 }, { ISO_PAIN009_05, 10000 },
	{ ISO_PAIN011_08, 1 }, { ISO_PAIN011_08, 2 }, { ISO_PAIN011_08, 10000 },
	{ ISO_PAIN011_05, 1 }, { ISO_PAIN011_05, 2 }, { ISO_PAIN011_05, 10000 },
};

START_TEST(test_mandate_valid)
{
	enum iso_msg type = mandate_files[_i].type;
	int n = mandate_files[_i].n, i, rc;
	char *dir = tu_tmpdir(), *path = tu_path(dir, "m.xml");
	struct mndt_writer *w;
	struct mndt_group g;
	struct gw_err e = GW_ERR_INIT;
	FILE *fp = fopen(path, "w");

	mgroup_for(&g, n);
	ck_assert_int_eq(mndt_writer_new(&w, fp, type, &g, &e), 0);
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		char mid[24], req[36];

		if (iso_msg_family(type) == ISO_FAM_MANDATE_REQ) {
			struct mndt_request m;

			request_for(&m, i, mid, req);
			rc = mndt_add_request(w, &m, &e);
		} else {
			struct mndt_cancel c;

			snprintf(mid, sizeof(mid), "M%010d", i + 1);
			memset(&c, 0, sizeof(c));
			c.mandate_id = mid;
			c.orig_msg_id = i % 2 ? "MR2023120100001" : NULL;
			if (i % 3 == 0)
				c.reason_prtry = "缴费人<本人>申请撤销";
			else
				c.reason_code = i % 3 == 1 ? "MD07" : "AC04";
			c.text = i % 4 == 0 ? names[i % NNAMES] : NULL;
			rc = mndt_add_cancel(w, &c, &e);
		}
	}
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_msg(mndt_writer_finish(w, &e) == 0, "%s", e.msg);
	mndt_writer_free(w);
	fclose(fp);
	ck_assert_msg(xsd_check(path, type) == 0, "%s with %d mandates is not "
	    "valid", iso_msg_name(type), n);
	free(path);
	tu_tmpdir_free(dir);
}
END_TEST

START_TEST(test_mandate_errors)
{
	struct mndt_writer *w;
	struct mndt_group g;
	struct mndt_request m;
	struct mndt_cancel c;
	struct gw_err e = GW_ERR_INIT;
	char mid[24], req[36];
	FILE *fp = fopen("/dev/null", "w");

	mgroup_for(&g, 2);
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN008_08, &g, &e),
	    GW_EINPUT);
	gw_err_clear(&e);

	/* A cancellation on a pain.009 writer. */
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN009_08, &g, &e), 0);
	memset(&c, 0, sizeof(c));
	c.mandate_id = "M0000000001";
	c.reason_code = "MD07";
	ck_assert_int_eq(mndt_add_cancel(w, &c, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "wrong call") != NULL, "%s", e.msg);
	mndt_writer_free(w);
	gw_err_clear(&e);

	/* Half an ultimate debtor; a strict BIC in .05. */
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN009_05, &g, &e), 0);
	request_for(&m, 0, mid, req);
	m.ultimate_debtor_name = "李明";
	ck_assert_int_eq(mndt_add_request(w, &m, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "both a name and an ID") != NULL, "%s",
	    e.msg);
	mndt_writer_free(w);
	gw_err_clear(&e);
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN009_05, &g, &e), 0);
	request_for(&m, 0, mid, req);
	m.debtor_agent = "1CBKCNBJGDG";
	ck_assert_int_eq(mndt_add_request(w, &m, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "debtor_agent") != NULL, "%s", e.msg);
	mndt_writer_free(w);
	gw_err_clear(&e);

	/* Both a code and a proprietary reason; a code too long; too few. */
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN011_08, &g, &e), 0);
	c.reason_prtry = "撤销";
	ck_assert_int_eq(mndt_add_cancel(w, &c, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "either a reason code") != NULL, "%s",
	    e.msg);
	mndt_writer_free(w);
	gw_err_clear(&e);
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN011_08, &g, &e), 0);
	c.reason_prtry = NULL;
	c.reason_code = "MD077";
	ck_assert_int_eq(mndt_add_cancel(w, &c, &e), GW_EINPUT);
	mndt_writer_free(w);
	gw_err_clear(&e);
	ck_assert_int_eq(mndt_writer_new(&w, fp, ISO_PAIN011_08, &g, &e), 0);
	c.reason_code = "MD07";
	ck_assert_int_eq(mndt_add_cancel(w, &c, &e), 0);
	ck_assert_int_eq(mndt_writer_finish(w, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, "fewer mandates") != NULL, "%s", e.msg);
	mndt_writer_free(w);
	mndt_writer_free(NULL);
	fclose(fp);
}
END_TEST

static Suite *
iso_write_suite(void)
{
	Suite *s = suite_create("iso_write");
	TCase *p8 = tcase_create("pain008");
	TCase *mm = tcase_create("mandates");

	tcase_set_timeout(p8, 120);
	tcase_set_timeout(mm, 120);
	tcase_add_loop_test(p8, test_pain008_valid, 0,
	    sizeof(batches) / sizeof(batches[0]));
	tcase_add_test(p8, test_pain008_content);
	tcase_add_test(p8, test_pain008_amounts);
	tcase_add_loop_test(p8, test_pain008_bad_values, 0,
	    sizeof(bad_items) / sizeof(bad_items[0]));
	tcase_add_test(p8, test_pain008_counts);
	tcase_add_test(p8, test_pain008_order);
	tcase_add_test(p8, test_pain008_write_error);
	tcase_add_loop_test(mm, test_mandate_valid, 0,
	    sizeof(mandate_files) / sizeof(mandate_files[0]));
	tcase_add_test(mm, test_mandate_errors);
	suite_add_tcase(s, p8);
	suite_add_tcase(s, mm);
	return s;
}

GW_TEST_MAIN(iso_write_suite)
