/*
 * returns.c - verify, read, match and apply a bank's return file.
 *
 * The readers stream; every record is applied as it is read, inside one
 * transaction that is rolled back if a later record (or the file's own
 * control totals, checked at its end) turns out wrong. So a file is
 * applied whole or not at all, and memory does not grow with it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "common/handoff.h"
#include "common/money.h"
#include "common/vec.h"
#include "formats/iso_read.h"
#include "formats/reason.h"
#include "formats/textfmt.h"
#include "gateway/bankfmt.h"
#include "gateway/batch.h"
#include "gateway/home.h"
#include "gateway/ledger_policy.h"
#include "gateway/returns.h"
#include "gateway/transport.h"
#include "keys/keys.h"
#include "ledger/debit_apply.h"
#include "ledger/obligation.h"
#include "mandates/mandate.h"

static const struct db_migration returns_migrations[] = {
	{ 1,
	  "CREATE TABLE return_files("
	  " sha256 TEXT PRIMARY KEY,"
	  " bank TEXT NOT NULL,"
	  " name TEXT NOT NULL,"
	  " kind TEXT NOT NULL,"
	  " signer TEXT,"
	  " items INTEGER NOT NULL,"
	  " accepted INTEGER NOT NULL,"
	  " rejected INTEGER NOT NULL,"
	  " pending INTEGER NOT NULL,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL);" },
};

const struct db_part returns_db_part =
    DB_PART("returns", returns_migrations);

#define MAX_TOUCHED 4096

struct ingest {
	struct home		*h;
	const struct returns_opts *o;
	struct returns_result	*r;
	struct ledger_policy	 pol;
	char			 sha[SHA256_HEX_LEN + 1];
	const char		*name;		/* file name, for messages */
	int			 today;
	int			 file_day;	/* the file's date, -1: none */
	struct debit_apply	*da;		/* debit results, in bulk */
	struct batch_results	 res;		/* the items' answers, in bulk */
	struct batch_finder	 finder;	/* the last item's batch */
	int64_t			 touched[MAX_TOUCHED];	/* batch ids */
	int			 ntouched;
	struct gw_err		*e;
};

static int
bad(struct ingest *in, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct ingest *in, long line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return gw_err_set(in->e, GW_EINPUT, "%s:%ld: %s", in->name, line,
		    msg);
	return gw_err_set(in->e, GW_EINPUT, "%s: %s", in->name, msg);
}

static int
touch(struct ingest *in, int64_t batch_id)
{
	int i;

	for (i = 0; i < in->ntouched; i++)
		if (in->touched[i] == batch_id)
			return 0;
	if (in->ntouched == MAX_TOUCHED)
		return gw_err_set(in->e, GW_ELIMIT, "%s: answers more than %d "
		    "batches", in->name, MAX_TOUCHED);
	in->touched[in->ntouched++] = batch_id;
	return 0;
}

/* A batch this bank may answer: ours, its own, sent (or about to be). */
static int
check_batch(struct ingest *in, const struct batch_item_ref *it, long line)
{
	char e2e[BATCH_ID_SZ];

	if (strcmp(it->bank, in->o->bank) != 0)
		return bad(in, line, "%s is in batch %s of bank %s, not %s; "
		    "refusing the file", batch_e2e_id(e2e, it->msg_id, it->seq),
		    it->msg_id, it->bank, in->o->bank);
	if (strcmp(it->state, "cancelled") == 0 ||
	    strcmp(it->state, "assembled") == 0)
		return bad(in, line, "batch %s is %s: the bank cannot have it",
		    it->msg_id, it->state);
	return touch(in, it->batch_id);
}

enum outcome { OUT_ACCEPTED, OUT_REJECTED };

/* Apply one item's result to the ledger and the batch item; ob is its
 * obligation read ahead, or NULL to read it here. */
