/*
 * mandate.h - the registry of tri-party debit mandates (payer, tax bureau,
 * bank). No debit may leave without an active mandate.
 *
 *                 activate                 suspend
 *     pending ─────────────▶ active ◀───────────────▶ suspended
 *        │                    │  │      activate          │
 *        │ reject             │  │ amend                  │
 *        ▼                    │  ▼                        │
 *     rejected                │ superseded (+ new version, pending)
 *                             │                           │
 *        pending/active/suspended ── revoke ──▶ revoked ◀─┘
 *
 * Migrated legacy mandates enter as active (origin "migrated"); new ones
 * as pending until the payer's bank accepts them. A payer has at most one
 * live (pending, active or suspended) mandate: a partial unique index
 * enforces it. A unit member's mandate names the unit (unit_code) whose
 * account pays for the member.
 *
 * Part "mandates", table mandates and mandate_imports. Every state change
 * writes an audit event (common/audit.h) in the same transaction. A
 * mandate's terms (payer, bank, account, names, signature date) never
 * change once written - a trigger refuses it - so what a batch debited can
 * always be read back from the mandate row.
 */
#ifndef GW_MANDATE_H
#define GW_MANDATE_H

#include <stdint.h>

#include "common/audit.h"
#include "common/db.h"
#include "common/err.h"

extern const struct db_part mandate_db_part;

struct mandate {
	int64_t	 id;
	int	 version;
	int64_t	 supersedes;		/* id of the previous version, 0 none */
	char	 payer_id_type[12];	/* resident | hmt_permit | foreigner */
	char	 payer_id[19];
	char	 payer_name[256];
	int	 name_not_gbk;		/* flagged: GBK cannot carry the name */
	char	 category[12];		/* adult | minor | student | exempt */
	char	 region[128];
	char	 bank_code[20];
	char	 account_no[40];
	char	 account_name[256];
	int	 account_name_not_gbk;
	char	 account_kind[12];	/* card | passbook | corporate */
	char	 unit_code[19];		/* "" or the paying unit's USCC */
	char	 phone[24];
	char	 signed_on[11];		/* YYYY-MM-DD */
	char	 origin[10];		/* new | migrated */
	char	 state[12];
	char	 state_reason[256];
	char	 bank_ref[64];		/* the bank's reference once accepted */
	char	 created_at[32];
	char	 updated_at[32];
};

enum mandate_action {
	MANDATE_ACTIVATE, MANDATE_REJECT, MANDATE_SUSPEND, MANDATE_REVOKE
};

/* "M0000000123": the MndtId banks see for mandate id. */
char	*mandate_ref(char out[24], int64_t id);

/* Parse "123" or "M0000000123". Returns 0 or GW_EINPUT. */
int	mandate_id_parse(int64_t *out, const char *s, struct gw_err *e);

/* Load one mandate; GW_ENOTFOUND if there is none. */
int	mandate_get(struct db *db, int64_t id, struct mandate *out,
	    struct gw_err *e);

/*
 * SQL: the live states, word for word the WHERE of the partial index
 * mandates_live_payer. A lookup of a payer's live mandate says this term
 * (after "m." where the table has an alias) or SQLite will not use the
 * index and scans every mandate.
 */
#define MANDATE_LIVE_STATE "state IN ('pending','active','suspended')"

/*
 * The live (pending, active or suspended) mandate of a payer: 1 found
 * (into out, may be NULL), 0 none, negative on error.
 */
int	mandate_live_for_payer(struct db *db, const char *payer_id,
	    struct mandate *out, struct gw_err *e);

/*
 * Insert m (state and origin set by the caller) inside the caller's
 * transaction, with its audit event through aw. Sets m->id.
 * GW_EDUP if the payer already has a live mandate.
 */
int	mandate_insert(struct db *db, struct audit_writer *aw, struct mandate *m,
	    const char *actor, const char *reason, struct gw_err *e);

/*
 * Apply a lifecycle action in its own transaction. GW_ESTATE names the
 * current state when the transition is not allowed; GW_ENOTFOUND.
 */
int	mandate_transition(struct db *db, int64_t id, enum mandate_action a,
	    const char *reason, const char *actor, struct gw_err *e);

/* Same, inside the caller's transaction (returns, bank acceptances). */
int	mandate_transition_tx(struct db *db, int64_t id, enum mandate_action a,
	    const char *reason, const char *actor, struct gw_err *e);

/* Record the bank's reference on acceptance (inside a transaction). */
int	mandate_set_bank_ref(struct db *db, int64_t id, const char *ref,
	    struct gw_err *e);

/*
 * Amend bank and account: the mandate becomes superseded and a new
 * version (pending, same payer) is created with the new account, in one
 * transaction. bank_known validates the bank code against the config.
 * *new_id gets the new version's id.
 */
int	mandate_amend(struct db *db, int64_t id, const char *bank_code,
	    const char *account_no, const char *account_kind,
	    const char *account_name, const char *reason, const char *actor,
	    int64_t *new_id, struct gw_err *e);

struct mandate_filter {
	const char	*state;
	const char	*bank_code;
	const char	*region;
	const char	*unit_code;
	const char	*payer_id;
};

/*
 * Call fn for every mandate matching f (NULL fields match all), in id
 * order. fn returns 0 to go on, non-zero to stop (returned as is).
 */
int	mandate_foreach(struct db *db, const struct mandate_filter *f,
	    int (*fn)(void *arg, const struct mandate *m), void *arg,
	    struct gw_err *e);

/* Number of mandates per state, for metrics: fn(arg, state, count). */
int	mandate_count_by_state(struct db *db,
	    void (*fn)(void *arg, const char *state, int64_t n), void *arg,
	    struct gw_err *e);

/* Lifecycle state names and their legality. */
int	mandate_state_is_valid(const char *state);

#endif
