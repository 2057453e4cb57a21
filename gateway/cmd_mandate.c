/*
 * cmd_mandate.c - `debitgw mandate ...`: the registry from the command line.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/audit.h"
#include "common/date.h"
#include "mandates/ident.h"
#include "mandates/mandate.h"
#include "mandates/mandate_import.h"
#include "gateway/mandreq.h"
#include "gateway/commands.h"

static int
bank_known(void *arg, const char *code)
{
	return config_bank(arg, code) != NULL;
}

static int
cmd_import(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *reject = NULL;
	const struct cli_opt opts[] = {
		{ "reject-file", OPT_STR, &reject }, { NULL, 0, NULL },
	};
	struct mandate_import_opts o;
	struct mandate_import_result r;
	struct home *h;
	char *pos[1];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	memset(&o, 0, sizeof(o));
	o.path = pos[0];
	o.reject_path = reject;
	o.actor = cli_actor(c);
	o.bank_known = bank_known;
	o.bank_arg = h->cfg;
	o.report = cli_report_line;
	o.today = date_today();
	if (mandate_import(h->db, &o, &r, e) != 0)
		return e->code;
	if (r.already) {
		printf("%s: already imported at %s; nothing to do\n", o.path,
		    r.already_at);
		return 0;
	}
	printf("%s: %ld rows, %ld imported (%ld active, %ld pending), "
	    "%ld unit members, %ld names flagged (not in GBK), %ld legacy IDs "
	    "converted", o.path, r.rows, r.imported, r.active, r.pending,
	    r.unit_members, r.names_not_gbk, r.ids_converted);
	if (reject)
		printf(", %ld rejected to %s", r.rejected, reject);
	printf("\n");
	return 0;
}

static const struct out_col list_cols[] = {
	{ "id", OUT_TEXT, 11 }, { "payer_id", OUT_TEXT, 18 },
	{ "payer_name", OUT_TEXT, 10 }, { "category", OUT_TEXT, 8 },
	{ "region", OUT_TEXT, 8 }, { "bank", OUT_TEXT, 6 },
	{ "account_no", OUT_TEXT, 19 }, { "kind", OUT_TEXT, 9 },
	{ "unit_code", OUT_TEXT, 18 }, { "origin", OUT_TEXT, 8 },
	{ "state", OUT_TEXT, 10 }, { "version", OUT_INT, 0 },
};

static int
list_row(void *arg, const struct mandate *m)
{
	struct out *o = arg;
	char ref[24];

	out_text(o, mandate_ref(ref, m->id));
	out_text(o, m->payer_id);
	out_text(o, m->payer_name);
	out_text(o, m->category);
	out_text(o, m->region);
	out_text(o, m->bank_code);
	out_text(o, m->account_no);
	out_text(o, m->account_kind);
	out_text_or_null(o, m->unit_code);
	out_text(o, m->origin);
	out_text(o, m->state);
	out_int(o, m->version);
	out_row(o);
	return 0;
}

static int
cmd_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct mandate_filter f;
	const struct cli_opt opts[] = {
		{ "state", OPT_STR, &f.state }, { "bank", OPT_STR, &f.bank_code },
		{ "region", OPT_STR, &f.region }, { "unit", OPT_STR, &f.unit_code },
		{ "payer", OPT_STR, &f.payer_id }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int rc;

	memset(&f, 0, sizeof(f));
	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (f.state && !mandate_state_is_valid(f.state))
		return cli_usage(c, e, "unknown state '%s'", f.state);
	if (f.unit_code && ident_uscc(f.unit_code, e) != 0)
		return gw_err_prefix(e, "--unit: ");
	if (cli_home(c, &h, e) != 0)
		return e->code;
	if ((o = out_begin(stdout, c->fmt, list_cols,
	    OUT_NCOLS(list_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = mandate_foreach(h->db, &f, list_row, o, e);
	out_end(o);
	return rc;
}

static int
parse_id(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
    int64_t *id, struct home **h, struct gw_err *e)
{
	char *pos[1];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    mandate_id_parse(id, pos[0], e) != 0 || cli_home(c, h, e) != 0)
		return e->code;
	return 0;
}

static json_t *
mandate_json(const struct mandate *m)
{
	char ref[24], sup[24];

	return json_pack("{s:s, s:i, s:s?, s:s, s:s, s:s, s:b, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}",
	    "id", mandate_ref(ref, m->id), "version", m->version,
	    "supersedes", m->supersedes ? mandate_ref(sup, m->supersedes) : NULL,
	    "payer_id_type", m->payer_id_type, "payer_id", m->payer_id,
	    "payer_name", m->payer_name, "name_not_gbk",
	    m->name_not_gbk || m->account_name_not_gbk,
	    "category", m->category, "region", m->region,
	    "bank", m->bank_code, "account_no", m->account_no,
	    "account_name", m->account_name, "account_kind", m->account_kind,
	    "unit_code", m->unit_code[0] ? m->unit_code : NULL,
	    "phone", m->phone[0] ? m->phone : NULL,
	    "signed_on", m->signed_on, "origin", m->origin, "state", m->state,
	    "state_reason", m->state_reason[0] ? m->state_reason : NULL,
	    "bank_ref", m->bank_ref[0] ? m->bank_ref : NULL,
	    "created_at", m->created_at, "updated_at", m->updated_at);
}

static int
hist_row(void *arg, sqlite3_stmt *st)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
	    "at", db_col_text(st, 0), "actor", db_col_text(st, 1),
	    "action", db_col_text(st, 2), "from", db_col_text(st, 3),
	    "to", db_col_text(st, 4), "reason", db_col_text(st, 5)));
	return 0;
}

static int
cmd_show(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const char q_hist[] = "SELECT at, actor, action,"
	    " coalesce(from_state, ''), coalesce(to_state, ''),"
	    " coalesce(reason, '') FROM audit_events"
	    " WHERE entity = 'mandate' AND entity_id = ? AND " AUDIT_BY_ENTITY
	    " ORDER BY id";
	struct mandate m;
	struct home *h;
	sqlite3_stmt *st;
	json_t *j, *hist;
	const char *k;
	json_t *v;
	int64_t id;
	char ref[24];

	if (parse_id(c, argc, argv, NULL, &id, &h, e) != 0 ||
	    mandate_get(h->db, id, &m, e) != 0)
		return e->code;
	if ((j = mandate_json(&m)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	hist = json_array();
	if ((st = db_stmt(h->db, q_hist, e)) != NULL) {
		db_bind_text(st, 1, mandate_ref(ref, id));
		db_each(h->db, st, hist_row, hist, "mandate history", e);
	}
	if (e->code != 0) {
		json_decref(j);
		json_decref(hist);
		return e->code;
	}
	if (c->fmt == OUT_JSON) {
		json_object_set_new(j, "history", hist);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		size_t i;

		json_object_foreach(j, k, v) {
			if (json_is_string(v))
				printf("%-15s %s\n", k, json_string_value(v));
			else if (json_is_integer(v))
				printf("%-15s %lld\n", k,
				    (long long)json_integer_value(v));
			else if (json_is_boolean(v))
				printf("%-15s %s\n", k,
				    json_is_true(v) ? "yes" : "no");
		}
		printf("history:\n");
		for (i = 0; i < json_array_size(hist); i++) {
			json_t *ev = json_array_get(hist, i);

			printf("  %s  %-8s %-9s %s -> %s  %s\n",
			    json_string_value(json_object_get(ev, "at")),
			    json_string_value(json_object_get(ev, "actor")),
			    json_string_value(json_object_get(ev, "action")),
			    json_string_value(json_object_get(ev, "from")),
			    json_string_value(json_object_get(ev, "to")),
			    json_string_value(json_object_get(ev, "reason")));
		}
		json_decref(hist);
	}
	json_decref(j);
	return 0;
}

static int
transition(struct cli *c, int argc, char **argv, enum mandate_action a,
    struct gw_err *e)
{
	const char *reason = NULL;
	const struct cli_opt opts[] = {
		{ "reason", OPT_STR, &reason }, { NULL, 0, NULL },
	};
	struct mandate m;
	struct home *h;
	int64_t id;
	char ref[24];

	if (parse_id(c, argc, argv, opts, &id, &h, e) != 0)
		return e->code;
	if (reason == NULL || *reason == '\0')
		return cli_usage(c, e, "--reason is required");
	if (mandate_transition(h->db, id, a, reason, cli_actor(c), e) != 0 ||
	    mandate_get(h->db, id, &m, e) != 0)
		return e->code;
	printf("mandate %s is now %s\n", mandate_ref(ref, id), m.state);
	return 0;
}

static int
cmd_activate(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return transition(c, argc, argv, MANDATE_ACTIVATE, e);
}

static int
cmd_reject(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return transition(c, argc, argv, MANDATE_REJECT, e);
}

static int
cmd_suspend(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return transition(c, argc, argv, MANDATE_SUSPEND, e);
}

static int
cmd_revoke(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return transition(c, argc, argv, MANDATE_REVOKE, e);
}

static int
cmd_amend(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *bank = NULL, *account = NULL, *kind = NULL, *name = NULL;
	const char *reason = NULL;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { "account", OPT_STR, &account },
		{ "kind", OPT_STR, &kind }, { "account-name", OPT_STR, &name },
		{ "reason", OPT_STR, &reason }, { NULL, 0, NULL },
	};
	struct mandate m;
	struct home *h;
	int64_t id, nid;
	int not_gbk;
	char ref[24], nref[24];

	if (parse_id(c, argc, argv, opts, &id, &h, e) != 0)
		return e->code;
	if (bank == NULL || account == NULL)
		return cli_usage(c, e, "--bank and --account are required");
	if (config_bank(h->cfg, bank) == NULL)
		return gw_err_set(e, GW_EINPUT, "--bank: unknown bank code '%s' "
		    "(no [bank:%s] section in the config)", bank, bank);
	if (kind && strcmp(kind, "card") != 0 && strcmp(kind, "passbook") != 0 &&
	    strcmp(kind, "corporate") != 0)
		return gw_err_set(e, GW_EINPUT, "--kind: '%s' is not card, "
		    "passbook or corporate", kind);
	if (mandate_get(h->db, id, &m, e) != 0)
		return e->code;
	if (ident_account(account, strcmp(kind ? kind : m.account_kind,
	    "card") == 0, e) != 0)
		return gw_err_prefix(e, "--account: ");
	if (name && ident_name(name, &not_gbk, e) != 0)
		return gw_err_prefix(e, "--account-name: ");
	if (mandate_amend(h->db, id, bank, account, kind, name,
	    reason ? reason : "account changed", cli_actor(c), &nid, e) != 0)
		return e->code;
	printf("mandate %s superseded by %s (pending the bank's acceptance)\n",
	    mandate_ref(ref, id), mandate_ref(nref, nid));
	return 0;
}

static int
cmd_request(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *bank = NULL;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { NULL, 0, NULL },
	};
	struct mandreq_result r;
	struct home *h;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0 ||
	    mandreq_make(h, bank, cli_actor(c), c->passphrase_file, &r, e) != 0)
		return e->code;
	printf("mandate requests: %lld to register (pain.009), %lld to cancel "
	    "(pain.011), %d file%s placed in the outbox\n",
	    (long long)r.requested, (long long)r.cancelled, r.files,
	    r.files == 1 ? "" : "s");
	return 0;
}

const struct cli_cmd mandate_cmds[] = {
	{ "mandate", "import", cmd_import, "FILE [--reject-file F]",
	  "import the agency's mandate CSV (one file, one transaction)",
	  "Columns (any order): payer_id_type payer_id payer_name category "
	  "region\nbank_code account_no account_name account_kind unit_code "
	  "signed_on origin [phone].\nAny bad row: every bad row is reported as "
	  "FILE:LINE: column: reason and nothing\nis imported. --reject-file F: "
	  "import the good rows, write the bad ones to F.\nNew mandates enter "
	  "pending, migrated ones active." },
	{ "mandate", "list", cmd_list,
	  "[--state S] [--bank B] [--region R] [--unit USCC] [--payer ID]",
	  "list mandates (--json, --csv)", NULL },
	{ "mandate", "show", cmd_show, "ID", "one mandate and its history",
	  NULL },
	{ "mandate", "activate", cmd_activate, "ID --reason R",
	  "pending or suspended -> active (the bank accepted)", NULL },
	{ "mandate", "reject", cmd_reject, "ID --reason R",
	  "pending -> rejected (the bank refused)", NULL },
	{ "mandate", "suspend", cmd_suspend, "ID --reason R",
	  "active -> suspended (no batch uses it)", NULL },
	{ "mandate", "revoke", cmd_revoke, "ID --reason R",
	  "pending, active or suspended -> revoked (ends it)", NULL },
	{ "mandate", "amend", cmd_amend,
	  "ID --bank B --account A [--kind K] [--account-name N] [--reason R]",
	  "change bank and account: a new version, pending; the old one is "
	  "superseded", NULL },
	{ "mandate", "request", cmd_request, "[--bank B]",
	  "send pending mandates to their banks (signed pain.009) and cancel "
	  "ended ones (pain.011)",
	  "Each mandate is requested once and cancelled once. The bank's\n"
	  "pain.012 answer, ingested with `returns ingest`, activates or\n"
	  "rejects it. Banks on a text format sign mandates at the counter:\n"
	  "an operator activates theirs." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
