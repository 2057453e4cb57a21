/*
 * fmtgen.c - ISO 20022 files for tests and benchmarks, written through
 * the real writers (formats/pain008.h, formats/mndtmsg.h), plus bank
 * status reports to read back.
 *
 *   fmtgen pain008 N [--version V] [--pmtinf K] [--out FILE]
 *   fmtgen pain009 N [--version V] [--out FILE]
 *   fmtgen pain011 N [--version V] [--out FILE]
 *   fmtgen pain002 N [--version V] [--out FILE]
 *   fmtgen read FILE [--bank B]
 *
 * Items are deterministic. Debtor names are Chinese; every 7th holds
 * each of & < > " ' (so escaping is exercised) and every 97th a CJK
 * Extension B character. Agents alternate between a BIC and a 12-digit
 * CNAPS code. A pain.002 for N items (the bank's answer to the pain.008
 * of the same N) rejects every 10th item with AM04, AC01, AC04, AC06,
 * MD01 or MS02 in turn and accepts the rest. `read` parses a status
 * report with formats/iso_read.h, or one of our own messages (pain.008,
 * pain.009, pain.011) with the readers that take them back, and prints
 * the counts.
 *
 * Each command prints "N items in S s (R items/s)" on stderr, timing
 * only the writing or reading, not the start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "common/strnum.h"
#include "formats/iso_read.h"
#include "formats/mndt_read.h"
#include "formats/mndtmsg.h"
#include "formats/pain008.h"
#include "formats/pain008_read.h"
#include "formats/reason.h"
#include "formats/xmlout.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄",
    "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林" };
static const char *given[] = { "伟", "芳", "娜", "秀", "英", "敏", "静", "丽",
    "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞" };
static const char *reject_codes[] = { "AM04", "AC01", "AC04", "AC06", "MD01",
    "MS02" };

static const char creditor_name[] = "国家税务总局中山市税务局";
static const char creditor_id[] = "11440000MB2C50126Q";
static const char creditor_account[] = "44001700000000000001";
static const char msg_id[] = "B20240126000001";

struct opts {
	int64_t		 n;
	int64_t		 pmtinf;
	enum iso_msg	 version;
	const char	*out;
	const char	*bank;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, int64_t n, double t0)
{
	double dt = now_s() - t0;

	fprintf(stderr, "%s: %lld items in %.3f s (%.0f items/s)\n", what,
	    (long long)n, dt, dt > 0 ? (double)n / dt : 0.0);
}

static void
name_of(char *out, size_t cap, int64_t i)
{
	unsigned long long k = (unsigned long long)i * 2654435761u;

	snprintf(out, cap, "%s%s%s%s", surnames[k % NELEM(surnames)],
	    given[(k / 31) % NELEM(given)], given[(k / 977) % NELEM(given)],
	    i % 7 == 3 ? "&<>\"'" : i % 97 == 5 ? "\xF0\xA0\x80\x80" : "");
}

static const char *
agent_of(int64_t i)
{
	return i % 2 ? "102581000013" : "ICBKCNBJGDG";
}

static int64_t
amount_of(int64_t i)
{
	return 38000 + (i % 5) * 1001;
}

static void
e2e_of(char *out, size_t cap, int64_t i)
{
	snprintf(out, cap, "%s-%09u", msg_id, (unsigned)(i + 1) % 1000000000u);
}

/* Items of PmtInf p when n items are split over k: [first, first+count). */
static void
split(int64_t n, int64_t k, int64_t p, int64_t *first, int64_t *count)
{
	*first = n * p / k;
	*count = n * (p + 1) / k - *first;
}

static int
open_out(struct afile **af, FILE **fp, const char *path, struct gw_err *e)
{
	*af = NULL;
	*fp = stdout;
	if (path == NULL)
		return 0;
	if (afile_open(af, path, 0644, e) != 0)
		return e->code;
	*fp = afile_fp(*af);
	return 0;
}

static int
close_out(struct afile *af, int rc, struct gw_err *e)
{
	if (af == NULL)
		return rc;
	if (rc != 0) {
		afile_abort(af);
		return rc;
	}
	return afile_commit(af, 0, e);
}

