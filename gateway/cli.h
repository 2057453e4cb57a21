/*
 * cli.h - `debitgw <noun> <verb>`: the command table and option parsing.
 *
 * Each part's commands live in gateway/cmd_<noun>.c as a table of struct
 * cli_cmd ending with an empty row; main.c lists the tables. The same rows
 * produce the help text and docs/commands.md is checked against them.
 *
 * Exit status: 0 ok, 1 rejected input, 2 usage, 3 environment, taken from
 * the error code a command returns (common/err.h).
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include "common/err.h"
#include "gateway/home.h"
#include "gateway/out.h"

struct cli;

struct cli_cmd {
	const char	*noun;
	const char	*verb;		/* NULL: the noun is the whole command */
	int		(*fn)(struct cli *c, int argc, char **argv,
			    struct gw_err *e);
	const char	*usage;		/* arguments after the command name */
	const char	*summary;	/* one line */
	const char	*help;		/* options and details, may be NULL */
};

struct cli {
	const char		*home_dir;
	const char		*actor;
	enum out_fmt		 fmt;
	const char		*passphrase_file;
	const struct cli_cmd	*cmd;
	struct home		*home;	/* opened on first cli_home() */
};

/* The home named by --home / $DEBITGW_HOME / ./debitgw-home, opened once. */
int	cli_home(struct cli *c, struct home **out, struct gw_err *e);

/* The acting user: --actor, $USER or the passwd name. */
const char *cli_actor(const struct cli *c);

/* A usage error for the current command, GW_EUSAGE. */
int	cli_usage(struct cli *c, struct gw_err *e, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

enum cli_opt_kind { OPT_FLAG, OPT_STR };

struct cli_opt {
	const char	*name;		/* without the leading "--" */
	enum cli_opt_kind kind;
	void		*dst;		/* int * for a flag, const char ** for a value */
};

/*
 * Parse argv (after the command words) against opts: "--name value",
 * "--name=value" and flags; everything else is positional and collected
 * into pos (at most maxpos; fewer than minpos is a usage error).
 * "--" ends options. Unknown options are usage errors.
 */
int	cli_parse(struct cli *c, int argc, char **argv,
	    const struct cli_opt *opts, char **pos, int minpos, int maxpos,
	    int *npos, struct gw_err *e);

/*
 * The key passphrase: --passphrase-file (must be 0600), else
 * $DEBITGW_KEY_PASSPHRASE, else none (*out NULL). Free with
 * cli_passphrase_free, which wipes it.
 */
int	cli_passphrase(struct cli *c, char **out, struct gw_err *e);
void	cli_passphrase_free(char *p);

/* A line a long command reports as it goes (a bad row, a skipped item),
 * for the report callbacks of imports, runs and ingests: on stderr. */
void	cli_report_line(void *arg, const char *line);

/* The date YYYY-MM-DD of option --opt; GW_EINPUT "--opt: reason". */
int	cli_opt_day(const char *opt, const char *s, int *out, struct gw_err *e);

/* Print help for one command. */
void	cli_print_help(const struct cli_cmd *cmd);

#endif
