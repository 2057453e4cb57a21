/*
 * assess.c - streaming, validating, all-or-nothing assessment import.
 *
 * Rows are validated and written inside one transaction as they are read,
 * so the enrolment check sees earlier rows of the same file; after the
 * last row, any bad row rolls everything back and the operator gets every
 * bad row at once. One audit writer serves the whole file (a million rows
 * would otherwise re-read the chain head a million times), and the
 * statements are the cached ones, so the cost per row is a handful of
 * inserts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/audit.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "common/text.h"
#include "formats/csv.h"
#include "ledger/assess.h"
#include "ledger/journal.h"
#include "ledger/obligation.h"

enum col {
	C_PAYER, C_PERIOD, C_AMOUNT, C_SUBSIDY, C_CATEGORY, C_EX_TYPE,
	C_EX_CERT, C_EX_UNTIL, C_LATE, C_NEWBORN, C_NCOLS
};

static const struct csv_col cols[C_NCOLS] = {
	{ "payer_id", 1 }, { "period", 1 }, { "amount", 1 }, { "subsidy", 1 },
	{ "category", 1 }, { "exemption_type", 1 }, { "exemption_cert", 1 },
	{ "exemption_valid_until", 1 }, { "late", 1 }, { "newborn", 1 },
};

#define MAX_REPORTS 100

struct row {
	char		 payer_id[19];
	const char	*period;
	int		 year;
	const char	*category;
	int64_t		 amount, subsidy, due;
	const char	*ex_type, *ex_cert, *ex_until;
	int		 late, newborn;
};

struct imp {
	const struct assess_import_opts	*o;
	struct assess_import_result	*r;
	struct csv_reader		*csv;
	int				 idx[C_NCOLS];
	size_t				 nheader;
	char				 sha[SHA256_HEX_LEN + 1];
	int64_t				 import_id;	/* the file's row */
	const char			*why_col;	/* NULL: the whole row */
	char				 why[512];
	long				 reports;
};

static const char *
field(struct imp *im, enum col c)
{
	return csv_field(im->csv, (size_t)im->idx[c]);
}

