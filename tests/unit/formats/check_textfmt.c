/*
 * Unit tests: the bank text codec (formats/textfmt*.c) against the shipped
 * descriptors and the hand-made fixtures in tests/fixtures/text/ (authored
 * with printf and iconv, not with this codec, so the writer is checked
 * against bytes it did not make). Run from the top of the tree.
 */
#include "tests/unit/formats/fmttest.h"

#include <inttypes.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "formats/textfmt.h"

#define FIX "tests/fixtures/text/"
#define GBK_DESC "formats/descriptors/gbk-pipe.fmt"
#define GB18030_DESC "formats/descriptors/gb18030-fixed.fmt"

static struct textfmt *
load(const char *path)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = NULL;

	ck_assert_msg(textfmt_load(&d, path, &e) == 0, "%s", e.msg);
	return d;
}

static struct textfmt *
load_str(const char *text)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = NULL;

	ck_assert_msg(textfmt_load_mem(&d, "test.fmt", text, strlen(text),
	    &e) == 0, "%s", e.msg);
	return d;
}

static char *
slurp(const char *path, size_t *len)
{
	struct gw_err e = GW_ERR_INIT;
	char *s = NULL;

	ck_assert_msg(fs_read_small(&s, len, path, 1 << 20, &e) == 0, "%s",
	    e.msg);
	return s;
}

/* Read bytes as a kind file; returns rc, message in e. */
static int
read_mem(const struct textfmt *d, enum textfmt_kind kind, const char *buf,
    size_t len, textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
    struct gw_err *e)
{
	FILE *fp = fmemopen((void *)buf, len, "rb");
	int rc;

	ck_assert_ptr_nonnull(fp);
	rc = textfmt_read_fp(d, kind, fp, "f.txt", cb, arg, sum, e);
	fclose(fp);
	return rc;
}

/* Fixture bytes with the first from replaced by to. */
static char *
mutate(const char *fixture, const char *from, const char *to, size_t *len)
{
	size_t n;
	char *s = slurp(fixture, &n), *out = ft_splice(s, n, from, to, len);

	free(s);
	return out;
}

/* Write items through the codec into memory. */
struct membuf {
	char	*buf;
	size_t	 len;
	FILE	*fp;
};

static void
mb_open(struct membuf *m)
{
	m->buf = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->fp);
}

static int
write_items(const struct textfmt *d, enum textfmt_kind kind,
    const struct textfmt_batch *b, const struct textfmt_item *items, size_t n,
    struct membuf *m, struct gw_err *e)
{
	struct textfmt_writer *w = NULL;
	size_t i;
	int rc;

