/*
 * mandate_import.c - streaming, validating, all-or-nothing import.
 *
 * Rows are validated and inserted inside one transaction as they are read;
 * the live-payer check sees rows inserted earlier in the same file, so a
 * payer twice in one file is caught like a payer already registered. On
 * any bad row (without a reject file) the transaction is rolled back after
 * the whole file has been read, so the operator gets every bad row at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "formats/csv.h"
#include "mandates/ident.h"
#include "mandates/mandate.h"
#include "mandates/mandate_import.h"

enum col {
	C_ID_TYPE, C_PAYER_ID, C_PAYER_NAME, C_CATEGORY, C_REGION, C_BANK,
	C_ACCOUNT, C_ACCOUNT_NAME, C_ACCOUNT_KIND, C_UNIT, C_SIGNED_ON,
	C_ORIGIN, C_PHONE, C_NCOLS
};

static const struct csv_col cols[C_NCOLS] = {
	{ "payer_id_type", 1 }, { "payer_id", 1 }, { "payer_name", 1 },
	{ "category", 1 }, { "region", 1 }, { "bank_code", 1 },
	{ "account_no", 1 }, { "account_name", 1 }, { "account_kind", 1 },
	{ "unit_code", 1 }, { "signed_on", 1 }, { "origin", 1 },
	{ "phone", 0 },
};

#define MAX_REPORTS 100

struct imp {
	const struct mandate_import_opts *o;
	struct mandate_import_result	*r;
	struct csv_reader		*csv;
	int				 idx[C_NCOLS];
	size_t				 nheader;
	struct afile			*rej;
	char				 why[GW_ERR_MSG_MAX];
};

static const char *
field(struct imp *im, enum col c)
{
	return im->idx[c] < 0 ? "" : csv_field(im->csv, (size_t)im->idx[c]);
}

static int
bad(struct imp *im, enum col c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct imp *im, enum col c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(im->why, sizeof(im->why), "%s: %s", cols[c].name, msg);
	return -1;
}

/* Validate the current row into m; -1 with im->why on a bad row. */
static int
validate(struct imp *im, struct mandate *m)
{
	static const char *const cats[] = { "adult", "minor", "student",
	    "exempt" };
	static const char *const kinds[] = { "card", "passbook", "corporate" };
	static const char *const origins[] = { "new", "migrated" };
	struct gw_err e = GW_ERR_INIT;
	enum ident_type type;
	const char *s;
	int conv, day;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (csv_nfields(im->csv) != im->nheader)
		return snprintf(im->why, sizeof(im->why), "row has %zu fields, "
		    "the header has %zu", csv_nfields(im->csv), im->nheader),
		    -1;

	s = field(im, C_ID_TYPE);
	if (ident_type_parse(&type, s) != 0)
		return bad(im, C_ID_TYPE, "'%.40s' is not resident, hmt_permit "
		    "or foreigner", s);
	snprintf(m->payer_id_type, sizeof(m->payer_id_type), "%s", s);

	if (ident_person(m->payer_id, type, field(im, C_PAYER_ID),
	    im->o->today, &conv, &e) != 0)
		return bad(im, C_PAYER_ID, "%s", e.msg);
	im->r->ids_converted += conv;

	s = field(im, C_PAYER_NAME);
	if (ident_name(s, &m->name_not_gbk, &e) != 0)
		return bad(im, C_PAYER_NAME, "%s", e.msg);
	snprintf(m->payer_name, sizeof(m->payer_name), "%s", s);

	s = field(im, C_CATEGORY);
	if (!TEXT_IN(s, cats))
		return bad(im, C_CATEGORY, "'%.40s' is not adult, minor, student "
		    "or exempt", s);
	snprintf(m->category, sizeof(m->category), "%s", s);

	s = field(im, C_REGION);
	n = strlen(s);
	if (n == 0 || n >= sizeof(m->region) || !text_is_clean(s, n))
		return bad(im, C_REGION, "must be 1-%zu bytes of UTF-8 text",
		    sizeof(m->region) - 1);
	memcpy(m->region, s, n + 1);

	s = field(im, C_BANK);
	if (*s == '\0' || strlen(s) >= sizeof(m->bank_code) ||
	    !im->o->bank_known(im->o->bank_arg, s))
		return bad(im, C_BANK, "unknown bank code '%.20s' (no [bank:%.20s] "
		    "section in the config)", s, s);
	snprintf(m->bank_code, sizeof(m->bank_code), "%s", s);

	s = field(im, C_ACCOUNT_KIND);
	if (!TEXT_IN(s, kinds))
		return bad(im, C_ACCOUNT_KIND, "'%.40s' is not card, passbook or "
		    "corporate", s);
	snprintf(m->account_kind, sizeof(m->account_kind), "%s", s);

	s = field(im, C_ACCOUNT);
	if (ident_account(s, strcmp(m->account_kind, "card") == 0, &e) != 0)
		return bad(im, C_ACCOUNT, "%s", e.msg);
	snprintf(m->account_no, sizeof(m->account_no), "%s", s);

	s = field(im, C_ACCOUNT_NAME);
	if (ident_name(s, &m->account_name_not_gbk, &e) != 0)
		return bad(im, C_ACCOUNT_NAME, "%s", e.msg);
	snprintf(m->account_name, sizeof(m->account_name), "%s", s);

	s = field(im, C_UNIT);
	if (*s != '\0') {
		if (ident_uscc(s, &e) != 0)
			return bad(im, C_UNIT, "%s", e.msg);
		snprintf(m->unit_code, sizeof(m->unit_code), "%s", s);
	}

	s = field(im, C_SIGNED_ON);
	if (date_parse(&day, s, strlen(s), &e) != 0)
		return bad(im, C_SIGNED_ON, "%s", e.msg);
	if (day > im->o->today)
		return bad(im, C_SIGNED_ON, "%s is in the future", s);
	snprintf(m->signed_on, sizeof(m->signed_on), "%s", s);

	s = field(im, C_ORIGIN);
	if (!TEXT_IN(s, origins))
		return bad(im, C_ORIGIN, "'%.40s' is not new or migrated", s);
	snprintf(m->origin, sizeof(m->origin), "%s", s);
	snprintf(m->state, sizeof(m->state), "%s",
	    strcmp(s, "migrated") == 0 ? "active" : "pending");

	s = field(im, C_PHONE);
	n = strlen(s);
	if (n > 0) {
		size_t i;

		if (n > 20)
			return bad(im, C_PHONE, "longer than 20 characters");
		for (i = 0; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
			    s[i] == '-' || s[i] == ' '))
				return bad(im, C_PHONE, "only digits, '+', '-' "
				    "and spaces");
		memcpy(m->phone, s, n + 1);
	}
	return 0;
}