static int
apply(struct ingest *in, const struct batch_item_ref *it,
    const struct debit_ob *ob, enum outcome oc, const char *code,
    const char *category, int on, long line)
{
	struct debit_ob own;
	char e2e[BATCH_ID_SZ];
	int64_t suspended = 0;
	int rc;

	batch_e2e_id(e2e, it->msg_id, it->seq);
	if ((rc = batch_results_add(&in->res, it->item_id,
	    oc == OUT_ACCEPTED, in->e)) != 0) {
		if (rc != GW_EDUP)
			return rc;
		gw_err_clear(in->e);
		return bad(in, line, "%s is answered twice in this file; "
		    "refusing the file", e2e);
	}
	/* The item's own date, else the bank's file date, else today. */
	if (on < 0)
		on = in->file_day >= 0 ? in->file_day : in->today;
	if (ob == NULL && (rc = debit_ob_read(in->h->db, it->obligation_id,
	    &own, in->e)) == 0)
		ob = &own;
	if (rc == 0 && oc == OUT_ACCEPTED) {
		rc = debit_apply_settle_ob(in->da, ob, it->amount, on, e2e,
		    in->e);
		in->r->accepted++;
		in->r->accepted_fen += it->amount;
	} else if (rc == 0) {
		rc = debit_apply_fail_ob(in->da, ob, it->amount, on, e2e,
		    category, code, it->mandate_id, &suspended, in->e);
		in->r->rejected++;
		in->r->rejected_fen += it->amount;
		in->r->suspended += suspended != 0;
	}
	if (rc != 0) {
		/* Keep the ledger's reason, name the file and item. */
		char why[GW_ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", in->e->msg);
		gw_err_clear(in->e);
		return bad(in, line, "%s: %s", e2e, why);
	}
	in->r->items++;
	return 0;
}

/*
 * Refuse an EndToEndId that is not an unanswered item of ours. found is
 * what the lookup said (1 found, 0 none): the writer's own, or one made
 * ahead from the snapshot the transaction started from, whose answers
 * are then those of earlier files; an item answered earlier in this file
 * is refused by batch_results_add.
 */
static int
vet(struct ingest *in, const char *e2e, const char *orig_msg_id,
    int64_t amount, long line, int found, const struct batch_item_ref *it)
{
	int rc;

	if (e2e == NULL || *e2e == '\0')
		return bad(in, line, "an item without an EndToEndId; refusing "
		    "the file");
	if (!found)
		return bad(in, line, "EndToEndId %s is not an item of ours "
		    "(unknown item); refusing the file", e2e);
	if (orig_msg_id && *orig_msg_id && strcmp(orig_msg_id, it->msg_id) != 0)
		return bad(in, line, "EndToEndId %s is of batch %s, but the file "
		    "says batch %s", e2e, it->msg_id, orig_msg_id);
	if ((rc = check_batch(in, it, line)) != 0)
		return rc;
	if (!it->live)
		return bad(in, line, "%s is of cancelled batch %s", e2e,
		    it->msg_id);
	if (it->result[0])
		return bad(in, line, "%s was already answered (%s), by an "
		    "earlier file or earlier in this one; refusing the file", e2e,
		    it->result);
	if (amount >= 0 && amount != it->amount) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

		return bad(in, line, "%s: amount %s, but we debited %s; refusing "
		    "the file", e2e, money_format(a, amount),
		    money_format(b, it->amount));
	}
	return 0;
}

/* Resolve an EndToEndId to an unanswered item of ours, or refuse. */
static int
resolve(struct ingest *in, const char *e2e, const char *orig_msg_id,
    int64_t amount, long line, struct batch_item_ref *it)
{
	int found = 0;

	if (e2e != NULL && *e2e != '\0' && (found = batch_item_by_e2e(in->h->db,
	    &in->finder, e2e, it, in->e)) < 0)
		return found;
	return vet(in, e2e, orig_msg_id, amount, line, found, it);
}

/* ---- ISO 20022: pain.002, camt.054 ------------------------------------ */

struct scope_apply {
	struct ingest		*in;
	struct batch_item_ref	*v;
	size_t			 n, cap;
};

static int
collect_unanswered(void *arg, const struct batch_item_ref *it)
{
	struct scope_apply *sa = arg;

	if (vec_room(&sa->v, sa->n, &sa->cap, sizeof(*sa->v)) != 0)
		return gw_err_set(sa->in->e, GW_ENOMEM, "out of memory");
	sa->v[sa->n++] = *it;
	return 0;
}