	mb_open(m);
	if ((rc = textfmt_writer_new(&w, d, kind, m->fp, b, e)) != 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((rc = textfmt_write_item(w, &items[i], e)) != 0)
			goto done;
	rc = textfmt_writer_finish(w, e);
done:
	textfmt_writer_free(w);
	fclose(m->fp);
	return rc;
}

/* ---- the fixtures' items ------------------------------------------------ */

static const struct textfmt_item gbk_items[] = {
	{ 0, 1, "B20250926ICBC0001-000001", "6222020200000000018", "张伟",
	  38000, "44010219900101123X", "M0000000001", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
	{ 0, 2, "B20250926ICBC0001-000002", "6222020200000000026", "李秀英",
	  40000, "440103198505052344", "M0000000002", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
	{ 0, 3, "B20250926ICBC0001-000003", "6222020200000000034", "王喆",
	  42000, "440104197803153452", "M0000000003", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
	{ 0, 4, "B20250926ICBC0001-000004", "6222020200000000042", "欧阳娜娜",
	  44000, "440105199207204562", "M0000000004", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
	{ 0, 5, "B20250926ICBC0001-000005", "6222020200000000059", "陈堃",
	  44000, "440106196009095679", "M0000000005", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
	{ 0, 6, "B20250926ICBC0001-000006", "6222020200000000067", "刘洋",
	  36000, "440107200111116785", "M0000000006", "2025年度城乡居民医保",
	  NULL, NULL, 0, NULL },
};

static const struct textfmt_item gb18030_items[] = {
	{ 0, 1, "B20250926CCB00001-000001", "6217000000000000011", "黄晓明",
	  45000, "442000197001010012", "M0000000101", "2025年度医保",
	  NULL, NULL, 0, NULL },
	{ 0, 2, "B20250926CCB00001-000002", "6217000000000000029", "刘䶮",
	  38000, "442000198808080024", "M0000000102", "2025年度医保",
	  NULL, NULL, 0, NULL },
	{ 0, 3, "B20250926CCB00001-000003", "6217000000000000037", "张𠮷",
	  38000, "442000199512310032", "M0000000103", "2025年度医保",
	  NULL, NULL, 0, NULL },
	/* The memo is cut to 20 bytes without splitting a character. */
	{ 0, 4, "B20250926CCB00001-000004", "6217000000000000045", "司马相如",
	  76000, "442000195506060040", "M0000000104",
	  "2025-26年度城乡居民医保", NULL, NULL, 0, NULL },
};

static struct textfmt_batch
batch(const char *file_id, int64_t count, int64_t total)
{
	struct textfmt_batch b;
	struct gw_err e = GW_ERR_INIT;

	memset(&b, 0, sizeof(b));
	b.file_id = file_id;
	ck_assert_int_eq(date_parse(&b.date, "2025-09-26", 10, &e), 0);
	b.count = count;
	b.total_fen = total;
	b.creditor_account = "44001700000000000001";
	b.creditor_name = "国家税务总局中山市税务局";
	return b;
}

/* ---- descriptors ---------------------------------------------------------- */

START_TEST(test_shipped_load)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d;
	size_t i, len;
	char path[256], *text;

	ck_assert_int_eq(textfmt_nshipped, 2);
	for (i = 0; i < textfmt_nshipped; i++) {
		/* The compiled-in copy is the file, byte for byte. */
		snprintf(path, sizeof(path), "formats/descriptors/%s",
		    textfmt_shipped[i].file);
		text = slurp(path, &len);
		ck_assert_uint_eq(strlen(textfmt_shipped[i].text), len);
		ck_assert_int_eq(memcmp(text, textfmt_shipped[i].text, len), 0);
		free(text);
		ck_assert_msg(textfmt_load_mem(&d, textfmt_shipped[i].file,
		    textfmt_shipped[i].text, strlen(textfmt_shipped[i].text),
		    &e) == 0, "%s", e.msg);
		textfmt_free(d);
	}
	d = load(GBK_DESC);
	ck_assert_str_eq(textfmt_name(d), "gbk-pipe");
	ck_assert_str_eq(textfmt_encoding(d), "GBK");
	textfmt_free(d);
	d = load(GB18030_DESC);
	ck_assert_str_eq(textfmt_name(d), "gb18030-fixed");
	ck_assert_str_eq(textfmt_encoding(d), "GB18030");
	textfmt_free(d);
	textfmt_free(NULL);
}
END_TEST

/* The code table as a bank simulator reads it: in code order, with the
 * category of each row, and the first success code. */
START_TEST(test_code_table)
{
	struct textfmt *d = load(GBK_DESC);
	const char *code, *cat;
	size_t i;

	ck_assert_str_eq(textfmt_success_code(d), "0000");
	ck_assert_int_eq(textfmt_code(d, 0, &code, &cat), 1);
	ck_assert_str_eq(code, "1001");
	ck_assert_str_eq(cat, "insufficient_funds");
	ck_assert_int_eq(textfmt_code(d, 7, &code, &cat), 1);
	ck_assert_str_eq(code, "1008");
	ck_assert_str_eq(cat, "account_closed");
	for (i = 0; textfmt_code(d, i, &code, &cat); i++)
		;
	ck_assert_uint_eq(i, 12);
	ck_assert_str_eq(code, "9999");
	ck_assert_str_eq(cat, "other");
	textfmt_free(d);
	d = load(GB18030_DESC);
	ck_assert_str_eq(textfmt_success_code(d), "000000");
	ck_assert_int_eq(textfmt_code(d, 0, &code, &cat), 1);
	ck_assert_str_eq(code, "E00014");
	ck_assert_int_eq(textfmt_code(d, 8, &code, &cat), 0);
	textfmt_free(d);
}
END_TEST

#define DESC_HEAD "[format]\nencoding = GBK\nseparator = |\namount_unit = fen\n"
#define DESC_BODY "[debit]\nheader = count,total\n" \
	"fields = seq,account_no,account_name,amount\n" \
	"[return]\nfields = seq,amount,result_code\nsuccess_codes = 0\n"
#define DESC_RET "[return]\nfields = seq,amount,result_code\nsuccess_codes = 0\n"

static const struct {
	const char	*text;
	const char	*want;	/* in the message */
} bad_descs[] = {
	{ DESC_HEAD DESC_BODY "[codes]\nX = broke\n",
	  "test.fmt:12: [codes] X: 'broke' is not a category" },
	{ DESC_HEAD "colour = red\n" DESC_BODY, ":5: [format]: unknown key 'colour'" },
	{ DESC_HEAD DESC_BODY "[extra]\na = b\n", ":12: unknown section [extra]" },
	{ "[format]\nseparator = |\namount_unit = fen\n" DESC_BODY,
	  "encoding is required" },
	{ "[format]\nencoding = EBCDIC\nseparator = |\namount_unit = fen\n"
	  DESC_BODY, ":2: [format] encoding: 'EBCDIC' is not GBK | GB2312" },
	{ "[format]\nencoding = GBK\nseparator = |\n" DESC_BODY,
	  "amount_unit is required" },
	{ "[format]\nencoding = GBK\namount_unit = fen\n" DESC_BODY,
	  "separator is required" },
	{ DESC_HEAD "layout = fixed\n" DESC_BODY, "a fixed layout has no separator" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = seq:3,account_no,"
	  "account_name,amount\n", ":7: [debit] fields: widths belong to layout = fixed" },
	{ "[format]\nencoding = GBK\nlayout = fixed\namount_unit = fen\n"
	  "[debit]\nheader = count:3,total:9\nfields = seq:3,account_no\n",
	  ":7: [debit] fields: field 2 needs a width" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = seq,acount_no\n",
	  ":7: [debit] fields: unknown field 'acount_no'" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = seq,count\n",
	  ":7: [debit] fields: field 'count' does not belong on this line" },
	{ DESC_HEAD "[debit]\nheader = file_id\nfields = seq,account_no,"
	  "account_name,amount\n[return]\nfields = seq,amount,result_code\n"
	  "success_codes = 0\n", "must carry 'count'" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = seq,account_no,"
	  "account_name,amount\n[return]\nfields = seq,amount\n"
	  "success_codes = 0\n", "'result_code' is required" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = account_no,"
	  "account_name,amount\n[return]\nfields = seq,amount,result_code\n"
	  "success_codes = 0\n", "'seq' or 'ref' is required" },
	{ DESC_HEAD DESC_BODY "[codes]\nA = other\nA = other\n",
	  ":13: [codes] A: given twice" },
	{ DESC_HEAD DESC_BODY "[codes]\n0 = other\n", "is also a success code" },
	{ DESC_HEAD "amount_unit = yuan\n" DESC_BODY,
	  ":5: [format] amount_unit: given twice (first on line 4)" },
	{ DESC_HEAD DESC_BODY "[names]\nunrepresentable = substitute\n"
	  "substitute = 𠮷\n", ":13: [names] substitute: '𠮷' has no GBK code" },
	{ DESC_HEAD "[debit]\nheader = \"H|\",count,total\nfields = seq,account_no,"
	  "account_name,amount\n" DESC_RET,
	  "literal \"H|\" holds the separator" },
	{ DESC_HEAD "[debit]\nheader = count,total\nfields = seq,seq\n" DESC_RET,
	  "field 'seq' given twice" },
	{ DESC_HEAD "max_items = 0\n" DESC_BODY, "max_items: must be 1.." },
	{ DESC_HEAD "name = x\n  y = z\n" DESC_BODY,
	  ":6: [format] name: only lists may continue" },
	{ "no section line\n", ":1: not a key = value line" },
	{ "[format]\nencoding = GBK\nlayout = fixed\namount_unit = fen\n"
	  "max_items = 5000\n[debit]\nheader = count:4,total:9\n"
	  "fields = seq:3,account_no:5,account_name:6,amount:6\n[return]\n"
	  "fields = seq:3,amount:6,result_code:2\nsuccess_codes = 0\n",
	  ":5: [format] max_items: 5000 items cannot be numbered in seq:3" },
};

START_TEST(test_descriptor_errors)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = (struct textfmt *)1;
	const char *t = bad_descs[_i].text;

	ck_assert_int_eq(textfmt_load_mem(&d, "test.fmt", t, strlen(t), &e),
	    GW_ECONFIG);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(e.msg, bad_descs[_i].want) != NULL,
	    "want '%s', got '%s'", bad_descs[_i].want, e.msg);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
}
END_TEST

START_TEST(test_descriptor_missing_file)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d;

	ck_assert_int_eq(textfmt_load(&d, "tests/fixtures/text/nope.fmt", &e),
	    GW_EENV);
	ck_assert_ptr_nonnull(strstr(e.msg, "nope.fmt"));
}
END_TEST

/* ---- writing against the hand-made fixtures ------------------------------ */

START_TEST(test_write_gbk_fixture)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_batch b = batch("B20250926ICBC0001", 6, 244000);
	struct membuf m;
	size_t len;
	char *want = slurp(FIX "gbk-pipe-debit.txt", &len);

	ck_assert_msg(write_items(d, TEXTFMT_DEBIT, &b, gbk_items, 6, &m, &e)
	    == 0, "%s", e.msg);
	ck_assert_uint_eq(m.len, len);
	ck_assert_int_eq(memcmp(m.buf, want, len), 0);
	free(m.buf);
	free(want);
	textfmt_free(d);
}
END_TEST

START_TEST(test_write_gb18030_fixture)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GB18030_DESC);
	struct textfmt_batch b = batch("B20250926CCB00001", 4, 197000);
	struct membuf m;
	size_t len, i;
	char *want = slurp(FIX "gb18030-fixed-debit.txt", &len);

	/* Rare characters travel on GB18030: nothing held or replaced. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT,
		    &gb18030_items[i], NULL, 0), TEXTFMT_FITS);
	ck_assert_msg(write_items(d, TEXTFMT_DEBIT, &b, gb18030_items, 4, &m,
	    &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(m.len, len);
	ck_assert_int_eq(memcmp(m.buf, want, len), 0);
	free(m.buf);
	free(want);
	textfmt_free(d);
}
END_TEST

/* ---- reading the fixtures ------------------------------------------------ */

