/*
 * sim.h - a year of collection against the real ledger, with a model of
 * what every obligation should be, for the conservation test.
 *
 * Payers get mandates at three banks (some pending, some none). Each
 * month: the agency's assessment file for that month is imported; each
 * bank's batch takes the due obligations (obligation_foreach_due,
 * obligation_mark_in_batch) and its return file is applied in one
 * transaction with random outcomes through obligation_settle_debit and
 * obligation_fail_debit, which run the return-file code's debit_apply;
 * now and then a batch is cancelled and an item replayed (must be
 * refused). Finance staff then record other-channel payments (some with a
 * wrong amount, which must be refused), close the month, collect or write
 * off arrears, and handle refunds with maker-checker (self-approval must
 * be refused).
 *
 * The model tracks each obligation's state and how it was paid, and at the
 * end sim_check holds the database against it: every obligation in
 * exactly the state the model says; assessed = paid by debit + paid other
 * channel + outstanding + written off; refunds = refunded amounts; every
 * ledger account equal to what the model implies; trial balance zero;
 * every entry balanced; audit chain intact.
 */
#ifndef GW_TEST_LEDGER_SIM_H
#define GW_TEST_LEDGER_SIM_H

#include <stdarg.h>

#include "ledger/refund.h"
#include "tests/unit/ledger/fixture.h"

enum { S_OPEN, S_IN_BATCH, S_PAID, S_FAILED, S_PAID_OTHER, S_WRITTEN_OFF,
    S_ARREARS, S_REFUND_REQ, S_REFUNDED, S_SETTLED };

static const char *const sim_banks[3] = { "ICBC", "CCB", "BOC" };
static const char *const sim_channels[6] = { "counter", "wechat", "alipay",
    "bank_app", "pos", "other" };

struct sim_obl {
	int		 state;
	int64_t		 due, subsidy;
	int		 how;		/* 0 unpaid, 1 debit, 2 other channel */
	int		 via;		/* bank or channel index */
	int64_t		 refund_id;
	int		 refund_paid;
};

struct sim_result {
	long	 payers, obligations;
	int64_t	 assessed_due, subsidy;
	int64_t	 paid_debit, paid_channel, outstanding, written_off;
	int64_t	 refunded, refunds_paid_out;
	int64_t	 refunds_refused_self, replays_refused, wrong_amounts_refused;
	int64_t	 mandates_suspended, entries;
};

struct sim {
	struct db		*db;
	const char		*dir;
	long			 payers;
	int			 months;
	unsigned long long	 rng;
	int			*mandate_state;	/* 0 none, 1 active, 2 pending,
						   3 suspended, per payer */
	struct sim_obl		*o;		/* by obligation id - 1 */
	long			 no, cap;
	struct sim_result	 r;
	char			 why[512];
	struct gw_err		 e;
};

static inline unsigned
sim_rand(struct sim *s, unsigned n)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (unsigned)((s->rng * 2685821657736338717ULL) >> 33) % n;
}