/* A group or payment-level status: every item this file left alone. */
static int
scope_status(struct ingest *in, const struct iso_item *it)
{
	struct scope_apply sa;
	struct batch b;
	struct batch_item_ref probe;
	size_t i;
	int rc;

	if (it->status == ISO_ST_PENDING || it->status == ISO_ST_PARTIAL)
		return 0;	/* "see the items": nothing for the rest */
	if (it->orig_msg_id == NULL || *it->orig_msg_id == '\0')
		return bad(in, it->line, "a %s-level status without the original "
		    "MsgId; refusing the file", iso_scope_name(it->scope));
	if ((rc = batch_find(in->h->db, it->orig_msg_id, &b, in->e)) != 0) {
		gw_err_clear(in->e);
		return bad(in, it->line, "original MsgId %s is not a batch of "
		    "ours; refusing the file", it->orig_msg_id);
	}
	memset(&probe, 0, sizeof(probe));
	probe.batch_id = b.id;
	snprintf(probe.bank, sizeof(probe.bank), "%s", b.bank);
	snprintf(probe.msg_id, sizeof(probe.msg_id), "%s", b.msg_id);
	snprintf(probe.state, sizeof(probe.state), "%s", b.state);
	if ((rc = check_batch(in, &probe, it->line)) != 0)
		return rc;
	/* Collect first: applying changes the rows the query walks; and
	 * the answers held so far are written, or they would count as
	 * unanswered. */
	if ((rc = batch_results_flush(&in->res, in->e)) != 0)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.in = in;
	rc = batch_foreach_unanswered(in->h->db, b.id, collect_unanswered, &sa,
	    in->e);
	for (i = 0; rc == 0 && i < sa.n; i++)
		rc = apply(in, &sa.v[i], NULL, it->status == ISO_ST_ACCEPTED ?
		    OUT_ACCEPTED : OUT_REJECTED, it->reason_code,
		    reason_cat_name(it->category), it->booking_date, it->line);
	free(sa.v);
	return rc;
}

/* An item's lookups, made ahead on the parser's thread. */
struct ahead {
	int			 found;		/* batch_item_by_e2e */
	int			 has_ob;	/* ob read */
	struct batch_item_ref	 ref;
	struct debit_ob		 ob;
};

static int
iso_record(struct ingest *in, const struct iso_item *it,
    const struct ahead *ah)
{
	int rc;

	if (it->scope != ISO_SCOPE_ITEM)
		return scope_status(in, it);
	if ((rc = vet(in, it->end_to_end_id, it->orig_msg_id, it->amount_fen,
	    it->line, ah->found, &ah->ref)) != 0)
		return rc;
	if (it->status == ISO_ST_PENDING) {
		in->r->pending++;
		return 0;
	}
	if (it->status == ISO_ST_PARTIAL)
		return bad(in, it->line, "%s: status PART for a single item is "
		    "ambiguous; refusing the file", it->end_to_end_id);
	return apply(in, &ah->ref, ah->has_ob ? &ah->ob : NULL,
	    it->status == ISO_ST_ACCEPTED ? OUT_ACCEPTED : OUT_REJECTED,
	    it->reason_code, reason_cat_name(it->category), it->booking_date,
	    it->line);
}

/*
 * The parser runs on a second thread and hands items over (a million-item
 * file parses in about 2 s, which then overlaps the applying). It also
 * looks each item up, and its obligation, on a connection of its own
 * opened after the writer's BEGIN IMMEDIATE: one read transaction, so one
 * snapshot, the store as the writer's transaction found it (no one else
 * can commit meanwhile). The writer then only checks and writes; what its
 * own transaction changed it knows itself (see vet). Items come with their
 * strings copied; the summary is the caller's to read once the parser is
 * joined, except the file's date, which the parser takes once, before it
 * hands over its first item (the group header comes first), and never
 * writes again.
 */
enum { S_ORIG_MSG, S_ORIG_PMTINF, S_E2E, S_MANDATE, S_MANDATE_REQ, S_STATUS,
    S_REASON, S_REASON_TEXT, NSTR };

