/*
 * mandreq.c - pain.009 / pain.011 files from the mandate registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/vec.h"
#include "formats/mndtmsg.h"
#include "gateway/bankfmt.h"
#include "gateway/batch.h"
#include "gateway/mandreq.h"
#include "gateway/outfile.h"
#include "gateway/transfer.h"
#include "mandates/mandate.h"

static const struct db_migration mandreq_migrations[] = {
	{ 1,
	  "CREATE TABLE mandate_requests("
	  " id INTEGER PRIMARY KEY,"
	  " kind TEXT NOT NULL CHECK (kind IN ('initiation','cancellation')),"
	  " bank TEXT NOT NULL,"
	  " day TEXT NOT NULL,"
	  " seq INTEGER NOT NULL,"
	  " msg_id TEXT NOT NULL UNIQUE CHECK (length(msg_id) <= 35),"
	  " file_name TEXT NOT NULL UNIQUE,"
	  " format TEXT NOT NULL,"
	  " nb INTEGER NOT NULL CHECK (nb > 0),"
	  " created_epoch INTEGER NOT NULL,"
	  " state TEXT NOT NULL CHECK (state IN ('assembled','signed','sent')),"
	  " file_sha256 TEXT,"
	  " sig_name TEXT,"
	  " updated_at TEXT NOT NULL,"
	  " UNIQUE (bank, day, kind, seq));"
	  "CREATE TABLE mandate_request_items("
	  " request_id INTEGER NOT NULL REFERENCES mandate_requests(id),"
	  " seq INTEGER NOT NULL,"
	  " mandate_id INTEGER NOT NULL,"
	  " kind TEXT NOT NULL,"
	  " PRIMARY KEY (request_id, seq),"
	  " UNIQUE (mandate_id, kind));" },
};

const struct db_part mandreq_db_part =
    DB_PART("mandate_requests", mandreq_migrations);

struct req {
	int64_t	 id;
	char	 kind[16];
	char	 bank[16];
	char	 day[11];
	char	 msg_id[BATCH_ID_SZ];
	char	 file_name[64];
	char	 format[32];
	int64_t	 nb;
	time_t	 created;
	char	 state[12];
	char	 sha[65];
};

#define RCOLS "id, kind, bank, day, msg_id, file_name, format, nb," \
	" created_epoch, state, coalesce(file_sha256, '')"

static void
req_row(sqlite3_stmt *st, struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	DB_COL_COPY(r->kind, st, 1);
	DB_COL_COPY(r->bank, st, 2);
	DB_COL_COPY(r->day, st, 3);
	DB_COL_COPY(r->msg_id, st, 4);
	DB_COL_COPY(r->file_name, st, 5);
	DB_COL_COPY(r->format, st, 6);
	r->nb = sqlite3_column_int64(st, 7);
	r->created = (time_t)sqlite3_column_int64(st, 8);
	DB_COL_COPY(r->state, st, 9);
	DB_COL_COPY(r->sha, st, 10);
}

static int
event(struct db *db, const struct req *r, const char *action, const char *from,
    const char *to, const char *reason, const char *actor, struct gw_err *e)
{
	struct audit_event ev = { .actor = actor, .entity = "mandate_request",
	    .entity_id = r->msg_id, .action = action, .from_state = from,
	    .to_state = to, .reason = reason };

	return audit_append(db, &ev, e);
}

/* ---- choosing what to send ------------------------------------------- */

struct pick {
	struct db	*db;
	const char	*kind;
	int64_t		*ids;
	size_t		 n, cap;
	struct gw_err	*e;
};

static int
already(struct db *db, int64_t mandate_id, const char *kind, struct gw_err *e)
{
	static const char q[] = "SELECT 1 FROM mandate_request_items"
	    " WHERE mandate_id = ? AND kind = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, mandate_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, "mandate requests", e);
	return rc == SQLITE_ROW;
}

static int
pick_one(void *arg, const struct mandate *m)
{
	struct pick *p = arg;
	int rc;

	if (strcmp(p->kind, "cancellation") == 0) {
		/* Only what the bank knows: migrated, or requested by us. */
		if (strcmp(m->origin, "migrated") != 0 &&
		    (rc = already(p->db, m->id, "initiation", p->e)) != 1)
			return rc < 0 ? rc : 0;
	}
	if ((rc = already(p->db, m->id, p->kind, p->e)) != 0)
		return rc < 0 ? rc : 0;
	if (vec_room(&p->ids, p->n, &p->cap, sizeof(*p->ids)) != 0)
		return gw_err_set(p->e, GW_ENOMEM, "out of memory");
	p->ids[p->n++] = m->id;
	return 0;
}

