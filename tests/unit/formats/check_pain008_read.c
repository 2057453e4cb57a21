/*
 * Unit tests: reading our own pain.008 back (formats/pain008_read.c) -
 * round trips through the real writer (1, 2 and 10,000 items, both
 * versions, several PmtInf), the totals checks of group and PmtInf, the
 * strictness that befits our own files, hostile input and limits.
 */
#include "tests/unit/formats/fmttest.h"

#include "common/date.h"
#include "common/money.h"
#include "formats/pain008.h"
#include "formats/pain008_read.h"

static const char *const names[] = { "张伟", "王芳 & <家>", "李\"娜'",
    "\xF0\xA0\x80\x80明", "中山市某村民委员会" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

static int64_t
amount(int64_t i)
{
	return 100 + (i % 97) * 1013;
}

static void
item_of(int64_t i, struct pain008_item *it, char e2e[36], char acct[24],
    char mid[24])
{
	memset(it, 0, sizeof(*it));
	snprintf(e2e, 36, "T20240126000001-%09u",
	    (unsigned)(i + 1) % 1000000000u);
	snprintf(acct, 24, "6222%015lld", (long long)i);
	snprintf(mid, 24, "M%010lld", (long long)i + 1);
	it->end_to_end_id = e2e;
	it->amount_fen = amount(i);
	it->mandate_id = mid;
	it->signed_on = date_from_ymd(2020, 1 + (int)(i % 12),
	    1 + (int)(i % 28));
	it->debtor_agent = i % 2 ? "102581000013" : "ICBKCNBJGDG";
	it->debtor_name = names[i % NNAMES];
	it->debtor_account = acct;
	it->ultimate_debtor_name = i % 3 == 0 ? "李明" : NULL;
	it->remittance = "442000199001011234 2024";
}

/* n items in k PmtInf through the writer, into memory (caller frees). */
static char *
batch(enum iso_msg version, int64_t n, int64_t k, size_t *len)
{
	struct pain008_writer *w = NULL;
	struct pain008_group g;
	struct gw_err e = GW_ERR_INIT;
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	int64_t i, p, sum = 0;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < n; i++)
		sum += amount(i);
	memset(&g, 0, sizeof(g));
	g.msg_id = "T20240126000001";
	g.created = 1706200000;
	g.initiator_name = "国家税务总局中山市税务局";
	g.initiator_id = "11440000MB2C50126Q";
	g.nb_of_txs = n;
	g.ctrl_sum_fen = sum;
	ck_assert_int_eq(pain008_writer_new(&w, fp, version, &g, &e), 0);
	for (p = 0; p < k; p++) {
		struct pain008_pmtinf pi;
		int64_t first = n * p / k, last = n * (p + 1) / k, psum = 0;
		char id[36];

		for (i = first; i < last; i++)
			psum += amount(i);
		snprintf(id, sizeof(id), "T20240126000001-P%u",
		    (unsigned)(p + 1) % 1000u);
		memset(&pi, 0, sizeof(pi));
		pi.pmtinf_id = id;
		pi.collection_date = date_from_ymd(2024, 1, 26) + (int)p;
		pi.creditor_name = "国家税务总局中山市税务局";
		pi.creditor_account = "44001700000000000001";
		pi.creditor_agent = "ICBKCNBJGDG";
		pi.creditor_scheme_id = "11440000MB2C50126Q";
		pi.nb_of_txs = last - first;
		pi.ctrl_sum_fen = psum;
		ck_assert_int_eq(pain008_begin_pmtinf(w, &pi, &e), 0);
		for (i = first; i < last; i++) {
			struct pain008_item it;
			char e2e[36], acct[24], mid[24];

			item_of(i, &it, e2e, acct, mid);
			ck_assert_msg(pain008_add(w, &it, &e) == 0, "%s",
			    e.msg);
		}
		ck_assert_int_eq(pain008_end_pmtinf(w, &e), 0);
	}
	ck_assert_msg(pain008_writer_finish(w, &e) == 0, "%s", e.msg);
	pain008_writer_free(w);
	fclose(fp);
	return buf;
}

struct seen {
	int64_t	n, k, next;
	char	last_pmt[40];
	int64_t	npmt;
};

/* Every item is the one the writer was given, in order. */
static int
check_item(void *arg, const struct pain008_read_item *it)
{
	struct seen *s = arg;
	struct pain008_item want;
	char e2e[36], acct[24], mid[24];
	int64_t i = s->next++;

	item_of(i, &want, e2e, acct, mid);
	ck_assert_int_eq(it->seq, i + 1);
	ck_assert_str_eq(it->msg_id, "T20240126000001");
	ck_assert_str_eq(it->end_to_end_id, e2e);
	ck_assert_int_eq(it->amount_fen, want.amount_fen);
	ck_assert_str_eq(it->mandate_id, mid);
	ck_assert_int_eq(it->signed_on, want.signed_on);
	ck_assert_str_eq(it->debtor_agent, want.debtor_agent);
	ck_assert_str_eq(it->debtor_name, want.debtor_name);
	ck_assert_str_eq(it->debtor_account, acct);
	ck_assert_str_eq(it->ultimate_debtor_name, want.ultimate_debtor_name ?
	    want.ultimate_debtor_name : "");
	ck_assert_str_eq(it->remittance, want.remittance);
	ck_assert_str_eq(it->creditor_account, "44001700000000000001");
	if (strcmp(s->last_pmt, it->pmtinf_id) != 0) {
		snprintf(s->last_pmt, sizeof(s->last_pmt), "%s", it->pmtinf_id);
		s->npmt++;
	}
	ck_assert_int_eq(it->collection_date, date_from_ymd(2024, 1, 26) +
	    (int)s->npmt - 1);
	return 0;
}