static void
report(struct imp *im)
{
	char line[GW_ERR_MSG_MAX + 256];

	im->r->rejected++;
	if (im->r->rejected > MAX_REPORTS || im->o->report == NULL)
		return;
	snprintf(line, sizeof(line), "%s:%ld: %s", im->o->path,
	    csv_line(im->csv), im->why);
	im->o->report(im->o->report_arg, line);
}

static void
reject_row(struct imp *im)
{
	FILE *fp;
	size_t i;
	char lbuf[24];

	if (im->rej == NULL)
		return;
	fp = afile_fp(im->rej);
	for (i = 0; i < csv_nfields(im->csv); i++) {
		csv_write_field(fp, csv_field(im->csv, i));
		putc(',', fp);
	}
	/* Pad short rows so the line and error columns line up. */
	for (; i < im->nheader; i++)
		putc(',', fp);
	snprintf(lbuf, sizeof(lbuf), "%ld", csv_line(im->csv));
	csv_write_field(fp, lbuf);
	putc(',', fp);
	csv_write_field(fp, im->why);
	fputs("\r\n", fp);
}

static int
seen_before(struct db *db, const char *sha, struct mandate_import_result *r,
    struct gw_err *e)
{
	static const char q[] = "SELECT at FROM mandate_imports WHERE sha256 = ?";
	int rc;

	rc = db_lookup_text(db, q, sha, r->already_at, sizeof(r->already_at),
	    "mandate_imports", e);
	r->already = rc == 1;
	return rc < 0 ? rc : 0;
}

static int
record_import(struct db *db, const char *sha, const struct imp *im,
    struct gw_err *e)
{
	static const char q[] = "INSERT INTO mandate_imports(sha256, path, rows,"
	    " imported, rejected, at, actor) VALUES (?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	char now[TS_BUFSZ];

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, im->o->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, im->r->rows);
	sqlite3_bind_int64(st, 4, im->r->imported);
	sqlite3_bind_int64(st, 5, im->r->rejected);
	sqlite3_bind_text(st, 6, ts_format_utc(now, gw_now()), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, im->o->actor, -1, SQLITE_STATIC);
	return db_step_done(db, st, "mandate_imports", e);
}