struct iso_rec {
	struct iso_item	 it;		/* its strings NULL: see off */
	size_t		 off[NSTR];
	struct ahead	 ah;		/* item scope only */
};

struct parse_job {
	const char		*path;
	const char		*db_path;
	const struct iso_read_opts *ro;
	struct iso_summary	*sum;
	int			 file_day;	/* -2: not yet taken */
};

/* The parser's side of the handoff. */
struct pusher {
	struct parse_job	*j;
	struct handoff		*h;
	struct db		*db;		/* the parser's, read only */
	struct batch_finder	 finder;
	struct gw_err		*e;
};

/* An item's lookups, ahead of the writer. */
static int
look_ahead(struct pusher *p, const struct iso_item *it, struct ahead *ah)
{
	memset(ah, 0, sizeof(*ah));
	if (it->end_to_end_id == NULL || *it->end_to_end_id == '\0')
		return 0;	/* the writer refuses it */
	if ((ah->found = batch_item_by_e2e(p->db, &p->finder, it->end_to_end_id,
	    &ah->ref, p->e)) <= 0)
		return ah->found;
	if (debit_ob_read(p->db, ah->ref.obligation_id, &ah->ob, p->e) == 0)
		ah->has_ob = 1;
	else if (p->e->code == GW_ENOTFOUND)
		gw_err_clear(p->e);	/* the writer reads it, and says so */
	else
		return p->e->code;
	return 0;
}

static int
parse_push(void *arg, const struct iso_item *it)
{
	struct pusher *p = arg;
	struct parse_job *j = p->j;
	struct iso_rec *r = handoff_rec(p->h);
	const char *s[NSTR] = { it->orig_msg_id, it->orig_pmtinf_id,
	    it->end_to_end_id, it->mandate_id, it->mandate_req_id,
	    it->status_code, it->reason_code, it->reason_text };
	int i, rc;

	if (j->file_day == -2 && (strlen(j->sum->created) < 10 ||
	    date_parse(&j->file_day, j->sum->created, 10, NULL) != 0))
		j->file_day = -1;
	r->it = *it;
	for (i = 0; i < NSTR; i++)
		if (handoff_str(p->h, s[i], &r->off[i]) != 0)
			return gw_err_set(p->e, GW_ENOMEM, "out of memory");
	if (it->scope == ISO_SCOPE_ITEM && (rc = look_ahead(p, it, &r->ah)) != 0)
		return rc;
	return handoff_push(p->h);	/* 1: the applying side stopped */
}

static int
parser(struct handoff *h, void *arg, struct gw_err *e)
{
	struct pusher p = { .j = arg, .h = h, .e = e };
	int rc;

	if ((rc = store_open_reader(&p.db, p.j->db_path, e)) != 0)
		return rc;
	rc = iso_read_file(p.j->path, p.j->ro, parse_push, &p, p.j->sum, e);
	db_close(p.db);
	return rc;
}

/* iso_read_file(path, ro, iso_record, in, sum), the parsing and the
 * lookups on a thread. */
static int
read_iso_items(struct ingest *in, const char *path,
    const struct iso_read_opts *ro, struct iso_summary *sum)
{
	struct parse_job j = { .path = path, .db_path = db_path(in->h->db),
	    .ro = ro, .sum = sum, .file_day = -2 };
	struct handoff *h;
	struct iso_item it;
	const struct iso_rec *r;
	const void *p;
	const char *t;
	int rc;

	if ((rc = handoff_start(&h, sizeof(struct iso_rec), parser, &j,
	    in->e)) != 0)
		return gw_err_prefix(in->e, "%s: parsing: ", in->name);
	while ((rc = handoff_next(h, &p, &t, in->e)) == 1) {
		r = p;
		it = r->it;
		it.orig_msg_id = t + r->off[S_ORIG_MSG];
		it.orig_pmtinf_id = t + r->off[S_ORIG_PMTINF];
		it.end_to_end_id = t + r->off[S_E2E];
		it.mandate_id = t + r->off[S_MANDATE];
		it.mandate_req_id = t + r->off[S_MANDATE_REQ];
		it.status_code = t + r->off[S_STATUS];
		it.reason_code = t + r->off[S_REASON];
		it.reason_text = t + r->off[S_REASON_TEXT];
		in->file_day = j.file_day;
		if ((rc = iso_record(in, &it, &r->ah)) != 0)
			break;
	}
	handoff_close(h);
	return rc;
}

