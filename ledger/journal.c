/*
 * journal.c - posting balanced entries and reading balances back.
 *
 * journal_post writes the entry unposted, its lines, then closes it with
 * one UPDATE that the schema's trigger refuses unless the lines sum to
 * zero; the deferred foreign key on "unposted" stops a transaction that
 * left an entry open from committing at all. The C checks before that are
 * for messages, not for safety: remove them and the ledger still cannot
 * hold an unbalanced entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "common/text.h"
#include "common/vec.h"
#include "ledger/journal.h"
#include "ledger/ledger.h"

static const char q_entry[] =
    "INSERT INTO journal_entries(at, value_date, kind, source_kind,"
    " source_ref, actor, memo) VALUES (?,?,?,?,?,?,?)";
static const struct db_rows q_lines = { "INSERT INTO postings(entry_id,"
    " line, account, amount_fen, payer_id, obligation_id) VALUES ",
    "(?,?,?,?,?,?)", NULL };
static const char q_close[] =
    "UPDATE journal_entries SET unposted = NULL WHERE id = ?";
static const char q_find[] =
    "SELECT id, at FROM journal_entries WHERE source_kind = ? AND source_ref = ?";

int
journal_account_is_valid(const char *a)
{
	static const char *const fixed[] = { "receivable",
	    "subsidy_receivable:finance", "refunds_payable", "written_off" };
	size_t i, n = strlen(a);

	if (TEXT_IN(a, fixed))
		return 1;
	if (n == 19 && strncmp(a, "premium_income:", 15) == 0) {
		for (i = 15; i < 19; i++)
			if (a[i] < '0' || a[i] > '9')
				return 0;
		return 1;
	}
	if (n > 9 && n <= 40 && strncmp(a, "clearing:", 9) == 0) {
		for (i = 9; i < n; i++)
			if (!((a[i] >= 'a' && a[i] <= 'z') ||
			    (a[i] >= 'A' && a[i] <= 'Z') ||
			    (a[i] >= '0' && a[i] <= '9') || a[i] == '_' ||
			    a[i] == '-'))
				return 0;
		return 1;
	}
	return 0;
}

char *
journal_clearing(char *out, size_t cap, const char *what)
{
	snprintf(out, cap, "clearing:%s", what);
	return out;
}

char *
journal_income(char *out, size_t cap, int year)
{
	snprintf(out, cap, "premium_income:%04u", (unsigned)year % 10000u);
	return out;
}

static int
already_posted(struct db *db, const struct journal_src *src, struct gw_err *e)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	char at[TS_BUFSZ] = "";

	if ((st = db_stmt(db, q_find, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, src->source_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, src->source_ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(at, sizeof(at), "%s", db_col_text(st, 1));
	}
	sqlite3_reset(st);
	return gw_err_set(e, GW_EDUP, "%s %s was posted before (journal entry "
	    "%lld at %s); each source posts once", src->source_kind,
	    src->source_ref, (long long)id, at);
}

int
journal_post(struct db *db, const struct journal_src *src,
    const struct journal_line *lines, size_t n, int64_t *entry_id,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	int64_t sum = 0, id;
	char vd[DATE_BUFSZ];
	size_t i;

	if (!db_in_tx(db))
		return gw_err_set(e, GW_EDB, "journal_post outside a transaction");
	if (n < 2 || n > JOURNAL_MAX_LINES)
		return gw_err_set(e, GW_EINPUT, "journal entry %s: %zu postings; "
		    "an entry has 2 to %d", src->source_ref, n,
		    JOURNAL_MAX_LINES);
	for (i = 0; i < n; i++) {
		if (!journal_account_is_valid(lines[i].account))
			return gw_err_set(e, GW_EINPUT, "journal entry %s: no "
			    "account '%.60s'", src->source_ref, lines[i].account);
		if (lines[i].amount_fen == 0)
			return gw_err_set(e, GW_EINPUT, "journal entry %s: a "
			    "posting of 0.00 to %s", src->source_ref,
			    lines[i].account);
		if (money_add(&sum, lines[i].amount_fen, e) != 0)
			return e->code;
	}
	if (sum != 0) {
		char b[MONEY_BUFSZ];

		return gw_err_set(e, GW_EINPUT, "journal entry %s does not "
		    "balance: debits exceed credits by %s", src->source_ref,
		    money_format(b, sum));
	}
	if ((st = db_stmt(db, q_entry, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, ts_now_utc(), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date_format(vd, src->value_date), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, src->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, src->source_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, src->source_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, src->actor, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 7, src->memo);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int x = sqlite3_extended_errcode(db_handle(db));

		sqlite3_reset(st);
		if (x == SQLITE_CONSTRAINT_UNIQUE)
			return already_posted(db, src, e);
		return ledger_db_fail(db, "journal entry", e);
	}
	sqlite3_reset(st);
	id = sqlite3_last_insert_rowid(db_handle(db));
	/* The lines in one statement: see db_stmt_rows. */
	_Static_assert(JOURNAL_MAX_LINES <= DB_ROWS_MAX, "an entry in one "
	    "statement");
	if ((st = db_stmt_rows(db, &q_lines, (int)n, e)) == NULL)
		return e->code;
	for (i = 0; i < n; i++) {
		int b = (int)i * 6;

		sqlite3_bind_int64(st, b + 1, id);
		sqlite3_bind_int(st, b + 2, (int)i + 1);
		sqlite3_bind_text(st, b + 3, lines[i].account, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, b + 4, lines[i].amount_fen);
		db_bind_text_or_null(st, b + 5, lines[i].payer_id);
		if (lines[i].obligation_id > 0)
			sqlite3_bind_int64(st, b + 6, lines[i].obligation_id);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, "posting", e);
	}
	sqlite3_reset(st);
	if ((st = db_stmt(db, q_close, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, "closing journal entry", e);
	}
	sqlite3_reset(st);
	if (entry_id)
		*entry_id = id;
	return 0;
}