struct got {
	int		 n;
	int64_t		 seq[16];
	char		 name[16][64], code[16][16], text[16][64], ref[16][40];
	char		 memo[16][64];
	int		 accepted[16];
	const char	*category[16];
	long		 line[16];
};

static int
collect(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	struct got *g = arg;
	int i = g->n++;

	(void)e;
	ck_assert_int_lt(i, 16);
	g->seq[i] = it->seq;
	g->line[i] = it->line;
	snprintf(g->name[i], sizeof(g->name[i]), "%s", it->account_name);
	snprintf(g->code[i], sizeof(g->code[i]), "%s", it->result_code);
	snprintf(g->text[i], sizeof(g->text[i]), "%s", it->result_text);
	snprintf(g->ref[i], sizeof(g->ref[i]), "%s", it->ref);
	snprintf(g->memo[i], sizeof(g->memo[i]), "%s", it->memo);
	g->accepted[i] = it->accepted;
	g->category[i] = it->category;
	return 0;
}

START_TEST(test_read_gbk_return)
{
	static const struct {
		const char *name, *code, *text, *category;
	} want[] = {
		{ "张伟", "0000", "交易成功", NULL },
		{ "李秀英", "1001", "余额不足", "insufficient_funds" },
		{ "王喆", "1002", "账户冻结", "account_frozen" },
		{ "欧阳娜娜", "1004", "户名不符", "account_abnormal" },
		{ "陈堃", "1008", "账户已销户", "account_closed" },
		{ "刘洋", "8888", "交易超时", "other" },
	};
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_summary s;
	struct got g;
	char date[DATE_BUFSZ];
	int i;

	memset(&g, 0, sizeof(g));
	ck_assert_msg(textfmt_read_returns(d, FIX "gbk-pipe-return.txt",
	    collect, &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(g.seq[i], i + 1);
		ck_assert_int_eq(g.line[i], i + 2);
		ck_assert_str_eq(g.name[i], want[i].name);
		ck_assert_str_eq(g.code[i], want[i].code);
		ck_assert_str_eq(g.text[i], want[i].text);
		ck_assert_int_eq(g.accepted[i], want[i].category == NULL);
		if (want[i].category == NULL)
			ck_assert_ptr_null(g.category[i]);
		else
			ck_assert_str_eq(g.category[i], want[i].category);
	}
	ck_assert_int_eq(s.kind, TEXTFMT_RETURN);
	ck_assert_int_eq(s.count, 6);
	ck_assert_int_eq(s.total_fen, 244000);
	ck_assert_int_eq(s.ok_count, 1);
	ck_assert_int_eq(s.ok_total_fen, 38000);
	ck_assert_int_eq(s.fail_count, 5);
	ck_assert_int_eq(s.fail_total_fen, 206000);
	ck_assert_str_eq(s.file_id, "B20250926ICBC0001");
	ck_assert_str_eq(s.creditor_account, "44001700000000000001");
	ck_assert_int_eq(s.has_date, 1);
	ck_assert_str_eq(date_format(date, s.date), "2025-09-26");
	ck_assert_int_eq(s.lines, 7);
	textfmt_free(d);
}
END_TEST

START_TEST(test_read_gb18030_return)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GB18030_DESC);
	struct textfmt_summary s;
	struct got g;

	memset(&g, 0, sizeof(g));
	ck_assert_msg(textfmt_read_returns(d, FIX "gb18030-fixed-return.txt",
	    collect, &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 4);
	ck_assert_str_eq(g.name[0], "黄晓明");
	ck_assert_str_eq(g.name[1], "刘䶮");
	ck_assert_str_eq(g.name[2], "张𠮷");
	ck_assert_str_eq(g.name[3], "司马相如");
	ck_assert_str_eq(g.ref[3], "B20250926CCB00001-000004");
	ck_assert_int_eq(g.accepted[0], 1);
	ck_assert_str_eq(g.category[1], "insufficient_funds");
	ck_assert_str_eq(g.text[1], "余额不足");
	ck_assert_int_eq(g.accepted[2], 1);
	ck_assert_str_eq(g.category[3], "account_abnormal");
	ck_assert_str_eq(g.text[3], "户名与账号不符");
	ck_assert_int_eq(s.count, 4);
	ck_assert_int_eq(s.total_fen, 197000);
	ck_assert_int_eq(s.ok_count, 2);
	ck_assert_int_eq(s.ok_total_fen, 83000);
	textfmt_free(d);
}
END_TEST