/* Note why the current row is bad (or warned about); returns -1. */
static int bad(struct imp *im, enum col c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct imp *im, enum col c, const char *fmt, ...)
{
	va_list ap;

	im->why_col = c == C_NCOLS ? NULL : cols[c].name;
	va_start(ap, fmt);
	vsnprintf(im->why, sizeof(im->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Report the noted reason for the current line: "FILE:LINE: col: why". */
static void
say(struct imp *im, int warning)
{
	char line[1024];

	*(warning ? &im->r->warnings : &im->r->rejected) += 1;
	if (++im->reports > MAX_REPORTS || im->o->report == NULL)
		return;
	snprintf(line, sizeof(line), "%s:%ld: %s%s%s%s", im->o->path,
	    csv_line(im->csv), warning ? "warning: " : "",
	    im->why_col ? im->why_col : "", im->why_col ? ": " : "", im->why);
	im->o->report(im->o->report_arg, warning, line);
}

static int
flag(struct imp *im, enum col c, int *out)
{
	const char *s = field(im, c);

	if (s[0] == '\0' || (s[0] == '0' && s[1] == '\0'))
		*out = 0;
	else if (s[0] == '1' && s[1] == '\0')
		*out = 1;
	else
		return bad(im, c, "'%.20s' is not 0 or 1", s);
	return 0;
}

static int
text_field(struct imp *im, enum col c, size_t max)
{
	const char *s = field(im, c);

	if (*s != '\0' && !ledger_text_ok(s, max))
		return bad(im, c, "must be at most %zu bytes of UTF-8 text", max);
	return 0;
}

static int
amount(struct imp *im, enum col c, int64_t *out)
{
	struct gw_err e = GW_ERR_INIT;
	const char *s = field(im, c);

	if (c == C_SUBSIDY && *s == '\0') {
		*out = 0;
		return 0;
	}
	if (money_parse_yuan(out, s, strlen(s), 0, &e) != 0)
		return bad(im, c, "%s", e.msg);
	return 0;
}

/* Validate the current line into w; -1 with im->why on a bad row. */
static int
validate(struct imp *im, struct row *w)
{
	static const char *const cats[] = { "adult", "minor", "student",
	    "exempt" };
	struct gw_err e = GW_ERR_INIT;
	int conv, until, first, last;

	memset(w, 0, sizeof(*w));
	if (csv_nfields(im->csv) != im->nheader)
		return bad(im, C_NCOLS, "row has %zu fields, the header has %zu",
		    csv_nfields(im->csv), im->nheader);
	if (ledger_payer_id(w->payer_id, field(im, C_PAYER), im->o->today,
	    &conv, &e) != 0)
		return bad(im, C_PAYER, "%s", e.msg);
	im->r->ids_converted += conv;
	w->period = field(im, C_PERIOD);
	if (ledger_period_parse(w->period, &w->year, &e) != 0)
		return bad(im, C_PERIOD, "%s", e.msg);
	if (amount(im, C_AMOUNT, &w->amount) != 0 ||
	    amount(im, C_SUBSIDY, &w->subsidy) != 0)
		return -1;
	w->category = field(im, C_CATEGORY);
	if (!TEXT_IN(w->category, cats))
		return bad(im, C_CATEGORY, "'%.40s' is not adult, minor, "
		    "student or exempt", w->category);
	if (text_field(im, C_EX_TYPE, 63) != 0 ||
	    text_field(im, C_EX_CERT, 63) != 0)
		return -1;
	w->ex_type = field(im, C_EX_TYPE);
	w->ex_cert = field(im, C_EX_CERT);
	w->ex_until = field(im, C_EX_UNTIL);
	if (*w->ex_type != '\0' || *w->ex_cert != '\0' || *w->ex_until != '\0') {
		if (*w->ex_type == '\0')
			return bad(im, C_EX_TYPE, "required with an exemption "
			    "certificate");
		if (*w->ex_cert == '\0')
			return bad(im, C_EX_CERT, "an exemption needs its "
			    "certificate number");
		if (date_parse(&until, w->ex_until, strlen(w->ex_until),
		    &e) != 0)
			return bad(im, C_EX_UNTIL, "%s", e.msg);
		ledger_period_days(w->period, &first, &last);
		if (until < first)
			return bad(im, C_EX_UNTIL, "the certificate expired on %s, "
			    "before period %s", w->ex_until, w->period);
	}
	if (flag(im, C_LATE, &w->late) != 0 ||
	    flag(im, C_NEWBORN, &w->newborn) != 0)
		return -1;
	return 0;
}

/* Warnings: a subsidy above the amount, an amount off the tariff. */
static int
check_amounts(struct imp *im, struct row *w)
{
	const struct ledger_policy *p = im->o->policy;
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	int64_t tariff;

	if (w->subsidy > w->amount) {
		bad(im, C_SUBSIDY, "%s exceeds the amount %s; capped at the "
		    "amount", money_format(a, w->subsidy),
		    money_format(b, w->amount));
		say(im, 1);
		w->subsidy = w->amount;
	}
	w->due = *w->ex_type ? 0 : w->amount - w->subsidy;
	if (p == NULL || p->tariff == NULL ||
	    !p->tariff(p->tariff_arg, w->category, w->year, &tariff) ||
	    tariff == w->amount)
		return 0;
	bad(im, C_AMOUNT, "%s differs from the %s tariff %s for %d",
	    money_format(a, w->amount), w->category, money_format(b, tariff),
	    w->year);
	if (im->o->strict)
		return -1;
	say(im, 1);
	return 0;
}

static int
enrolled(struct db *db, struct imp *im, const struct row *w, struct gw_err *e)
{
	/* Same period, or annual vs monthly of the same year. */
	static const char q[] =
	    "SELECT id, period, state FROM obligations WHERE payer_id = ?1"
	    " AND enrolled = 1 AND (period = ?2"
	    "  OR (length(?2) = 4 AND period >= ?2 || '-01'"
	    "   AND period <= ?2 || '-12')"
	    "  OR (length(?2) = 7 AND period = substr(?2, 1, 4))) LIMIT 1";
	sqlite3_stmt *st;
	char ref[OBLIGATION_REF_SZ];
	int rc;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, w->payer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->period, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		bad(im, C_PAYER, "payer %s already has obligation %s for %s "
		    "(%s); one enrolment per person and period", w->payer_id,
		    obligation_ref(ref, sqlite3_column_int64(st, 0)),
		    db_col_text(st, 1), db_col_text(st, 2));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, "enrolment check", e);
}

static int
insert(struct db *db, struct imp *im, struct audit_writer *aw,
    const struct row *w, const char *now, struct gw_err *e)
{
	static const char q[] =
	    "INSERT INTO obligations(payer_id, period, year, category,"
	    " amount_fen, subsidy_fen, due_fen, exemption_type, exemption_cert,"
	    " exemption_valid_until, late, newborn, state, source, created_at,"
	    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	struct journal_line lines[3];
	sqlite3_stmt *st;
	const char *state = w->due > 0 ? "open" : "settled";
	char source[160], ref[OBLIGATION_REF_SZ], income[24];
	int64_t id;
	size_t n = 0;

	/* "IMPORT:LINE"; assessment_imports ties IMPORT to the file's SHA-256. */
	snprintf(source, sizeof(source), "%lld:%ld", (long long)im->import_id,
	    csv_line(im->csv));
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, w->payer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->period, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, w->year);
	sqlite3_bind_text(st, 4, w->category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, w->amount);
	sqlite3_bind_int64(st, 6, w->subsidy);
	sqlite3_bind_int64(st, 7, w->due);
	db_bind_text_or_null(st, 8, w->ex_type);
	db_bind_text_or_null(st, 9, w->ex_cert);
	db_bind_text_or_null(st, 10, w->ex_until);
	sqlite3_bind_int(st, 11, w->late);
	sqlite3_bind_int(st, 12, w->newborn);
	sqlite3_bind_text(st, 13, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, "obligation insert", e);
	}
	sqlite3_reset(st);
	id = sqlite3_last_insert_rowid(db_handle(db));
	if (audit_writer_append(aw, &(struct audit_event){
	    .actor = im->o->actor, .entity = "obligation",
	    .entity_id = obligation_ref(ref, id), .action = "assess",
	    .to_state = state, .reason = w->due > 0 ? NULL : *w->ex_type ?
	    "exempt: nothing due" : "fully subsidised: nothing due" }, e) != 0)
		return e->code;
	/* An exemption with nothing subsidised moves no money at all. */
	memset(lines, 0, sizeof(lines));
	if (w->due > 0) {
		lines[n].account = "receivable";
		lines[n++].amount_fen = w->due;
	}
	if (w->subsidy > 0) {
		lines[n].account = "subsidy_receivable:finance";
		lines[n++].amount_fen = w->subsidy;
	}
	if (n == 0)
		return 0;
	lines[n].account = journal_income(income, sizeof(income), w->year);
	lines[n++].amount_fen = -(w->due + w->subsidy);
	for (size_t i = 0; i < n; i++) {
		lines[i].payer_id = w->payer_id;
		lines[i].obligation_id = id;
	}
	return journal_post(db, &(struct journal_src){ .kind = "assessment",
	    .value_date = im->o->today, .source_kind = "assess_file",
	    .source_ref = source, .actor = im->o->actor, .memo = w->period },
	    lines, n, NULL, e);
}

