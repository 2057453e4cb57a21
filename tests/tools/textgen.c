/*
 * textgen.c - drive the bank text codec (formats/textfmt.h) from the shell,
 * for the end-to-end test and the benchmark.
 *
 *   textgen write DESC OUT N [--kind debit|return] [--rare K] [--long K]
 *                 [--codes C1,C2,...] [--file-id ID] [--date YYYY-MM-DD]
 *   textgen read DESC FILE [--kind debit|return|auto] [--print]
 *
 * write makes N deterministic items the way the batch code will: every
 * item is checked first, held-back items are listed on stderr ("held seq
 * N: why") and left out of the totals, then the file is written through
 * an atomic file. --rare K puts a CJK Extension B character into every
 * Kth name; --long K gives every Kth item a long memo. For return files,
 * --codes cycles the result codes (default: all "0000").
 * read validates a file and prints its summary; --print also prints each
 * item as one UTF-8 line: seq|ref|account_no|name|amount|payer_id|
 * mandate_id|result_code|result_text|accepted|category.
 * Both print "items/s" and the peak resident size to stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "common/strnum.h"
#include "common/text.h"
#include "formats/textfmt.h"

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄",
    "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林" };
static const char *given[] = { "伟", "芳", "娜", "秀英", "敏", "静", "丽",
    "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct gen {
	int64_t		 rare, longmemo;
	char		*codes[16];
	int		 ncodes;
	const char	*file_id;
	/* the current item's strings */
	char		 acct[32], name[64], payer[24], mandate[24], ref[64];
	char		 memo[128];
};

/* Item number i (0-based) of the batch; seq is filled by the caller. */
static void
make_item(struct gen *g, int64_t i, struct textfmt_item *it)
{
	memset(it, 0, sizeof(*it));
	snprintf(g->acct, sizeof(g->acct), "6222%015" PRId64, i + 1);
	snprintf(g->name, sizeof(g->name), "%s%s%s",
	    surnames[i % (int64_t)NELEM(surnames)],
	    (g->rare > 0 && i % g->rare == g->rare - 1) ? "\xf0\xa0\xae\xb7" :
	    "", given[(i / 3) % (int64_t)NELEM(given)]);
	snprintf(g->payer, sizeof(g->payer), "44010219900101%04" PRId64,
	    i % 10000);
	snprintf(g->mandate, sizeof(g->mandate), "M%010" PRId64, i + 1);
	snprintf(g->ref, sizeof(g->ref), "%s-%07" PRId64, g->file_id, i + 1);
	snprintf(g->memo, sizeof(g->memo), "%s",
	    (g->longmemo > 0 && i % g->longmemo == 0) ?
	    "2025年度城乡居民基本医疗保险费（个人缴费部分）" : "2025年度医保");
	it->account_no = g->acct;
	it->account_name = g->name;
	it->amount_fen = 38000 + (i % 7) * 1000;
	it->payer_id = g->payer;
	it->mandate_id = g->mandate;
	it->ref = g->ref;
	it->memo = g->memo;
	if (g->ncodes > 0) {
		it->result_code = g->codes[i % g->ncodes];
		it->result_text = strcmp(it->result_code, g->codes[0]) == 0 ?
		    "成功" : "失败";
	} else {
		it->result_code = "0000";
		it->result_text = "成功";
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, int64_t n, double secs)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "%s: %" PRId64 " items in %.2f s, %.0f items/s, "
	    "peak RSS %ld KiB\n", what, n, secs, secs > 0 ? (double)n / secs :
	    0.0, ru.ru_maxrss);
}

static int
parse_kind(const char *s, enum textfmt_kind *k, int *autok)
{
	*autok = 0;
	if (strcmp(s, "debit") == 0)
		*k = TEXTFMT_DEBIT;
	else if (strcmp(s, "return") == 0)
		*k = TEXTFMT_RETURN;
	else if (autok != NULL && strcmp(s, "auto") == 0)
		*autok = 1;
	else
		return -1;
	return 0;
}

