/*
 * Unit tests: reading our own mandate messages back
 * (formats/mndt_read.c) - pain.009 and pain.011 of both versions through
 * the real writers (formats/mndtmsg.c) and back, field by field, and the
 * records and files refused.
 */
#include "tests/unit/formats/fmttest.h"

#include "common/date.h"
#include "formats/mndt_read.h"
#include "formats/mndtmsg.h"

static void
ids(int64_t i, char mid[24], char req[36], char acct[24], char pid[24])
{
	snprintf(mid, 24, "M%010u", (unsigned)(i + 1) % 1000000000u);
	snprintf(req, 36, "%s-1", mid);
	snprintf(acct, 24, "6222%015u", (unsigned)i);
	snprintf(pid, 24, "4420001990010%05u", (unsigned)(i % 100000));
}

/* n mandates (pain.009) or cancellations (pain.011) into memory. */
static char *
message(enum iso_msg type, int64_t n, size_t *len)
{
	struct mndt_writer *w = NULL;
	struct mndt_group g;
	struct gw_err e = GW_ERR_INIT;
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	int64_t i;

	memset(&g, 0, sizeof(g));
	g.msg_id = "MR2024012600001";
	g.created = 1706200000;
	g.initiator_name = "国家税务总局中山市税务局";
	g.initiator_id = "11440000MB2C50126Q";
	g.count = n;
	ck_assert_int_eq(mndt_writer_new(&w, fp, type, &g, &e), 0);
	for (i = 0; i < n; i++) {
		char mid[24], req[36], acct[24], pid[24];

		ids(i, mid, req, acct, pid);
		if (iso_msg_family(type) == ISO_FAM_MANDATE_REQ) {
			struct mndt_request m;

			memset(&m, 0, sizeof(m));
			m.mandate_id = mid;
			m.request_id = req;
			m.signed_on = i % 2 ? date_from_ymd(2021, 3, 1) : -1;
			m.max_amount_fen = i % 3 ? 100000 : 0;
			m.creditor_name = "国家税务总局中山市税务局";
			m.creditor_id = "11440000MB2C50126Q";
			m.creditor_account = "44001700000000000001";
			m.creditor_agent = "ICBKCNBJGDG";
			m.creditor_scheme_id = "11440000MB2C50126Q";
			m.debtor_name = i % 2 ? "王芳 & <家>" : "张伟";
			m.debtor_id = pid;
			m.debtor_account = acct;
			m.debtor_agent = i % 2 ? "102581000013" : "ICBKCNBJGDG";
			if (i % 4 == 3) {
				m.ultimate_debtor_name = "李明";
				m.ultimate_debtor_id = pid;
			}
			ck_assert_msg(mndt_add_request(w, &m, &e) == 0, "%s",
			    e.msg);
		} else {
			struct mndt_cancel c;

			memset(&c, 0, sizeof(c));
			c.mandate_id = mid;
			c.orig_msg_id = i % 2 ? "MR2023120100001" : NULL;
			if (i % 3)
				c.reason_code = "MD16";
			else
				c.reason_prtry = "缴费人申请撤销";
			c.text = i % 2 ? "参保人迁出 & <本市>" : NULL;
			ck_assert_msg(mndt_add_cancel(w, &c, &e) == 0, "%s",
			    e.msg);
		}
	}
	ck_assert_int_eq(mndt_writer_finish(w, &e), 0);
	mndt_writer_free(w);
	fclose(fp);
	return buf;
}

static int
check(void *arg, const struct mndt_read_item *it)
{
	int64_t *next = arg, i = (*next)++;
	char mid[24], req[36], acct[24], pid[24];

	ids(i, mid, req, acct, pid);
	ck_assert_int_eq(it->seq, i + 1);
	ck_assert_str_eq(it->msg_id, "MR2024012600001");
	ck_assert_str_eq(it->mandate_id, mid);
	if (it->kind == ISO_FAM_MANDATE_REQ) {
		ck_assert_str_eq(it->request_id, req);
		ck_assert_int_eq(it->signed_on, i % 2 ?
		    date_from_ymd(2021, 3, 1) : -1);
		ck_assert_int_eq(it->max_amount_fen, i % 3 ? 100000 : -1);
		ck_assert_str_eq(it->debtor_name, i % 2 ? "王芳 & <家>" :
		    "张伟");
		ck_assert_str_eq(it->debtor_id, pid);
		ck_assert_str_eq(it->debtor_account, acct);
		ck_assert_str_eq(it->debtor_agent, i % 2 ? "102581000013" :
		    "ICBKCNBJGDG");
		ck_assert_str_eq(it->ultimate_debtor_name, i % 4 == 3 ?
		    "李明" : "");
		ck_assert_str_eq(it->orig_msg_id, "");
	} else {
		ck_assert_int_eq(it->kind, ISO_FAM_MANDATE_CXL);
		ck_assert_str_eq(it->orig_msg_id, i % 2 ? "MR2023120100001" :
		    "");
		ck_assert_str_eq(it->reason_code, i % 3 ? "MD16" :
		    "缴费人申请撤销");
		ck_assert_str_eq(it->reason_text, i % 2 ?
		    "参保人迁出 & <本市>" : "");
		ck_assert_str_eq(it->debtor_account, "");
	}
	return 0;
}