static int
seen_before(struct db *db, struct imp *im, struct gw_err *e)
{
	static const char q[] =
	    "SELECT at FROM assessment_imports WHERE sha256 = ?";
	int rc;

	rc = db_lookup_text(db, q, im->sha, im->r->already_at,
	    sizeof(im->r->already_at), "assessment_imports", e);
	im->r->already = rc == 1;
	return rc < 0 ? rc : 0;
}

/*
 * The file's row, first in the transaction so its id can name each
 * line's source; the counts are filled in by finish_import.
 */
static int
start_import(struct db *db, struct imp *im, const char *now, struct gw_err *e)
{
	static const char q[] =
	    "INSERT INTO assessment_imports(sha256, path, rows, imported,"
	    " settled, warnings, due_fen, at, actor) VALUES (?,?,0,0,0,0,0,?,?)";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, im->sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, im->o->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, im->o->actor, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "assessment_imports", e) != 0)
		return e->code;
	im->import_id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

static int
finish_import(struct db *db, struct imp *im, struct gw_err *e)
{
	static const char q[] =
	    "UPDATE assessment_imports SET rows = ?2, imported = ?3,"
	    " settled = ?4, warnings = ?5, due_fen = ?6 WHERE id = ?1";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, im->import_id);
	sqlite3_bind_int64(st, 2, im->r->rows);
	sqlite3_bind_int64(st, 3, im->r->imported);
	sqlite3_bind_int64(st, 4, im->r->settled);
	sqlite3_bind_int64(st, 5, im->r->warnings);
	sqlite3_bind_int64(st, 6, im->r->due_fen);
	return db_step_done(db, st, "assessment_imports", e);
}