int
journal_post_pair(struct db *db, const struct journal_src *src,
    const char *debit, const char *credit, int64_t amount_fen,
    const char *payer_id, int64_t obligation_id, int64_t *entry_id,
    struct gw_err *e)
{
	struct journal_line l[2] = {
		{ debit, amount_fen, payer_id, obligation_id },
		{ credit, -amount_fen, payer_id, obligation_id },
	};

	return journal_post(db, src, l, 2, entry_id, e);
}

int
journal_balance(struct db *db, const char *account, const char *payer_id,
    int64_t *out, struct gw_err *e)
{
	static const char q_acct[] = "SELECT coalesce(sum(debit_fen -"
	    " credit_fen), 0) FROM account_totals WHERE account = ?";
	/* "+account": through the payer's few postings, not the account's
	 * million; and a debit entry's receivable credit by its detail, the
	 * dues of the payer's obligations it paid. */
	static const char q_payer[] =
	    "SELECT coalesce((SELECT sum(amount_fen) FROM postings WHERE"
	    " +account = ?1 AND obligation_id IN "
	    LEDGER_PAYER_OBLIGATIONS("?2") "), 0)"
	    " - CASE ?1 WHEN 'receivable' THEN coalesce((SELECT sum(due_fen)"
	    " FROM obligations WHERE pay_entry IS NOT NULL AND id IN "
	    LEDGER_PAYER_OBLIGATIONS("?2") "), 0) ELSE 0 END";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, payer_id ? q_payer : q_acct, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	if (payer_id)
		sqlite3_bind_text(st, 2, payer_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "balance", e);
}

