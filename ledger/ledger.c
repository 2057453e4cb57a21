/*
 * ledger.c - the ledger's schema, its policy defaults and small shared rules.
 *
 * The schema does not trust the C code above it. What must always hold is
 * held by SQLite itself:
 *
 *  - A journal entry is inserted "unposted" (unposted = 1) and its postings
 *    are added; setting unposted to NULL closes it, and a trigger refuses
 *    that unless the entry has at least two postings summing to zero. An
 *    unposted entry cannot be committed: unposted is a deferred foreign key
 *    into journal_never, a table that is always empty, so COMMIT fails
 *    while any entry is left open. Postings of a closed entry, closed
 *    entries and postings are never changed or deleted. Together: every
 *    committed entry is balanced, whatever the code above does.
 *  - Posting is exactly-once: (source_kind, source_ref) is unique, so a
 *    return-file item, an assessment line or a payment reference cannot
 *    post twice; a bank result leaves in_batch, which happens once per
 *    batch item; a failed result is unique per (file SHA-256, item).
 *  - Obligation states move only along the pairs in obligation_transitions
 *    (a trigger checks every UPDATE of state); amounts never change; an
 *    obligation is never deleted. Zero due is "settled" and nothing else.
 *  - Refund approval by the requester is refused by a CHECK
 *    (maker-checker), refund states move only forward.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "common/strnum.h"
#include "common/text.h"
#include "ledger/journal.h"
#include "ledger/ledger.h"
#include "mandates/ident.h"

#define ACCOUNT_CHECK \
	"account IN ('receivable','subsidy_receivable:finance'," \
	"'refunds_payable','written_off')" \
	" OR account GLOB 'premium_income:[0-9][0-9][0-9][0-9]'" \
	" OR (account GLOB 'clearing:?*' AND length(account) <= 40)"

/* What closing a journal entry checks (migration 1, kept by 6). */
#define ENTRY_CLOSE_CHECKS \
	" SELECT RAISE(ABORT, 'journal entry is already posted')" \
	"  WHERE OLD.unposted IS NULL OR NEW.unposted IS NOT NULL;" \
	" SELECT RAISE(ABORT, 'journal entry needs two postings or more')" \
	"  WHERE (SELECT count(*) FROM postings WHERE entry_id = NEW.id) < 2;" \
	" SELECT RAISE(ABORT, 'journal entry does not balance')" \
	"  WHERE (SELECT sum(amount_fen) FROM postings" \
	"  WHERE entry_id = NEW.id) <> 0;"

/* A posting's columns (migration 1, kept by 7, which changed the CHECK
 * after them). */
#define POSTINGS_COLUMNS \
	" entry_id INTEGER NOT NULL REFERENCES journal_entries(id)," \
	" line INTEGER NOT NULL CHECK (line BETWEEN 1 AND 64)," \
	" account TEXT NOT NULL CHECK (" ACCOUNT_CHECK ")," \
	" amount_fen INTEGER NOT NULL CHECK (amount_fen <> 0 AND amount_fen" \
	"  BETWEEN -1000000000000000 AND 1000000000000000)," \
	" payer_id TEXT CHECK (payer_id IS NULL OR length(payer_id) = 18)," \
	" obligation_id INTEGER REFERENCES obligations(id),"
/* Postings only into an open entry, and final (migration 1, kept by 7). */
#define POSTINGS_GUARDS \
	"CREATE TRIGGER postings_open BEFORE INSERT ON postings" \
	" WHEN (SELECT unposted FROM journal_entries WHERE id = NEW.entry_id)" \
	"  IS NULL BEGIN SELECT RAISE(ABORT," \
	" 'journal entry is posted or missing; postings are final'); END;" \
	"CREATE TRIGGER postings_fixed BEFORE UPDATE ON postings" \
	" BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;" \
	"CREATE TRIGGER postings_kept BEFORE DELETE ON postings" \
	" BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;"
/* An account's debits and credits (positive) from its postings. */
#define TOTALS_SUMS \
	"coalesce(sum(CASE WHEN amount_fen > 0 THEN amount_fen END), 0)," \
	" coalesce(-sum(CASE WHEN amount_fen < 0 THEN amount_fen END), 0)"