static int
cmd_write(struct textfmt *d, int argc, char **argv, struct gw_err *e)
{
	struct textfmt_batch b;
	struct textfmt_writer *w = NULL;
	struct textfmt_item it;
	struct afile *af = NULL;
	struct gen g;
	enum textfmt_kind kind = TEXTFMT_DEBIT;
	const char *out = argv[0], *date = "2025-09-26";
	char why[256], *codes = NULL, *save = NULL, *tok;
	int64_t n, i, seq, held = 0, subst = 0;
	double t0;
	int rc, a, autok;

	memset(&g, 0, sizeof(g));
	g.file_id = "B20250926TEST0001";
	if (strnum_i64(&n, argv[1], 0, TEXTFMT_MAX_ITEMS, "N", e) != 0)
		return e->code;
	for (a = 2; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--kind") == 0) {
			if (parse_kind(argv[a + 1], &kind, &autok) != 0 || autok)
				return gw_err_set(e, GW_EUSAGE, "bad --kind");
		} else if (strcmp(argv[a], "--rare") == 0) {
			if (strnum_i64(&g.rare, argv[a + 1], 1, INT64_MAX,
			    "--rare", e) != 0)
				return e->code;
		} else if (strcmp(argv[a], "--long") == 0) {
			if (strnum_i64(&g.longmemo, argv[a + 1], 1, INT64_MAX,
			    "--long", e) != 0)
				return e->code;
		} else if (strcmp(argv[a], "--codes") == 0)
			codes = argv[a + 1];
		else if (strcmp(argv[a], "--file-id") == 0)
			g.file_id = argv[a + 1];
		else if (strcmp(argv[a], "--date") == 0)
			date = argv[a + 1];
		else
			return gw_err_set(e, GW_EUSAGE, "unknown option %s",
			    argv[a]);
	}
	if (a != argc)
		return gw_err_set(e, GW_EUSAGE, "option without a value");
	for (tok = codes ? strtok_r(codes, ",", &save) : NULL;
	    tok != NULL && g.ncodes < 16; tok = strtok_r(NULL, ",", &save))
		g.codes[g.ncodes++] = tok;

	/* Pass 1, as batch assembly does: check, list, total the rest. */
	memset(&b, 0, sizeof(b));
	b.file_id = g.file_id;
	b.creditor_account = "44001700000000000001";
	b.creditor_name = "国家税务总局中山市税务局";
	if (date_parse(&b.date, date, strlen(date), e) != 0)
		return e->code;
	t0 = now();
	for (i = 0, seq = 0; i < n; i++) {
		enum textfmt_fit fit;

		make_item(&g, i, &it);
		it.seq = seq + 1;
		fit = textfmt_item_check(d, kind, &it, why, sizeof(why));
		if (fit == TEXTFMT_HELD) {
			fprintf(stderr, "held item %" PRId64 " (%s %s): %s\n",
			    i + 1, it.account_no, it.account_name, why);
			held++;
			continue;
		}
		if (fit == TEXTFMT_SUBSTITUTED) {
			fprintf(stderr, "substituted item %" PRId64 ": %s\n",
			    i + 1, why);
			subst++;
		}
		seq++;
		b.count++;
		b.total_fen += it.amount_fen;
		if (kind == TEXTFMT_RETURN && strcmp(it.result_code,
		    g.ncodes ? g.codes[0] : "0000") == 0) {
			b.ok_count++;
			b.ok_total_fen += it.amount_fen;
		} else if (kind == TEXTFMT_RETURN) {
			b.fail_count++;
			b.fail_total_fen += it.amount_fen;
		}
	}

	/* Pass 2: write exactly the items that fit. */
	if ((rc = afile_open(&af, out, 0644, e)) != 0)
		return rc;
	if ((rc = textfmt_writer_new(&w, d, kind, afile_fp(af), &b, e)) != 0)
		goto done;
	for (i = 0, seq = 0; i < n; i++) {
		make_item(&g, i, &it);
		it.seq = seq + 1;
		rc = textfmt_write_item(w, &it, e);
		if (rc == TEXTFMT_HELD)
			continue;
		if (rc != 0)
			goto done;
		seq++;
	}
	rc = textfmt_writer_finish(w, e);