int
journal_foreach_account(struct db *db, const char *family,
    int (*fn)(void *arg, const struct journal_account *a), void *arg,
    struct gw_err *e)
{
	/* The range form keeps the primary key usable. */
	static const char q[] =
	    "SELECT account, postings, debit_fen, credit_fen,"
	    " debit_fen - credit_fen FROM account_totals"
	    " WHERE ?1 IS NULL OR account = ?1 OR (account > ?2 AND account < ?3)"
	    " ORDER BY account";
	struct journal_account a;
	sqlite3_stmt *st;
	char lo[64], hi[64];
	int rc = 0, step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	if (family) {
		snprintf(lo, sizeof(lo), "%s:", family);
		snprintf(hi, sizeof(hi), "%s;", family);	/* ';' follows ':' */
		sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		a.account = db_col_text(st, 0);
		a.postings = sqlite3_column_int64(st, 1);
		a.debit_fen = sqlite3_column_int64(st, 2);
		a.credit_fen = sqlite3_column_int64(st, 3);
		a.balance_fen = sqlite3_column_int64(st, 4);
		if ((rc = fn(arg, &a)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "accounts", e);
	sqlite3_reset(st);
	return rc;
}

struct tb {
	int64_t	total;
	int64_t	n;
	struct gw_err *e;
};

static int
tb_add(void *arg, const struct journal_account *a)
{
	struct tb *t = arg;

	t->n++;
	return money_add(&t->total, a->balance_fen, t->e);
}

int
journal_trial_balance(struct db *db, int64_t *total, int64_t *naccounts,
    struct gw_err *e)
{
	struct tb t = { 0, 0, e };
	int rc;

	rc = journal_foreach_account(db, NULL, tb_add, &t, e);
	*total = t.total;
	*naccounts = t.n;
	return rc;
}

int
journal_foreach_posting(struct db *db, const struct journal_filter *f,
    int (*fn)(void *arg, const struct journal_posting *p), void *arg,
    struct gw_err *e)
{
#define POSTINGS \
	"SELECT j.id, p.line, j.at, j.value_date, j.kind, j.source_kind," \
	" j.source_ref, j.actor, coalesce(j.memo, ''), p.account," \
	" p.amount_fen, coalesce(p.payer_id, ''), coalesce(p.obligation_id, 0)" \
	" FROM journal_entries j JOIN postings p ON p.entry_id = j.id"
	static const char q_all[] =
	    POSTINGS
	    " WHERE j.value_date >= ?1 ORDER BY j.id, p.line";
	/*
	 * Entries on the obligations obl: those with a posting naming one
	 * (every posting naming a payer names its obligation), whole, and
	 * the debit entries that paid one (pay_entry), whose receivable
	 * credit is shown by its detail: a line per obligation of obl.
	 */
#define ON_OBLIGATIONS(OBL) \
	"WITH obl(id) AS (" OBL ")" \
	POSTINGS \
	" WHERE j.id IN (SELECT entry_id FROM postings WHERE obligation_id" \
	"  IN obl UNION SELECT pay_entry FROM obligations WHERE id IN obl" \
	"  AND pay_entry IS NOT NULL)" \
	" AND j.value_date >= ?1" \
	" AND (p.obligation_id IS NOT NULL OR p.account <> 'receivable')" \
	" UNION ALL" \
	" SELECT j.id, p.line, j.at, j.value_date, j.kind, j.source_kind," \
	" j.source_ref, j.actor, coalesce(j.memo, ''), p.account," \
	" -o.due_fen, o.payer_id, o.id FROM obligations o" \
	" JOIN journal_entries j ON j.id = o.pay_entry" \
	" JOIN postings p ON p.entry_id = j.id AND p.account = 'receivable'" \
	" AND p.obligation_id IS NULL" \
	" WHERE o.id IN obl AND j.value_date >= ?1" \
	" ORDER BY 1, 2, 13"
	static const char q_payer[] = ON_OBLIGATIONS(
	    "SELECT id FROM " LEDGER_PAYER_OBLIGATIONS("?2")
	    " WHERE ?3 = 0 OR id = ?3");
	static const char q_obl[] = ON_OBLIGATIONS("SELECT ?3");
#undef ON_OBLIGATIONS
#undef POSTINGS
	struct journal_posting p;
	sqlite3_stmt *st;
	const char *q = q_all;
	char since[DATE_BUFSZ];
	int rc = 0, step;

	if (f && f->payer_id)
		q = q_payer;
	else if (f && f->obligation_id > 0)
		q = q_obl;
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, f && f->since ? date_format(since, f->since) :
	    "0000-00-00", -1, SQLITE_TRANSIENT);
	if (q == q_payer)
		sqlite3_bind_text(st, 2, f->payer_id, -1, SQLITE_STATIC);
	if (q != q_all)
		sqlite3_bind_int64(st, 3, f->obligation_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		p.entry_id = sqlite3_column_int64(st, 0);
		p.line = sqlite3_column_int(st, 1);
		p.at = db_col_text(st, 2);
		p.value_date = db_col_text(st, 3);
		p.kind = db_col_text(st, 4);
		p.source_kind = db_col_text(st, 5);
		p.source_ref = db_col_text(st, 6);
		p.actor = db_col_text(st, 7);
		p.memo = db_col_text(st, 8);
		p.account = db_col_text(st, 9);
		p.amount_fen = sqlite3_column_int64(st, 10);
		p.payer_id = db_col_text(st, 11);
		p.obligation_id = sqlite3_column_int64(st, 12);
		if ((rc = fn(arg, &p)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "journal", e);
	sqlite3_reset(st);
	return rc;
}

struct acct_sum {
	char	 account[48];
	int64_t	 kept[3];	/* account_totals: postings, debit, credit */
	int64_t	 sum[3];	/* the same, from the postings */
};

static int
acct_cmp(const void *k, const void *v)
{
	return strcmp(k, ((const struct acct_sum *)v)->account);
}

static int
totals_fail(struct gw_err *e, const struct acct_sum *a)
{
	char d0[MONEY_BUFSZ], c0[MONEY_BUFSZ], d1[MONEY_BUFSZ], c1[MONEY_BUFSZ];

	return gw_err_set(e, GW_EDB, "account totals of %s say %lld postings, "
	    "debits %s, credits %s; its postings are %lld, %s, %s", a->account,
	    (long long)a->kept[0], money_format(d0, a->kept[1]),
	    money_format(c0, a->kept[2]), (long long)a->sum[0],
	    money_format(d1, a->sum[1]), money_format(c1, a->sum[2]));
}

/*
 * account_totals against the postings, in one pass over them: the few
 * accounts in a sorted array, each posting added to its own. A posting on
 * an account without totals is named as such.
 */
static int
totals_check(struct db *db, struct gw_err *e)
{
	static const char q_kept[] = "SELECT account, postings, debit_fen,"
	    " credit_fen FROM account_totals ORDER BY account";
	static const char q_all[] = "SELECT account, amount_fen FROM postings";
	struct acct_sum *v = NULL, *last = NULL;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *st;
	int step, rc = 0;

	if ((st = db_stmt(db, q_kept, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (vec_room(&v, n, &cap, sizeof(*v)) != 0) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			break;
		}
		memset(&v[n], 0, sizeof(v[n]));
		DB_COL_COPY(v[n].account, st, 0);
		for (i = 0; i < 3; i++)
			v[n].kept[i] = sqlite3_column_int64(st, (int)i + 1);
		n++;
	}
	sqlite3_reset(st);
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "account totals", e);
	if (rc == 0 && (st = db_stmt(db, q_all, e)) == NULL)
		rc = e->code;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *acct = db_col_text(st, 0);
		int64_t amt = sqlite3_column_int64(st, 1);

		/* A debit entry's receivable lines come 63 in a row. */
		if (last == NULL || strcmp(acct, last->account) != 0)
			last = bsearch(acct, v, n, sizeof(*v), acct_cmp);
		if (last == NULL) {
			rc = gw_err_set(e, GW_EDB, "account %s has postings but "
			    "no account totals", acct);
			break;
		}
		last->sum[0]++;
		last->sum[amt > 0 ? 1 : 2] += amt > 0 ? amt : -amt;
	}
	if (st != NULL)
		sqlite3_reset(st);
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "postings", e);
	for (i = 0; rc == 0 && i < n; i++)
		if (memcmp(v[i].kept, v[i].sum, sizeof(v[i].sum)) != 0)
			rc = totals_fail(e, &v[i]);
	free(v);
	return rc;
}

/*
 * A receivable credit without an obligation is a debit entry's; its detail
 * is the obligations naming the entry: their dues must make it, and an
 * obligation may name only such an entry. One pass over the obligations.
 */
static int
detail_check(struct db *db, int64_t *bad_entry, struct gw_err *e)
{
	static const char q[] =
	    "WITH d(entry_id, due, n) AS (SELECT pay_entry, sum(due_fen),"
	    "  count(*) FROM obligations WHERE pay_entry IS NOT NULL"
	    "  GROUP BY pay_entry),"
	    " c(entry_id, amount) AS (SELECT entry_id, -amount_fen FROM postings"
	    "  WHERE account = 'receivable' AND obligation_id IS NULL)"
	    " SELECT c.entry_id, c.amount, coalesce(d.due, 0), coalesce(d.n, 0)"
	    " FROM c LEFT JOIN d ON d.entry_id = c.entry_id"
	    " WHERE d.due IS NOT c.amount"
	    " UNION ALL SELECT d.entry_id, 0, d.due, d.n FROM d"
	    " WHERE d.entry_id NOT IN (SELECT entry_id FROM c)"
	    " ORDER BY 1 LIMIT 1";
	sqlite3_stmt *st;
	int step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		*bad_entry = sqlite3_column_int64(st, 0);
		gw_err_set(e, GW_EDB, "journal entry %lld credits receivable %s "
		    "for the obligations it paid, but the %lld obligations "
		    "naming it are due %s", (long long)*bad_entry,
		    money_format(a, sqlite3_column_int64(st, 1)),
		    (long long)sqlite3_column_int64(st, 3),
		    money_format(b, sqlite3_column_int64(st, 2)));
	}
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return e->code;
	return step == SQLITE_DONE ? 0 : db_fail(db, "journal check", e);
}