int
mandate_import(struct db *db, const struct mandate_import_opts *o,
    struct mandate_import_result *r, struct gw_err *e)
{
	struct imp im;
	struct audit_writer *aw = NULL;
	struct mandate m;
	char sha[SHA256_HEX_LEN + 1];
	size_t i;
	int rc, in_tx = 0;

	memset(r, 0, sizeof(*r));
	memset(&im, 0, sizeof(im));
	im.o = o;
	im.r = r;
	if (fs_sha256_file(sha, o->path, NULL, e) != 0) {
		gw_err_clear(e);
		return gw_err_set(e, GW_EINPUT, "%s: cannot read", o->path);
	}
	if ((rc = seen_before(db, sha, r, e)) != 0 || r->already)
		return rc;
	if ((rc = csv_open(&im.csv, o->path, e)) != 0)
		return rc;
	if ((rc = csv_read_header(im.csv, cols, C_NCOLS, im.idx, NULL, e)) != 0)
		goto done;
	im.nheader = csv_nfields(im.csv);
	if (o->reject_path != NULL) {
		FILE *fp;

		if ((rc = afile_open(&im.rej, o->reject_path, 0640, e)) != 0)
			goto done;
		/* The header is still the current record. */
		fp = afile_fp(im.rej);
		for (i = 0; i < im.nheader; i++) {
			csv_write_field(fp, csv_field(im.csv, i));
			putc(',', fp);
		}
		fputs("line,error\r\n", fp);
	}
	if ((rc = db_begin(db, e)) != 0)
		goto done;
	in_tx = 1;
	if ((rc = audit_writer_open(&aw, db, e)) != 0)
		goto done;
	while ((rc = csv_next(im.csv, e)) == 1) {
		char ref[24];
		struct mandate live;
		int found;

		r->rows++;
		if (validate(&im, &m) != 0) {
			report(&im);
			reject_row(&im);
			continue;
		}
		/* The live-payer unique index finds duplicates, also within this
		 * file; only then do we look the other mandate up to name it. */
		rc = mandate_insert(db, aw, &m, o->actor, NULL, e);
		if (rc == GW_EDUP) {
			gw_err_clear(e);
			found = mandate_live_for_payer(db, m.payer_id, &live, e);
			if (found < 0) {
				rc = found;
				goto done;
			}
			bad(&im, C_PAYER_ID, "payer %s already has mandate %s "
			    "(%s); one live mandate per payer", m.payer_id,
			    mandate_ref(ref, found ? live.id : 0),
			    found ? live.state : "live");
			report(&im);
			reject_row(&im);
			continue;
		}
		if (rc != 0)
			goto done;
		r->imported++;
		if (m.state[0] == 'a')
			r->active++;
		else
			r->pending++;
		r->unit_members += m.unit_code[0] != '\0';
		r->names_not_gbk += m.name_not_gbk || m.account_name_not_gbk;
	}
	if (rc < 0)
		goto done;
	if (r->rejected > 0 && o->reject_path == NULL) {
		rc = gw_err_set(e, GW_EINPUT, "%s: %ld of %ld rows are bad; nothing "
		    "was imported%s", o->path, r->rejected, r->rows,
		    r->rejected > MAX_REPORTS ? " (first 100 shown)" : "");
		goto done;
	}
	if (r->rows == 0) {
		rc = gw_err_set(e, GW_EINPUT, "%s: no rows after the header",
		    o->path);
		goto done;
	}
	if ((rc = record_import(db, sha, &im, e)) != 0)
		goto done;
	rc = audit_writer_close(aw, e);
	aw = NULL;
	if (rc != 0)
		goto done;
	if ((rc = db_commit(db, e)) != 0) {
		in_tx = 0;
		goto done;
	}
	in_tx = 0;
	if (im.rej != NULL) {
		rc = afile_commit(im.rej, 0, e);
		im.rej = NULL;
	}
done:
	audit_writer_abort(aw);
	if (in_tx) {
		db_rollback(db);
		r->imported = r->active = r->pending = 0;
		r->unit_members = r->names_not_gbk = 0;
	}
	afile_abort(im.rej);
	csv_close(im.csv);
	return rc;
}