static int
gen_pain008(const struct opts *o, struct gw_err *e)
{
	struct pain008_writer *w = NULL;
	struct pain008_group g;
	struct afile *af;
	FILE *fp;
	int64_t i, p, sum = 0;
	int rc, base = date_from_ymd(2024, 1, 26);
	double t0;

	for (i = 0; i < o->n; i++)
		sum += amount_of(i);
	g.msg_id = msg_id;
	g.created = 1706200000;
	g.initiator_name = creditor_name;
	g.initiator_id = creditor_id;
	g.nb_of_txs = o->n;
	g.ctrl_sum_fen = sum;
	if (open_out(&af, &fp, o->out, e) != 0)
		return e->code;
	t0 = now_s();
	rc = pain008_writer_new(&w, fp, o->version, &g, e);
	for (p = 0; rc == 0 && p < o->pmtinf; p++) {
		struct pain008_pmtinf pi;
		char pid[36];
		int64_t first, count, psum = 0;

		split(o->n, o->pmtinf, p, &first, &count);
		for (i = first; i < first + count; i++)
			psum += amount_of(i);
		snprintf(pid, sizeof(pid), "%s-P%03u", msg_id,
		    (unsigned)(p + 1) % 1000u);
		pi.pmtinf_id = pid;
		pi.collection_date = base + (int)p;
		pi.creditor_name = creditor_name;
		pi.creditor_account = creditor_account;
		pi.creditor_agent = "ICBKCNBJGDG";
		pi.creditor_scheme_id = creditor_id;
		pi.nb_of_txs = count;
		pi.ctrl_sum_fen = psum;
		rc = pain008_begin_pmtinf(w, &pi, e);
		for (i = first; rc == 0 && i < first + count; i++) {
			struct pain008_item it;
			char e2e[36], mid[24], name[64], acct[24], rmt[64];

			e2e_of(e2e, sizeof(e2e), i);
			snprintf(mid, sizeof(mid), "M%010lld",
			    (long long)i + 1);
			name_of(name, sizeof(name), i);
			snprintf(acct, sizeof(acct), "6222%015lld",
			    (long long)i);
			snprintf(rmt, sizeof(rmt), "44200019900101%04lld 2024",
			    (long long)(i % 10000));
			memset(&it, 0, sizeof(it));
			it.end_to_end_id = e2e;
			it.amount_fen = amount_of(i);
			it.mandate_id = mid;
			it.signed_on = date_from_ymd(2020, 1 + (int)(i % 12),
			    1);
			it.debtor_agent = agent_of(i);
			it.debtor_name = name;
			it.debtor_account = acct;
			it.ultimate_debtor_name = i % 11 == 0 ? "中山市某村民委员会"
			    : NULL;
			it.remittance = rmt;
			rc = pain008_add(w, &it, e);
		}
		if (rc == 0)
			rc = pain008_end_pmtinf(w, e);
	}
	if (rc == 0)
		rc = pain008_writer_finish(w, e);
	pain008_writer_free(w);
	if (rc == 0)
		report(iso_msg_name(o->version), o->n, t0);
	return close_out(af, rc, e);
}

static int
gen_mandates(const struct opts *o, struct gw_err *e)
{
	struct mndt_writer *w = NULL;
	struct mndt_group g;
	struct afile *af;
	FILE *fp;
	int64_t i;
	int rc;
	double t0;

	g.msg_id = "MR2024012600001";
	g.created = 1706200000;
	g.initiator_name = creditor_name;
	g.initiator_id = creditor_id;
	g.count = o->n;
	if (open_out(&af, &fp, o->out, e) != 0)
		return e->code;
	t0 = now_s();
	rc = mndt_writer_new(&w, fp, o->version, &g, e);
	for (i = 0; rc == 0 && i < o->n; i++) {
		char mid[24], req[36], name[64], acct[24], pid[24];

		snprintf(mid, sizeof(mid), "M%010lld", (long long)i + 1);
		snprintf(req, sizeof(req), "%s-1", mid);
		name_of(name, sizeof(name), i);
		snprintf(acct, sizeof(acct), "6222%015lld", (long long)i);
		snprintf(pid, sizeof(pid), "4420001990010%05lld",
		    (long long)(i % 100000));
		if (iso_msg_family(o->version) == ISO_FAM_MANDATE_REQ) {
			struct mndt_request m;

			memset(&m, 0, sizeof(m));
			m.mandate_id = mid;
			m.request_id = req;
			m.signed_on = i % 3 ? date_from_ymd(2021, 3, 1) : -1;
			m.max_amount_fen = i % 2 ? 100000 : 0;
			m.creditor_name = creditor_name;
			m.creditor_id = creditor_id;
			m.creditor_account = creditor_account;
			m.creditor_agent = "ICBKCNBJGDG";
			m.creditor_scheme_id = creditor_id;
			m.debtor_name = name;
			m.debtor_id = i % 11 ? pid : "51442000MJ0000001A";
			m.debtor_is_org = i % 11 == 0;
			m.debtor_account = acct;
			m.debtor_agent = agent_of(i);
			if (i % 11 == 0) {
				m.ultimate_debtor_name = "李明";
				m.ultimate_debtor_id = pid;
			}
			rc = mndt_add_request(w, &m, e);
		} else {
			struct mndt_cancel c;

			memset(&c, 0, sizeof(c));
			c.mandate_id = mid;
			c.orig_msg_id = i % 2 ? "MR2023120100001" : NULL;
			if (i % 3)
				c.reason_code = "MD16";
			else
				c.reason_prtry = "缴费人申请撤销";
			c.text = i % 5 == 0 ? "参保人迁出 & <本市>" : NULL;
			rc = mndt_add_cancel(w, &c, e);
		}
	}
	if (rc == 0)
		rc = mndt_writer_finish(w, e);
	mndt_writer_free(w);
	if (rc == 0)
		report(iso_msg_name(o->version), o->n, t0);
	return close_out(af, rc, e);
}

