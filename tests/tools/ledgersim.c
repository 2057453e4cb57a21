/*
 * ledgersim.c - drive the ledger's API against a debitgw home the way the
 * batch and return-file code will, for tests/e2e/t_ledger.sh.
 *
 *   ledgersim year HOME [--payers N] [--months M] [--seed S]
 *       The conservation simulation of tests/unit/ledger/sim.h at full
 *       size: a year of assessments, batches, return files, other-channel
 *       payments, month closes, write-offs and refunds, then the database
 *       held against the model. Prints the totals.
 *   ledgersim debit HOME --bank B --on YYYY-MM-DD [--upto PERIOD]
 *                   [--fail-every N] [--category C] [--code RAW]
 *       One bank run: every due obligation of bank B (of periods up to
 *       PERIOD, if given) goes into a batch and
 *       comes back paid, except every Nth which fails with category C
 *       (default insufficient_funds), as one return file would.
 *
 * Exit: 0 everything agreed / applied, 1 a disagreement or a refusal,
 * 2 usage, 3 the home cannot be opened.
 */
#include <stdio.h>

#include "common/money.h"
#include "common/strnum.h"
#include "common/vec.h"
#include "tests/unit/ledger/sim.h"

#define USAGE "usage: ledgersim year HOME [--payers N] [--months 1-12] " \
	"[--seed S]\n       ledgersim debit HOME --bank B --on YYYY-MM-DD " \
	"[--upto PERIOD] [--fail-every N] [--category C] [--code RAW]\n"

struct opts {
	int64_t		 payers, months, seed, fail_every;
	const char	*bank, *on, *category, *code, *upto;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	struct gw_err e = GW_ERR_INIT;
	int a;

	for (a = 3; a < argc; a++) {
		const char *opt = argv[a], **str = NULL;
		int64_t *num = NULL;

		if (strcmp(opt, "--payers") == 0)
			num = &o->payers;
		else if (strcmp(opt, "--months") == 0)
			num = &o->months;
		else if (strcmp(opt, "--seed") == 0)
			num = &o->seed;
		else if (strcmp(opt, "--fail-every") == 0)
			num = &o->fail_every;
		else if (strcmp(opt, "--bank") == 0)
			str = &o->bank;
		else if (strcmp(opt, "--on") == 0)
			str = &o->on;
		else if (strcmp(opt, "--category") == 0)
			str = &o->category;
		else if (strcmp(opt, "--code") == 0)
			str = &o->code;
		else if (strcmp(opt, "--upto") == 0)
			str = &o->upto;
		if ((num == NULL && str == NULL) || a + 1 >= argc ||
		    (num && strnum_i64(num, argv[a + 1], 1, 10000000, opt,
		    &e) != 0)) {
			fprintf(stderr, "%s%s\n", USAGE, e.msg);
			return -1;
		}
		if (str)
			*str = argv[a + 1];
		a++;
	}
	return 0;
}

static void
money(const char *what, int64_t fen)
{
	char b[MONEY_BUFSZ];

	printf("  %-28s %16s\n", what, money_format(b, fen));
}

static int
year(struct db *db, const char *home, const struct opts *o)
{
	struct sim s;
	char tmp[4096];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s/tmp", home);
	rc = sim_run(db, tmp, (long)o->payers, (int)o->months,
	    (unsigned long long)o->seed, &s);
	if (rc == 0)
		rc = sim_check(&s);
	if (rc != 0) {
		fprintf(stderr, "ledgersim: %s\n", s.why);
		sim_free(&s);
		return 1;
	}
	printf("ledgersim: %ld payers x %lld months: %ld obligations, %lld "
	    "journal entries; everything agrees\n", s.r.payers,
	    (long long)o->months, s.r.obligations, (long long)s.r.entries);
	money("assessed (due)", s.r.assessed_due);
	money("= paid by debit", s.r.paid_debit);
	money("+ paid other channel", s.r.paid_channel);
	money("+ outstanding", s.r.outstanding);
	money("+ written off", s.r.written_off);
	money("subsidised", s.r.subsidy);
	money("refunds approved", s.r.refunded);
	money("refunds paid out", s.r.refunds_paid_out);
	printf("  refused as they must be: %lld replayed items, %lld wrong "
	    "amounts, %lld self-approvals; %lld mandates suspended\n",
	    (long long)s.r.replays_refused, (long long)s.r.wrong_amounts_refused,
	    (long long)s.r.refunds_refused_self,
	    (long long)s.r.mandates_suspended);
	sim_free(&s);
	return 0;
}