static inline int sim_fail(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline int
sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* A call that must succeed; on failure the reason and the call. */
#define SIM_OK(s, call)							\
	((call) == 0 ? 0 : sim_fail((s), "%s:%d: %s: %s", __FILE__,	\
	    __LINE__, #call, (s)->e.msg))

static inline int
sim_grow(struct sim *s, long id)
{
	if (id > s->cap) {
		long cap = s->cap ? s->cap * 2 : 1024;
		struct sim_obl *n;

		while (cap < id)
			cap *= 2;
		if ((n = realloc(s->o, (size_t)cap * sizeof(*n))) == NULL)
			return sim_fail(s, "out of memory");
		memset(n + s->cap, 0, (size_t)(cap - s->cap) * sizeof(*n));
		s->o = n;
		s->cap = cap;
	}
	if (id > s->no)
		s->no = id;
	return 0;
}

/* Mandates for every payer in one transaction: 85% active, 5% pending. */
static inline int
sim_mandates(struct sim *s)
{
	struct audit_writer *aw = NULL;
	struct mandate m;
	long i;

	if (SIM_OK(s, db_begin(s->db, &s->e)) != 0 ||
	    SIM_OK(s, audit_writer_open(&aw, s->db, &s->e)) != 0)
		return -1;
	for (i = 0; i < s->payers; i++) {
		unsigned k = sim_rand(s, 100);

		if (k >= 90)
			continue;
		memset(&m, 0, sizeof(m));
		snprintf(m.payer_id_type, sizeof(m.payer_id_type), "resident");
		fx_payer(m.payer_id, 500000 + i);
		snprintf(m.payer_name, sizeof(m.payer_name), "缴费人%ld", i);
		snprintf(m.category, sizeof(m.category), "adult");
		snprintf(m.region, sizeof(m.region), "44200%ld", i % 3);
		snprintf(m.bank_code, sizeof(m.bank_code), "%s",
		    sim_banks[i % 3]);
		snprintf(m.account_no, sizeof(m.account_no), "4400%014ld", i);
		snprintf(m.account_name, sizeof(m.account_name), "%s",
		    m.payer_name);
		snprintf(m.account_kind, sizeof(m.account_kind), "passbook");
		snprintf(m.signed_on, sizeof(m.signed_on), "2020-01-01");
		snprintf(m.origin, sizeof(m.origin), "migrated");
		snprintf(m.state, sizeof(m.state), k < 85 ? "active" : "pending");
		s->mandate_state[i] = k < 85 ? 1 : 2;
		if (SIM_OK(s, mandate_insert(s->db, aw, &m, "sim", "sim",
		    &s->e)) != 0) {
			audit_writer_abort(aw);
			db_rollback(s->db);
			return -1;
		}
	}
	if (SIM_OK(s, audit_writer_close(aw, &s->e)) != 0) {
		db_rollback(s->db);
		return -1;
	}
	return SIM_OK(s, db_commit(s->db, &s->e));
}

/* The agency's file for month m, imported; the model learns the rows. */
static inline int
sim_assess(struct sim *s, int m)
{
	struct assess_import_opts o;
	struct assess_import_result r;
	char path[4096], id[19];
	FILE *fp;
	long i, first = s->no + 1;

	snprintf(path, sizeof(path), "%s/assess-%02d.csv", s->dir, m);
	if ((fp = fopen(path, "w")) == NULL)
		return sim_fail(s, "%s: cannot write", path);
	fputs("payer_id,period,amount,subsidy,category,exemption_type,"
	    "exemption_cert,exemption_valid_until,late,newborn\n", fp);
	for (i = 0; i < s->payers; i++) {
		struct sim_obl *so;
		unsigned k = sim_rand(s, 100);
		int64_t amount = i % 4 == 2 ? 30000 : 43000, sub = 0;

		fx_payer(id, 500000 + i);
		if (sim_grow(s, first + i) != 0)
			break;
		so = &s->o[first + i - 1];
		if (k < 3) {
			fprintf(fp, "%s,2025-%02d,0.00,0,exempt,低保,MZ%ld,"
			    "2026-12-31,0,0\n", id, m, i);
			amount = 0;
		} else {
			if (k < 8)
				sub = amount;
			else if (k < 18)
				sub = 10000;
			fprintf(fp, "%s,2025-%02d,%lld.%02lld,%lld.%02lld,%s,,,,"
			    "%d,%d\n", id, m, (long long)amount / 100,
			    (long long)amount % 100, (long long)sub / 100,
			    (long long)sub % 100, amount == 30000 ? "minor" :
			    "adult", k >= 95, k == 94);
		}
		so->due = amount - sub;
		so->subsidy = sub;
		so->state = so->due > 0 ? S_OPEN : S_SETTLED;
		s->r.assessed_due += so->due;
		s->r.subsidy += sub;
	}
	fclose(fp);
	if (s->why[0])
		return -1;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.actor = "agency";
	o.today = date_from_ymd(2025, m, 1);
	if (SIM_OK(s, assess_import(s->db, &o, &r, &s->e)) != 0)
		return -1;
	if (r.imported != s->payers)
		return sim_fail(s, "month %d: %ld imported, want %ld", m,
		    r.imported, s->payers);
	s->r.obligations += r.imported;
	return 0;
}

struct sim_ids {
	int64_t	*ids;
	long	 n, cap;
};

static inline int
sim_collect(void *arg, const struct obligation_due *d)
{
	struct sim_ids *c = arg;

	if (c->n == c->cap) {
		int64_t *n;

		c->cap = c->cap ? c->cap * 2 : 1024;
		if ((n = realloc(c->ids, (size_t)c->cap * sizeof(*n))) == NULL)
			return GW_ENOMEM;
		c->ids = n;
	}
	c->ids[c->n++] = d->obligation_id;
	return 0;
}

static inline long
sim_payer_of(const struct sim *s, int64_t id)
{
	return (long)((id - 1) % s->payers);
}

/* One bank's batch and return file for month m. */
static inline int
sim_bank_run(struct sim *s, int m, int b)
{
	/* Weighted: most failures are a low balance. */
	static const char *const cats[10] = { "insufficient_funds",
	    "insufficient_funds", "insufficient_funds", "insufficient_funds",
	    "insufficient_funds", "account_frozen", "account_abnormal",
	    "account_closed", "mandate_invalid", "payer_deceased" };
	struct due_filter f;
	struct sim_ids c = { NULL, 0, 0 };
	struct debit_result dr;
	char period[8], batch[32], sha[65], item[32];
	int run = date_from_ymd(2025, m, 26);
	long i;
	int rc = -1;

	snprintf(period, sizeof(period), "2025-%02u", (unsigned)m % 100u);
	snprintf(batch, sizeof(batch), "B%02d%s", m, sim_banks[b]);
	memset(&f, 0, sizeof(f));
	f.bank_code = sim_banks[b];
	f.period_upto = period;
	if (SIM_OK(s, obligation_foreach_due(s->db, &f, sim_collect, &c,
	    &s->e)) != 0 || SIM_OK(s, db_begin(s->db, &s->e)) != 0)
		goto done;
	for (i = 0; i < c.n; i++) {
		struct sim_obl *so = &s->o[c.ids[i] - 1];

		if (so->state != S_OPEN ||
		    s->mandate_state[sim_payer_of(s, c.ids[i])] != 1) {
			db_rollback(s->db);
			sim_fail(s, "O%lld offered for a batch in model state %d",
			    (long long)c.ids[i], so->state);
			goto done;
		}
		if (SIM_OK(s, obligation_mark_in_batch(s->db, c.ids[i], batch,
		    "batcher", &s->e)) != 0) {
			db_rollback(s->db);
			goto done;
		}
		so->state = S_IN_BATCH;
	}
	if (SIM_OK(s, db_commit(s->db, &s->e)) != 0)
		goto done;
	/* One batch in forty is refused whole by the bank: released. */
	if (sim_rand(s, 40) == 0) {
		if (SIM_OK(s, db_begin(s->db, &s->e)) != 0)
			goto done;
		for (i = 0; i < c.n; i++) {
			if (SIM_OK(s, obligation_release_from_batch(s->db,
			    c.ids[i], "file refused", "batcher", &s->e)) != 0) {
				db_rollback(s->db);
				goto done;
			}
			s->o[c.ids[i] - 1].state = S_OPEN;
		}
		rc = SIM_OK(s, db_commit(s->db, &s->e));
		goto done;
	}
	/* The return file: one transaction, every item once. */
	if (SIM_OK(s, db_begin(s->db, &s->e)) != 0)
		goto done;
	for (i = 0; i < c.n; i++) {
		struct sim_obl *so = &s->o[c.ids[i] - 1];
		long payer = sim_payer_of(s, c.ids[i]);
		unsigned k = sim_rand(s, 100);
		int64_t susp = 0;
		int x;

		snprintf(item, sizeof(item), "E%lld", (long long)c.ids[i]);
		fx_result(&dr, sha, c.ids[i], m * 10 + b, item, so->due, run);
		dr.bank = sim_banks[b];
		if (k < 80) {
			x = SIM_OK(s, obligation_settle_debit(s->db, NULL, &dr,
			    &s->e));
			so->state = S_PAID;
			so->how = 1;
			so->via = b;
		} else {
			dr.category = cats[sim_rand(s, 10)];
			dr.raw_code = "X99";
			x = SIM_OK(s, obligation_fail_debit(s->db, &dr,
			    &susp, &s->e));
			so->state = S_FAILED;
			/* Two items of one payer: the first suspends. */
			if (ledger_fail_category_suspends(dr.category) &&
			    s->mandate_state[payer] == 1) {
				if (susp == 0)
					x = sim_fail(s, "%s did not suspend "
					    "the mandate", dr.category);
				s->mandate_state[payer] = 3;
				s->r.mandates_suspended++;
			} else if (susp != 0)
				x = sim_fail(s, "%s suspended a mandate",
				    dr.category);
		}
		/* A replayed item must be refused, changing nothing. */
		if (x == 0 && k % 10 == 3) {
			if (obligation_settle_debit(s->db, NULL, &dr,
			    &s->e) != GW_EDUP)
				x = sim_fail(s, "replay of %s not refused", item);
			else
				s->r.replays_refused++;
			gw_err_clear(&s->e);
		}
		if (x != 0) {
			db_rollback(s->db);
			goto done;
		}
	}
	rc = SIM_OK(s, db_commit(s->db, &s->e));
done:
	free(c.ids);
	return rc;
}

static inline int
sim_pay(struct sim *s, int64_t id, int day, int today)
{
	struct sim_obl *so = &s->o[id - 1];
	struct channel_payment p;
	char ref[32];
	int ch = (int)sim_rand(s, 6);

	snprintf(ref, sizeof(ref), "P%lld-%d", (long long)id, day);
	memset(&p, 0, sizeof(p));
	p.obligation_id = id;
	p.channel = sim_channels[ch];
	p.reference = ref;
	p.paid_on = day;
	p.today = today;
	p.actor = "finance";
	/* Now and then the clerk types the wrong amount: refused. */
	if (sim_rand(s, 50) == 0) {
		p.amount_fen = so->due + 1;
		if (obligation_pay_channel(s->db, NULL, &p, NULL, &s->e) !=
		    GW_EINPUT)
			return sim_fail(s, "over-payment of O%lld accepted",
			    (long long)id);
		gw_err_clear(&s->e);
		s->r.wrong_amounts_refused++;
	}
	p.amount_fen = so->due;
	if (SIM_OK(s, obligation_pay_channel(s->db, NULL, &p, NULL,
	    &s->e)) != 0)
		return -1;
	so->state = S_PAID_OTHER;
	so->how = 2;
	so->via = ch;
	return 0;
}

/* Finance staff in month m: payments, month close, arrears, refunds. */
static inline int
sim_finance(struct sim *s, int m)
{
	struct month_close_result mc;
	int end = date_from_ymd(2025, m, date_days_in_month(2025, m));
	int next = end + 1;
	int64_t id, rid;
	long n_arrears = 0;

	if (SIM_OK(s, db_begin(s->db, &s->e)) != 0)
		return -1;
	for (id = 1; id <= s->no; id++) {
		struct sim_obl *so = &s->o[id - 1];
		unsigned k = sim_rand(s, 100);
		int x = 0;

		/* Failed this month: half pay another way by month end. */
		if (so->state == S_FAILED && k < 50)
			x = sim_pay(s, id, end - 1, end);
		/* No usable mandate: most pay at a counter. */
		else if (so->state == S_OPEN && k < 60 &&
		    s->mandate_state[sim_payer_of(s, id)] != 1)
			x = sim_pay(s, id, end - 2, end);
		if (x != 0) {
			db_rollback(s->db);
			return -1;
		}
	}
	if (SIM_OK(s, db_commit(s->db, &s->e)) != 0 ||
	    SIM_OK(s, obligation_close_month(s->db, 2025, m, next, "finance",
	    &mc, &s->e)) != 0)
		return -1;
	for (id = 1; id <= s->no; id++)
		if (s->o[id - 1].state == S_FAILED) {
			s->o[id - 1].state = S_ARREARS;
			n_arrears++;
		}
	if (mc.count != n_arrears)
		return sim_fail(s, "month %d close: %lld arrears, model %ld", m,
		    (long long)mc.count, n_arrears);
	/* Arrears: some paid late next month, some written off. */
	if (SIM_OK(s, db_begin(s->db, &s->e)) != 0)
		return -1;
	for (id = 1; id <= s->no; id++) {
		struct sim_obl *so = &s->o[id - 1];
		unsigned k = sim_rand(s, 100);
		int x = 0;

		if (so->state != S_ARREARS)
			continue;
		if (k < 30)
			x = sim_pay(s, id, next + 3, next + 3);
		else if (k < 40) {
			x = SIM_OK(s, obligation_write_off(s->db, id, "payer "
			    "unreachable", next + 3, "finance", &s->e));
			so->state = S_WRITTEN_OFF;
		}
		if (x != 0) {
			db_rollback(s->db);
			return -1;
		}
	}
	if (SIM_OK(s, db_commit(s->db, &s->e)) != 0)
		return -1;
	/* Refunds: requested by alice, decided by bob, paid out. */
	for (id = 1; id <= s->no; id++) {
		struct sim_obl *so = &s->o[id - 1];
		unsigned k = sim_rand(s, 1000);

		if (so->state == S_REFUND_REQ) {
			if (k < 600) {
				if (SIM_OK(s, refund_approve(s->db, so->refund_id,
				    NULL, next, "bob", &s->e)) != 0)
					return -1;
				so->state = S_REFUNDED;
			} else if (k < 800) {
				if (SIM_OK(s, refund_reject(s->db, so->refund_id,
				    NULL, "bob", &s->e)) != 0)
					return -1;
				so->state = so->how == 1 ? S_PAID : S_PAID_OTHER;
				so->refund_id = 0;
			}
			continue;
		}
		if (so->state == S_REFUNDED && !so->refund_paid && k < 700) {
			char ref[32];

			snprintf(ref, sizeof(ref), "RF%lld", (long long)id);
			if (SIM_OK(s, refund_pay(s->db, so->refund_id, next, ref,
			    next, "treasurer", &s->e)) != 0)
				return -1;
			so->refund_paid = 1;
			continue;
		}
		if ((so->state == S_PAID || so->state == S_PAID_OTHER) &&
		    k < 2) {
			static const char *const why[] = { "duplicate",
			    "deceased", "employee_insurance", "system_error" };

			if (SIM_OK(s, refund_request(s->db, NULL, id,
			    why[k % 4], NULL, next, "alice", &rid, &s->e)) != 0)
				return -1;
			so->refund_id = rid;
			so->state = S_REFUND_REQ;
			if (refund_approve(s->db, rid, NULL, next, "alice",
			    &s->e) != GW_EINPUT)
				return sim_fail(s, "self-approval of R%lld "
				    "accepted", (long long)rid);
			gw_err_clear(&s->e);
			s->r.refunds_refused_self++;
		}
	}
	return 0;
}

static inline int
sim_run(struct db *db, const char *dir, long payers, int months,
    unsigned long long seed, struct sim *s)
{
	int m, b;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->dir = dir;
	s->payers = payers;
	s->months = months;
	s->rng = seed ? seed : 1;
	s->r.payers = payers;
	if ((s->mandate_state = calloc((size_t)payers, sizeof(int))) == NULL)
		return sim_fail(s, "out of memory");
	if (sim_mandates(s) != 0)
		return -1;
	for (m = 1; m <= months; m++) {
		if (sim_assess(s, m) != 0)
			return -1;
		for (b = 0; b < 3; b++)
			if (sim_bank_run(s, m, b) != 0)
				return -1;
		if (sim_finance(s, m) != 0)
			return -1;
	}
	return 0;
}

static inline void
sim_free(struct sim *s)
{
	free(s->mandate_state);
	free(s->o);
}

/* The sum of clearing:NAME over names. */
static inline int
sim_clearing(struct sim *s, const char *const *names, int n, int64_t *sum)
{
	char a[48];
	int64_t v;
	int j;

	for (*sum = 0, j = 0; j < n; j++) {
		if (SIM_OK(s, journal_balance(s->db, journal_clearing(a,
		    sizeof(a), names[j]), NULL, &v, &s->e)) != 0)
			return -1;
		*sum += v;
	}
	return 0;
}

/* Hold the database against the model. 0 if everything agrees. */
static inline int
sim_check(struct sim *s)
{
	static const char q[] = "SELECT id, state, due_fen FROM obligations"
	    " ORDER BY id";
	struct ledger_reconcile rec;
	struct obligation_totals t;
	int64_t clearing_bank = 0, clearing_channel = 0;
	int64_t refund_payable = 0, income = 0, n = 0, bad, events, b;
	int64_t sum_states = 0, due_states = 0;
	sqlite3_stmt *st;
	size_t i;
	long id;
	int j;

	if ((st = db_stmt(s->db, q, &s->e)) == NULL)
		return sim_fail(s, "%s", s->e.msg);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sim_obl *so;

		id = (long)sqlite3_column_int64(st, 0);
		if (id < 1 || id > s->no) {
			sqlite3_reset(st);
			return sim_fail(s, "obligation %ld not in the model", id);
		}
		so = &s->o[id - 1];
		if (strcmp(db_col_text(st, 1), obligation_states[so->state]) ||
		    sqlite3_column_int64(st, 2) != so->due) {
			sim_fail(s, "O%ld is %s (%lld), the model says %s (%lld)",
			    id, db_col_text(st, 1),
			    (long long)sqlite3_column_int64(st, 2),
			    obligation_states[so->state], (long long)so->due);
			sqlite3_reset(st);
			return -1;
		}
		n++;
	}
	sqlite3_reset(st);
	if (n != s->no || n != s->r.obligations)
		return sim_fail(s, "%lld obligations, the model has %ld",
		    (long long)n, s->no);
	/* What the model says the money did. */
	for (id = 1; id <= s->no; id++) {
		struct sim_obl *so = &s->o[id - 1];

		if (so->how == 1)
			s->r.paid_debit += so->due;
		if (so->how == 2)
			s->r.paid_channel += so->due;
		if (so->state == S_OPEN || so->state == S_IN_BATCH ||
		    so->state == S_FAILED || so->state == S_ARREARS)
			s->r.outstanding += so->due;
		if (so->state == S_WRITTEN_OFF)
			s->r.written_off += so->due;
		if (so->state == S_REFUNDED) {
			s->r.refunded += so->due;
			if (so->refund_paid) {
				s->r.refunds_paid_out += so->due;
				*(so->how == 1 ? &clearing_bank :
				    &clearing_channel) -= so->due;
			} else
				refund_payable -= so->due;
		}
	}
	clearing_bank += s->r.paid_debit;
	clearing_channel += s->r.paid_channel;
	income = -(s->r.assessed_due + s->r.subsidy - s->r.refunded);
	/* assessed = paid by debit + paid other channel + outstanding + w/o */
	if (s->r.assessed_due != s->r.paid_debit + s->r.paid_channel +
	    s->r.outstanding + s->r.written_off)
		return sim_fail(s, "conservation: assessed %lld != debit %lld + "
		    "channel %lld + outstanding %lld + written off %lld",
		    (long long)s->r.assessed_due, (long long)s->r.paid_debit,
		    (long long)s->r.paid_channel, (long long)s->r.outstanding,
		    (long long)s->r.written_off);
	/* Each obligation in exactly one state: the states partition them. */
	if (SIM_OK(s, obligation_totals(s->db, &t, &s->e)) != 0)
		return -1;
	for (j = 0; j < 10; j++) {
		sum_states += t.count[j];
		due_states += t.due_fen[j];
	}
	if (sum_states != n || due_states != s->r.assessed_due)
		return sim_fail(s, "states hold %lld obligations / %lld fen, "
		    "want %lld / %lld", (long long)sum_states,
		    (long long)due_states, (long long)n,
		    (long long)s->r.assessed_due);
	if (t.due_fen[S_REFUNDED] != s->r.refunded)
		return sim_fail(s, "refunded obligations %lld, refunds %lld",
		    (long long)t.due_fen[S_REFUNDED], (long long)s->r.refunded);
	/* The ledger, account by account, against the model. */
	{
		const struct {
			const char	*account;
			int64_t		 want;
		} acct[] = {
			{ "receivable", s->r.outstanding },
			{ "written_off", s->r.written_off },
			{ "subsidy_receivable:finance", s->r.subsidy },
			{ "refunds_payable", refund_payable },
		};

		for (i = 0; i < sizeof(acct) / sizeof(acct[0]); i++) {
			if (SIM_OK(s, journal_balance(s->db, acct[i].account,
			    NULL, &b, &s->e)) != 0)
				return -1;
			if (b != acct[i].want)
				return sim_fail(s, "%s is %lld, the model says "
				    "%lld", acct[i].account, (long long)b,
				    (long long)acct[i].want);
		}
	}
	{
		int64_t cb, cc, v;

		if (sim_clearing(s, sim_banks, 3, &cb) != 0 ||
		    sim_clearing(s, sim_channels, 6, &cc) != 0)
			return -1;
		if (cb != clearing_bank || cc != clearing_channel)
			return sim_fail(s, "clearing: banks %lld (model %lld), "
			    "channels %lld (model %lld)", (long long)cb,
			    (long long)clearing_bank, (long long)cc,
			    (long long)clearing_channel);
		if (SIM_OK(s, journal_balance(s->db, "premium_income:2025",
		    NULL, &v, &s->e)) != 0)
			return -1;
		if (v != income)
			return sim_fail(s, "premium_income:2025 is %lld, model "
			    "%lld", (long long)v, (long long)income);
	}
	/* Trial balance zero, every entry balanced, the books agree. */
	if (SIM_OK(s, ledger_reconcile(s->db, &rec, &s->e)) != 0)
		return -1;
	s->r.entries = rec.entries;
	if (SIM_OK(s, journal_check(s->db, &n, &bad, &s->e)) != 0)
		return -1;
	if (SIM_OK(s, audit_verify(s->db, &bad, &events, &s->e)) != 0)
		return -1;
	return 0;
}

#endif