static const struct db_migration ledger_migrations[] = {
	{ 1,
	  /* ---- obligations ---- */
	  "CREATE TABLE obligations("
	  " id INTEGER PRIMARY KEY,"
	  " payer_id TEXT NOT NULL CHECK (length(payer_id) = 18),"
	  " period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]'"
	  "  OR period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
	  " year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2199"
	  "  AND year = CAST(substr(period, 1, 4) AS INTEGER)),"
	  " category TEXT NOT NULL"
	  "  CHECK (category IN ('adult','minor','student','exempt')),"
	  " amount_fen INTEGER NOT NULL"
	  "  CHECK (amount_fen BETWEEN 0 AND 1000000000000000),"
	  " subsidy_fen INTEGER NOT NULL CHECK (subsidy_fen BETWEEN 0 AND amount_fen),"
	  " due_fen INTEGER NOT NULL CHECK (due_fen = amount_fen - subsidy_fen"
	  "  OR (due_fen = 0 AND exemption_type IS NOT NULL)),"
	  " exemption_type TEXT,"
	  " exemption_cert TEXT,"
	  " exemption_valid_until TEXT,"
	  " late INTEGER NOT NULL CHECK (late IN (0,1)),"
	  " newborn INTEGER NOT NULL CHECK (newborn IN (0,1)),"
	  " state TEXT NOT NULL CHECK (state IN ('open','in_batch','paid',"
	  "  'failed','paid_other_channel','written_off','arrears',"
	  "  'refund_requested','refunded','settled')),"
	  " batch_ref TEXT,"
	  " pay_channel TEXT CHECK (pay_channel IN ('debit','counter','wechat',"
	  "  'alipay','bank_app','pos','other')),"
	  " pay_bank TEXT,"
	  " paid_on TEXT,"
	  " pay_ref TEXT,"
	  " cover_from TEXT,"
	  " fail_category TEXT CHECK (fail_category IN ('insufficient_funds',"
	  "  'account_frozen','account_abnormal','account_closed',"
	  "  'mandate_invalid','payer_deceased','other')),"
	  " fail_code TEXT,"
	  " fail_bank TEXT,"
	  " failed_on TEXT,"
	  " source TEXT NOT NULL,"
	  " created_at TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL,"
	  " enrolled INTEGER NOT NULL DEFAULT 1 CHECK (enrolled IN (0, 1)),"
	  " CHECK (state <> 'refunded' OR enrolled = 0),"
	  " CHECK ((exemption_type IS NULL) = (exemption_cert IS NULL)"
	  "  AND (exemption_type IS NULL) = (exemption_valid_until IS NULL)),"
	  " CHECK ((state = 'settled') = (due_fen = 0)),"
	  " CHECK (state NOT IN ('paid','paid_other_channel','refund_requested',"
	  "  'refunded') OR (paid_on IS NOT NULL AND pay_channel IS NOT NULL"
	  "  AND pay_ref IS NOT NULL AND cover_from IS NOT NULL)),"
	  " CHECK (state NOT IN ('failed','arrears') OR (fail_category IS NOT NULL"
	  "  AND failed_on IS NOT NULL)),"
	  " CHECK (state <> 'in_batch' OR batch_ref IS NOT NULL));"
	  /* One valid enrolment per payer and period (Meizhou notice). A
	   * refund ends the enrolment (enrolled = 0, set only then): the
	   * index's WHERE does not mention state, so the million state
	   * changes of a run or an ingest never touch this index. */
	  "CREATE UNIQUE INDEX obligations_enrolment ON obligations(payer_id,"
	  " period) WHERE enrolled = 1;"
	  "CREATE INDEX obligations_state ON obligations(state, period);"
	  "CREATE TABLE obligation_transitions("
	  " from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
	  " PRIMARY KEY (from_state, to_state)) WITHOUT ROWID;"
	  "INSERT INTO obligation_transitions VALUES"
	  " ('open','in_batch'), ('in_batch','open'), ('in_batch','paid'),"
	  " ('in_batch','failed'), ('failed','open'),"
	  " ('open','paid_other_channel'), ('failed','paid_other_channel'),"
	  " ('arrears','paid_other_channel'), ('open','written_off'),"
	  " ('failed','written_off'), ('arrears','written_off'),"
	  " ('failed','arrears'), ('paid','refund_requested'),"
	  " ('paid_other_channel','refund_requested'),"
	  " ('refund_requested','refunded'), ('refund_requested','paid'),"
	  " ('refund_requested','paid_other_channel');"
	  "CREATE TRIGGER obligation_transitions_fixed_i BEFORE INSERT ON"
	  " obligation_transitions BEGIN SELECT RAISE(ABORT,"
	  " 'obligation_transitions is fixed by the schema'); END;"
	  "CREATE TRIGGER obligation_transitions_fixed_u BEFORE UPDATE ON"
	  " obligation_transitions BEGIN SELECT RAISE(ABORT,"
	  " 'obligation_transitions is fixed by the schema'); END;"
	  "CREATE TRIGGER obligation_transitions_fixed_d BEFORE DELETE ON"
	  " obligation_transitions BEGIN SELECT RAISE(ABORT,"
	  " 'obligation_transitions is fixed by the schema'); END;"
	  "CREATE TRIGGER obligations_born BEFORE INSERT ON obligations"
	  " WHEN NEW.state NOT IN ('open','settled') BEGIN SELECT RAISE(ABORT,"
	  " 'an obligation starts open or settled'); END;"
	  "CREATE TRIGGER obligations_state BEFORE UPDATE OF state ON obligations"
	  " WHEN NOT EXISTS (SELECT 1 FROM obligation_transitions"
	  "  WHERE from_state = OLD.state AND to_state = NEW.state)"
	  " BEGIN SELECT RAISE(ABORT, 'illegal obligation state transition');"
	  " END;"
	  "CREATE TRIGGER obligations_fixed BEFORE UPDATE OF id, payer_id, period,"
	  " year, category, amount_fen, subsidy_fen, due_fen, exemption_type,"
	  " exemption_cert, exemption_valid_until, late, newborn, source,"
	  " created_at ON obligations BEGIN SELECT RAISE(ABORT,"
	  " 'an obligation''s assessment never changes'); END;"
	  "CREATE TRIGGER obligations_kept BEFORE DELETE ON obligations"
	  " BEGIN SELECT RAISE(ABORT, 'obligations are never deleted'); END;"

	  /* ---- journal ---- */
	  "CREATE TABLE journal_never(id INTEGER PRIMARY KEY);"
	  "CREATE TRIGGER journal_never_empty BEFORE INSERT ON journal_never"
	  " BEGIN SELECT RAISE(ABORT, 'journal_never stays empty'); END;"
	  "CREATE TABLE journal_entries("
	  " id INTEGER PRIMARY KEY,"
	  " at TEXT NOT NULL,"
	  " value_date TEXT NOT NULL CHECK (value_date GLOB"
	  "  '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),"
	  " kind TEXT NOT NULL CHECK (kind IN ('assessment','debit',"
	  "  'channel_payment','write_off','refund','refund_payout')),"
	  " source_kind TEXT NOT NULL CHECK (source_kind IN ('assess_file',"
	  "  'return_item','payment','command')),"
	  " source_ref TEXT NOT NULL CHECK (length(source_ref) BETWEEN 1 AND 240),"
	  " actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 64),"
	  " memo TEXT,"
	  " unposted INTEGER DEFAULT 1 REFERENCES journal_never(id)"
	  "  DEFERRABLE INITIALLY DEFERRED,"
	  " UNIQUE (source_kind, source_ref));"
	  /* For the agency export only: payments, not the assessments. */
	  "CREATE INDEX journal_payments ON journal_entries(value_date)"
	  " WHERE kind IN ('debit','channel_payment');"
	  "CREATE TABLE postings("
	  POSTINGS_COLUMNS
	  " CHECK (account <> 'receivable' OR (payer_id IS NOT NULL"
	  "  AND obligation_id IS NOT NULL)),"
	  " PRIMARY KEY (entry_id, line)) WITHOUT ROWID;"
	  "CREATE INDEX postings_account ON postings(account, amount_fen);"
	  "CREATE INDEX postings_payer ON postings(payer_id)"
	  " WHERE payer_id IS NOT NULL;"
	  "CREATE TRIGGER journal_entries_born BEFORE INSERT ON journal_entries"
	  " WHEN NEW.unposted IS NOT 1 BEGIN SELECT RAISE(ABORT,"
	  " 'a journal entry starts unposted'); END;"
	  "CREATE TRIGGER journal_entries_fixed BEFORE UPDATE OF id, at,"
	  " value_date, kind, source_kind, source_ref, actor, memo"
	  " ON journal_entries BEGIN SELECT RAISE(ABORT,"
	  " 'journal entries are append-only'); END;"
	  "CREATE TRIGGER journal_entries_close BEFORE UPDATE OF unposted"
	  " ON journal_entries BEGIN"
	  ENTRY_CLOSE_CHECKS
	  " END;"
	  "CREATE TRIGGER journal_entries_kept BEFORE DELETE ON journal_entries"
	  " BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;"
	  POSTINGS_GUARDS

	  /* ---- debit results (exactly once per return-file item) ---- */
	  "CREATE TABLE debit_results("
	  " source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),"
	  " item_ref TEXT NOT NULL CHECK (length(item_ref) BETWEEN 1 AND 128),"
	  " obligation_id INTEGER NOT NULL REFERENCES obligations(id),"
	  " outcome TEXT NOT NULL CHECK (outcome IN ('paid','failed')),"
	  " bank TEXT NOT NULL,"
	  " on_date TEXT NOT NULL,"
	  " reference TEXT,"
	  " category TEXT,"
	  " raw_code TEXT,"
	  " mandate_suspended INTEGER,"
	  " entry_id INTEGER REFERENCES journal_entries(id),"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL,"
	  " CHECK ((outcome = 'paid') = (entry_id IS NOT NULL)),"
	  " CHECK (outcome = 'paid' OR category IS NOT NULL),"
	  " PRIMARY KEY (source_sha256, item_ref)) WITHOUT ROWID;"
	  "CREATE INDEX debit_results_obligation ON debit_results(obligation_id);"

	  /* ---- refunds ---- */
	  "CREATE TABLE refunds("
	  " id INTEGER PRIMARY KEY,"
	  " obligation_id INTEGER NOT NULL REFERENCES obligations(id),"
	  " reason TEXT NOT NULL CHECK (reason IN ('duplicate','deceased',"
	  "  'employee_insurance','system_error','other')),"
	  " note TEXT,"
	  " amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),"
	  " clearing TEXT NOT NULL CHECK (clearing GLOB 'clearing:?*'),"
	  " from_state TEXT NOT NULL"
	  "  CHECK (from_state IN ('paid','paid_other_channel')),"
	  " state TEXT NOT NULL"
	  "  CHECK (state IN ('requested','approved','rejected','paid')),"
	  " requested_by TEXT NOT NULL,"
	  " requested_at TEXT NOT NULL,"
	  " requested_on TEXT NOT NULL,"
	  " due_on TEXT NOT NULL,"
	  " decided_by TEXT,"
	  " decided_at TEXT,"
	  " decision_note TEXT,"
	  " paid_on TEXT,"
	  " pay_ref TEXT,"
	  /* Maker-checker, held by the database itself. */
	  " CHECK (decided_by IS NULL OR decided_by <> requested_by),"
	  " CHECK ((state = 'requested') = (decided_by IS NULL)),"
	  " CHECK ((state = 'paid') = (paid_on IS NOT NULL AND pay_ref IS NOT NULL)));"
	  "CREATE UNIQUE INDEX refunds_one_per_obligation ON refunds(obligation_id)"
	  " WHERE state <> 'rejected';"
	  "CREATE INDEX refunds_state ON refunds(state, due_on);"
	  "CREATE TRIGGER refunds_state BEFORE UPDATE OF state ON refunds"
	  " WHEN NOT ((OLD.state = 'requested' AND NEW.state IN ('approved',"
	  "  'rejected')) OR (OLD.state = 'approved' AND NEW.state = 'paid'))"
	  " BEGIN SELECT RAISE(ABORT, 'illegal refund state transition'); END;"
	  "CREATE TRIGGER refunds_fixed BEFORE UPDATE OF id, obligation_id, reason,"
	  " amount_fen, clearing, from_state, requested_by, requested_at,"
	  " requested_on, due_on ON refunds BEGIN SELECT RAISE(ABORT,"
	  " 'a refund request never changes'); END;"
	  "CREATE TRIGGER refunds_kept BEFORE DELETE ON refunds"
	  " BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END;"

	  /* ---- imports, month closes, exports ---- */
	  "CREATE TABLE assessment_imports("
	  " id INTEGER PRIMARY KEY,"
	  " sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
	  " path TEXT NOT NULL,"
	  " rows INTEGER NOT NULL,"
	  " imported INTEGER NOT NULL,"
	  " settled INTEGER NOT NULL,"
	  " warnings INTEGER NOT NULL,"
	  " due_fen INTEGER NOT NULL,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL);"
	  "CREATE TABLE month_closes("
	  " month TEXT PRIMARY KEY CHECK (month GLOB"
	  "  '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
	  " arrears INTEGER NOT NULL,"
	  " arrears_fen INTEGER NOT NULL,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL);"
	  "CREATE TABLE payment_exports("
	  " id INTEGER PRIMARY KEY,"
	  " since TEXT NOT NULL,"
	  " again INTEGER NOT NULL CHECK (again IN (0,1)),"
	  " rows INTEGER NOT NULL,"
	  " total_fen INTEGER NOT NULL,"
	  " path TEXT,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL);"
	  "CREATE TABLE payment_export_items("
	  " entry_id INTEGER PRIMARY KEY REFERENCES journal_entries(id),"
	  " export_id INTEGER NOT NULL REFERENCES payment_exports(id));" },
	/* A debit entry from a return file credits up to 63 payers: a payment
	 * record is a receivable posting, not an entry. */
	{ 2,
	  "CREATE TABLE payment_export_lines("
	  " entry_id INTEGER NOT NULL,"
	  " line INTEGER NOT NULL,"
	  " export_id INTEGER NOT NULL REFERENCES payment_exports(id),"
	  " PRIMARY KEY (entry_id, line),"
	  " FOREIGN KEY (entry_id, line) REFERENCES postings(entry_id, line))"
	  " WITHOUT ROWID;"
	  "INSERT INTO payment_export_lines(entry_id, line, export_id)"
	  " SELECT x.entry_id, p.line, x.export_id FROM payment_export_items x"
	  " JOIN postings p ON p.entry_id = x.entry_id"
	  " AND p.account = 'receivable';"
	  "DROP TABLE payment_export_items;" },
	/* Index in the order rows arrive. A return file posts a million
	 * receivable lines in obligation order; keyed by payer_id those
	 * landed all over the index, every insert dirtied another page and
	 * the page cache spilled (8 of 46 s in a 1M ingest). A payer's
	 * postings are found through the payer's obligations instead:
	 * enrolled ones through obligations_enrolment, refunded ones (the
	 * few with enrolled = 0) through obligations_unenrolled. No query
	 * reads debit_results by obligation: its index only cost writes. */
	{ 3,
	  "DROP INDEX postings_payer;"
	  "CREATE INDEX postings_obligation ON postings(obligation_id);"
	  "CREATE INDEX obligations_unenrolled ON obligations(payer_id)"
	  " WHERE enrolled = 0;"
	  "DROP INDEX debit_results_obligation;" },
	/* The state index holds the states staff and runs look for (open to
	 * debit, failed to follow up, arrears), not the million in_batch and
	 * paid rows a run and an ingest move through it: open -> in_batch is
	 * now one index delete instead of a delete and an insert, in_batch ->
	 * paid touches no index at all. A query must repeat the WHERE
	 * (LEDGER_WORKED_STATE) for SQLite to use it. */
	{ 4,
	  "DROP INDEX obligations_state;"
	  "CREATE INDEX obligations_state ON obligations(state, period)"
	  " WHERE " LEDGER_WORKED_STATE ";" },
	/* A debit result names its return file by a small number, not by
	 * the file's 64-character hash, and keeps neither the item reference
	 * twice nor what is the same for the whole file (bank, actor): 213
	 * bytes a row became about 80, and a million-item ingest writes every
	 * byte twice (WAL, checkpoint). Exactly-once is unchanged: one row
	 * per (file, item), a file being one number per hash. */
	{ 5,
	  "CREATE TABLE debit_files("
	  " id INTEGER PRIMARY KEY,"
	  " sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
	  " bank TEXT NOT NULL,"
	  " actor TEXT NOT NULL,"
	  " at TEXT NOT NULL);"
	  "INSERT INTO debit_files(sha256, bank, actor, at)"
	  " SELECT source_sha256, min(bank), min(actor), min(at)"
	  " FROM debit_results GROUP BY source_sha256 ORDER BY min(at);"
	  "CREATE TABLE debit_results_5("
	  " file_id INTEGER NOT NULL REFERENCES debit_files(id),"
	  " item_ref TEXT NOT NULL CHECK (length(item_ref) BETWEEN 1 AND 128),"
	  " obligation_id INTEGER NOT NULL REFERENCES obligations(id),"
	  " outcome TEXT NOT NULL CHECK (outcome IN ('paid','failed')),"
	  " on_date TEXT NOT NULL,"
	  " category TEXT,"
	  " raw_code TEXT,"
	  " mandate_suspended INTEGER,"
	  " entry_id INTEGER REFERENCES journal_entries(id),"
	  " at TEXT NOT NULL,"
	  " CHECK ((outcome = 'paid') = (entry_id IS NOT NULL)),"
	  " CHECK (outcome = 'paid' OR category IS NOT NULL),"
	  " PRIMARY KEY (file_id, item_ref)) WITHOUT ROWID;"
	  "INSERT INTO debit_results_5 SELECT f.id, r.item_ref,"
	  " r.obligation_id, r.outcome, r.on_date, r.category, r.raw_code,"
	  " r.mandate_suspended, r.entry_id, r.at"
	  " FROM debit_results r JOIN debit_files f ON f.sha256 = r.source_sha256;"
	  "DROP TABLE debit_results;"
	  "ALTER TABLE debit_results_5 RENAME TO debit_results;" },
	/* Account totals are kept as entries close, not summed from an index
	 * over every posting: that index took an entry per posting (about
	 * 2 s of a million-item return file), while an account's totals
	 * change once per entry. The close trigger adds the entry's
	 * postings, which are final from then on, so the totals are derived
	 * by the database itself; journal_check recomputes them from the
	 * postings and names any account that disagrees. */
	{ 6,
	  "CREATE TABLE account_totals("
	  " account TEXT PRIMARY KEY,"
	  " postings INTEGER NOT NULL,"
	  " debit_fen INTEGER NOT NULL,"
	  " credit_fen INTEGER NOT NULL) WITHOUT ROWID;"
	  "INSERT INTO account_totals SELECT account, count(*), " TOTALS_SUMS
	  " FROM postings GROUP BY account;"
	  "DROP INDEX postings_account;"
	  "DROP TRIGGER journal_entries_close;"
	  "CREATE TRIGGER journal_entries_close BEFORE UPDATE OF unposted"
	  " ON journal_entries BEGIN"
	  ENTRY_CLOSE_CHECKS
	  " INSERT INTO account_totals(account, postings, debit_fen, credit_fen)"
	  "  SELECT account, count(*), " TOTALS_SUMS " FROM postings"
	  "  WHERE entry_id = NEW.id GROUP BY account"
	  "  ON CONFLICT (account) DO UPDATE SET"
	  "  postings = postings + excluded.postings,"
	  "  debit_fen = debit_fen + excluded.debit_fen,"
	  "  credit_fen = credit_fen + excluded.credit_fen;"
	  " END;"
	  "CREATE TRIGGER account_totals_kept BEFORE DELETE ON account_totals"
	  " BEGIN SELECT RAISE(ABORT, 'account totals are never deleted'); END;" },
	/* A return file's debits credit receivable once per entry of up to
	 * 63 obligations, not once per obligation: a million receivable
	 * postings, each with its index entry, foreign keys and trigger, were
	 * a fifth of a million-item ingest. Each obligation such a credit
	 * paid names its entry (pay_entry, set once: the state trigger now
	 * watches it too); the payer's sub-ledger reads those as the credit's
	 * detail, and journal_check holds every such credit equal to the dues
	 * of the obligations that name it. So a receivable posting names its
	 * payer and obligation, or neither (the postings table is rebuilt for
	 * that CHECK; payment_export_lines point into it, hence the deferred
	 * keys). A payment exported is marked by its posting line, or for a
	 * debit credited by entry, by its obligation (payment_export_paid). */
	{ 7,
	  "ALTER TABLE obligations ADD COLUMN pay_entry INTEGER;"
	  "DROP TRIGGER obligations_state;"
	  "CREATE TRIGGER obligations_state BEFORE UPDATE OF state, pay_entry"
	  " ON obligations BEGIN"
	  " SELECT RAISE(ABORT, 'an obligation''s debit entry is set once')"
	  "  WHERE OLD.pay_entry IS NOT NULL"
	  "  AND NEW.pay_entry IS NOT OLD.pay_entry;"
	  " SELECT RAISE(ABORT, 'illegal obligation state transition')"
	  "  WHERE NOT EXISTS (SELECT 1 FROM obligation_transitions"
	  "  WHERE from_state = OLD.state AND to_state = NEW.state);"
	  " END;"
	  "PRAGMA defer_foreign_keys = ON;"
	  "CREATE TABLE postings_7 AS SELECT * FROM postings;"
	  "DROP TABLE postings;"
	  "CREATE TABLE postings("
	  POSTINGS_COLUMNS
	  " CHECK ((payer_id IS NULL) = (obligation_id IS NULL)),"
	  " PRIMARY KEY (entry_id, line)) WITHOUT ROWID;"
	  "INSERT INTO postings SELECT entry_id, line, account, amount_fen,"
	  " payer_id, obligation_id FROM postings_7 ORDER BY entry_id, line;"
	  "DROP TABLE postings_7;"
	  "CREATE INDEX postings_obligation ON postings(obligation_id);"
	  POSTINGS_GUARDS
	  "CREATE TABLE payment_export_paid("
	  " obligation_id INTEGER PRIMARY KEY REFERENCES obligations(id),"
	  " export_id INTEGER NOT NULL REFERENCES payment_exports(id));" },
};