/* ---- pain.012: the payer's bank answers our mandate requests ---------- */

static int
mandate_record(void *arg, const struct iso_item *it)
{
	struct ingest *in = arg;
	struct mandate m;
	int64_t id;
	int rc;

	if (it->scope != ISO_SCOPE_ITEM)
		return 0;
	if (mandate_id_parse(&id, it->mandate_id, in->e) != 0 ||
	    mandate_get(in->h->db, id, &m, in->e) != 0) {
		gw_err_clear(in->e);
		return bad(in, it->line, "mandate %s is not ours; refusing the "
		    "file", it->mandate_id);
	}
	if (strcmp(m.bank_code, in->o->bank) != 0)
		return bad(in, it->line, "mandate %s is with bank %s, not %s",
		    it->mandate_id, m.bank_code, in->o->bank);
	if (strcmp(m.state, "pending") != 0)
		return bad(in, it->line, "mandate %s is %s, not pending: answered "
		    "before?", it->mandate_id, m.state);
	if (it->status == ISO_ST_ACCEPTED) {
		if ((rc = mandate_transition_tx(in->h->db, id, MANDATE_ACTIVATE,
		    "accepted by the bank (pain.012)", in->o->actor, in->e)) == 0 &&
		    it->mandate_req_id[0])
			rc = mandate_set_bank_ref(in->h->db, id, it->mandate_req_id,
			    in->e);
		in->r->mandates_accepted++;
	} else if (it->status == ISO_ST_REJECTED) {
		char why[256];

		snprintf(why, sizeof(why), "refused by the bank: %s %s",
		    it->reason_code[0] ? it->reason_code : "-", it->reason_text);
		rc = mandate_transition_tx(in->h->db, id, MANDATE_REJECT, why,
		    in->o->actor, in->e);
		in->r->mandates_rejected++;
	} else
		return 0;
	return rc;
}

/* ---- the bank's text format -------------------------------------------- */

static int
text_record(void *arg, const struct textfmt_item *ti, struct gw_err *e)
{
	struct ingest *in = arg;
	struct batch_item_ref ref;
	int rc;

	(void)e;
	if ((rc = resolve(in, ti->ref, NULL, ti->amount_fen, ti->line, &ref)) != 0)
		return rc;
	return apply(in, &ref, NULL, ti->accepted ? OUT_ACCEPTED : OUT_REJECTED,
	    ti->result_code, ti->accepted ? NULL : ti->category, -1, ti->line);
}

/* ---- the whole file ---------------------------------------------------- */

static int
seen(struct ingest *in)
{
	static const char q[] = "SELECT at FROM return_files WHERE sha256 = ?";
	int rc;

	rc = db_lookup_text(in->h->db, q, in->sha, in->r->already_at,
	    sizeof(in->r->already_at), "return_files", in->e);
	in->r->already = rc == 1;
	return rc < 0 ? rc : 0;
}

static int
record_file(struct ingest *in)
{
	static const char q[] = "INSERT INTO return_files(sha256, bank, name,"
	    " kind, signer, items, accepted, rejected, pending, at, actor)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?)";
	char why[256];
	struct audit_event ev = { .actor = in->o->actor,
	    .entity = "return_file", .entity_id = in->sha, .action = "ingest",
	    .to_state = "ingested", .reason = why };
	sqlite3_stmt *st;

	if ((st = db_stmt(in->h->db, q, in->e)) == NULL)
		return in->e->code;
	sqlite3_bind_text(st, 1, in->sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->o->bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->r->kind, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 5, in->r->signer);
	sqlite3_bind_int64(st, 6, in->r->items);
	sqlite3_bind_int64(st, 7, in->r->accepted);
	sqlite3_bind_int64(st, 8, in->r->rejected);
	sqlite3_bind_int64(st, 9, in->r->pending);
	sqlite3_bind_text(st, 10, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, in->o->actor, -1, SQLITE_STATIC);
	if (db_step_done(in->h->db, st, "return_files", in->e) != 0)
		return in->e->code;
	snprintf(why, sizeof(why), "%s %s: %lld accepted, %lld rejected, %lld "
	    "pending", in->r->kind, in->name, (long long)in->r->accepted,
	    (long long)in->r->rejected, (long long)in->r->pending);
	return audit_append(in->h->db, &ev, in->e);
}