struct due_item {
	int64_t	id, due, mandate;
};

struct due_list {
	struct due_item	*v;
	size_t		 n, cap;
};

static int
take(void *arg, const struct obligation_due *d)
{
	struct due_list *l = arg;

	if (vec_room(&l->v, l->n, &l->cap, sizeof(*l->v)) != 0)
		return GW_ENOMEM;
	l->v[l->n++] = (struct due_item){ d->obligation_id, d->due_fen,
	    d->mandate_id };
	return 0;
}

static int
debit(struct db *db, const struct opts *o)
{
	struct gw_err e = GW_ERR_INIT;
	struct due_filter f;
	struct due_list l = { NULL, 0, 0 };
	struct debit_result r;
	char sha[65], item[32], batch[40];
	size_t i;
	long paid = 0, failed = 0, suspended = 0;
	int on;

	if (o->bank == NULL || o->on == NULL ||
	    date_parse(&on, o->on, strlen(o->on), &e) != 0) {
		fprintf(stderr, "%s%s\n", USAGE, e.msg);
		return 2;
	}
	memset(&f, 0, sizeof(f));
	f.bank_code = o->bank;
	f.period_upto = o->upto;
	snprintf(batch, sizeof(batch), "SIM-%s-%s", o->bank, o->on);
	if (obligation_foreach_due(db, &f, take, &l, &e) != 0 ||
	    db_begin(db, &e) != 0)
		goto fail;
	for (i = 0; i < l.n; i++)
		if (obligation_mark_in_batch(db, l.v[i].id, batch, "batcher",
		    &e) != 0)
			goto rollback;
	if (db_commit(db, &e) != 0 || db_begin(db, &e) != 0)
		goto fail;
	for (i = 0; i < l.n; i++) {
		int64_t susp = 0;

		snprintf(item, sizeof(item), "E%lld", (long long)l.v[i].id);
		fx_result(&r, sha, l.v[i].id, on, item, l.v[i].due, on);
		r.bank = o->bank;
		r.mandate_id = l.v[i].mandate;
		if (o->fail_every > 0 && (i + 1) % o->fail_every == 0) {
			r.category = o->category ? o->category :
			    "insufficient_funds";
			r.raw_code = o->code ? o->code : "AM04";
			if (obligation_fail_debit(db, &r, &susp, &e) != 0)
				goto rollback;
			failed++;
			suspended += susp > 0;
		} else {
			if (obligation_settle_debit(db, NULL, &r, &e) != 0)
				goto rollback;
			paid++;
		}
	}
	if (db_commit(db, &e) != 0)
		goto fail;
	printf("ledgersim: %s batch %s: %zu items, %ld paid, %ld failed, %ld "
	    "mandates suspended\n", o->bank, batch, l.n, paid, failed,
	    suspended);
	free(l.v);
	return 0;
rollback:
	db_rollback(db);
fail:
	fprintf(stderr, "ledgersim: %s\n", e.msg);
	free(l.v);
	return 1;
}

int
main(int argc, char **argv)
{
	struct gw_err e = GW_ERR_INIT;
	struct opts o = { 10000, 12, 1, 0, NULL, NULL, NULL, NULL, NULL };
	struct db *db = NULL;
	char path[4096];
	int rc;

	if (argc < 3 || (strcmp(argv[1], "year") != 0 &&
	    strcmp(argv[1], "debit") != 0) || parse(argc, argv, &o) != 0 ||
	    o.months > 12) {
		fputs(USAGE, stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/debitgw.db", argv[2]);
	if (store_open(&db, path, &e) != 0) {
		fprintf(stderr, "ledgersim: %s\n", e.msg);
		return 3;
	}
	rc = strcmp(argv[1], "year") == 0 ? year(db, argv[2], &o) :
	    debit(db, &o);
	db_close(db);
	return rc;
}