const struct db_part ledger_db_part =
    DB_PART("ledger", ledger_migrations);

void
ledger_policy_default(struct ledger_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->late_wait_days = 90;
	p->newborn_until = 225;
	p->refund_working_days = 5;
}

int
ledger_state_is_worked(const char *state)
{
	/* LEDGER_WORKED_STATE's list (check_obligation holds them equal). */
	static const char *const worked[] = { "open", "failed", "arrears" };

	return state != NULL && TEXT_IN(state, worked);
}

int
ledger_is_working_day(const struct ledger_policy *p, int day)
{
	if (p != NULL && p->is_working_day != NULL)
		return p->is_working_day(p->working_day_arg, day) != 0;
	return date_weekday(day) < 6;
}

int
ledger_add_working_days(const struct ledger_policy *p, int day, int n)
{
	/* A year of holidays cannot hold more than 366 days in a row. */
	int guard = 0;

	while (n > 0 && guard++ < 4000) {
		day++;
		if (ledger_is_working_day(p, day))
			n--;
	}
	return day;
}

int
ledger_payer_id(char out[19], const char *s, int today, int *converted,
    struct gw_err *e)
{
	/* The foreigner ID (2023) starts with 9; no province code does. */
	enum ident_type t = s[0] == '9' ? IDENT_FOREIGNER : IDENT_RESIDENT;