/* The signature that goes with path: --sig, or path.p7s, or path.sig. */
static int
find_sig(const char *path, const char *given, char *out, size_t cap)
{
	if (given != NULL) {
		snprintf(out, cap, "%s", given);
		return fs_exists(out);
	}
	return keys_sig_beside(path, out, cap);
}

/* After the commit: a file from the inbox moves to the archive, and the
 * bank's copy is cleaned up as its after_ingest says. */
static void
after_ingest(struct ingest *in, const char *path, const char *sig)
{
	char inbox[4096], dst[4096];
	const char *files[2] = { path, sig };
	struct transport_opts to;
	struct gw_err e = GW_ERR_INIT;
	int i;

	snprintf(inbox, sizeof(inbox), "%s/inbox/%s/", in->h->dir, in->o->bank);
	if (strncmp(path, inbox, strlen(inbox)) != 0)
		return;
	snprintf(dst, sizeof(dst), "%s/archive/%s", in->h->dir, in->o->bank);
	fs_mkdirs(dst, 0750, NULL);
	memset(&to, 0, sizeof(to));
	to.bank = in->o->bank;
	to.actor = in->o->actor;
	for (i = 0; i < 2 && files[i] && files[i][0]; i++) {
		snprintf(dst, sizeof(dst), "%s/archive/%s/%s", in->h->dir,
		    in->o->bank, fs_basename(files[i]));
		if (fs_exists(files[i]) && fs_move_noreplace(files[i], dst,
		    &e) != 0 && in->o->report)
			in->o->report(in->o->report_arg, e.msg);
		gw_err_clear(&e);
		if (transport_remote_done(in->h, in->o->bank,
		    fs_basename(files[i]), &to, &e) != 0 && in->o->report)
			in->o->report(in->o->report_arg, e.msg);
		gw_err_clear(&e);
	}
}

int
returns_ingest(struct home *h, const struct returns_opts *o,
    struct returns_result *r, struct gw_err *e)
{
	const struct bank_cfg *bc;
	struct keys_sig_info si = { .sha256 = "" };
	struct textfmt *tf = NULL;
	struct iso_read_opts ro;
	struct iso_summary sum;
	struct ingest in;
	enum iso_msg type = ISO_MSG_UNKNOWN;
	char sig[4096] = "";
	int rc, i, has_sig;