/* One row: validate, check, insert. 1 if the row was bad, <0 on error. */
static int
one_row(struct db *db, struct imp *im, struct audit_writer *aw,
    const char *now, struct gw_err *e)
{
	struct row w;
	int rc;

	im->r->rows++;
	if (validate(im, &w) != 0 || check_amounts(im, &w) != 0)
		return 1;
	if ((rc = enrolled(db, im, &w, e)) != 0)
		return rc;
	if ((rc = insert(db, im, aw, &w, now, e)) != 0)
		return rc;
	im->r->imported++;
	if (w.due > 0)
		im->r->open++;
	else
		im->r->settled++;
	if (money_add(&im->r->amount_fen, w.amount, e) != 0 ||
	    money_add(&im->r->subsidy_fen, w.subsidy, e) != 0 ||
	    money_add(&im->r->due_fen, w.due, e) != 0)
		return e->code;
	return 0;
}

int
assess_import(struct db *db, const struct assess_import_opts *o,
    struct assess_import_result *r, struct gw_err *e)
{
	struct imp im;
	struct audit_writer *aw = NULL;
	char now[TS_BUFSZ];
	int rc, in_tx = 0;

	memset(r, 0, sizeof(*r));
	memset(&im, 0, sizeof(im));
	im.o = o;
	im.r = r;
	if (ledger_actor_ok(o->actor, e) != 0)
		return e->code;
	if (fs_sha256_file(im.sha, o->path, NULL, e) != 0) {
		gw_err_clear(e);
		return gw_err_set(e, GW_EINPUT, "%s: cannot read", o->path);
	}
	if ((rc = seen_before(db, &im, e)) != 0 || r->already)
		return rc;
	if ((rc = csv_open(&im.csv, o->path, e)) != 0)
		return rc;
	if ((rc = csv_read_header(im.csv, cols, C_NCOLS, im.idx, NULL, e)) != 0)
		goto done;
	im.nheader = csv_nfields(im.csv);
	ts_format_utc(now, gw_now());
	if ((rc = db_begin(db, e)) != 0)
		goto done;
	in_tx = 1;
	if ((rc = start_import(db, &im, now, e)) != 0 ||
	    (rc = audit_writer_open(&aw, db, e)) != 0)
		goto done;
	while ((rc = csv_next(im.csv, e)) == 1) {
		rc = one_row(db, &im, aw, now, e);
		if (rc == 1) {
			say(&im, 0);
			continue;
		}
		if (rc != 0)
			goto done;
	}
	if (rc < 0)
		goto done;
	if (r->rejected > 0) {
		rc = gw_err_set(e, GW_EINPUT, "%s: %ld of %ld rows are bad; nothing "
		    "was imported%s", o->path, r->rejected, r->rows,
		    im.reports > MAX_REPORTS ? " (first 100 reports shown)" : "");
		goto done;
	}
	if (r->rows == 0) {
		rc = gw_err_set(e, GW_EINPUT, "%s: no rows after the header",
		    o->path);
		goto done;
	}
	if ((rc = finish_import(db, &im, e)) != 0)
		goto done;
	rc = audit_writer_close(aw, e);
	aw = NULL;
	if (rc != 0)
		goto done;
	in_tx = 0;
	rc = db_commit(db, e);
done:
	audit_writer_abort(aw);
	if (in_tx)
		db_rollback(db);
	if (rc != 0) {
		r->imported = r->open = r->settled = 0;
		r->amount_fen = r->subsidy_fen = r->due_fen = 0;
	}
	csv_close(im.csv);
	return rc;
}