	return ident_person(out, t, s, today, converted, e);
}

/*
 * A period or month as the day it starts: "YYYY" and "YYYY-MM" become
 * "YYYY-01-01" and "YYYY-MM-01" for date_parse, which checks the digits.
 */
static int
period_start(const char *s, int *day)
{
	char buf[DATE_BUFSZ];
	size_t n = strlen(s);
	int y;

	if (n == 4)
		snprintf(buf, sizeof(buf), "%s-01-01", s);
	else if (n == 7 && s[4] == '-')
		snprintf(buf, sizeof(buf), "%s-01", s);
	else
		return -1;
	if (date_parse(day, buf, strlen(buf), NULL) != 0)
		return -1;
	date_to_ymd(*day, &y, NULL, NULL);
	return y >= 2000 && y <= 2199 ? 0 : -1;
}

int
ledger_month_parse(const char *s, int *year, int *month, struct gw_err *e)
{
	int day;

	if (strlen(s) != 7 || period_start(s, &day) != 0)
		return gw_err_set(e, GW_EINPUT, "'%.20s' is not a month YYYY-MM "
		    "(2000-2199)", s);
	date_to_ymd(day, year, month, NULL);
	return 0;
}

int
ledger_period_parse(const char *s, int *year, struct gw_err *e)
{
	int day;

	if (period_start(s, &day) != 0)
		return gw_err_set(e, GW_EINPUT, "'%.20s' is not a period YYYY "
		    "(annual) or YYYY-MM (monthly), years 2000-2199", s);
	date_to_ymd(day, year, NULL, NULL);
	return 0;
}

