/*
 * cli.c - option parsing and help shared by every command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "gateway/cli.h"

int
cli_home(struct cli *c, struct home **out, struct gw_err *e)
{
	if (c->home == NULL && home_open(&c->home, c->home_dir, e) != 0)
		return e->code;
	*out = c->home;
	return 0;
}

const char *
cli_actor(const struct cli *c)
{
	return audit_default_actor(c->actor);
}

int
cli_usage(struct cli *c, struct gw_err *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->cmd == NULL)
		return gw_err_set(e, GW_EUSAGE, "%s", msg);
	return gw_err_set(e, GW_EUSAGE, "%s; usage: debitgw %s%s%s %s", msg,
	    c->cmd->noun, c->cmd->verb ? " " : "",
	    c->cmd->verb ? c->cmd->verb : "", c->cmd->usage);
}

int
cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
    char **pos, int minpos, int maxpos, int *npos, struct gw_err *e)
{
	int i, n = 0, only_pos = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct cli_opt *o;
		size_t len;

		if (only_pos || a[0] != '-' || a[1] != '-' || a[2] == '\0') {
			if (!only_pos && strcmp(a, "--") == 0) {
				only_pos = 1;
				continue;
			}
			if (a[0] == '-' && a[1] != '\0' && !only_pos)
				return cli_usage(c, e, "unknown option '%s'", a);
			if (n == maxpos)
				return cli_usage(c, e, "unexpected argument '%s'",
				    a);
			pos[n++] = argv[i];
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, a, len) == 0)
				break;
		if (o == NULL || o->name == NULL)
			return cli_usage(c, e, "unknown option '--%.*s'", (int)len,
			    a);
		if (o->kind == OPT_FLAG) {
			if (eq)
				return cli_usage(c, e, "--%s takes no value",
				    o->name);
			*(int *)o->dst = 1;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return cli_usage(c, e, "--%s needs a value", o->name);
		*(const char **)o->dst = val;
	}
	if (n < minpos)
		return cli_usage(c, e, "missing argument");
	if (npos)
		*npos = n;
	return 0;
}

int
cli_passphrase(struct cli *c, char **out, struct gw_err *e)
{
	const char *env = getenv("DEBITGW_KEY_PASSPHRASE");
	size_t len;

	*out = NULL;
	if (c->passphrase_file != NULL) {
		if (fs_check_private(c->passphrase_file, e) != 0 ||
		    fs_read_small(out, &len, c->passphrase_file, 1024, e) != 0)
			return e->code;
		while (len > 0 && ((*out)[len - 1] == '\n' ||
		    (*out)[len - 1] == '\r'))
			(*out)[--len] = '\0';
		return 0;
	}
	if (env != NULL && *env != '\0' && (*out = strdup(env)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	return 0;
}

void
cli_passphrase_free(char *p)
{
	if (p != NULL) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

int
cli_opt_day(const char *opt, const char *s, int *out, struct gw_err *e)
{
	struct gw_err pe = GW_ERR_INIT;

	if (date_parse(out, s, strlen(s), &pe) != 0)
		return gw_err_set(e, GW_EINPUT, "--%s: %s", opt, pe.msg);
	return 0;
}

void
cli_report_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

void
cli_print_help(const struct cli_cmd *cmd)
{
	printf("usage: debitgw %s%s%s %s\n\n%s\n", cmd->noun,
	    cmd->verb ? " " : "", cmd->verb ? cmd->verb : "", cmd->usage,
	    cmd->summary);
	if (cmd->help)
		printf("\n%s\n", cmd->help);
	printf("\nglobal options: --home DIR, --json, --csv, --actor NAME, "
	    "--passphrase-file F\n");
}