static const struct {
	enum iso_msg	version;
	int64_t		n, k;
} trips[] = {
	{ ISO_PAIN008_08, 1, 1 }, { ISO_PAIN008_08, 2, 2 },
	{ ISO_PAIN008_08, 10000, 3 }, { ISO_PAIN008_02, 1, 1 },
	{ ISO_PAIN008_02, 2, 1 }, { ISO_PAIN008_02, 10000, 4 },
};

START_TEST(test_round_trip)
{
	struct pain008_read_summary sum;
	struct gw_err e = GW_ERR_INIT;
	struct seen s;
	size_t len;
	char *buf = batch(trips[_i].version, trips[_i].n, trips[_i].k, &len);
	int64_t i, total = 0;

	memset(&s, 0, sizeof(s));
	ck_assert_msg(pain008_read_mem(buf, len, "b.xml", NULL, check_item, &s,
	    &sum, &e) == 0, "%s", e.msg);
	for (i = 0; i < trips[_i].n; i++)
		total += amount(i);
	ck_assert_int_eq(s.next, trips[_i].n);
	ck_assert_int_eq(s.npmt, trips[_i].k);
	ck_assert_int_eq(sum.version, trips[_i].version);
	ck_assert_str_eq(sum.msg_id, "T20240126000001");
	ck_assert_str_eq(sum.initiator_name, "国家税务总局中山市税务局");
	ck_assert_int_eq(sum.nb_of_txs, trips[_i].n);
	ck_assert_int_eq(sum.ctrl_sum_fen, total);
	ck_assert_int_eq(sum.nitems, trips[_i].n);
	ck_assert_int_eq(sum.sum_fen, total);
	ck_assert_int_eq(sum.npmtinf, trips[_i].k);
	free(buf);
}
END_TEST

/* A two-item .08 batch with one edit: from -> to (first occurrence). */
static int
read_edited(const char *from, const char *to, struct gw_err *e)
{
	size_t len, n;
	char *buf = batch(ISO_PAIN008_08, 2, 1, &len);
	char *out = ft_splice(buf, len, from, to, &n);
	int rc = pain008_read_mem(out, n, "edited.xml", NULL, NULL, NULL, NULL,
	    e);

	free(out);
	free(buf);
	return rc;
}

static const struct {
	const char	*from, *to, *why;
} edits[] = {
	/* totals */
	{ "<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>",
	  "group header declares NbOfTxs 3, it has 2" },
	{ "<CtrlSum>12.13</CtrlSum>", "<CtrlSum>12.14</CtrlSum>",
	  "declares CtrlSum 12.14, its items add up to 12.13" },
	{ "<InstdAmt Ccy=\"CNY\">1.00</InstdAmt>",
	  "<InstdAmt Ccy=\"CNY\">1.01</InstdAmt>", "CtrlSum" },
	{ "<PmtMtd>DD</PmtMtd>\n\t\t\t<NbOfTxs>2</NbOfTxs>",
	  "<PmtMtd>DD</PmtMtd>\n\t\t\t<NbOfTxs>1</NbOfTxs>",
	  "PmtInf T20240126000001-P1 declares NbOfTxs 1, it has 2" },
	/* values: our own files are not taken loosely */
	{ "Ccy=\"CNY\">1.00", "Ccy=\"USD\">1.00", "not CNY" },
	{ "Ccy=\"CNY\">1.00", ">1.00", "currency '', not CNY" },
	{ "Ccy=\"CNY\">1.00", "Ccy=\"CNY\">1.001", "decimal" },
	{ "Ccy=\"CNY\">1.00", "Ccy=\"CNY\">1,00", "InstdAmt" },
	{ "<EndToEndId>T20240126000001-000000001",
	  "<EndToEndId>T2024 0126000001-000000001", "EndToEndId" },
	{ "<DtOfSgntr>2020-01-01", "<DtOfSgntr>2020-02-30", "DtOfSgntr" },
	{ "<ReqdColltnDt>2024-01-26", "<ReqdColltnDt>26/01/2024",
	  "ReqdColltnDt" },
	{ "<PmtMtd>DD", "<PmtMtd>TRF", "PmtMtd is 'TRF', not DD" },
	/* missing and repeated fields */
	{ "<MndtId>M0000000001</MndtId>", "", "has no MndtId" },
	{ "<EndToEndId>T20240126000001-000000001</EndToEndId>", "",
	  "has no PmtId/EndToEndId" },
	{ "<PmtInfId>T20240126000001-P1</PmtInfId>", "",
	  "comes before its PmtInf's PmtInfId" },
	{ "<MsgId>T20240126000001</MsgId>", "", "GrpHdr/MsgId missing" },
	{ "<MndtId>M0000000001</MndtId>",
	  "<MndtId>M0000000001</MndtId><MndtId>M1</MndtId>", "given twice" },
	{ "<Nm>张伟</Nm>", "<Nm>张\x01伟</Nm>", ":" },
	/* not ours, not XML, hostile */
	{ "<CstmrDrctDbtInitn>", "<MndtInitnReq>", "must hold" },
	{ "pain.008.001.08", "pain.002.001.10", "not a pain.008" },
	{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	  "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"x\">]>",
	  "DOCTYPE" },
	{ "<GrpHdr>", "<GrpHdr><x:Y xmlns:x=\"urn:other\"/>",
	  "not part of pain.008.001.08" },
	{ "</CstmrDrctDbtInitn>", "", ":" },
};