done:
	textfmt_writer_free(w);
	if (rc == 0)
		rc = afile_commit(af, 0, e);
	else
		afile_abort(af);
	if (rc == 0) {
		char tot[MONEY_BUFSZ];

		printf("wrote %" PRId64 " items, total %s, held %" PRId64
		    ", substituted %" PRId64 "\n", b.count,
		    money_format(tot, b.total_fen), held, subst);
		report("write", n, now() - t0);
	}
	return rc;
}

static int
print_item(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	char amt[MONEY_BUFSZ];

	(void)arg;
	(void)e;
	printf("%" PRId64 "|%s|%s|%s|%s|%s|%s|%s|%s|%d|%s\n", it->seq, it->ref,
	    it->account_no, it->account_name, money_format(amt,
	    it->amount_fen), it->payer_id, it->mandate_id, it->result_code,
	    it->result_text, it->accepted, it->category ? it->category : "");
	return 0;
}

static int
cmd_read(struct textfmt *d, int argc, char **argv, struct gw_err *e)
{
	struct textfmt_summary s;
	enum textfmt_kind kind = TEXTFMT_DEBIT;
	char date[DATE_BUFSZ] = "-", t[MONEY_BUFSZ], ok[MONEY_BUFSZ],
	    bad[MONEY_BUFSZ];
	int a, autok = 1, print = 0, rc;
	double t0;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--print") == 0)
			print = 1;
		else if (strcmp(argv[a], "--kind") == 0 && a + 1 < argc) {
			if (parse_kind(argv[++a], &kind, &autok) != 0)
				return gw_err_set(e, GW_EUSAGE, "bad --kind");
		} else
			return gw_err_set(e, GW_EUSAGE, "unknown option %s",
			    argv[a]);
	}
	t0 = now();
	if (autok && !print)
		rc = textfmt_detect(d, argv[0], &kind, &s, e);
	else {
		if (autok && (rc = textfmt_detect(d, argv[0], &kind, NULL, e))
		    != 0)
			return rc;
		rc = kind == TEXTFMT_RETURN ?
		    textfmt_read_returns(d, argv[0], print ? print_item : NULL,
		    NULL, &s, e) :
		    textfmt_read_debits(d, argv[0], print ? print_item : NULL,
		    NULL, &s, e);
	}
	if (rc != 0)
		return rc;
	if (s.has_date)
		date_format(date, s.date);
	printf("%s %s file: %" PRId64 " items, total %s, file_id %s, date %s",
	    textfmt_name(d), textfmt_kind_name(kind), s.count,
	    money_format(t, s.total_fen), *s.file_id ? s.file_id : "-", date);
	if (kind == TEXTFMT_RETURN)
		printf(", accepted %" PRId64 " (%s), rejected %" PRId64 " (%s)",
		    s.ok_count, money_format(ok, s.ok_total_fen), s.fail_count,
		    money_format(bad, s.fail_total_fen));
	printf("\n");
	report("read", s.count, now() - t0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = NULL;
	int rc;

	if (argc < 4 || (strcmp(argv[1], "write") == 0 && argc < 5) ||
	    (strcmp(argv[1], "write") != 0 && strcmp(argv[1], "read") != 0)) {
		fprintf(stderr, "usage: textgen write DESC OUT N [options]\n"
		    "       textgen read DESC FILE [--kind K] [--print]\n");
		return 2;
	}
	if ((rc = textfmt_load(&d, argv[2], &e)) == 0)
		rc = strcmp(argv[1], "write") == 0 ?
		    cmd_write(d, argc - 3, argv + 3, &e) :
		    cmd_read(d, argc - 3, argv + 3, &e);
	if (rc != 0)
		fprintf(stderr, "textgen: %s\n", e.msg);
	textfmt_free(d);
	text_cleanup();
	return rc == 0 ? 0 : gw_err_exit_status(rc);
}