/* A new request of kind for bank holding ids, in the open transaction. */
static int
create(struct db *db, const struct bank_cfg *bc, const char *kind,
    const int64_t *ids, size_t n, const char *actor, struct gw_err *e)
{
	static const char q_seq[] = "SELECT coalesce(max(seq), 0) + 1 FROM"
	    " mandate_requests WHERE bank = ? AND day = ? AND kind = ?";
	static const char q_ins[] = "INSERT INTO mandate_requests(kind, bank,"
	    " day, seq, msg_id, file_name, format, nb, created_epoch, state,"
	    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,'assembled',?)";
	static const char q_item[] = "INSERT INTO mandate_request_items("
	    "request_id, seq, mandate_id, kind) VALUES (?,?,?,?)";
	struct req r;
	sqlite3_stmt *st;
	size_t i;
	int seq;

	memset(&r, 0, sizeof(r));
	date_format(r.day, date_today());
	if ((st = db_stmt(db, q_seq, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, bc->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r.day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "mandate request sequence", e);
	}
	seq = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (seq > 9999)
		return gw_err_set(e, GW_ELIMIT, "bank %s: more than 9999 mandate "
		    "request files today", bc->code);
	batch_msg_id(r.msg_id, kind[0] == 'i' ? "MRQ" : "MCX", r.day, bc->code,
	    seq);
	snprintf(r.file_name, sizeof(r.file_name), "%s.xml", r.msg_id);
	/* The pain.008 version tells which generation of messages the bank
	 * speaks: .001.08 banks get .001.08, older ones .001.05. */
	snprintf(r.format, sizeof(r.format), "%s",
	    strcmp(bc->format, "pain.008.001.02") == 0 ?
	    (kind[0] == 'i' ? "pain.009.001.05" : "pain.011.001.05") :
	    (kind[0] == 'i' ? "pain.009.001.08" : "pain.011.001.08"));
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	if ((st = db_stmt(db, q_ins, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bc->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r.day, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, seq);
	sqlite3_bind_text(st, 5, r.msg_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r.file_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r.format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)n);
	sqlite3_bind_int64(st, 9, (int64_t)gw_now());
	sqlite3_bind_text(st, 10, ts_now_utc(), -1, SQLITE_TRANSIENT);
	if (db_step_done(db, st, "mandate request", e) != 0)
		return e->code;
	r.id = sqlite3_last_insert_rowid(db_handle(db));
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(db, q_item, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, r.id);
		sqlite3_bind_int(st, 2, (int)i + 1);
		sqlite3_bind_int64(st, 3, ids[i]);
		sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
		if (db_step_done(db, st, "mandate request item", e) != 0)
			return e->code;
	}
	return event(db, &r, "assemble", NULL, "assembled", r.file_name, actor,
	    e);
}

/* ---- writing and placing ---------------------------------------------- */

struct writer {
	struct home	*h;
	const struct req *r;
};

