/*
 * main.c - debitgw: global options, dispatch to the command tables, and
 * the mapping of the returned error code to the exit status.
 *
 * Global options may stand anywhere before "--": --home DIR, --json,
 * --csv, --actor NAME, --passphrase-file F, --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <openssl/err.h>

#include "common/text.h"
#include "gateway/commands.h"

static const struct cli_cmd *const tables[] = {
	core_cmds,
	mandate_cmds,
	calendar_cmds,
	serve_cmds,
	transport_cmds,
	batch_cmds,
	returns_cmds,
	ledger_cmds,
	finance_cmds,
	keys_cmds,
	format_cmds,
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static void
usage_all(FILE *fp)
{
	const char *last = "";
	size_t t;
	const struct cli_cmd *c;

	fprintf(fp, "usage: debitgw [--home DIR] [--json|--csv] <noun> <verb> "
	    "[args]\n\ncommands:\n");
	for (t = 0; t < NTABLES; t++)
		for (c = tables[t]; c->noun; c++) {
			char name[64];

			if (strcmp(last, c->noun) != 0 && c->verb)
				fputc('\n', fp);
			last = c->noun;
			snprintf(name, sizeof(name), "%s%s%s", c->noun,
			    c->verb ? " " : "", c->verb ? c->verb : "");
			fprintf(fp, "  %-22s %s\n", name, c->summary);
		}
	fprintf(fp, "\n`debitgw help NOUN [VERB]` or `debitgw NOUN VERB --help` "
	    "for details.\nHome: --home, else $DEBITGW_HOME, else "
	    "./debitgw-home. Exit: 0 ok, 1 rejected input, 2 usage, "
	    "3 environment.\n");
}

static const struct cli_cmd *
find(const char *noun, const char *verb, int *noun_known)
{
	size_t t;
	const struct cli_cmd *c;

	*noun_known = 0;
	for (t = 0; t < NTABLES; t++)
		for (c = tables[t]; c->noun; c++) {
			if (strcmp(c->noun, noun) != 0)
				continue;
			*noun_known = 1;
			if (c->verb == NULL)
				return c;
			if (verb != NULL && strcmp(c->verb, verb) == 0)
				return c;
		}
	return NULL;
}

static void
list_verbs(FILE *fp, const char *noun)
{
	size_t t;
	const struct cli_cmd *c;

	fprintf(fp, "debitgw %s commands:\n", noun);
	for (t = 0; t < NTABLES; t++)
		for (c = tables[t]; c->noun; c++)
			if (strcmp(c->noun, noun) == 0)
				fprintf(fp, "  debitgw %s %s %s\n      %s\n", noun,
				    c->verb ? c->verb : "", c->usage, c->summary);
}

static int
help(int argc, char **argv)
{
	const struct cli_cmd *c;
	int known;

	if (argc == 0) {
		usage_all(stdout);
		return 0;
	}
	c = find(argv[0], argc > 1 ? argv[1] : NULL, &known);
	if (c != NULL) {
		cli_print_help(c);
		return 0;
	}
	if (known) {
		list_verbs(stdout, argv[0]);
		return 0;
	}
	fprintf(stderr, "debitgw: no command '%s'; see `debitgw help`\n",
	    argv[0]);
	return 2;
}

/* Pull the global options out of argv, wherever they stand. */
static int
globals(struct cli *c, int *argc, char **argv, int *want_help)
{
	int i, n = 0, rest = 0;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		const char *name = NULL;

		if (rest || strcmp(a, "--") == 0) {
			rest = 1;
			argv[++n] = argv[i];
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			c->fmt = OUT_JSON;
			continue;
		}
		if (strcmp(a, "--csv") == 0) {
			c->fmt = OUT_CSV;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*want_help = 1;
			continue;
		}
		if (strncmp(a, "--home", 6) == 0 && (a[6] == '\0' || a[6] == '='))
			dst = &c->home_dir, name = "--home";
		else if (strncmp(a, "--actor", 7) == 0 &&
		    (a[7] == '\0' || a[7] == '='))
			dst = &c->actor, name = "--actor";
		else if (strncmp(a, "--passphrase-file", 17) == 0 &&
		    (a[17] == '\0' || a[17] == '='))
			dst = &c->passphrase_file, name = "--passphrase-file";
		if (dst == NULL) {
			argv[++n] = argv[i];
			continue;
		}
		if (strchr(a, '=') != NULL)
			*dst = strchr(a, '=') + 1;
		else if (i + 1 < *argc)
			*dst = argv[++i];
		else {
			fprintf(stderr, "debitgw: %s needs a value\n", name);
			return -1;
		}
	}
	*argc = n + 1;
	argv[*argc] = NULL;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct gw_err e = GW_ERR_INIT;
	const struct cli_cmd *cmd;
	int want_help = 0, known, status, skip;
	const char *env;

	umask(027);
	/* Before any thread: a run stages files and an ingest parses on
	 * threads of their own, and libxml2's set-up is not reentrant. */
	xmlInitParser();
	memset(&cli, 0, sizeof(cli));
	if (globals(&cli, &argc, argv, &want_help) != 0)
		return 2;
	if (cli.home_dir == NULL)
		cli.home_dir = (env = getenv("DEBITGW_HOME")) && *env ? env :
		    "./debitgw-home";
	if (argc < 2) {
		if (want_help) {
			usage_all(stdout);
			return 0;
		}
		usage_all(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 2, argv + 2);
	cmd = find(argv[1], argc > 2 ? argv[2] : NULL, &known);
	if (cmd == NULL) {
		if (known && argc > 2 && strcmp(argv[2], "help") == 0) {
			list_verbs(stdout, argv[1]);
			return 0;
		}
		if (known) {
			if (argc > 2)
				fprintf(stderr, "debitgw: %s has no verb '%s'\n",
				    argv[1], argv[2]);
			list_verbs(stderr, argv[1]);
			return 2;
		}
		fprintf(stderr, "debitgw: no command '%s'; see `debitgw help`\n",
		    argv[1]);
		return 2;
	}
	if (want_help) {
		cli_print_help(cmd);
		return 0;
	}
	cli.cmd = cmd;
	skip = cmd->verb ? 3 : 2;
	status = cmd->fn(&cli, argc - skip, argv + skip, &e);
	if (status != 0) {
		if (e.code == 0)
			gw_err_set(&e, status, "failed");
		fprintf(stderr, "debitgw: %s\n", e.msg);
		status = gw_err_exit_status(e.code);
	}
	if (fflush(stdout) != 0 && status == 0) {
		fprintf(stderr, "debitgw: cannot write output\n");
		status = 3;
	}
	home_close(cli.home);
	text_cleanup();
	xmlCleanupParser();
	return status;
}