START_TEST(test_read_debit_fixtures)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GB18030_DESC);
	struct textfmt_summary s;
	struct got g;

	memset(&g, 0, sizeof(g));
	ck_assert_msg(textfmt_read_debits(d, FIX "gb18030-fixed-debit.txt",
	    collect, &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 4);
	ck_assert_str_eq(g.memo[3], "2025-26年度城乡居民");
	ck_assert_str_eq(s.file_id, "B20250926CCB00001");
	textfmt_free(d);
	d = load(GBK_DESC);
	memset(&g, 0, sizeof(g));
	ck_assert_msg(textfmt_read_debits(d, FIX "gbk-pipe-debit.txt", collect,
	    &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 6);
	ck_assert_str_eq(g.name[3], "欧阳娜娜");
	ck_assert_int_eq(s.total_fen, 244000);
	textfmt_free(d);
}
END_TEST

START_TEST(test_detect)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *gbk = load(GBK_DESC), *fixed = load(GB18030_DESC);
	struct textfmt_summary s;
	enum textfmt_kind k;

	ck_assert_int_eq(textfmt_detect(gbk, FIX "gbk-pipe-debit.txt", &k, &s,
	    &e), 0);
	ck_assert_int_eq(k, TEXTFMT_DEBIT);
	ck_assert_int_eq(textfmt_detect(gbk, FIX "gbk-pipe-return.txt", &k, &s,
	    &e), 0);
	ck_assert_int_eq(k, TEXTFMT_RETURN);
	ck_assert_int_eq(s.fail_count, 5);
	ck_assert_int_eq(textfmt_detect(fixed, FIX "gb18030-fixed-return.txt",
	    &k, NULL, &e), 0);
	ck_assert_int_eq(k, TEXTFMT_RETURN);
	/* A file of the other layout is neither. */
	ck_assert_int_eq(textfmt_detect(fixed, FIX "gbk-pipe-debit.txt", &k,
	    NULL, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "gbk-pipe-debit.txt:1:"));
	gw_err_clear(&e);
	ck_assert_int_eq(textfmt_detect(fixed, FIX "missing.txt", &k, NULL,
	    &e), GW_ENOTFOUND);
	textfmt_free(gbk);
	textfmt_free(fixed);
}
END_TEST

/* ---- control totals, both ways -------------------------------------------- */

static const struct {
	const char	*fixture;
	int		 kind;
	const char	*from, *to;
	const char	*want;
} total_cases[] = {
	/* Header (first line) says more or less than the lines hold. */
	{ FIX "gbk-pipe-debit.txt", TEXTFMT_DEBIT, "|6|2440.00|", "|7|2440.00|",
	  "f.txt:1: header declares 7 items, the file has 6" },
	{ FIX "gbk-pipe-debit.txt", TEXTFMT_DEBIT, "|6|2440.00|", "|6|2440.01|",
	  "f.txt:1: header declares a total of 2440.01, the detail lines add "
	  "up to 2440.00" },
	/* A detail amount changed: the header no longer adds up. */
	{ FIX "gbk-pipe-debit.txt", TEXTFMT_DEBIT, "|360.00|", "|306.00|",
	  "f.txt:1: header declares a total of 2440.00, the detail lines add "
	  "up to 2386.00" },
	{ FIX "gbk-pipe-return.txt", TEXTFMT_RETURN, "|1|380.00|5|", "|2|380.00|5|",
	  "f.txt:1: header declares 2 accepted items, the file has 1" },
	{ FIX "gbk-pipe-return.txt", TEXTFMT_RETURN, "|0000|", "|1001|",
	  "f.txt:1: header declares 1 accepted items, the file has 0" },
	/* Trailer (last line) of the fixed layout. */
	{ FIX "gb18030-fixed-debit.txt", TEXTFMT_DEBIT, "2025092600000004",
	  "2025092600000005", "f.txt:5: trailer declares 5 items, the file "
	  "has 4" },
	{ FIX "gb18030-fixed-debit.txt", TEXTFMT_DEBIT, "000000197000",
	  "000000197100", "f.txt:5: trailer declares a total of 1971.00, the "
	  "detail lines add up to 1970.00" },
	{ FIX "gb18030-fixed-return.txt", TEXTFMT_RETURN, "000000000083000",
	  "000000000083001", "f.txt:5: trailer declares an accepted total of "
	  "830.01, the detail lines add up to 830.00" },
};

START_TEST(test_totals_mismatch_read)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(strstr(total_cases[_i].fixture, "gbk") ?
	    GBK_DESC : GB18030_DESC);
	size_t len;
	char *buf = mutate(total_cases[_i].fixture, total_cases[_i].from,
	    total_cases[_i].to, &len);

	ck_assert_int_eq(read_mem(d, total_cases[_i].kind, buf, len, NULL,
	    NULL, NULL, &e), GW_EINPUT);
	ck_assert_msg(strstr(e.msg, total_cases[_i].want) != NULL,
	    "want '%s', got '%s'", total_cases[_i].want, e.msg);
	free(buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_totals_dropped_line)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GB18030_DESC);
	size_t len;
	char *buf = slurp(FIX "gb18030-fixed-debit.txt", &len);

	/* Drop detail line 2 (179 bytes and CRLF). */
	memmove(buf + 181, buf + 362, len - 362);
	ck_assert_int_eq(read_mem(d, TEXTFMT_DEBIT, buf, len - 181, NULL, NULL,
	    NULL, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt:4: trailer declares 4 items, the file "
	    "has 3");
	free(buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_totals_mismatch_write)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_batch b = batch("B1", 6, 244000);
	struct membuf m;

	/* Declared 6, wrote 5. */
	ck_assert_int_eq(write_items(d, TEXTFMT_DEBIT, &b, gbk_items, 5, &m,
	    &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "count declared 6 but 5 items"));
	free(m.buf);
	/* Right count, wrong sum. */
	gw_err_clear(&e);
	b.total_fen = 243999;
	ck_assert_int_eq(write_items(d, TEXTFMT_DEBIT, &b, gbk_items, 6, &m,
	    &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "total declared 2439.99 but the "
	    "items written add up to 2440.00"));
	free(m.buf);
	textfmt_free(d);
}
END_TEST

/* ---- names an encoding cannot carry ----------------------------------------- */

