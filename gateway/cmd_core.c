/*
 * cmd_core.c - init, config, audit and version.
 */
#include <stdio.h>
#include <string.h>

#include "common/audit.h"
#include "common/strnum.h"
#include "gateway/commands.h"

#ifndef DEBITGW_VERSION
#define DEBITGW_VERSION "0.1.0"
#endif

static int
cmd_init(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (home_init(c->home_dir, e) != 0)
		return e->code;
	printf("initialised %s: debitgw.conf (edit the [gateway] and [bank:*] "
	    "sections), debitgw.db, keys/, trust/, outbox/, inbox/, archive/, "
	    "formats/\n", c->home_dir);
	return 0;
}

static int
cmd_config_check(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct home *h;

	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (cli_home(c, &h, e) != 0)
		return e->code;
	printf("%s: ok (%d banks, %d debit days, %d extra runs, %zu holidays)\n",
	    h->conf_path, h->cfg->nbanks, h->cfg->ndebit_days,
	    h->cfg->nextra_runs, h->cfg->nholidays);
	return 0;
}

static int
cmd_config_keys(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	config_print_keys();
	return 0;
}

static int
cmd_audit_verify(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct home *h;
	int64_t bad, n;

	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	if (cli_home(c, &h, e) != 0)
		return e->code;
	if (audit_verify(h->db, &bad, &n, e) != 0)
		return e->code;
	printf("audit trail intact: %lld events\n", (long long)n);
	return 0;
}

static const struct out_col audit_cols[] = {
	{ "id", OUT_INT, 8 }, { "at", OUT_TEXT, 20 }, { "actor", OUT_TEXT, 10 },
	{ "entity", OUT_TEXT, 10 }, { "entity_id", OUT_TEXT, 12 },
	{ "action", OUT_TEXT, 10 }, { "from", OUT_TEXT, 10 },
	{ "to", OUT_TEXT, 10 }, { "reason", OUT_TEXT, 0 },
};

static int
audit_row(void *arg, sqlite3_stmt *st)
{
	struct out *o = arg;
	int i;

	out_int(o, sqlite3_column_int64(st, 0));
	for (i = 1; i < 9; i++)
		out_text(o, sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
		    db_col_text(st, i));
	out_row(o);
	return 0;
}

static int
cmd_audit_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const char q[] = "SELECT id, at, actor, entity, entity_id,"
	    " action, from_state, to_state, reason FROM audit_events"
	    " WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)"
	    " ORDER BY id DESC LIMIT ?3";
	const char *entity = NULL, *id = NULL, *limit = "100";
	const struct cli_opt opts[] = {
		{ "entity", OPT_STR, &entity }, { "id", OPT_STR, &id },
		{ "limit", OPT_STR, &limit }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	sqlite3_stmt *st;
	int64_t lim;
	int rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    strnum_i64(&lim, limit, 1, INT64_MAX, "--limit", e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if ((st = db_stmt(h->db, q, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, entity);
	db_bind_text(st, 2, id);
	sqlite3_bind_int64(st, 3, lim);
	o = out_begin(stdout, c->fmt, audit_cols, OUT_NCOLS(audit_cols));
	rc = db_each(h->db, st, audit_row, o, "audit list", e);
	out_end(o);
	return rc;
}

static int
cmd_version(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0)
		return e->code;
	printf("debitgw %s (sqlite %s)\n", DEBITGW_VERSION, sqlite3_libversion());
	return 0;
}

const struct cli_cmd core_cmds[] = {
	{ "init", NULL, cmd_init, "",
	  "create the home: config file with comments, database, key and "
	  "file folders", NULL },
	{ "config", "check", cmd_config_check, "",
	  "validate debitgw.conf without running anything", NULL },
	{ "config", "keys", cmd_config_keys, "",
	  "list every configuration key with its default", NULL },
	{ "audit", "verify", cmd_audit_verify, "",
	  "check the hash chain of the audit trail; exit 1 naming the first "
	  "bad row", NULL },
	{ "audit", "list", cmd_audit_list,
	  "[--entity E] [--id ID] [--limit N]",
	  "list audit events, newest first", NULL },
	{ "version", NULL, cmd_version, "", "print the version", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