/* The bank's answer to `fmtgen pain008 N`: one OrgnlPmtInfAndSts. */
static int
gen_pain002(const struct opts *o, struct gw_err *e)
{
	struct xo *x;
	struct afile *af;
	FILE *fp;
	int64_t i, sum = 0;
	char buf[64];
	double t0;
	int rc = 0;

	if ((x = malloc(sizeof(*x))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (open_out(&af, &fp, o->out, e) != 0) {
		free(x);
		return e->code;
	}
	for (i = 0; i < o->n; i++)
		sum += amount_of(i);
	t0 = now_s();
	xo_init(x, fp);
	xo_document(x, o->version);
	xo_open(x, "GrpHdr");
	xo_leaf(x, "MsgId", "ICBC-STS-20240127-0001");
	xo_leaf(x, "CreDtTm", "2024-01-27T08:00:00+08:00");
	xo_close(x, "GrpHdr");
	xo_open(x, "OrgnlGrpInfAndSts");
	xo_leaf(x, "OrgnlMsgId", msg_id);
	xo_leaf(x, "OrgnlMsgNmId", "pain.008.001.08");
	snprintf(buf, sizeof(buf), "%lld", (long long)o->n);
	xo_leaf(x, "OrgnlNbOfTxs", buf);
	xo_leaf(x, "OrgnlCtrlSum", money_format(buf, sum));
	xo_leaf(x, "GrpSts", "PART");
	xo_close(x, "OrgnlGrpInfAndSts");
	xo_open(x, "OrgnlPmtInfAndSts");
	snprintf(buf, sizeof(buf), "%s-P001", msg_id);
	xo_leaf(x, "OrgnlPmtInfId", buf);
	xo_leaf(x, "PmtInfSts", "PART");
	for (i = 0; i < o->n; i++) {
		xo_open(x, "TxInfAndSts");
		e2e_of(buf, sizeof(buf), i);
		xo_leaf(x, "OrgnlEndToEndId", buf);
		if (i % 10 == 9) {
			xo_leaf(x, "TxSts", "RJCT");
			xo_open(x, "StsRsnInf");
			xo_open(x, "Rsn");
			xo_leaf(x, "Cd", reject_codes[(i / 10) %
			    NELEM(reject_codes)]);
			xo_close(x, "Rsn");
			xo_leaf(x, "AddtlInf", "扣款失败");
			xo_close(x, "StsRsnInf");
		} else
			xo_leaf(x, "TxSts", "ACSC");
		xo_open(x, "OrgnlTxRef");
		xo_open(x, "Amt");
		xo_amount(x, "InstdAmt", amount_of(i));
		xo_close(x, "Amt");
		xo_close(x, "OrgnlTxRef");
		xo_close(x, "TxInfAndSts");
	}
	xo_close(x, "OrgnlPmtInfAndSts");
	xo_end_document(x);
	if (xo_flush(x) != 0)
		rc = gw_err_set(e, GW_EIO, "write failed");
	free(x);
	if (rc == 0)
		report(iso_msg_name(o->version), o->n, t0);
	return close_out(af, rc, e);
}

struct counts {
	int64_t	n, acc, rej, pend, scoped;
};

static int
count_item(void *arg, const struct iso_item *it)
{
	struct counts *c = arg;

	if (it->scope != ISO_SCOPE_ITEM) {
		c->scoped++;
		return 0;
	}
	c->n++;
	if (it->status == ISO_ST_ACCEPTED)
		c->acc++;
	else if (it->status == ISO_ST_REJECTED)
		c->rej++;
	else
		c->pend++;
	return 0;
}

static int
count_debit(void *arg, const struct pain008_read_item *it)
{
	int64_t *n = arg;

	(void)it;
	(*n)++;
	return 0;
}

static int
count_mandate(void *arg, const struct mndt_read_item *it)
{
	int64_t *n = arg;

	(void)it;
	(*n)++;
	return 0;
}

/* Our own messages, read back by the readers the bank simulator uses. */
static int
read_ours(const char *path, enum iso_msg type, struct gw_err *e)
{
	int64_t n = 0;
	double t0 = now_s();
	int rc = iso_msg_family(type) == ISO_FAM_DEBIT ?
	    pain008_read_file(path, NULL, count_debit, &n, NULL, e) :
	    mndt_read_file(path, NULL, count_mandate, &n, NULL, e);

	if (rc != 0)
		return rc;
	report(iso_msg_name(type), n, t0);
	printf("%s: %lld items\n", iso_msg_name(type), (long long)n);
	return 0;
}

static int
read_file(const char *path, const struct opts *o, struct gw_err *e)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct iso_read_opts ro;
	struct iso_summary sum;
	struct counts c;
	enum iso_msg type;
	double t0;

	if (iso_detect(path, &lim, &type, e) != 0)
		return e->code;
	if (!iso_msg_is_inbound(type))
		return read_ours(path, type, e);
	memset(&c, 0, sizeof(c));
	iso_read_opts_init(&ro);
	ro.bank = o->bank;
	t0 = now_s();
	if (iso_read_file(path, &ro, count_item, &c, &sum, e) != 0)
		return e->code;
	report(iso_msg_name(sum.type), c.n, t0);
	printf("%s: %lld items, %lld accepted, %lld rejected, %lld pending, "
	    "%lld group or payment-level statuses\n", iso_msg_name(sum.type),
	    (long long)c.n, (long long)c.acc, (long long)c.rej,
	    (long long)c.pend, (long long)c.scoped);
	return 0;
}

static int
parse_opts(struct opts *o, int argc, char **argv, enum iso_msg def,
    const char **file, struct gw_err *e)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->version = def;
	o->pmtinf = 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0 && i + 1 < argc) {
			if (iso_msg_parse(&o->version, argv[++i], e) != 0)
				return e->code;
		} else if (strcmp(argv[i], "--pmtinf") == 0 && i + 1 < argc) {
			if (strnum_i64(&o->pmtinf, argv[++i], 1, 1000,
			    "--pmtinf", e) != 0)
				return e->code;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			o->out = argv[++i];
		else if (strcmp(argv[i], "--bank") == 0 && i + 1 < argc)
			o->bank = argv[++i];
		else if (file != NULL && *file == NULL)
			*file = argv[i];
		else if (strnum_i64(&o->n, argv[i], 1, 100000000, "N", e) != 0)
			return e->code;
	}
	if (file == NULL && o->n == 0)
		return gw_err_set(e, GW_EUSAGE, "missing N");
	if (file != NULL && *file == NULL)
		return gw_err_set(e, GW_EUSAGE, "missing FILE");
	if (o->pmtinf > o->n && file == NULL)
		o->pmtinf = o->n;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*cmd;
		enum iso_msg	 def;
		int		(*fn)(const struct opts *, struct gw_err *);
	} cmds[] = {
		{ "pain008", ISO_PAIN008_08, gen_pain008 },
		{ "pain009", ISO_PAIN009_08, gen_mandates },
		{ "pain011", ISO_PAIN011_08, gen_mandates },
		{ "pain002", ISO_PAIN002_03, gen_pain002 },
	};
	struct gw_err e = GW_ERR_INIT;
	struct opts o;
	size_t i;
	int rc = GW_EUSAGE;

	if (argc >= 2 && strcmp(argv[1], "read") == 0) {
		const char *file = NULL;

		if (parse_opts(&o, argc - 2, argv + 2, ISO_MSG_UNKNOWN, &file,
		    &e) == 0)
			rc = read_file(file, &o, &e);
	} else
		for (i = 0; argc >= 2 && i < NELEM(cmds); i++)
			if (strcmp(argv[1], cmds[i].cmd) == 0) {
				if (parse_opts(&o, argc - 2, argv + 2,
				    cmds[i].def, NULL, &e) == 0)
					rc = cmds[i].fn(&o, &e);
				break;
			}
	if (rc == GW_EUSAGE && e.code == 0) {
		fprintf(stderr, "usage: fmtgen pain008|pain009|pain011|pain002 "
		    "N [--version V] [--pmtinf K] [--out FILE]\n"
		    "       fmtgen read FILE [--bank B]\n");
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "fmtgen: %s\n", e.msg);
		return gw_err_exit_status(rc);
	}
	return 0;
}