START_TEST(test_rare_name_held_on_gbk)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_item it = gbk_items[0];
	struct textfmt_writer *w = NULL;
	struct textfmt_batch b = batch("B1", 1, 38000);
	struct membuf m;
	char why[256];

	it.account_name = "张𠮷";
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it, why,
	    sizeof(why)), TEXTFMT_HELD);
	ck_assert_str_eq(why, "account_name: '𠮷' has no GBK code");
	/* 䶮 is in GB18030 but not in GBK. */
	it.account_name = "刘䶮";
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it, NULL, 0),
	    TEXTFMT_HELD);

	/* The writer holds it back and writes nothing for it. */
	mb_open(&m);
	ck_assert_int_eq(textfmt_writer_new(&w, d, TEXTFMT_DEBIT, m.fp, &b,
	    &e), 0);
	ck_assert_int_eq(textfmt_write_item(w, &it, &e), TEXTFMT_HELD);
	ck_assert_int_eq(e.code, 0);
	it = gbk_items[0];
	ck_assert_int_eq(textfmt_write_item(w, &it, &e), 0);
	ck_assert_int_eq(textfmt_writer_finish(w, &e), 0);
	textfmt_writer_free(w);
	fclose(m.fp);
	ck_assert_ptr_null(memmem(m.buf, m.len, "\xc1\xf5", 2));	/* 刘 */
	ck_assert_ptr_nonnull(memmem(m.buf, m.len, "\xd5\xc5\xce\xb0", 4));
	free(m.buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_rare_name_substituted)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load_str("[format]\nencoding = GBK\nseparator = |\n"
	    "amount_unit = fen\n[debit]\nheader = count,total\n"
	    "fields = seq,account_no,account_name,amount,memo\n[return]\n"
	    "fields = seq,amount,result_code\nsuccess_codes = 0\n[names]\n"
	    "unrepresentable = substitute\nsubstitute = \"□\"\n");
	struct textfmt_item it = gbk_items[0];
	struct textfmt_batch b = batch("B1", 1, 38000);
	struct membuf m;
	struct got g;
	char why[256];

	it.account_name = "张𠮷𠮷伟";
	it.memo = "备注䶮";
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it, why,
	    sizeof(why)), TEXTFMT_SUBSTITUTED);
	ck_assert_str_eq(why, "3 characters without a GBK code written as "
	    "'□' (first in account_name)");
	ck_assert_int_eq(write_items(d, TEXTFMT_DEBIT, &b, &it, 1, &m, &e), 0);
	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, TEXTFMT_DEBIT, m.buf, m.len, collect, &g,
	    NULL, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.name[0], "张□□伟");
	ck_assert_str_eq(g.memo[0], "备注□");
	free(m.buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_gbk_free_text_substituted_under_hold)
{
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_item it = gbk_items[0];
	char why[256];

	/* A memo is ours to word: its odd character never holds an item. */
	it.memo = "𠮷年度";
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it, why,
	    sizeof(why)), TEXTFMT_SUBSTITUTED);
	ck_assert_ptr_nonnull(strstr(why, "1 character without a GBK code "
	    "written as '?' (first in memo)"));
	textfmt_free(d);
}
END_TEST

/* ---- unfit items ------------------------------------------------------------ */

static const struct {
	int		 fixed;
	const char	*field;
	const char	*value;
	const char	*want;
} unfit[] = {
	{ 0, "account_name", "张|三", "account_name: holds the separator '|'" },
	{ 0, "account_name", "张\t三", "account_name: holds a control character" },
	{ 0, "account_name", " 张三", "account_name: leading or trailing space" },
	{ 0, "account_name", "", "account_no and account_name must not be empty" },
	{ 0, "account_name", "\xe5\xbc", "account_name: not valid UTF-8" },
	{ 0, "account_no", "", "account_no and account_name must not be empty" },
	{ 1, "account_no", "62220202000000000180000000", "account_no: 26 bytes "
	  "do not fit in 25 columns" },
	{ 1, "account_name", "一二三四五六七八九十一二三四五六七八九十一",
	  "account_name: 42 bytes do not fit in 40 columns" },
	{ 1, "payer_id", "4401021990010112345", "payer_id: 19 bytes do not fit" },
	{ 1, "amount", "1000000000000", "amount: 13 bytes do not fit in 12" },
	{ 1, "amount", "0", "amount: 0 fen is not a positive amount" },
	{ 1, "seq", "0", "seq: 0 is not 1..2000000" },
};

START_TEST(test_unfit_items)
{
	struct textfmt *d = load(unfit[_i].fixed ? GB18030_DESC : GBK_DESC);
	struct textfmt_item it = unfit[_i].fixed ? gb18030_items[0] :
	    gbk_items[0];
	const char *f = unfit[_i].field, *v = unfit[_i].value;
	char why[256];

	if (strcmp(f, "account_name") == 0)
		it.account_name = v;
	else if (strcmp(f, "account_no") == 0)
		it.account_no = v;
	else if (strcmp(f, "payer_id") == 0)
		it.payer_id = v;
	else if (strcmp(f, "amount") == 0)
		it.amount_fen = strtoll(v, NULL, 10);
	else
		it.seq = strtoll(v, NULL, 10);
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it, why,
	    sizeof(why)), TEXTFMT_HELD);
	ck_assert_msg(strstr(why, unfit[_i].want) != NULL, "want '%s', got "
	    "'%s'", unfit[_i].want, why);
	textfmt_free(d);
}
END_TEST

START_TEST(test_writer_sticky_seq)
{
	struct gw_err e = GW_ERR_INIT, e2 = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_batch b = batch("B1", 2, 78000);
	struct textfmt_writer *w = NULL;
	struct membuf m;

	mb_open(&m);
	ck_assert_int_eq(textfmt_writer_new(&w, d, TEXTFMT_DEBIT, m.fp, &b,
	    &e), 0);
	ck_assert_int_eq(textfmt_write_item(w, &gbk_items[1], &e), 0);
	ck_assert_int_eq(textfmt_write_item(w, &gbk_items[0], &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "item seq 1 after seq 2"));
	/* Sticky: later calls give the first error again. */
	ck_assert_int_eq(textfmt_write_item(w, &gbk_items[2], &e2), GW_EINPUT);
	ck_assert_str_eq(e2.msg, e.msg);
	gw_err_clear(&e2);
	ck_assert_int_eq(textfmt_writer_finish(w, &e2), GW_EINPUT);
	ck_assert_str_eq(e2.msg, e.msg);
	textfmt_writer_free(w);
	fclose(m.fp);
	free(m.buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_writer_header_does_not_fit)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GB18030_DESC);
	struct textfmt_batch b = batch("B20250926CCB00001-THIS-ID-IS-FAR-TOO-LONG",
	    1, 100);
	struct textfmt_writer *w = NULL;
	struct membuf m;

	mb_open(&m);
	/* Refused before any line is written, not at the trailer. */
	ck_assert_int_eq(textfmt_writer_new(&w, d, TEXTFMT_DEBIT, m.fp, &b,
	    &e), GW_EINPUT);
	ck_assert_ptr_null(w);
	ck_assert_ptr_nonnull(strstr(e.msg, "trailer: file_id: 41 bytes do not "
	    "fit in 35 columns"));
	textfmt_writer_free(w);
	fclose(m.fp);
	free(m.buf);
	textfmt_free(d);
}
END_TEST