	memset(r, 0, sizeof(*r));
	memset(&in, 0, sizeof(in));
	in.h = h;
	in.o = o;
	in.r = r;
	in.e = e;
	in.name = fs_basename(o->path);
	in.today = date_today();
	batch_results_init(&in.res, h->db);
	ledger_policy_from_config(&in.pol, h->cfg);
	if ((bc = config_bank(h->cfg, o->bank)) == NULL)
		return gw_err_set(e, GW_EINPUT, "--bank: unknown bank '%s'",
		    o->bank);
	if (!fs_exists(o->path))
		return gw_err_set(e, GW_EINPUT, "%s: no such file", o->path);
	/* No signature, no ingest: verify before reading a single byte. */
	has_sig = find_sig(o->path, o->sig_path, sig, sizeof(sig));
	if (o->unsigned_ok) {
		if (!bc->unsigned_ok)
			return gw_err_set(e, GW_EINPUT, "%s: --unsigned refused: "
			    "bank %s's config does not say its channel is the "
			    "proof (unsigned_ok)", in.name, o->bank);
		snprintf(r->signer, sizeof(r->signer), "unsigned (channel of "
		    "bank %s)", o->bank);
	} else if (!has_sig)
		return gw_err_set(e, GW_ESIG, "%s: no signature (%s.p7s or .sig); "
		    "a return file is never trusted unsigned", in.name, in.name);
	else {
		if ((rc = keys_verify_file(&si, h->db, h->dir, o->bank, o->path,
		    sig, e)) != 0)
			return rc;
		snprintf(r->signer, sizeof(r->signer), "%.200s (%.16s)",
		    si.subject, si.fingerprint);
	}
	/* The file's identity: read with the signature where there is one. */
	if (!o->unsigned_ok && si.sha256[0] != '\0')
		snprintf(in.sha, sizeof(in.sha), "%s", si.sha256);
	else if ((rc = fs_sha256_file(in.sha, o->path, NULL, e)) != 0)
		return rc;
	if ((rc = seen(&in)) != 0 || r->already)
		return rc;
	if (bankfmt_is_text(bc)) {
		if ((rc = bankfmt_descriptor(&tf, h->cfg, o->bank, e)) != 0)
			return rc;
		snprintf(r->kind, sizeof(r->kind), "text:%s", o->bank);
	} else {
		iso_read_opts_init(&ro);
		ro.bank = o->bank;
		if ((rc = iso_detect(o->path, &ro.lim, &type, e)) != 0)
			return rc;
		snprintf(r->kind, sizeof(r->kind), "%s", iso_msg_name(type));
	}
	if ((rc = db_begin(h->db, e)) != 0)
		goto done;
	memset(&sum, 0, sizeof(sum));
	in.file_day = -1;
	if (type != ISO_PAIN012_05 && type != ISO_PAIN012_08 &&
	    (rc = debit_apply_open(&in.da, h->db, &in.pol, o->bank, in.sha,
	    o->actor, e)) != 0) {
		db_rollback(h->db);
		goto done;
	}
	if (tf != NULL)
		rc = textfmt_read_returns(tf, o->path, text_record, &in, NULL, e);
	else if (type == ISO_PAIN012_05 || type == ISO_PAIN012_08)
		rc = iso_read_file(o->path, &ro, mandate_record, &in, &sum, e);
	else if (type == ISO_PAIN002_03 || type == ISO_PAIN002_10 ||
	    type == ISO_CAMT054_02 || type == ISO_CAMT054_08) {
		rc = read_iso_items(&in, o->path, &ro, &sum);
		/* The original group's totals, where the bank states them, must
		 * be the batch's. */
		if (rc == 0 && sum.orig_msg_id[0] && sum.orig_nb_of_txs >= 0) {
			struct batch b;

			if (batch_find(h->db, sum.orig_msg_id, &b, NULL) == 0 &&
			    (b.nb_items != sum.orig_nb_of_txs ||
			    (sum.orig_ctrl_sum_fen >= 0 &&
			    b.ctrl_sum != sum.orig_ctrl_sum_fen)))
				rc = bad(&in, 0, "original group %s: the file says "
				    "%lld items, %lld fen; the batch has %lld, %lld",
				    b.msg_id, (long long)sum.orig_nb_of_txs,
				    (long long)sum.orig_ctrl_sum_fen,
				    (long long)b.nb_items, (long long)b.ctrl_sum);
		}
	} else
		rc = gw_err_set(e, GW_EINPUT, "%s: a %s is not a return file",
		    in.name, iso_msg_name(type));
	/* Write what the bulk handles hold before anything reads the items'
	 * answers or writes audit events (batch states, the file record). */
	if (rc == 0)
		rc = batch_results_flush(&in.res, e);
	if (rc == 0)
		rc = debit_apply_close(in.da, e);
	else
		debit_apply_abort(in.da);
	in.da = NULL;
	for (i = 0; rc == 0 && i < in.ntouched; i++)
		rc = batch_after_results(h->db, in.touched[i], o->actor, e);
	r->batches = in.ntouched;
	if (rc == 0)
		rc = record_file(&in);
	if (rc == 0)
		rc = db_commit(h->db, e);
	else
		db_rollback(h->db);
	if (rc == 0)
		after_ingest(&in, o->path, has_sig ? sig : NULL);
done:
	batch_results_free(&in.res);
	textfmt_free(tf);
	return rc;
}
