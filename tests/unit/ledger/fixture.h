/*
 * fixture.h - a real store in a temporary directory, payers, mandates and
 * obligations for the ledger's unit tests (and tests/tools/ledgersim.c).
 *
 * Everything goes through the parts' public APIs: obligations come from an
 * assessment CSV through assess_import, mandates through mandate_insert,
 * debit results through obligation_settle_debit / _fail_debit, which run
 * the return-file code's debit_apply on a file of one item. No Check assertions here, so a tool
 * can include it too: functions return 0 or a GW_E* code.
 */
#ifndef GW_TEST_LEDGER_FIXTURE_H
#define GW_TEST_LEDGER_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "gateway/home.h"
#include "ledger/assess.h"
#include "ledger/journal.h"
#include "ledger/ledger.h"
#include "ledger/obligation.h"
#include "mandates/ident.h"
#include "mandates/mandate.h"

/*
 * A valid resident ID for any n below 27 million: area 110101, a birth
 * date counted in days from 1950-01-01 by n / 1000, sequence n % 1000.
 */
static inline void
fx_payer(char out[19], long n)
{
	char d[DATE_BUFSZ];
	int day = date_from_ymd(1950, 1, 1) + (int)(n / 1000);

	date_format(d, day);
	snprintf(out, 19, "110101%.4s%.2s%.2s%03u", d, d + 5, d + 8,
	    (unsigned)(n % 1000));
	out[17] = ident_gb11643_check(out);
	out[18] = '\0';
}

#ifdef GW_TESTUTIL_H
/* A store with every part's tables in a fresh temporary directory. */
static inline int
fx_open(char **dir, struct db **db, struct gw_err *e)
{
	char *p;
	int rc;

	if ((*dir = tu_tmpdir()) == NULL || (p = tu_path(*dir, "t.db")) == NULL)
		return gw_err_set(e, GW_EENV, "cannot make a temporary directory");
	rc = store_open(db, p, e);
	free(p);
	return rc;
}

static inline void
fx_close(char **dir, struct db **db)
{
	db_close(*db);
	*db = NULL;
	tu_tmpdir_free(*dir);
	*dir = NULL;
}
#endif

/* A fake but well-formed SHA-256 (hex) derived from n. */
static inline void
fx_sha(char out[65], long n)
{
	snprintf(out, 65, "%064lx", (unsigned long)n);
}

/* Insert a mandate for payer at bank in state (active, pending ...). */
static inline int
fx_mandate(struct db *db, const char *payer, const char *bank,
    const char *state, int64_t *id, struct gw_err *e)
{
	struct audit_writer *aw = NULL;
	struct mandate m;
	int rc;

	memset(&m, 0, sizeof(m));
	snprintf(m.payer_id_type, sizeof(m.payer_id_type), "resident");
	snprintf(m.payer_id, sizeof(m.payer_id), "%s", payer);
	snprintf(m.payer_name, sizeof(m.payer_name), "张三");
	snprintf(m.category, sizeof(m.category), "adult");
	snprintf(m.region, sizeof(m.region), "442000");
	snprintf(m.bank_code, sizeof(m.bank_code), "%s", bank);
	snprintf(m.account_no, sizeof(m.account_no), "4400%014lu",
	    strtoul(payer + 6, NULL, 10) % 100000000000000UL);
	snprintf(m.account_name, sizeof(m.account_name), "张三");
	snprintf(m.account_kind, sizeof(m.account_kind), "passbook");
	snprintf(m.phone, sizeof(m.phone), "13900000000");
	snprintf(m.signed_on, sizeof(m.signed_on), "2020-01-01");
	snprintf(m.origin, sizeof(m.origin), "migrated");
	snprintf(m.state, sizeof(m.state), "%s", state);
	if ((rc = db_begin(db, e)) != 0)
		return rc;
	if ((rc = audit_writer_open(&aw, db, e)) != 0 ||
	    (rc = mandate_insert(db, aw, &m, "fixture", "test", e)) != 0) {
		audit_writer_abort(aw);
		db_rollback(db);
		return rc;
	}
	if ((rc = audit_writer_close(aw, e)) != 0) {
		db_rollback(db);
		return rc;
	}
	if (id)
		*id = m.id;
	return db_commit(db, e);
}