/* ---- separators and encodings ---------------------------------------------- */

START_TEST(test_multichar_separator)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load_str("[format]\nencoding = GB18030\n"
	    "separator = |!\namount_unit = yuan\nline_end = lf\n[debit]\n"
	    "fields = seq,account_no,account_name,amount,memo\n"
	    "trailer = \"TOTAL\",count,total\n[return]\n"
	    "fields = seq,amount,result_code\nsuccess_codes = 0\n");
	struct textfmt_item it[2];
	struct textfmt_batch b = batch("B1", 2, 78000);
	struct membuf m;
	struct got g;
	const char *want = "1|!6222020200000000018|!张伟|!380.00|!a|b!c\n"
	    "2|!6222020200000000026|!李秀英|!400.00|!\nTOTAL|!2|!780.00\n";
	char *utf8;

	it[0] = gbk_items[0];
	it[1] = gbk_items[1];
	it[0].memo = "a|b!c";	/* '|' alone is not the separator */
	it[1].memo = NULL;
	ck_assert_msg(write_items(d, TEXTFMT_DEBIT, &b, it, 2, &m, &e) == 0,
	    "%s", e.msg);
	utf8 = malloc(m.len * 2 + 1);
	ck_assert_int_eq(text_to_utf8(utf8, m.len * 2 + 1, NULL, m.buf, m.len,
	    "GB18030", &e), 0);
	ck_assert_str_eq(utf8, want);
	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, TEXTFMT_DEBIT, m.buf, m.len, collect, &g,
	    NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.memo[0], "a|b!c");
	ck_assert_str_eq(g.name[1], "李秀英");
	/* A value holding the whole separator cannot be carried. */
	it[0].memo = "x|!y";
	ck_assert_int_eq(textfmt_item_check(d, TEXTFMT_DEBIT, &it[0], NULL, 0),
	    TEXTFMT_HELD);
	free(utf8);
	free(m.buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_gbk_trail_byte_is_pipe)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	struct textfmt_item it = gbk_items[0];
	struct textfmt_batch b = batch("B1", 1, 38000);
	struct membuf m;
	struct got g;

	/* 亅 is 0x81 0x7C in GBK: its second byte is '|'. */
	it.account_name = "王亅";
	ck_assert_int_eq(write_items(d, TEXTFMT_DEBIT, &b, &it, 1, &m, &e), 0);
	ck_assert_ptr_nonnull(memmem(m.buf, m.len, "\x81\x7c|", 3));
	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, TEXTFMT_DEBIT, m.buf, m.len, collect, &g,
	    NULL, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(g.name[0], "王亅");
	free(m.buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_utf8_layout_bom_and_lf)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load_str("[format]\nencoding = UTF-8\n"
	    "separator = ,\namount_unit = fen\n[debit]\nheader = count,total\n"
	    "fields = seq,account_no,account_name,amount\n[return]\n"
	    "fields = ref,amount,result_code,result_text\n"
	    "success_codes = 00, 01\n[codes]\nF1 = account_closed\n");
	const char ok[] = "\xef\xbb\xbf" "2,78000\n1,6222,张伟,38000\n\n"
	    "2,6223,李𠮷,40000\n\n\n";
	const char ret[] = "2,78000\r\nE1,38000,01,ok\r\nE2,40000,F1,closed";
	const char bad[] = "1,100\n1,6222,\xe5\xbc\xa0\xe4,100\n";
	struct textfmt_summary s;
	struct got g;

	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, TEXTFMT_DEBIT, ok, sizeof(ok) - 1, collect,
	    &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.name[1], "李𠮷");
	ck_assert_int_eq(g.line[1], 4);
	ck_assert_int_eq(s.has_date, 0);
	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, TEXTFMT_RETURN, ret, sizeof(ret) - 1,
	    collect, &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(g.accepted[0], 1);
	ck_assert_str_eq(g.category[1], "account_closed");
	ck_assert_str_eq(g.ref[1], "E2");
	ck_assert_int_eq(g.seq[1], 0);
	ck_assert_int_eq(read_mem(d, TEXTFMT_DEBIT, bad, sizeof(bad) - 1, NULL,
	    NULL, NULL, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt:2: not valid UTF-8 at byte 10");
	textfmt_free(d);
}
END_TEST

/* ---- hostile lines ------------------------------------------------------------ */

static const struct {
	const char	*fixture;
	const char	*from, *to;
	int		 code;
	const char	*want;
} bad_lines[] = {
	{ FIX "gbk-pipe-debit.txt", "|380.00|", "|38O.00|", GW_EINPUT,
	  "f.txt:2: amount '38O.00': amount has a character that is not a "
	  "digit (amounts are in yuan)" },
	{ FIX "gbk-pipe-debit.txt", "|400.00|", "|400.001|", GW_EINPUT,
	  "f.txt:3: amount '400.001': amount has more than two decimals" },
	{ FIX "gbk-pipe-debit.txt", "|420.00|", "|-420.00|", GW_EINPUT,
	  "f.txt:4: amount '-420.00': amount may not be negative" },
	{ FIX "gbk-pipe-debit.txt", "|M0000000002|", "|M0000000002||", GW_EINPUT,
	  "f.txt:3: 9 fields; a debit detail line has 8" },
	{ FIX "gbk-pipe-debit.txt", "2|6222", "2\t6222", GW_EINPUT,
	  "f.txt:3: control character in the line" },
	{ FIX "gbk-pipe-debit.txt", "3|6222", "1|6222", GW_EINPUT,
	  "f.txt:4: seq 1 appears twice" },
	{ FIX "gbk-pipe-debit.txt", "4|6222", "0|6222", GW_EINPUT,
	  "f.txt:5: seq: 0 is less than 1" },
	{ FIX "gbk-pipe-debit.txt", "5|6222", "x|6222", GW_EINPUT,
	  "f.txt:6: seq: 'x' is not a whole number" },
	{ FIX "gbk-pipe-debit.txt", "|6222020200000000026|", "||", GW_EINPUT,
	  "f.txt:3: account_no: empty" },
	{ FIX "gbk-pipe-debit.txt", "|\r\n2|", "\r\n2|", GW_EINPUT,
	  "f.txt:2: detail line does not end with the separator '|'" },
	{ FIX "gbk-pipe-debit.txt", "H|", "X|", GW_EINPUT,
	  "f.txt:1: field 1 is 'X', the layout wants \"H\"" },
	/* A GBK lead byte with no valid second byte. */
	{ FIX "gbk-pipe-debit.txt", "\xd5\xc5", "\xd5\x0a", GW_EINPUT,
	  "f.txt:2: " },
	{ FIX "gbk-pipe-debit.txt", "\xd5\xc5", "\xff\xff", GW_EINPUT,
	  "f.txt:2: not valid GBK text (character at byte 22" },
	{ FIX "gbk-pipe-debit.txt", "|20250926|", "|20250231|", GW_EINPUT,
	  "f.txt:1: header date '20250231': " },
	{ FIX "gbk-pipe-debit.txt", "|6|2440.00|", "|99999999|2440.00|", GW_ELIMIT,
	  "f.txt:1: header count: 99999999 is more than 2000000" },
	{ FIX "gb18030-fixed-debit.txt", "D00000003", "X00000003", GW_EINPUT,
	  "f.txt:3: field 1 is 'X', the layout wants \"D\"" },
	{ FIX "gb18030-fixed-debit.txt", "000000038000442000198808080024",
	  "000000038000 442000198808080024", GW_EINPUT,
	  "f.txt:2: 180 bytes; a debit detail line has 179" },
	/* The name column starts one byte late: 黄's lead byte ends account_no. */
	{ FIX "gb18030-fixed-debit.txt", "6217000000000000011      \xbb\xc6",
	  "621700000000000001      \xbb\xc6 ", GW_EINPUT,
	  "f.txt:1: field 3 (account_no, bytes 10-34): not valid GB18030 text" },
	{ FIX "gb18030-fixed-debit.txt", "T", "", GW_EINPUT,
	  "f.txt:5: field 1 is 'B', the layout wants \"T\"" },
};

START_TEST(test_bad_lines)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(strstr(bad_lines[_i].fixture, "gbk") ?
	    GBK_DESC : GB18030_DESC);
	size_t len;
	char *buf = mutate(bad_lines[_i].fixture, bad_lines[_i].from,
	    bad_lines[_i].to, &len);

	ck_assert_int_eq(read_mem(d, TEXTFMT_DEBIT, buf, len, NULL, NULL,
	    NULL, &e), bad_lines[_i].code);
	ck_assert_msg(strstr(e.msg, bad_lines[_i].want) != NULL,
	    "want '%s', got '%s'", bad_lines[_i].want, e.msg);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	free(buf);
	textfmt_free(d);
}
END_TEST

