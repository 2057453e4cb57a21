/*
 * cmd_format.c - `debitgw format validate|parse FILE`: look at a bank's
 * file before anything is changed.
 *
 * Neither command opens the home's database or changes anything: the
 * home only lends its schemas/ folder. An XML file is recognised by its
 * first character ('<' after an optional byte-order mark and white
 * space); anything else is a bank text file, handed to text_hook below.
 *
 * Schemas for `validate`, first found: --schemas DIR, HOME/schemas,
 * $DEBITGW_SCHEMAS. Without any, exit 3 (environment).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/date.h"
#include "common/money.h"
#include "formats/iso_read.h"
#include "gateway/bankfmt.h"
#include "gateway/commands.h"

enum file_kind { FILE_XML, FILE_TEXT };

/* XML or a bank's text format, from the first bytes. */
static int
sniff(const char *path, enum file_kind *kind, struct gw_err *e)
{
	unsigned char buf[512];
	size_t n, i = 0;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return gw_err_set(e, errno == ENOENT ? GW_EINPUT : GW_EIO,
		    "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	*kind = FILE_XML;
	if (n >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) ||
	    (buf[0] == 0xFE && buf[1] == 0xFF)))
		return 0;			/* UTF-16: only XML says so */
	if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		i = 3;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	/* An empty file goes to the XML reader, which says so clearly. */
	if (i < n && buf[i] != '<')
		*kind = FILE_TEXT;
	return 0;
}

/* format parse: one row per item, XML or text alike. */
static const struct out_col parse_cols[] = {
	{ "type", OUT_TEXT, 15 }, { "scope", OUT_TEXT, 6 },
	{ "orig_msg_id", OUT_TEXT, 16 }, { "orig_pmtinf_id", OUT_TEXT, 16 },
	{ "end_to_end_id", OUT_TEXT, 26 }, { "mandate_id", OUT_TEXT, 11 },
	{ "status", OUT_TEXT, 8 }, { "status_code", OUT_TEXT, 4 },
	{ "reason_code", OUT_TEXT, 6 }, { "category", OUT_TEXT, 18 },
	{ "amount", OUT_MONEY, 10 }, { "booking_date", OUT_TEXT, 10 },
	{ "line", OUT_INT, 6 }, { "reason_text", OUT_TEXT, 0 },
};

/*
 * Bank delimited-text files (formats/textfmt.h) are read against the
 * descriptor of --bank B, which the home's config names. Only the config
 * is read, never the database.
 */
struct text_ctx {
	struct out	*o;
	const char	*type;
};

static int
text_row(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	struct text_ctx *tc = arg;
	struct out *o = tc->o;
	int ret = it->result_code != NULL && *it->result_code != '\0';

	(void)e;
	out_text(o, tc->type);
	out_text(o, "item");
	out_null(o);
	out_null(o);
	out_text_or_null(o, it->ref);
	out_text_or_null(o, it->mandate_id);
	out_text(o, !ret ? "debit" : it->accepted ? "accepted" : "rejected");
	out_text_or_null(o, it->result_code);
	out_text_or_null(o, ret && !it->accepted ? it->result_code : NULL);
	out_text_or_null(o, ret && !it->accepted ? it->category : NULL);
	out_money(o, it->amount_fen);
	out_null(o);
	out_int(o, it->line);
	out_text_or_null(o, it->result_text);
	out_row(o);
	return 0;
}

static int
text_hook(struct cli *c, const char *path, const char *bank, int parse,
    struct gw_err *e)
{
	struct config *cfg = NULL;
	struct textfmt *d = NULL;
	struct textfmt_summary sum;
	struct text_ctx tc;
	enum textfmt_kind kind;
	char *conf = NULL, type[64], total[MONEY_BUFSZ];
	int rc;