void
ledger_period_days(const char *period, int *first, int *last)
{
	int y;

	*first = *last = 0;
	if (period_start(period, first) != 0)
		return;
	date_to_ymd(*first, &y, NULL, NULL);
	*last = strlen(period) == 7 ? date_month_end(*first) :
	    date_from_ymd(y, 12, 31);
}

char *
ledger_ref(char out[24], char prefix, int64_t id)
{
	snprintf(out, 24, "%c%010lld", prefix, (long long)id);
	return out;
}

int
ledger_day_ok(int day)
{
	return day >= date_from_ymd(2000, 1, 1) &&
	    day <= date_from_ymd(2199, 12, 31);
}

int
ledger_text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && text_is_clean(s, n);
}

int
ledger_actor_ok(const char *actor, struct gw_err *e)
{
	if (!ledger_text_ok(actor, 64))
		return gw_err_set(e, GW_EINPUT, "actor must be 1-64 bytes of "
		    "UTF-8 text");
	return 0;
}

int
ledger_db_fail(struct db *db, const char *what, struct gw_err *e)
{
	int x = sqlite3_extended_errcode(db_handle(db));

	if (x == SQLITE_CONSTRAINT_UNIQUE || x == SQLITE_CONSTRAINT_PRIMARYKEY)
		return gw_err_set(e, GW_EDUP, "%s: %s", what,
		    sqlite3_errmsg(db_handle(db)));
	if ((x & 0xff) == SQLITE_CONSTRAINT)
		return gw_err_set(e, GW_EDB, "%s: refused by the ledger's "
		    "integrity rules: %s", what, sqlite3_errmsg(db_handle(db)));
	return db_fail(db, what, e);
}