START_TEST(test_empty_and_truncated)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *gbk = load(GBK_DESC), *fixed = load(GB18030_DESC);
	size_t len;
	char *buf = slurp(FIX "gb18030-fixed-debit.txt", &len);

	ck_assert_int_eq(read_mem(gbk, TEXTFMT_DEBIT, "", 0, NULL, NULL, NULL,
	    &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt: empty file: no header line");
	gw_err_clear(&e);
	ck_assert_int_eq(read_mem(gbk, TEXTFMT_DEBIT, "\r\n  \r\n", 6, NULL,
	    NULL, NULL, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt: empty file: no header line");
	gw_err_clear(&e);
	/* Cut inside the last detail line: the trailer is gone. */
	ck_assert_int_eq(read_mem(fixed, TEXTFMT_DEBIT, buf, 181 * 3 + 100,
	    NULL, NULL, NULL, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt:4: 100 bytes; a debit trailer line has "
	    "67");
	gw_err_clear(&e);
	/* An empty fixed file has no trailer. */
	ck_assert_int_eq(read_mem(fixed, TEXTFMT_DEBIT, "\n", 1, NULL, NULL,
	    NULL, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "f.txt:1: no trailer line");
	free(buf);
	textfmt_free(gbk);
	textfmt_free(fixed);
}
END_TEST

START_TEST(test_limits)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *gbk = load(GBK_DESC);
	struct textfmt *small = load_str("[format]\nencoding = GBK\n"
	    "separator = |\namount_unit = fen\nmax_items = 3\n[debit]\n"
	    "header = count,total\nfields = ref,account_no,account_name,amount\n"
	    "[return]\nfields = ref,amount,result_code\nsuccess_codes = 0\n");
	const char four[] = "4|400\nA|1|a|100\nB|1|b|100\nC|1|c|100\nD|1|d|100\n";
	const char more[] = "3|300\nA|1|a|100\nB|1|b|100\nC|1|c|100\nD|1|d|100\n";
	const char decl[] = "9|900\nA|1|a|100\n";
	size_t n = 23 + TEXTFMT_MAX_LINE + 4, i;
	char *big = malloc(n + 64);

	ck_assert_int_eq(read_mem(small, TEXTFMT_DEBIT, four, sizeof(four) - 1,
	    NULL, NULL, NULL, &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "f.txt:1: header count: 4 is more than 3");
	gw_err_clear(&e);
	ck_assert_int_eq(read_mem(small, TEXTFMT_DEBIT, more, sizeof(more) - 1,
	    NULL, NULL, NULL, &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "f.txt:5: more than 3 items");
	gw_err_clear(&e);
	ck_assert_int_eq(read_mem(small, TEXTFMT_DEBIT, decl, sizeof(decl) - 1,
	    NULL, NULL, NULL, &e), GW_ELIMIT);
	gw_err_clear(&e);

	/* A line longer than the limit is refused before it is stored. */
	memcpy(big, "H|X|20250926|1|1|1.00|\n", 23);
	for (i = 23; i < n; i++)
		big[i] = '9';
	big[n] = '\n';
	ck_assert_int_eq(read_mem(gbk, TEXTFMT_DEBIT, big, n + 1, NULL, NULL,
	    NULL, &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "f.txt:2: line longer than 4096 bytes");
	gw_err_clear(&e);
	/* With no line end at all. */
	ck_assert_int_eq(read_mem(gbk, TEXTFMT_DEBIT, big + 23, n - 23, NULL,
	    NULL, NULL, &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "f.txt:1: line longer than 4096 bytes");
	free(big);
	textfmt_free(gbk);
	textfmt_free(small);
}
END_TEST

START_TEST(test_fixed_width_caps_items)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load_str("[format]\nencoding = GBK\nlayout = fixed\n"
	    "amount_unit = fen\n[debit]\nheader = count:4,total:9\n"
	    "fields = seq:3,account_no:5,account_name:6,amount:6\n[return]\n"
	    "fields = seq:3,amount:6,result_code:2\nsuccess_codes = 0\n");
	struct textfmt_batch b = batch("B1", 1000, 100000);
	struct textfmt_writer *w = NULL;

	/* seq:3 numbers at most 999 items: the layout, not a default, rules. */
	ck_assert_int_eq(textfmt_writer_new(&w, d, TEXTFMT_DEBIT, stdout, &b,
	    &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "test: 1000 items; the format takes 0..999");
	gw_err_clear(&e);
	ck_assert_int_eq(read_mem(d, TEXTFMT_DEBIT, "1000     100\n", 14, NULL,
	    NULL, NULL, &e), GW_ELIMIT);
	ck_assert_str_eq(e.msg, "f.txt:1: header count: 1000 is more than 999");
	textfmt_free(d);
}
END_TEST

static int
stop_at_two(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	int *n = arg;

	if (++*n == 2)
		return gw_err_set(e, GW_ENOTFOUND, "item %s: no such batch item",
		    it->ref);
	return 0;
}

START_TEST(test_callback_stops)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(GBK_DESC);
	int n = 0;

	ck_assert_int_eq(textfmt_read_returns(d, FIX "gbk-pipe-return.txt",
	    stop_at_two, &n, NULL, &e), GW_ENOTFOUND);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(e.msg, "item B20250926ICBC0001-000002: no such batch "
	    "item");
	textfmt_free(d);
}
END_TEST

/* ---- round trips ------------------------------------------------------------ */

static void
round_trip(const char *desc, enum textfmt_kind kind, int n)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = load(desc);
	struct textfmt_item *items = calloc((size_t)n, sizeof(*items));
	char (*names)[32] = calloc((size_t)n, 32), (*refs)[32] =
	    calloc((size_t)n, 32);
	static const char *const nm[] = { "张伟", "欧阳娜娜", "李秀英", "王喆" };
	static const char *const codes[] = { "0000", "1001", "000000", "E00051" };
	struct textfmt_batch b = batch("RT1", n, 0);
	struct textfmt_summary s;
	struct membuf m;
	struct got g;
	int i, fixed = strstr(desc, "fixed") != NULL;

	for (i = 0; i < n; i++) {
		items[i] = gbk_items[i % 6];
		items[i].seq = i + 1;
		snprintf(names[i], 32, "%s%d", nm[i % 4], i);
		snprintf(refs[i], 32, "RT1-%06d", i + 1);
		items[i].account_name = names[i];
		items[i].ref = refs[i];
		items[i].amount_fen = 100 + i * 37;
		items[i].result_code = codes[(fixed ? 2 : 0) + (i % 3 == 2)];
		items[i].result_text = i % 3 == 2 ? "余额不足" : "成功";
		b.total_fen += items[i].amount_fen;
		if (i % 3 == 2) {
			b.fail_count++;
			b.fail_total_fen += items[i].amount_fen;
		} else {
			b.ok_count++;
			b.ok_total_fen += items[i].amount_fen;
		}
	}
	ck_assert_msg(write_items(d, kind, &b, items, (size_t)n, &m, &e) == 0,
	    "%s", e.msg);
	memset(&g, 0, sizeof(g));
	ck_assert_msg(read_mem(d, kind, m.buf, m.len, n <= 16 ? collect : NULL,
	    &g, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(s.count, n);
	ck_assert_int_eq(s.total_fen, b.total_fen);
	ck_assert_str_eq(s.file_id, "RT1");
	if (kind == TEXTFMT_RETURN) {
		ck_assert_int_eq(s.ok_count, b.ok_count);
		ck_assert_int_eq(s.fail_total_fen, b.fail_total_fen);
	}
	for (i = 0; i < g.n; i++) {
		ck_assert_int_eq(g.seq[i], i + 1);
		ck_assert_str_eq(g.name[i], names[i]);
		ck_assert_str_eq(g.ref[i], refs[i]);
		if (kind == TEXTFMT_RETURN) {
			ck_assert_int_eq(g.accepted[i], i % 3 != 2);
			if (i % 3 == 2)
				ck_assert_str_eq(g.category[i],
				    "insufficient_funds");
		}
	}
	free(m.buf);
	free(items);
	free(names);
	free(refs);
	textfmt_free(d);
}

START_TEST(test_round_trip_gbk_debit)	{ round_trip(GBK_DESC, TEXTFMT_DEBIT, 12); }
END_TEST
START_TEST(test_round_trip_gbk_return)	{ round_trip(GBK_DESC, TEXTFMT_RETURN, 12); }
END_TEST
START_TEST(test_round_trip_fixed_debit)	{ round_trip(GB18030_DESC, TEXTFMT_DEBIT, 12); }
END_TEST
START_TEST(test_round_trip_fixed_return) { round_trip(GB18030_DESC, TEXTFMT_RETURN, 12); }
END_TEST
START_TEST(test_round_trip_many)	{ round_trip(GB18030_DESC, TEXTFMT_RETURN, 5000); }
END_TEST

static Suite *
textfmt_suite(void)
{
	Suite *s = suite_create("textfmt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shipped_load);
	tcase_add_test(tc, test_code_table);
	tcase_add_loop_test(tc, test_descriptor_errors, 0,
	    sizeof(bad_descs) / sizeof(bad_descs[0]));
	tcase_add_test(tc, test_descriptor_missing_file);
	tcase_add_test(tc, test_write_gbk_fixture);
	tcase_add_test(tc, test_write_gb18030_fixture);
	tcase_add_test(tc, test_read_gbk_return);
	tcase_add_test(tc, test_read_gb18030_return);
	tcase_add_test(tc, test_read_debit_fixtures);
	tcase_add_test(tc, test_detect);
	tcase_add_loop_test(tc, test_totals_mismatch_read, 0,
	    sizeof(total_cases) / sizeof(total_cases[0]));
	tcase_add_test(tc, test_totals_dropped_line);
	tcase_add_test(tc, test_totals_mismatch_write);
	tcase_add_test(tc, test_rare_name_held_on_gbk);
	tcase_add_test(tc, test_rare_name_substituted);
	tcase_add_test(tc, test_gbk_free_text_substituted_under_hold);
	tcase_add_loop_test(tc, test_unfit_items, 0,
	    sizeof(unfit) / sizeof(unfit[0]));
	tcase_add_test(tc, test_writer_sticky_seq);
	tcase_add_test(tc, test_writer_header_does_not_fit);
	tcase_add_test(tc, test_multichar_separator);
	tcase_add_test(tc, test_gbk_trail_byte_is_pipe);
	tcase_add_test(tc, test_utf8_layout_bom_and_lf);
	tcase_add_loop_test(tc, test_bad_lines, 0,
	    sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_empty_and_truncated);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_fixed_width_caps_items);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_round_trip_gbk_debit);
	tcase_add_test(tc, test_round_trip_gbk_return);
	tcase_add_test(tc, test_round_trip_fixed_debit);
	tcase_add_test(tc, test_round_trip_fixed_return);
	tcase_add_test(tc, test_round_trip_many);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(textfmt_suite)