	if (bank == NULL)
		return gw_err_set(e, GW_EUSAGE, "%s: not an XML file; a bank text "
		    "file needs --bank B (its descriptor is [bank:B] format)",
		    path);
	if (asprintf(&conf, "%s/debitgw.conf", c->home_dir) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = config_load(&cfg, conf, c->home_dir, e);
	free(conf);
	if (rc != 0 || (rc = bankfmt_descriptor(&d, cfg, bank, e)) != 0)
		goto done;
	/* Detect reads the whole file once, checking every line and the
	 * control totals, before anything is printed. */
	if ((rc = textfmt_detect(d, path, &kind, &sum, e)) != 0)
		goto done;
	snprintf(type, sizeof(type), "text:%s %s", bank,
	    kind == TEXTFMT_DEBIT ? "debit" : "return");
	if (!parse) {
		printf("%s: valid %s file for bank %s: %lld items, total %s\n",
		    path, kind == TEXTFMT_DEBIT ? "debit" : "return", bank,
		    (long long)sum.count, money_format(total, sum.total_fen));
		goto done;
	}
	tc.type = type;
	if ((tc.o = out_begin(stdout, c->fmt, parse_cols,
	    OUT_NCOLS(parse_cols))) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	rc = kind == TEXTFMT_DEBIT ?
	    textfmt_read_debits(d, path, text_row, &tc, &sum, e) :
	    textfmt_read_returns(d, path, text_row, &tc, &sum, e);
	out_end(tc.o);
	if (rc == 0 && c->fmt == OUT_TABLE)
		printf("%s file %s: %lld items, total %s (%lld accepted, %lld "
		    "rejected)\n", type, sum.file_id[0] ? sum.file_id : "-",
		    (long long)sum.count, money_format(total, sum.total_fen),
		    (long long)sum.ok_count, (long long)sum.fail_count);
done:
	textfmt_free(d);
	config_free(cfg);
	return rc;
}

/* The command's options and FILE; *kind says which reader it needs. */
static int
file_arg(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
    const char **path, enum file_kind *kind, struct gw_err *e)
{
	char *pos[1];

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0 ||
	    sniff(pos[0], kind, e) != 0)
		return e->code;
	*path = pos[0];
	return 0;
}

static int
is_dir(const char *p)
{
	struct stat st;

	return p != NULL && *p != '\0' && stat(p, &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

static int
cmd_validate(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *schemas = NULL, *env, *bank = NULL;
	const struct cli_opt opts[] = {
		{ "schemas", OPT_STR, &schemas }, { "bank", OPT_STR, &bank },
		{ NULL, 0, NULL },
	};
	const struct iso_limits lim = ISO_LIMITS_DEFAULT;
	enum file_kind kind;
	enum iso_msg type;
	const char *path = NULL;
	char *home_schemas = NULL;
	int rc;

	if (file_arg(c, argc, argv, opts, &path, &kind, e) != 0)
		return e->code;
	if (kind == FILE_TEXT)
		return text_hook(c, path, bank, 0, e);
	if (schemas != NULL && !is_dir(schemas))
		return gw_err_set(e, GW_EENV, "--schemas %s: not a directory",
		    schemas);
	if (schemas == NULL) {
		if (asprintf(&home_schemas, "%s/schemas", c->home_dir) < 0)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		if (is_dir(home_schemas))
			schemas = home_schemas;
		else if (is_dir(env = getenv("DEBITGW_SCHEMAS")))
			schemas = env;
	}
	if (schemas == NULL)
		rc = gw_err_set(e, GW_EENV, "no schema directory: give "
		    "--schemas DIR, put the ISO 20022 XSDs in %s, or set "
		    "DEBITGW_SCHEMAS", home_schemas);
	else if ((rc = iso_validate_file(path, schemas, &lim, &type, e)) == 0)
		printf("%s: valid %s (%s/%s.xsd)\n", path,
		    iso_msg_name(type), schemas, iso_msg_name(type));
	free(home_schemas);
	return rc;
}

struct parse_ctx {
	struct out		*o;
	const struct iso_summary *sum;
};

static int
parse_row(void *arg, const struct iso_item *it)
{
	struct parse_ctx *pc = arg;
	struct out *o = pc->o;
	char date[DATE_BUFSZ];

	out_text(o, iso_msg_name(pc->sum->type));
	out_text(o, iso_scope_name(it->scope));
	out_text_or_null(o, it->orig_msg_id);
	out_text_or_null(o, it->orig_pmtinf_id);
	out_text_or_null(o, it->end_to_end_id);
	out_text_or_null(o, it->mandate_id[0] ? it->mandate_id :
	    it->mandate_req_id);
	out_text(o, iso_status_name(it->status));
	out_text_or_null(o, it->status_code);
	out_text_or_null(o, it->reason_code);
	out_text_or_null(o, it->status == ISO_ST_REJECTED ?
	    reason_cat_name(it->category) : NULL);
	if (it->amount_fen >= 0)
		out_money(o, it->amount_fen);
	else
		out_null(o);
	out_text_or_null(o, it->booking_date >= 0 ?
	    date_format(date, it->booking_date) : NULL);
	out_int(o, it->line);
	out_text_or_null(o, it->reason_text);
	out_row(o);
	return 0;
}

static int
cmd_parse(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *bank = NULL;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { NULL, 0, NULL },
	};
	struct iso_read_opts ro;
	struct iso_summary sum;
	struct parse_ctx pc;
	enum file_kind kind;
	const char *path = NULL;
	int rc;

	if (file_arg(c, argc, argv, opts, &path, &kind, e) != 0)
		return e->code;
	if (kind == FILE_TEXT)
		return text_hook(c, path, bank, 1, e);
	iso_read_opts_init(&ro);
	ro.bank = bank;
	pc.sum = &sum;
	if ((pc.o = out_begin(stdout, c->fmt, parse_cols,
	    OUT_NCOLS(parse_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = iso_read_file(path, &ro, parse_row, &pc, &sum, e);
	out_end(pc.o);
	if (rc == 0 && c->fmt == OUT_TABLE)
		printf("%s %s from the bank%s%s: %lld items (%lld accepted, "
		    "%lld rejected, %lld pending), %lld group or payment-level "
		    "statuses, %lld entries not ours\n", iso_msg_name(sum.type),
		    sum.msg_id, sum.orig_msg_id[0] ? " answering " : "",
		    sum.orig_msg_id, (long long)sum.nitems,
		    (long long)sum.naccepted, (long long)sum.nrejected,
		    (long long)sum.npending, (long long)sum.nscoped,
		    (long long)sum.nskipped);
	return rc;
}

const struct cli_cmd format_cmds[] = {
	{ "format", "validate", cmd_validate, "FILE [--schemas DIR] [--bank B]",
	  "check a file against the official ISO 20022 schema of its type, "
	  "or a bank text file against its descriptor",
	  "The message type comes from the file's namespace. Schemas are\n"
	  "taken from --schemas DIR, else HOME/schemas, else\n"
	  "$DEBITGW_SCHEMAS. A bank text file needs --bank B: it is checked\n"
	  "line by line against [bank:B]'s descriptor, control totals\n"
	  "included. Nothing is changed. Exit 1 names the first error\n"
	  "(file:line)." },
	{ "format", "parse", cmd_parse, "FILE [--bank B]",
	  "print a bank's status report (pain.002, camt.054, pain.012) or "
	  "text file item by item",
	  "One row per item: end_to_end_id, status, reason_code, category,\n"
	  "amount ...; rows of scope pmtinf/group are statuses stated for a\n"
	  "whole payment or message. --bank B looks proprietary reason codes\n"
	  "up in that bank's table. Nothing is changed; --json or --csv for\n"
	  "machines." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