static const struct {
	enum iso_msg	type;
	int64_t		n;
} trips[] = {
	{ ISO_PAIN009_08, 1 }, { ISO_PAIN009_08, 2 }, { ISO_PAIN009_08, 10000 },
	{ ISO_PAIN009_05, 7 }, { ISO_PAIN011_08, 6 }, { ISO_PAIN011_05, 2 },
};

START_TEST(test_round_trip)
{
	struct mndt_read_summary sum;
	struct gw_err e = GW_ERR_INIT;
	size_t len;
	char *buf = message(trips[_i].type, trips[_i].n, &len);
	int64_t next = 0;

	ck_assert_msg(mndt_read_mem(buf, len, "m.xml", NULL, check, &next,
	    &sum, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(next, trips[_i].n);
	ck_assert_int_eq(sum.count, trips[_i].n);
	ck_assert_int_eq(sum.type, trips[_i].type);
	ck_assert_str_eq(sum.msg_id, "MR2024012600001");
	free(buf);
}
END_TEST

static const struct {
	enum iso_msg	 type;
	const char	*from, *to, *why;
} edits[] = {
	{ ISO_PAIN009_08, "<MndtReqId>M0000000001-1</MndtReqId>", "",
	  "has no MndtReqId" },
	{ ISO_PAIN009_08, "<MndtId>M0000000001</MndtId>", "",
	  "has no mandate id" },
	{ ISO_PAIN009_08, "<Nm>张伟</Nm>", "", "has no Dbtr/Nm" },
	{ ISO_PAIN009_08, "<MndtId>M0000000001</MndtId>",
	  "<MndtId>M 1</MndtId>", "mandate id:" },
	{ ISO_PAIN009_08, "<MndtId>M0000000001</MndtId>",
	  "<MndtId>M0000000001</MndtId><MndtId>M2</MndtId>", "given twice" },
	{ ISO_PAIN009_05, "<MsgId>MR2024012600001</MsgId>", "",
	  "no GrpHdr/MsgId" },
	{ ISO_PAIN009_08, "<MndtInitnReq>", "<MndtCxlReq>",
	  "must hold <MndtInitnReq>" },
	{ ISO_PAIN009_08, "pain.009.001.08", "pain.008.001.08",
	  "not a pain.009 or pain.011" },
	{ ISO_PAIN009_08, "pain.009.001.08", "pain.012.001.08",
	  "not a pain.009 or pain.011" },
	{ ISO_PAIN011_08, "<OrgnlMndtId>M0000000001</OrgnlMndtId>", "",
	  "has no mandate id" },
	{ ISO_PAIN011_08, "</MndtCxlReq>", "", ":" },
	{ ISO_PAIN009_08, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	  "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">", "DOCTYPE" },
};

START_TEST(test_rejects)
{
	struct gw_err e = GW_ERR_INIT;
	size_t len, n;
	char *buf = message(edits[_i].type, 2, &len);
	char *out = ft_splice(buf, len, edits[_i].from, edits[_i].to, &n);

	ck_assert_msg(mndt_read_mem(out, n, "m.xml", NULL, NULL, NULL, NULL,
	    &e) != 0, "edit %d accepted", _i);
	ck_assert_msg(strstr(e.msg, edits[_i].why) != NULL,
	    "edit %d: '%s' lacks '%s'", _i, e.msg, edits[_i].why);
	free(out);
	free(buf);
}
END_TEST

START_TEST(test_limit)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct gw_err e = GW_ERR_INIT;
	size_t len;
	char *buf = message(ISO_PAIN011_05, 4, &len);

	lim.max_items = 3;
	ck_assert_int_eq(mndt_read_mem(buf, len, "m.xml", &lim, NULL, NULL,
	    NULL, &e), GW_ELIMIT);
	free(buf);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mndt_read");
	TCase *tc = tcase_create("mndt_read");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip, 0,
	    sizeof(trips) / sizeof(trips[0]));
	tcase_add_loop_test(tc, test_rejects, 0,
	    sizeof(edits) / sizeof(edits[0]));
	tcase_add_test(tc, test_limit);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(suite)