/* Import the CSV text (header added) as file name in dir. */
static inline int
fx_assess_text(struct db *db, const char *dir, const char *name,
    const char *rows, const struct ledger_policy *pol, int strict,
    struct assess_import_result *r, struct gw_err *e)
{
	struct assess_import_opts o;
	char *path;
	FILE *fp;
	int rc;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return GW_ENOMEM;
	if ((fp = fopen(path, "wb")) == NULL) {
		free(path);
		return GW_EIO;
	}
	fputs("payer_id,period,amount,subsidy,category,exemption_type,"
	    "exemption_cert,exemption_valid_until,late,newborn\n", fp);
	fputs(rows, fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.actor = "agency";
	o.policy = pol;
	o.strict = strict;
	o.today = date_from_ymd(2025, 10, 15);
	rc = assess_import(db, &o, r, e);
	free(path);
	return rc;
}

/* The id of payer's latest obligation for period (0 if none). */
static inline int64_t
fx_obligation(struct db *db, const char *payer, const char *period)
{
	static const char q[] = "SELECT id FROM obligations"
	    " WHERE payer_id = ? AND period = ? ORDER BY id DESC";
	struct gw_err e = GW_ERR_INIT;
	sqlite3_stmt *st = db_stmt(db, q, &e);
	int64_t id = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, payer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* One call in its own transaction: begin, fn, commit (rollback on error). */
#define FX_TX(db, e, call)						\
	(db_begin((db), (e)) != 0 ? (e)->code :			\
	    ((call) != 0 ? (db_rollback(db), (e)->code) :		\
	    db_commit((db), (e))))

/* A debit result for obligation id from "file" n, item item. */
static inline void
fx_result(struct debit_result *r, char sha[65], int64_t id, long file,
    const char *item, int64_t amount, int on)
{
	memset(r, 0, sizeof(*r));
	fx_sha(sha, file);
	r->obligation_id = id;
	r->amount_fen = amount;
	r->bank = "ICBC";
	r->on = on;
	r->source_sha256 = sha;
	r->item_ref = item;
	r->actor = "returns";
}

/*
 * Record a payment of id through channel, in its own transaction, as if
 * today were 2026-03-01.
 */
static inline int
fx_pay(struct db *db, int64_t id, const char *channel, const char *ref,
    int64_t amount, int on, struct gw_err *e)
{
	struct channel_payment p;

	memset(&p, 0, sizeof(p));
	p.obligation_id = id;
	p.channel = channel;
	p.reference = ref;
	p.amount_fen = amount;
	p.paid_on = on;
	p.today = date_from_ymd(2026, 3, 1);	/* the tests' "today" */
	p.actor = "finance";
	return FX_TX(db, e, obligation_pay_channel(db, NULL, &p, NULL, e));
}

/*
 * Three payers (fx_payer base .. base+2) assessed for 2025 (430, 300,
 * 430), payer 0 also for 2024 with a full subsidy; payers 0 and 1 pay by
 * Alipay (refs ALI-1, ALI-2 on 2025-11-03 and -04); payer 2 stays open.
 */
static inline int
fx_paid_three(struct db *db, const char *dir, long base, char p[3][19],
    int64_t obl[3], struct gw_err *e)
{
	struct assess_import_result r;
	char rows[512];
	int i, rc;

	for (i = 0; i < 3; i++)
		fx_payer(p[i], base + i);
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\n"
	    "%s,2025,300.00,0,minor,,,,0,0\n%s,2025,430.00,0,adult,,,,0,0\n"
	    "%s,2024,380.00,380.00,adult,,,,0,0\n", p[0], p[1], p[2], p[0]);
	if ((rc = fx_assess_text(db, dir, "a.csv", rows, NULL, 0, &r, e)) != 0)
		return rc;
	for (i = 0; i < 3; i++)
		obl[i] = fx_obligation(db, p[i], "2025");
	if ((rc = fx_pay(db, obl[0], "alipay", "ALI-1", 43000,
	    date_from_ymd(2025, 11, 3), e)) != 0)
		return rc;
	return fx_pay(db, obl[1], "alipay", "ALI-2", 30000,
	    date_from_ymd(2025, 11, 4), e);
}

/* Balance of account (payer's sub-ledger when payer is not NULL); -1 on error. */
static inline int64_t
fx_balance(struct db *db, const char *account, const char *payer)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t b = -1;

	if (journal_balance(db, account, payer, &b, &e) != 0)
		return -1;
	return b;
}

/* First column of the first row of sql; -1 on error. */
static inline int64_t
fx_scalar(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