/* One number from a query without parameters. */
static int
scalar(struct db *db, const char *sql, int64_t *out, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "reconcile", e);
}

static int
reconcile(struct db *db, struct ledger_reconcile *r, struct gw_err *e)
{
	/* Account totals; journal_check below holds them to the postings. */
#define BAL "SELECT coalesce(sum(debit_fen - credit_fen), 0) FROM account_totals"
	static const char q_recv[] = BAL " WHERE account = 'receivable'";
	static const char q_wo[] = BAL " WHERE account = 'written_off'";
	static const char q_sub[] = BAL
	    " WHERE account = 'subsidy_receivable:finance'";
	static const char q_rp[] = BAL " WHERE account = 'refunds_payable'";
	static const char q_clr[] = BAL
	    " WHERE account > 'clearing:' AND account < 'clearing;'";
	static const char q_inc[] = BAL
	    " WHERE account > 'premium_income:' AND account < 'premium_income;'";
	static const char q_tb[] = BAL;
#undef BAL
	static const char q_o_recv[] = "SELECT coalesce(sum(due_fen), 0)"
	    " FROM obligations WHERE state IN ('open','in_batch','failed',"
	    "'arrears')";
	static const char q_o_wo[] = "SELECT coalesce(sum(due_fen), 0)"
	    " FROM obligations WHERE state = 'written_off'";
	static const char q_o_sub[] = "SELECT coalesce(sum(subsidy_fen), 0)"
	    " FROM obligations";
	static const char q_o_rp[] = "SELECT -coalesce(sum(amount_fen), 0)"
	    " FROM refunds WHERE state = 'approved'";
	static const char q_o_clr[] = "SELECT (SELECT coalesce(sum(due_fen), 0)"
	    " FROM obligations WHERE state IN ('paid','paid_other_channel',"
	    "'refund_requested','refunded')) - (SELECT coalesce(sum(amount_fen),"
	    " 0) FROM refunds WHERE state = 'paid')";
	static const char q_o_inc[] = "SELECT -((SELECT coalesce(sum(due_fen"
	    " + subsidy_fen), 0) FROM obligations) - (SELECT"
	    " coalesce(sum(amount_fen), 0) FROM refunds WHERE state IN"
	    " ('approved','paid')))";
	static const struct {
		const char	*name;
		const char	*ledger, *expect;
		size_t		 off;
	} pairs[] = {
#define RO(f) offsetof(struct ledger_reconcile, f)
		{ "receivable", q_recv, q_o_recv, RO(receivable) },
		{ "written_off", q_wo, q_o_wo, RO(written_off) },
		{ "subsidy_receivable:finance", q_sub, q_o_sub, RO(subsidy) },
		{ "refunds_payable", q_rp, q_o_rp, RO(refunds_payable) },
		{ "clearing:*", q_clr, q_o_clr, RO(clearing) },
		{ "premium_income:*", q_inc, q_o_inc, RO(income) },
#undef RO
	};
	int64_t bad;
	size_t i;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	memset(r, 0, sizeof(*r));
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int64_t *v = (int64_t *)((char *)r + pairs[i].off);

		if (scalar(db, pairs[i].ledger, &v[0], e) != 0 ||
		    scalar(db, pairs[i].expect, &v[1], e) != 0)
			return e->code;
	}
	if (scalar(db, q_tb, &r->trial_balance, e) != 0 ||
	    journal_check(db, &r->entries, &bad, e) != 0)
		return e->code;
	if (r->trial_balance != 0)
		return gw_err_set(e, GW_EDB, "trial balance is %s, not 0.00",
		    money_format(a, r->trial_balance));
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const int64_t *v = (const int64_t *)((const char *)r +
		    pairs[i].off);

		if (v[0] != v[1])
			return gw_err_set(e, GW_EDB, "%s: the journal says %s, "
			    "the obligations %s", pairs[i].name,
			    money_format(a, v[0]), money_format(b, v[1]));
	}
	return 0;
}

/*
 * The sums are a dozen queries and a pass over every posting: read from
 * one snapshot, so a file ingested meanwhile (by the daemon) cannot make
 * one sum older than another and look like a disagreement.
 */
int
ledger_reconcile(struct db *db, struct ledger_reconcile *r, struct gw_err *e)
{
	int rc;

	if (db_in_tx(db))
		return reconcile(db, r, e);
	if ((rc = db_begin_read(db, e)) != 0)
		return rc;
	rc = reconcile(db, r, e);
	db_rollback(db);	/* read only: nothing to keep */
	return rc;
}