int
journal_check(struct db *db, int64_t *entries, int64_t *bad_entry,
    struct gw_err *e)
{
	static const char q_bad[] =
	    "SELECT j.id, count(p.line), coalesce(sum(p.amount_fen), 0),"
	    " j.unposted FROM journal_entries j"
	    " LEFT JOIN postings p ON p.entry_id = j.id GROUP BY j.id"
	    " HAVING count(p.line) < 2 OR coalesce(sum(p.amount_fen), 0) <> 0"
	    " OR j.unposted IS NOT NULL ORDER BY j.id LIMIT 1";
	static const char q_count[] = "SELECT count(*) FROM journal_entries";
	sqlite3_stmt *st;
	int step;

	*bad_entry = 0;
	*entries = 0;
	if ((st = db_stmt(db, q_count, e)) == NULL)
		return e->code;
	if (sqlite3_step(st) == SQLITE_ROW)
		*entries = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((st = db_stmt(db, q_bad, e)) == NULL)
		return e->code;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		char b[MONEY_BUFSZ];

		*bad_entry = sqlite3_column_int64(st, 0);
		gw_err_set(e, GW_EDB, "journal entry %lld is %s: %lld postings "
		    "summing to %s", (long long)*bad_entry,
		    sqlite3_column_type(st, 3) != SQLITE_NULL ? "unposted" :
		    "unbalanced", (long long)sqlite3_column_int64(st, 1),
		    money_format(b, sqlite3_column_int64(st, 2)));
		sqlite3_reset(st);
		return e->code;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "journal check", e);
	if (totals_check(db, e) != 0)
		return e->code;
	return detail_check(db, bad_entry, e);
}
