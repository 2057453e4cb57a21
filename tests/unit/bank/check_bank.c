/*
 * Unit tests: the bank simulator's parts (tests/bank/) - its decisions
 * for every account state and their order, the accounts fixture, the
 * journal (torn records, control bytes), the ledger rebuilt from the
 * journal (balances, debited EndToEndIds, outcomes replayed after a
 * crash, a second debit counted), placing answers after a crash at each
 * step, and the pain.002 / pain.012 / text answers checked against the
 * official schemas and the product's own readers.
 */
#include "tests/unit/testutil.h"

#include <sys/stat.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "formats/iso_read.h"
#include "tests/bank/bank.h"

/* ---- decisions ----------------------------------------------------------- */

static const struct {
	enum acct_status st;
	int64_t		 balance;
	const char	*name;		/* of the item; the holder is 张伟 */
	enum mandate_state mandate;
	enum mandate_mode mode;
	int		 no_account;
	enum outcome	 want;
} decisions[] = {
	{ ACCT_OK, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_OK },
	{ ACCT_OK, 999, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_FUNDS },
	{ ACCT_OK, 0, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_FUNDS },
	{ ACCT_OK, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 1, OUT_UNKNOWN },
	{ ACCT_CLOSED, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_CLOSED },
	{ ACCT_FROZEN, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_FROZEN },
	{ ACCT_ABNORMAL, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 0,
	  OUT_ABNORMAL },
	{ ACCT_LOST, 1000, "张伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_LOST },
	{ ACCT_OK, 1000, "张伟伟", MS_UNKNOWN, MANDATES_OFF, 0, OUT_NAME },
	{ ACCT_OK, 1000, "", MS_UNKNOWN, MANDATES_OFF, 0, OUT_OK },
	/* the first reason that applies wins */
	{ ACCT_CLOSED, 0, "李四", MS_REJECTED, MANDATES_STRICT, 0,
	  OUT_CLOSED },
	{ ACCT_FROZEN, 0, "李四", MS_UNKNOWN, MANDATES_OFF, 0, OUT_FROZEN },
	{ ACCT_OK, 0, "李四", MS_REJECTED, MANDATES_STRICT, 0, OUT_NAME },
	{ ACCT_OK, 0, "张伟", MS_REJECTED, MANDATES_REJECTED, 0,
	  OUT_MANDATE },
	/* mandates, by mode */
	{ ACCT_OK, 1000, "张伟", MS_UNKNOWN, MANDATES_STRICT, 0, OUT_MANDATE },
	{ ACCT_OK, 1000, "张伟", MS_ACCEPTED, MANDATES_STRICT, 0, OUT_OK },
	{ ACCT_OK, 1000, "张伟", MS_CANCELLED, MANDATES_STRICT, 0,
	  OUT_MANDATE },
	{ ACCT_OK, 1000, "张伟", MS_UNKNOWN, MANDATES_REJECTED, 0, OUT_OK },
	{ ACCT_OK, 1000, "张伟", MS_CANCELLED, MANDATES_REJECTED, 0,
	  OUT_MANDATE },
	{ ACCT_OK, 1000, "张伟", MS_REJECTED, MANDATES_OFF, 0, OUT_OK },
};

START_TEST(test_decide)
{
	struct account a = { "6222000000000000018", "张伟",
	    decisions[_i].balance, decisions[_i].st };
	struct debit_ask ask = { "6222000000000000018", decisions[_i].name,
	    1000, decisions[_i].mandate };
	enum outcome got = decide_debit(decisions[_i].no_account ? NULL : &a,
	    &ask, decisions[_i].mode);

	ck_assert_msg(got == decisions[_i].want, "row %d: %s, want %s", _i,
	    outcomes[got].name, outcomes[decisions[_i].want].name);
}
END_TEST

START_TEST(test_outcome_table)
{
	int i;

	for (i = 0; i < OUT_N; i++) {
		ck_assert_int_eq(outcome_parse(outcomes[i].name), i);
		ck_assert_int_eq(strlen(outcomes[i].iso), i == OUT_OK ? 0 : 4);
		ck_assert((outcomes[i].category == NULL) == (i == OUT_OK));
	}
	ck_assert_int_eq(outcome_parse("nonesuch"), -1);
	ck_assert_str_eq(outcomes[OUT_FUNDS].iso, "AM04");
	ck_assert_str_eq(outcomes[OUT_UNKNOWN].iso, "AC01");
	ck_assert_str_eq(outcomes[OUT_CLOSED].iso, "AC04");
	ck_assert_str_eq(outcomes[OUT_FROZEN].iso, "AC06");
	ck_assert_str_eq(outcomes[OUT_LOST].iso, "AG01");
	ck_assert_str_eq(outcomes[OUT_NAME].iso, "BE01");
	ck_assert_str_eq(outcomes[OUT_MANDATE].iso, "MD01");
}
END_TEST

/* ---- accounts ------------------------------------------------------------ */

START_TEST(test_accounts_load)
{
	struct gw_err e = GW_ERR_INIT;
	struct accounts *a = NULL;
	char *dir = tu_tmpdir(), *p = tu_write(dir, "acc.csv",
	    "account_no,name,balance,status\r\n"
	    "6222000000000000018,张伟,1000.00,ok\r\n"
	    "6222000000000000026,\"王, 芳\",0,frozen\r\n"
	    "4400170000000000001,某村委会,12.5,closed\r\n");
	struct account *x;

	ck_assert_msg(accounts_load(&a, p, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(accounts_count(a), 3);
	x = accounts_find(a, "6222000000000000026");
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->name, "王, 芳");
	ck_assert_int_eq(x->status, ACCT_FROZEN);
	ck_assert_int_eq(accounts_find(a, "4400170000000000001")->balance_fen,
	    1250);
	ck_assert_ptr_null(accounts_find(a, "6222"));
	ck_assert_ptr_eq(accounts_at(a, 0), accounts_find(a,
	    "6222000000000000018"));
	accounts_free(a);
	free(p);
	/* status is optional: ok */
	p = tu_write(dir, "acc2.csv", "name,account_no,balance\n李,1,3\n");
	ck_assert_msg(accounts_load(&a, p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(accounts_find(a, "1")->status, ACCT_OK);
	accounts_free(a);
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

static const struct {
	const char	*rows, *why;
} bad_fixtures[] = {
	{ "1,a,1.00,ok\n1,b,2.00,ok\n", "acc.csv:3: account 1 is listed "
	  "twice" },
	{ "1,a,1.00,asleep\n", "acc.csv:2: status 'asleep'" },
	{ "1,a,-1.00,ok\n", "acc.csv:2: balance of 1" },
	{ "1,a,1.001,ok\n", "acc.csv:2: balance of 1" },
	{ "1 2,a,1,ok\n", "acc.csv:2: account_no '1 2'" },
	{ "1,,1,ok\n", "acc.csv:2: name of 1" },
	{ "1,\"a\x01\",1,ok\n", "acc.csv:2: name of 1" },
};

START_TEST(test_accounts_refused)
{
	struct gw_err e = GW_ERR_INIT;
	struct accounts *a = NULL;
	char *dir = tu_tmpdir(), text[256], *p;

	snprintf(text, sizeof(text), "account_no,name,balance,status\n%s",
	    bad_fixtures[_i].rows);
	p = tu_write(dir, "acc.csv", text);
	ck_assert_int_eq(accounts_load(&a, p, &e), GW_EINPUT);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(e.msg, bad_fixtures[_i].why) != NULL,
	    "'%s' lacks '%s'", e.msg, bad_fixtures[_i].why);
	free(p);
	p = tu_write(dir, "nohdr.csv", "account_no,balance\n1,2\n");
	gw_err_clear(&e);
	ck_assert_int_eq(accounts_load(&a, p, &e), GW_EINPUT);
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

/* ---- journal ------------------------------------------------------------- */

struct recs {
	int	n;
	char	last[256];
};

static int
count_rec(void *arg, char *const *f, size_t n, struct gw_err *e)
{
	struct recs *r = arg;
	size_t i, len = 0;

	(void)e;
	r->n++;
	r->last[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(r->last + len, sizeof(r->last) - len,
		    "%s%s", i ? "|" : "", f[i]);
	return 0;
}

START_TEST(test_journal)
{
	struct gw_err e = GW_ERR_INIT;
	struct journal *j;
	struct recs r = { 0, "" };
	char *dir = tu_tmpdir(), *p = tu_path(dir, "journal");
	const char *a[] = { "I", "k", "1" }, *b[] = { "R", "k" };
	const char *bad[] = { "I", "tab\there" };
	struct stat st;
	FILE *fp;

	ck_assert_int_eq(journal_open(&j, p, 0, count_rec, &r, &e), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(journal_add(j, a, 3, &e), 0);
	ck_assert_int_eq(journal_add(j, b, 2, &e), 0);
	ck_assert_int_eq(journal_add(j, bad, 2, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(journal_sync(j, &e), 0);
	journal_close(j);
	/* A crash in the middle of an append leaves a torn line. */
	fp = fopen(p, "a");
	fputs("I\tk\t2\tpart", fp);
	fclose(fp);
	/* A report beside a running bank only reads: the tail stays. */
	ck_assert_int_eq(journal_open(&j, p, 1, count_rec, &r, &e), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(journal_add(j, a, 3, &e), 0);
	ck_assert_int_ne(journal_sync(j, &e), 0);
	gw_err_clear(&e);
	journal_close(j);
	ck_assert(stat(p, &st) == 0 && st.st_size == 20);
	r.n = 0;
	ck_assert_int_eq(journal_open(&j, p, 0, count_rec, &r, &e), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.last, "R|k");
	ck_assert_int_eq(journal_add(j, a, 3, &e), 0);
	ck_assert_int_eq(journal_sync(j, &e), 0);
	journal_close(j);
	r.n = 0;
	ck_assert_int_eq(journal_open(&j, p, 0, count_rec, &r, &e), 0);
	ck_assert_int_eq(r.n, 3);	/* the torn one is gone */
	ck_assert_str_eq(r.last, "I|k|1");
	journal_close(j);
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

/* ---- ledger -------------------------------------------------------------- */

struct fixture {
	char		*dir, *state;
	struct accounts	*acc;
};

static void
fx_open(struct fixture *f, const char *journal)
{
	struct gw_err e = GW_ERR_INIT;
	char *p;

	f->dir = tu_tmpdir();
	f->state = tu_path(f->dir, "state");
	ck_assert_int_eq(mkdir(f->state, 0700), 0);
	p = tu_write(f->dir, "acc.csv", "account_no,name,balance,status\n"
	    "A1,张伟,100.00,ok\nA2,王芳,5.00,ok\n");
	ck_assert_int_eq(accounts_load(&f->acc, p, &e), 0);
	free(p);
	if (journal) {
		p = tu_write(f->state, "journal", journal);
		free(p);
	}
}

static void
fx_close(struct fixture *f)
{
	accounts_free(f->acc);
	free(f->state);
	tu_tmpdir_free(f->dir);
}

START_TEST(test_ledger_rebuilds)
{
	struct fixture f;
	struct ledger *l;
	struct gw_err e = GW_ERR_INIT;
	const struct ledger_counts *c;
	enum outcome out;
	int64_t mt;

	fx_open(&f,
	    "I\tb1@x\t1\tE1\tA1\t3000\tok\n"
	    "I\tb1@x\t2\tE2\tA2\t3000\tfunds\n"
	    "F\tb1@x\tb1\tdebit\tok\t77\n"
	    "P\tb1@x\tRET-b1\t0\n"
	    "R\tb1@x\n"
	    "I\tb2@y\t1\tE3\tA1\t1000\tok\n"
	    "I\tb2@y\t2\tE1\tA1\t3000\tduplicate\n"
	    "M\tm1@z\tM1\tA1\taccepted\t-\n"
	    "M\tm1@z\tM2\tA9\trejected\tAC01\n"
	    "X\tb1@x\tb1\t99\n");
	ck_assert_msg(ledger_open(&l, f.state, f.acc, 0, &e) == 0, "%s", e.msg);
	c = ledger_counts(l);
	ck_assert_int_eq(c->items, 4);
	ck_assert_int_eq(c->debited, 2);
	ck_assert_int_eq(c->debited_fen, 4000);
	ck_assert_int_eq(c->failed, 1);
	ck_assert_int_eq(c->repeated, 1);
	ck_assert_int_eq(c->double_debits, 0);
	ck_assert_int_eq(c->files, 1);
	ck_assert_int_eq(c->files_again, 1);
	ck_assert_int_eq(c->returns, 1);
	ck_assert_int_eq(c->mandates_accepted, 1);
	ck_assert_int_eq(c->mandates_rejected, 1);
	/* balances: the fixture's, less what the journal debited */
	ck_assert_int_eq(accounts_find(f.acc, "A1")->balance_fen, 6000);
	ck_assert_int_eq(accounts_find(f.acc, "A2")->balance_fen, 500);
	ck_assert(ledger_debited(l, "E1"));
	ck_assert(ledger_debited(l, "E3"));
	ck_assert(!ledger_debited(l, "E2"));
	ck_assert_int_eq(ledger_file(l, "b1@x", &mt), FS_DONE);
	ck_assert_int_eq(mt, 99);		/* from the X record */
	ck_assert_int_eq(ledger_file(l, "b2@y", NULL), FS_NEW);
	ck_assert_int_eq(ledger_file(l, "none@q", NULL), FS_NEW);
	/* b2 was cut short: its outcomes come back; b1's are forgotten */
	ck_assert(ledger_replay(l, "b2@y", 2, &out));
	ck_assert_int_eq(out, OUT_DUPLICATE);
	ck_assert(!ledger_replay(l, "b2@y", 3, &out));
	ck_assert(!ledger_replay(l, "b1@x", 1, &out));
	ck_assert_int_eq(ledger_mandate(l, "M1"), MS_ACCEPTED);
	ck_assert_int_eq(ledger_mandate(l, "M2"), MS_REJECTED);
	ck_assert_int_eq(ledger_mandate(l, "M3"), MS_UNKNOWN);
	ck_assert(ledger_return_used(l, "RET-b1"));
	ledger_close(l);
	fx_close(&f);
}
END_TEST

START_TEST(test_ledger_records)
{
	struct fixture f;
	struct ledger *l;
	struct gw_err e = GW_ERR_INIT;
	const char *names[4], *pend[4];
	int lost[4];

	fx_open(&f, NULL);
	ck_assert_int_eq(ledger_open(&l, f.state, f.acc, 0, &e), 0);
	ck_assert_int_eq(ledger_item(l, "k@1", 1, "E9",
	    accounts_find(f.acc, "A1"), "A1", 2500, OUT_OK, &e), 0);
	ck_assert_int_eq(ledger_item(l, "k@1", 2, "E8", NULL, "", 10,
	    OUT_UNKNOWN, &e), 0);
	ck_assert_int_eq(ledger_file_decided(l, "k@1", "k", "debit", "ok", 5,
	    &e), 0);
	ck_assert_int_eq(ledger_return_made(l, "k@1", "RET-k", 0, &e), 0);
	ck_assert_int_eq(ledger_return_made(l, "k@1", "RET2-k", 1, &e), 0);
	ck_assert_int_eq(ledger_mandate_decided(l, "m@1", "M5", "A2",
	    MS_CANCELLED, "", &e), 0);
	ck_assert_int_eq(ledger_sync(l, &e), 0);
	ck_assert_int_eq(ledger_pending(l, pend, 4), 1);
	ck_assert_str_eq(pend[0], "k@1");
	ck_assert_uint_eq(ledger_returns(l, "k@1", names, lost, 4), 2);
	ck_assert_str_eq(names[1], "RET2-k");
	ck_assert_int_eq(lost[1], 1);
	ck_assert_int_eq(accounts_find(f.acc, "A1")->balance_fen, 7500);
	ledger_close(l);
	accounts_free(f.acc);
	f.acc = NULL;

	/* Reopened: the same state, from the journal alone. */
	{
		char *p = tu_write(f.dir, "acc.csv", "account_no,name,balance\n"
		    "A1,张伟,100.00\n");
		ck_assert_int_eq(accounts_load(&f.acc, p, &e), 0);
		free(p);
	}
	ck_assert_int_eq(ledger_open(&l, f.state, f.acc, 0, &e), 0);
	ck_assert_int_eq(accounts_find(f.acc, "A1")->balance_fen, 7500);
	ck_assert(ledger_debited(l, "E9"));
	ck_assert_int_eq(ledger_file(l, "k@1", NULL), FS_MADE);
	ck_assert_int_eq(ledger_mandate(l, "M5"), MS_CANCELLED);
	ck_assert_int_eq(ledger_counts(l)->returns_lost, 1);
	ck_assert_int_eq(ledger_file_done(l, "k@1", &e), 0);
	ck_assert_int_eq(ledger_pending(l, pend, 4), 0);
	/* a second debit of one EndToEndId is counted (never written by
	 * the bank: the duplicate check stops it first) */
	ck_assert_int_eq(ledger_item(l, "z@2", 1, "E9", NULL, "A1", 1, OUT_OK,
	    &e), 0);
	ck_assert_int_eq(ledger_counts(l)->double_debits, 1);
	ledger_close(l);
	fx_close(&f);
}
END_TEST

START_TEST(test_ledger_refuses_garbage)
{
	struct fixture f;
	struct ledger *l;
	struct gw_err e = GW_ERR_INIT;

	fx_open(&f, "Q\tnothing\n");
	ck_assert_int_eq(ledger_open(&l, f.state, f.acc, 0, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not one the bank writes"));
	fx_close(&f);
}
END_TEST

/* ---- placing answers after a crash -------------------------------------- */

static void
put(const char *dir, const char *name, const char *text)
{
	free(tu_write(dir, name, text));
}

START_TEST(test_place_after_crash)
{
	struct fixture f;
	struct bank b;
	struct gw_err e = GW_ERR_INIT;
	char *p;

	/* Two answers made; the first's signature already linked into the
	 * outbox but not unlinked from ready/ (a crash in between). */
	fx_open(&f, "F\tk@1\tk\tdebit\tok\t1\nP\tk@1\tRET-P1-k\t0\n"
	    "P\tk@1\tRET-P2-k\t0\nP\tk@1\tRET3-k\t1\n");
	memset(&b, 0, sizeof(b));
	b.ready = tu_path(f.state, "ready");
	b.outbox = tu_path(f.dir, "outbox");
	b.lost = tu_path(f.state, "lost");
	ck_assert_int_eq(mkdir(b.ready, 0755), 0);
	ck_assert_int_eq(mkdir(b.outbox, 0755), 0);
	ck_assert_int_eq(mkdir(b.lost, 0755), 0);
	put(b.ready, "RET-P1-k", "one");
	put(b.ready, "RET-P1-k.p7s", "sig1");
	put(b.outbox, "RET-P1-k.p7s", "sig1");
	put(b.outbox, "RET-P2-k.sig", "sig2");	/* moved before the crash */
	put(b.ready, "RET-P2-k", "two");
	put(b.ready, "RET3-k", "three");
	put(b.ready, "RET3-k.p7s", "sig3");
	ck_assert_int_eq(ledger_open(&b.led, f.state, f.acc, 0, &e), 0);
	ck_assert_msg(outbox_place(&b, "k@1", &e) == 0, "%s", e.msg);
	ck_assert_int_eq(ledger_file(b.led, "k@1", NULL), FS_DONE);
	ledger_close(b.led);
	p = tu_path(b.outbox, "RET-P1-k");
	ck_assert(fs_exists(p));
	free(p);
	p = tu_path(b.outbox, "RET-P2-k");
	ck_assert(fs_exists(p));
	free(p);
	p = tu_path(b.lost, "RET3-k.p7s");	/* --lose: not for our fetch */
	ck_assert(fs_exists(p));
	free(p);
	p = tu_path(b.ready, "RET-P1-k.p7s");
	ck_assert(!fs_exists(p));
	free(p);
	/* And the journal says so after a restart. */
	ck_assert_int_eq(ledger_open(&b.led, f.state, f.acc, 0, &e), 0);
	ck_assert_int_eq(ledger_file(b.led, "k@1", NULL), FS_DONE);
	ledger_close(b.led);
	free(b.ready);
	free(b.outbox);
	free(b.lost);
	fx_close(&f);
}
END_TEST

/* ---- answers ------------------------------------------------------------- */

static void
batch_of(struct batch *bt, struct arena *a, enum iso_msg v, size_t n)
{
	static const enum outcome outs[] = { OUT_OK, OUT_FUNDS, OUT_FROZEN,
	    OUT_OK, OUT_DUPLICATE };
	size_t i;

	memset(bt, 0, sizeof(*bt));
	bt->version = v;
	snprintf(bt->msg_id, sizeof(bt->msg_id), "B20240126000001");
	bt->date = date_from_ymd(2025, 9, 26);
	snprintf(bt->creditor_account, sizeof(bt->creditor_account),
	    "44001700000000000001");
	bt->items = calloc(n, sizeof(*bt->items));
	bt->n = bt->cap = n;
	for (i = 0; i < n; i++) {
		struct bitem *it = &bt->items[i];
		char s[64];

		it->seq = (int64_t)i + 1;
		it->pmtinf_id = i < n / 2 ? "B20240126000001-P1" :
		    "B20240126000001-P2";
		it->collection_date = date_from_ymd(2024, 1, 26);
		snprintf(s, sizeof(s), "B20240126000001-%09zu", i + 1);
		it->e2e = arena_str(a, s);
		snprintf(s, sizeof(s), "M%010zu", i + 1);
		it->mandate_id = arena_str(a, s);
		snprintf(s, sizeof(s), "6222%015zu", i);
		it->account = arena_str(a, s);
		it->name = i % 2 ? "王芳 & <家>" : "张伟";
		it->payer_id = "440102199001011234";
		it->amount_fen = 38000 + (int64_t)i;
		it->out = outs[i % 5];
		bt->nb++;
		bt->sum_fen += it->amount_fen;
	}
}

struct seen_items {
	int64_t	n, accepted, rejected, scoped;
	char	reason[8];
};

static int
seen_item(void *arg, const struct iso_item *it)
{
	struct seen_items *s = arg;

	if (it->scope != ISO_SCOPE_ITEM) {
		s->scoped++;
		snprintf(s->reason, sizeof(s->reason), "%s", it->reason_code);
		return 0;
	}
	s->n++;
	s->accepted += it->status == ISO_ST_ACCEPTED;
	s->rejected += it->status == ISO_ST_REJECTED;
	return 0;
}

/* Write with fn into dir/name, validate, read back with iso_read. */
static void
check_answer(const char *dir, const char *name, const struct batch *bt,
    size_t from, size_t to, int with_status, enum outcome file_out,
    struct seen_items *s)
{
	struct gw_err e = GW_ERR_INIT;
	struct iso_read_opts o;
	char *p = tu_path(dir, name);
	FILE *fp = fopen(p, "wb");
	enum iso_msg type;

	ck_assert_int_eq(ret_pain002(fp, bt, "ICBC-1", 1706300000, from, to,
	    with_status, file_out, "签名验证失败 for a very long reason that "
	    "goes on and on, longer than the one hundred and five characters "
	    "that AddtlInf may hold in the schema", &e), 0);
	fclose(fp);
	ck_assert_msg(iso_validate_file(p, tu_schemas_dir(), &(struct iso_limits)
	    ISO_LIMITS_DEFAULT, &type, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(type, bt->version == ISO_PAIN008_02 ?
	    ISO_PAIN002_03 : ISO_PAIN002_10);
	iso_read_opts_init(&o);
	memset(s, 0, sizeof(*s));
	ck_assert_msg(iso_read_file(p, &o, seen_item, s, NULL, &e) == 0, "%s",
	    e.msg);
	free(p);
}

START_TEST(test_pain002_answers)
{
	struct arena *a;
	struct batch bt;
	struct seen_items s;
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir();
	enum iso_msg v = _i ? ISO_PAIN008_02 : ISO_PAIN008_08;

	ck_assert_int_eq(arena_new(&a, &e), 0);
	batch_of(&bt, a, v, 10);
	check_answer(dir, "all.xml", &bt, 0, 10, 1, OUT_OK, &s);
	ck_assert_int_eq(s.n, 10);
	ck_assert_int_eq(s.accepted, 4);
	ck_assert_int_eq(s.rejected, 6);
	ck_assert_int_eq(s.scoped, 3);		/* two PmtInf and the group */
	check_answer(dir, "part2.xml", &bt, 5, 10, 0, OUT_OK, &s);
	ck_assert_int_eq(s.n, 5);
	ck_assert_int_eq(s.scoped, 0);		/* speaks for its items only */
	check_answer(dir, "reject.xml", &bt, 0, 10, 1, OUT_BADSIG, &s);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(s.scoped, 1);
	ck_assert_str_eq(s.reason, "DS0B");
	free(bt.items);
	arena_free(a);
	tu_tmpdir_free(dir);
}
END_TEST

START_TEST(test_pain012_answer)
{
	static const struct mreply r[] = {
		{ "M0000000001", "MR1", 1, NULL, NULL },
		{ "M0000000002", "MR1", 0, "BE01", "户名不符" },
		{ "M0000000003", "MR1", 0, "AC01", NULL },
	};
	struct gw_err e = GW_ERR_INIT;
	struct iso_read_opts o;
	struct iso_summary sum;
	struct seen_items s;
	char *dir = tu_tmpdir(), *p = tu_path(dir, "m.xml");
	enum iso_msg v = _i ? ISO_PAIN012_05 : ISO_PAIN012_08, type;
	FILE *fp = fopen(p, "wb");

	ck_assert_int_eq(ret_pain012(fp, v, "ICBC-2", 1706300000,
	    _i ? "pain.009.001.05" : "pain.009.001.08", r, 3, &e), 0);
	fclose(fp);
	ck_assert_msg(iso_validate_file(p, tu_schemas_dir(), &(struct iso_limits)
	    ISO_LIMITS_DEFAULT, &type, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(type, v);
	iso_read_opts_init(&o);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(iso_read_file(p, &o, seen_item, &s, &sum, &e), 0);
	ck_assert_int_eq(s.accepted, 1);
	ck_assert_int_eq(s.rejected, 2);
	ck_assert_str_eq(sum.orig_msg_id, "MR1");
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

static int
seen_text(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	struct seen_items *s = arg;

	(void)e;
	s->n++;
	s->accepted += it->accepted;
	s->rejected += !it->accepted;
	return 0;
}

START_TEST(test_text_answer)
{
	static const char *const descs[] = { "formats/descriptors/gbk-pipe.fmt",
	    "formats/descriptors/gb18030-fixed.fmt" };
	const char *codes[OUT_N];
	struct textfmt *tf = NULL;
	struct textfmt_summary sum;
	struct seen_items s;
	struct arena *a;
	struct batch bt;
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *p = tu_path(dir, "r.txt");
	FILE *fp;
	int i;

	ck_assert_int_eq(textfmt_load(&tf, descs[_i], &e), 0);
	for (i = 0; i < OUT_N; i++)
		codes[i] = i == OUT_OK ? textfmt_success_code(tf) : _i ?
		    "E00051" : "1001";
	ck_assert_int_eq(arena_new(&a, &e), 0);
	batch_of(&bt, a, ISO_MSG_UNKNOWN, 7);
	fp = fopen(p, "wb");
	ck_assert_msg(ret_text(fp, tf, &bt, 2, 7, codes, &e) == 0, "%s",
	    e.msg);
	fclose(fp);
	memset(&s, 0, sizeof(s));
	ck_assert_msg(textfmt_read_returns(tf, p, seen_text, &s, &sum, &e) ==
	    0, "%s", e.msg);
	ck_assert_int_eq(s.n, 5);
	ck_assert_int_eq(s.accepted, 2);	/* items 3..7: 4 and 6 are ok */
	ck_assert_int_eq(sum.ok_count, 2);
	ck_assert_str_eq(sum.file_id, "B20240126000001");
	free(bt.items);
	arena_free(a);
	textfmt_free(tf);
	free(p);
	tu_tmpdir_free(dir);
}
END_TEST

/* ---- docs ---------------------------------------------------------------- */

/* Every outcome is in the table of docs/bank-simulator.md, with its code,
 * category and words (run from the worktree root, as make unit does). */
START_TEST(test_outcomes_documented)
{
	struct gw_err e = GW_ERR_INIT;
	char *doc, want[256];
	size_t len;
	int i;

	ck_assert_msg(fs_read_small(&doc, &len, "docs/bank-simulator.md",
	    1 << 20, &e) == 0, "%s", e.msg);
	for (i = 0; i < OUT_N; i++) {
		snprintf(want, sizeof(want), "| `%s` | ", outcomes[i].name);
		ck_assert_msg(strstr(doc, want) != NULL, "no row for %s",
		    outcomes[i].name);
		snprintf(want, sizeof(want), " | %s | %s | %s |",
		    i == OUT_OK ? "ACSC" : outcomes[i].iso,
		    outcomes[i].category ? outcomes[i].category : "-",
		    outcomes[i].text);
		ck_assert_msg(strstr(doc, want) != NULL, "row of %s lacks '%s'",
		    outcomes[i].name, want);
	}
	free(doc);
}
END_TEST

/* ---- containers ---------------------------------------------------------- */

START_TEST(test_strmap)
{
	struct strmap *m;
	struct gw_err e = GW_ERR_INIT;
	char key[32];
	int i, added;

	ck_assert_int_eq(strmap_new(&m, &e), 0);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "E2E-%d", i);
		*strmap_put(m, key, &added) = i;
		ck_assert(added);
	}
	*strmap_put(m, "E2E-7", &added) += 1;
	ck_assert(!added);
	ck_assert_uint_eq(strmap_count(m), 100000);
	for (i = 0; i < 100000; i += 997) {
		snprintf(key, sizeof(key), "E2E-%d", i);
		ck_assert_int_eq(*strmap_get(m, key), i + (i == 7));
	}
	ck_assert_ptr_null(strmap_get(m, "E2E-100000"));
	strmap_free(m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("bank");
	TCase *tc = tcase_create("bank");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_decide, 0,
	    sizeof(decisions) / sizeof(decisions[0]));
	tcase_add_test(tc, test_outcome_table);
	tcase_add_test(tc, test_accounts_load);
	tcase_add_loop_test(tc, test_accounts_refused, 0,
	    sizeof(bad_fixtures) / sizeof(bad_fixtures[0]));
	tcase_add_test(tc, test_journal);
	tcase_add_test(tc, test_ledger_rebuilds);
	tcase_add_test(tc, test_ledger_records);
	tcase_add_test(tc, test_ledger_refuses_garbage);
	tcase_add_test(tc, test_place_after_crash);
	tcase_add_loop_test(tc, test_pain002_answers, 0, 2);
	tcase_add_loop_test(tc, test_pain012_answer, 0, 2);
	tcase_add_loop_test(tc, test_text_answer, 0, 2);
	tcase_add_test(tc, test_strmap);
	tcase_add_test(tc, test_outcomes_documented);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(suite)