static int
write_req(void *arg, const char *path, struct gw_err *e)
{
	static const char q[] = "SELECT seq, mandate_id FROM"
	    " mandate_request_items WHERE request_id = ? ORDER BY seq";
	struct writer *w = arg;
	const struct config *c = w->h->cfg;
	const struct bank_cfg *bc = config_bank(c, w->r->bank);
	struct mndt_writer *mw = NULL;
	struct mndt_group g;
	struct afile *af = NULL;
	sqlite3_stmt *st;
	int rc, step, init = w->r->kind[0] == 'i';
	enum iso_msg type;

	if (bc == NULL)
		return gw_err_set(e, GW_ECONFIG, "request %s: bank %s is no longer "
		    "configured", w->r->msg_id, w->r->bank);
	type = strcmp(w->r->format, "pain.009.001.05") == 0 ? ISO_PAIN009_05 :
	    strcmp(w->r->format, "pain.009.001.08") == 0 ? ISO_PAIN009_08 :
	    strcmp(w->r->format, "pain.011.001.05") == 0 ? ISO_PAIN011_05 :
	    ISO_PAIN011_08;
	memset(&g, 0, sizeof(g));
	g.msg_id = w->r->msg_id;
	g.created = w->r->created;
	g.initiator_name = c->creditor_name;
	g.initiator_id = c->creditor_id;
	g.count = w->r->nb;
	if ((rc = afile_open(&af, path, 0640, e)) != 0)
		return rc;
	if ((rc = mndt_writer_new(&mw, afile_fp(af), type, &g, e)) != 0)
		goto done;
	if ((st = db_stmt(w->h->db, q, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	sqlite3_bind_int64(st, 1, w->r->id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct mandate m;
		char mref[24], reqid[48];
		int seq = sqlite3_column_int(st, 0), signed_on;

		if ((rc = mandate_get(w->h->db, sqlite3_column_int64(st, 1), &m,
		    e)) != 0)
			break;
		mandate_ref(mref, m.id);
		if (init) {
			struct mndt_request mr;

			snprintf(reqid, sizeof(reqid), "%.25s-%06u", w->r->msg_id,
			    (unsigned)seq % 1000000u);
			if (date_parse(&signed_on, m.signed_on, 10, e) != 0) {
				rc = e->code;
				break;
			}
			memset(&mr, 0, sizeof(mr));
			mr.mandate_id = mref;
			mr.request_id = reqid;
			mr.signed_on = signed_on;
			mr.creditor_name = c->creditor_name;
			mr.creditor_id = c->creditor_id;
			mr.creditor_account = c->creditor_account;
			mr.creditor_agent = c->creditor_agent;
			mr.creditor_scheme_id = c->creditor_scheme_id ?
			    c->creditor_scheme_id : c->creditor_id;
			mr.debtor_name = m.account_name;
			mr.debtor_account = m.account_no;
			mr.debtor_agent = bc->agent;
			/* A unit's account pays for its member: the unit is the
			 * debtor, the member the ultimate debtor. */
			if (m.unit_code[0]) {
				mr.debtor_id = m.unit_code;
				mr.debtor_is_org = 1;
				mr.ultimate_debtor_name = m.payer_name;
				mr.ultimate_debtor_id = m.payer_id;
			} else
				mr.debtor_id = m.payer_id;
			rc = mndt_add_request(mw, &mr, e);
		} else {
			struct mndt_cancel mc;

			memset(&mc, 0, sizeof(mc));
			mc.mandate_id = mref;
			mc.reason_prtry = strcmp(m.state, "superseded") == 0 ?
			    "AMND" : "RVKD";
			mc.text = m.state_reason[0] ? m.state_reason : m.state;
			rc = mndt_add_cancel(mw, &mc, e);
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(w->h->db, "mandate request items", e);
	sqlite3_reset(st);
	if (rc == 0)
		rc = mndt_writer_finish(mw, e);
done:
	mndt_writer_free(mw);
	if (rc != 0) {
		afile_abort(af);
		return rc;
	}
	return afile_commit(af, 0, e);
}

static int
set_state(struct db *db, const struct req *r, const char *to, const char *sha,
    const char *sig, const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE mandate_requests SET state = ?,"
	    " file_sha256 = coalesce(?, file_sha256), sig_name ="
	    " coalesce(?, sig_name), updated_at = ? WHERE id = ? AND state = ?";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	db_bind_text(st, 2, sha);
	db_bind_text(st, 3, sig);
	sqlite3_bind_text(st, 4, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->id);
	sqlite3_bind_text(st, 6, r->state, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "mandate request state", e) != 0)
		return e->code;
	if (sqlite3_changes(db_handle(db)) != 1)
		return gw_err_set(e, GW_EBUSY, "request %s changed meanwhile",
		    r->msg_id);
	return event(db, r, to[0] == 's' && to[1] == 'i' ? "sign" : "send",
	    r->state, to, NULL, actor, e);
}

static int
in_tx(struct db *db, const struct req *r, const char *to, const char *sha,
    const char *sig, const char *actor, struct gw_err *e)
{
	int rc;

	if ((rc = db_begin(db, e)) != 0)
		return rc;
	if ((rc = set_state(db, r, to, sha, sig, actor, e)) != 0 ||
	    (rc = db_commit(db, e)) != 0)
		db_rollback(db);
	return rc;
}

/* Files for assembled requests; lost files of signed ones made again. */
static int
produce(struct home *h, const char *pass_file, const char *actor, int *files,
    struct gw_err *e)
{
	static const char q[] = "SELECT " RCOLS " FROM mandate_requests"
	    " WHERE state IN ('assembled', 'signed') ORDER BY id";
	struct keystore *ks = NULL;
	struct req *v = NULL;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((st = db_stmt(h->db, q, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (vec_room(&v, n, &cap, sizeof(*v)) != 0) {
			sqlite3_reset(st);
			free(v);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
		req_row(st, &v[n++]);
	}
	if (step != SQLITE_DONE)
		rc = db_fail(h->db, "mandate requests", e);
	sqlite3_reset(st);
	for (i = 0; rc == 0 && i < n; i++) {
		struct writer w = { h, &v[i] };
		struct outfile of;
		struct transfer t;
		int signed_ = strcmp(v[i].state, "signed") == 0;

		if (signed_) {
			rc = transfer_find(h->db, v[i].bank, "up", v[i].file_name,
			    &t, e);
			if (rc == 1 && strcmp(t.state, "done") == 0) {
				rc = in_tx(h->db, &v[i], "sent", NULL, NULL, actor, e);
				continue;
			}
			if (rc < 0)
				break;
			rc = 0;
			if (outfile_is_out(h, v[i].bank, v[i].file_name))
				continue;
		}
		if ((rc = outfile_stage(&of, h, &ks, pass_file, v[i].file_name,
		    write_req, &w, signed_ ? v[i].sha : NULL, e)) != 0)
			break;
		if (!signed_ && (rc = in_tx(h->db, &v[i], "signed", of.sha256,
		    fs_basename(of.sig), actor, e)) != 0)
			break;
		if ((rc = outfile_place(&of, h, v[i].bank, e)) == 0)
			(*files)++;
	}
	keystore_close(ks);
	free(v);
	return rc;
}

int
mandreq_make(struct home *h, const char *bank, const char *actor,
    const char *passphrase_file, struct mandreq_result *r, struct gw_err *e)
{
	static const char *const kinds[] = { "initiation", "cancellation" };
	static const char *const cancel_states[] = { "revoked", "superseded" };
	int i, k, s, rc = 0;

	memset(r, 0, sizeof(*r));
	if (bank != NULL && config_bank(h->cfg, bank) == NULL)
		return gw_err_set(e, GW_EINPUT, "--bank: unknown bank '%s'", bank);
	/* Finish what a crash left half made before adding more. */
	if ((rc = produce(h, passphrase_file, actor, &r->files, e)) != 0)
		return rc;
	if ((rc = db_begin(h->db, e)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < h->cfg->nbanks; i++) {
		const struct bank_cfg *bc = &h->cfg->banks[i];

		if (bankfmt_is_text(bc) || (bank && strcmp(bank, bc->code) != 0))
			continue;
		for (k = 0; rc == 0 && k < 2; k++) {
			struct mandate_filter f;
			struct pick p;

			memset(&p, 0, sizeof(p));
			p.db = h->db;
			p.kind = kinds[k];
			p.e = e;
			for (s = 0; rc == 0 && s < (k == 0 ? 1 : 2); s++) {
				memset(&f, 0, sizeof(f));
				f.state = k == 0 ? "pending" : cancel_states[s];
				f.bank_code = bc->code;
				rc = mandate_foreach(h->db, &f, pick_one, &p, e);
			}
			if (rc == 0 && p.n > 0)
				rc = create(h->db, bc, kinds[k], p.ids, p.n, actor, e);
			if (k == 0)
				r->requested += (int64_t)p.n;
			else
				r->cancelled += (int64_t)p.n;
			free(p.ids);
		}
	}
	if (rc == 0)
		rc = db_commit(h->db, e);
	else {
		db_rollback(h->db);
		return rc;
	}
	return rc == 0 ? produce(h, passphrase_file, actor, &r->files, e) : rc;
}

int
mandreq_mark_sent(struct db *db, const char *bank, const char *name,
    const char *actor, struct gw_err *e)
{
	static const char q[] = "SELECT " RCOLS " FROM mandate_requests"
	    " WHERE file_name = ? AND bank = ?";
	sqlite3_stmt *st;
	struct req r;
	int rc;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bank, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		req_row(st, &r);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || strcmp(r.state, "signed") != 0)
		return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		    db_fail(db, "mandate requests", e);
	return in_tx(db, &r, "sent", NULL, NULL, actor, e);
}