START_TEST(test_rejects)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(read_edited(edits[_i].from, edits[_i].to, &e) != 0,
	    "edit %d ('%s') was accepted", _i, edits[_i].to);
	ck_assert_msg(strstr(e.msg, edits[_i].why) != NULL,
	    "edit %d: '%s' lacks '%s'", _i, e.msg, edits[_i].why);
	ck_assert_msg(strncmp(e.msg, "edited.xml:", 11) == 0, "'%s'", e.msg);
}
END_TEST

START_TEST(test_supplementary_data_skipped)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(read_edited("</DrctDbtTxInf>", "<SplmtryData><Envlp>"
	    "<y:Z xmlns:y=\"urn:bank\"><y:MndtId>X</y:MndtId></y:Z></Envlp>"
	    "</SplmtryData></DrctDbtTxInf>", &e) == 0, "%s", e.msg);
}
END_TEST

static int
stop_at_two(void *arg, const struct pain008_read_item *it)
{
	int *n = arg;

	(void)it;
	return ++*n == 2 ? 9 : 0;
}

START_TEST(test_callback_stops)
{
	struct gw_err e = GW_ERR_INIT;
	size_t len;
	char *buf = batch(ISO_PAIN008_08, 5, 1, &len);
	int n = 0;

	ck_assert_int_eq(pain008_read_mem(buf, len, "b.xml", NULL, stop_at_two,
	    &n, NULL, &e), 9);
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_nonnull(strstr(e.msg, "stopped by the caller"));
	free(buf);
}
END_TEST

START_TEST(test_limits)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct gw_err e = GW_ERR_INIT;
	size_t len;
	char *buf = batch(ISO_PAIN008_02, 11, 2, &len);

	lim.max_items = 10;
	ck_assert_int_eq(pain008_read_mem(buf, len, "b.xml", &lim, NULL, NULL,
	    NULL, &e), GW_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than 10 items"));
	gw_err_clear(&e);
	lim.max_items = 11;
	lim.max_depth = 5;		/* DbtrAcct/Id/Othr/Id is at 8 */
	ck_assert_int_eq(pain008_read_mem(buf, len, "b.xml", &lim, NULL, NULL,
	    NULL, &e), GW_ELIMIT);
	gw_err_clear(&e);
	lim.max_depth = 64;
	ck_assert_msg(pain008_read_mem(buf, len, "b.xml", &lim, NULL, NULL,
	    NULL, &e) == 0, "%s", e.msg);
	free(buf);
}
END_TEST

START_TEST(test_files)
{
	struct pain008_read_summary sum;
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *p, *empty;
	size_t len;
	char *buf = batch(ISO_PAIN008_08, 3, 1, &len);
	FILE *fp;

	p = tu_path(dir, "b.xml");
	fp = fopen(p, "wb");
	fwrite(buf, 1, len, fp);
	fclose(fp);
	ck_assert_msg(pain008_read_file(p, NULL, NULL, NULL, &sum, &e) == 0,
	    "%s", e.msg);
	ck_assert_int_eq(sum.nitems, 3);
	empty = tu_write(dir, "empty.xml", "");
	ck_assert_int_eq(pain008_read_file(empty, NULL, NULL, NULL, NULL, &e),
	    GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(pain008_read_file("/nonexistent/b.xml", NULL, NULL,
	    NULL, NULL, &e), GW_EIO);
	free(p);
	free(empty);
	free(buf);
	tu_tmpdir_free(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("pain008_read");
	TCase *tc = tcase_create("pain008_read");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip, 0,
	    sizeof(trips) / sizeof(trips[0]));
	tcase_add_loop_test(tc, test_rejects, 0,
	    sizeof(edits) / sizeof(edits[0]));
	tcase_add_test(tc, test_supplementary_data_skipped);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(suite)
