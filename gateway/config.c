/*
 * config.c - the key table and the inih callback that applies it.
 *
 * libinih does not tell its handler the line number, so we feed it lines
 * through our own reader that counts them: when the handler runs, the
 * counter is the line of the key being handled.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "common/strnum.h"
#include "common/vec.h"
#include "formats/textfmt.h"
#include "gateway/config.h"

enum ktype { K_STR, K_INT, K_MONEY, K_BOOL, K_CUSTOM };
enum kscope { S_CONFIG, S_BANK };

struct load;

struct key {
	const char	*section;	/* "bank" means any [bank:CODE] */
	const char	*name;
	enum ktype	 type;
	size_t		 off;
	int		 min, max;
	/* K_CUSTOM: stores the value. K_STR: may refuse it first. */
	int		(*parse)(struct load *, void *field, const char *val);
	const char	*def;
	const char	*help;
};

struct load {
	struct config	*c;
	FILE		*fp;
	int		 line;
	char		 errs[GW_ERR_MSG_MAX];
	size_t		 nerrs;
	struct bank_cfg	*bank;		/* current [bank:] section */
	char		 section[128];
	int		 section_ok;
	int		 nsection_lines;	/* "[...]" lines read so far */
	int		 section_seen;		/* value at the last handled key */
};

static void
cfg_error(struct load *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cfg_error(struct load *l, const char *fmt, ...)
{
	char msg[512];
	size_t n = strlen(l->errs);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->nerrs++;
	if (l->nerrs > 6)
		return;
	if (l->line > 0)
		snprintf(l->errs + n, sizeof(l->errs) - n, "%s%s:%d: %s",
		    n ? "\n" : "", l->c->path, l->line, msg);
	else
		snprintf(l->errs + n, sizeof(l->errs) - n, "%s%s: %s",
		    n ? "\n" : "", l->c->path, msg);
}

/* ---- custom parsers ------------------------------------------------- */

static int
p_debit_days(struct load *l, void *f, const char *v)
{
	struct config *c = l->c;
	char buf[256], *s, *save = NULL;
	int d;

	(void)f;
	c->ndebit_days = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (s = strtok_r(buf, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
		struct gw_err e = GW_ERR_INIT;

		if (strnum_int(&d, s, 1, 31, "debit_days", &e) != 0) {
			cfg_error(l, "%s", e.msg);
			return -1;
		}
		if (c->ndebit_days == CFG_MAX_DAYS)
			return -1;
		c->debit_days[c->ndebit_days++] = d;
	}
	return 0;
}

static int
p_extra_runs(struct load *l, void *f, const char *v)
{
	struct config *c = l->c;
	char buf[1024], *s, *save = NULL;
	int d;

	(void)f;
	c->nextra_runs = 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (s = strtok_r(buf, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
		struct gw_err e = GW_ERR_INIT;

		if (date_parse(&d, s, strlen(s), &e) != 0) {
			cfg_error(l, "extra_runs: %s", e.msg);
			return -1;
		}
		if (c->nextra_runs == CFG_MAX_DATES) {
			cfg_error(l, "extra_runs: more than %d dates",
			    CFG_MAX_DATES);
			return -1;
		}
		c->extra_runs[c->nextra_runs++] = d;
	}
	return 0;
}

/* "NNxNN" with x the separator sep: the two numbers, or -1. */
static int
two_numbers(const char *s, char sep, int *a, int *b)
{
	if (strlen(s) != 5 || s[2] != sep || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	*a = (s[0] - '0') * 10 + (s[1] - '0');
	*b = (s[3] - '0') * 10 + (s[4] - '0');
	return 0;
}

static int
month_day(const char *s, int *out)
{
	int m, d;

	/* 2000 is a leap year, so 02-29 is accepted. */
	if (two_numbers(s, '-', &m, &d) != 0 || !date_is_valid(2000, m, d))
		return -1;
	*out = m * 100 + d;
	return 0;
}

static int
p_window(struct load *l, void *f, const char *v)
{
	const char *dots = strstr(v, "..");
	char a[16], b[16];

	(void)f;
	if (*v == '\0') {
		l->c->window_from = l->c->window_to = 0;
		return 0;
	}
	if (dots == NULL || dots - v >= (long)sizeof(a)) {
		cfg_error(l, "window: want MM-DD..MM-DD, got '%s'", v);
		return -1;
	}
	snprintf(a, sizeof(a), "%.*s", (int)(dots - v), v);
	snprintf(b, sizeof(b), "%s", dots + 2);
	if (month_day(a, &l->c->window_from) || month_day(b, &l->c->window_to)) {
		cfg_error(l, "window: want MM-DD..MM-DD, got '%s'", v);
		return -1;
	}
	return 0;
}

static int
p_monthday(struct load *l, void *f, const char *v)
{
	if (month_day(v, (int *)f) != 0) {
		cfg_error(l, "want MM-DD, got '%s'", v);
		return -1;
	}
	return 0;
}

static int
p_run_time(struct load *l, void *f, const char *v)
{
	int h, m;

	(void)f;
	if (two_numbers(v, ':', &h, &m) != 0 || h > 23 || m > 59) {
		cfg_error(l, "run_time: want HH:MM, got '%s'", v);
		return -1;
	}
	l->c->run_minute = h * 60 + m;
	return 0;
}

static int
p_on_holiday(struct load *l, void *f, const char *v)
{
	(void)f;
	if (strcmp(v, "run") == 0)
		l->c->on_holiday = ON_HOLIDAY_RUN;
	else if (strcmp(v, "next_working_day") == 0)
		l->c->on_holiday = ON_HOLIDAY_NEXT_WORKING_DAY;
	else {
		cfg_error(l, "on_holiday: want run or next_working_day, got '%s'",
		    v);
		return -1;
	}
	return 0;
}

static int
p_retry_failed(struct load *l, void *f, const char *v)
{
	(void)f;
	if (strcmp(v, "never") == 0)
		l->c->retry_failed = RETRY_NEVER;
	else if (strcmp(v, "same_month") == 0)
		l->c->retry_failed = RETRY_SAME_MONTH;
	else {
		cfg_error(l, "retry_failed: want never or same_month, got '%s'",
		    v);
		return -1;
	}
	return 0;
}

static int
p_format(struct load *l, void *f, const char *v)
{
	(void)f;
	if (strcmp(v, "pain.008.001.08") != 0 &&
	    strcmp(v, "pain.008.001.02") != 0 && strncmp(v, "text:", 5) != 0) {
		cfg_error(l, "format: want pain.008.001.08, pain.008.001.02 or "
		    "text:FILE, got '%s'", v);
		return -1;
	}
	if (strncmp(v, "text:", 5) == 0) {
		/* Load the descriptor now, so `config check` finds its faults. */
		struct gw_err de = GW_ERR_INIT;
		struct textfmt *d = NULL;
		char *p = config_path(l->c, v + 5);
		int rc = p == NULL ? gw_err_set(&de, GW_ENOMEM, "out of memory") :
		    textfmt_load(&d, p, &de);

		textfmt_free(d);
		free(p);
		if (rc != 0) {
			cfg_error(l, "format: %s", de.msg);
			return -1;
		}
	}
	return 0;
}

static int
p_method(struct load *l, void *f, const char *v)
{
	(void)f;
	if (strcmp(v, "PUT") != 0 && strcmp(v, "POST") != 0) {
		cfg_error(l, "http_upload_method: want PUT or POST, got '%s'", v);
		return -1;
	}
	return 0;
}

static int
p_after_ingest(struct load *l, void *f, const char *v)
{
	(void)f;
	if (strcmp(v, "keep") != 0 && strcmp(v, "delete") != 0 &&
	    !(strncmp(v, "move:", 5) == 0 && v[5] != '\0')) {
		cfg_error(l, "after_ingest: want keep, delete or move:DIR, "
		    "got '%s'", v);
		return -1;
	}
	return 0;
}

#define CO(f) offsetof(struct config, f)
#define BO(f) offsetof(struct bank_cfg, f)

static const struct key keys[] = {
	{ "gateway", "creditor_name", K_STR, CO(creditor_name), 0, 0, NULL,
	  NULL, "the tax bureau's name, as banks print it" },
	{ "gateway", "creditor_id", K_STR, CO(creditor_id), 0, 0, NULL, NULL,
	  "the bureau's unified social credit code" },
	{ "gateway", "creditor_account", K_STR, CO(creditor_account), 0, 0,
	  NULL, NULL, "the account debits are credited to" },
	{ "gateway", "creditor_agent", K_STR, CO(creditor_agent), 0, 0, NULL,
	  NULL, "BIC or 12-digit CNAPS code of the creditor's bank" },
	{ "gateway", "creditor_scheme_id", K_STR, CO(creditor_scheme_id), 0, 0,
	  NULL, NULL, "creditor scheme identification (default creditor_id)" },
	{ "gateway", "timezone", K_STR, CO(timezone), 0, 0, NULL,
	  "Asia/Shanghai", "time zone of the calendar and of file dates" },
	{ "gateway", "send_interval", K_INT, CO(send_interval), 1, 86400, NULL,
	  "60", "daemon: seconds between passes over the outbox and the "
	  "mandate requests" },

	{ "calendar", "debit_days", K_CUSTOM, 0, 0, 0, p_debit_days, "26",
	  "days of the month with a batch debit; the last is the final one" },
	{ "calendar", "extra_runs", K_CUSTOM, 0, 0, 0, p_extra_runs, "",
	  "comma-separated one-off run dates YYYY-MM-DD" },
	{ "calendar", "window", K_CUSTOM, 0, 0, 0, p_window, "",
	  "collection window MM-DD..MM-DD; empty: all year" },
	{ "calendar", "run_time", K_CUSTOM, 0, 0, 0, p_run_time, "02:00",
	  "local time HH:MM at which a run day's batch is made" },
	{ "calendar", "holidays", K_STR, CO(holidays_file), 0, 0, NULL, NULL,
	  "file of holiday dates, one YYYY-MM-DD a line (relative to home)" },
	{ "calendar", "workdays", K_STR, CO(workdays_file), 0, 0, NULL, NULL,
	  "file of weekend dates that are working days (make-up days)" },
	{ "calendar", "on_holiday", K_CUSTOM, 0, 0, 0, p_on_holiday, "run",
	  "run or next_working_day" },
	{ "calendar", "retry_failed", K_CUSTOM, 0, 0, 0, p_retry_failed,
	  "never", "never or same_month: may a failed debit go in a later run" },
	{ "calendar", "notice_days", K_INT, CO(notice_days), 0, 27, NULL, "1",
	  "funds must be in the account this many days before the run" },

	{ "http", "listen", K_STR, CO(http_listen), 0, 0, NULL,
	  "127.0.0.1:8480", "address:port of the API, /metrics and /healthz" },
	{ "http", "tls_cert", K_STR, CO(http_tls_cert), 0, 0, NULL, NULL,
	  "with tls_key: serve HTTPS" },
	{ "http", "tls_key", K_STR, CO(http_tls_key), 0, 0, NULL, NULL,
	  "private key for tls_cert: mode 0600, encrypted PKCS#8 under the"
	  " key passphrase" },

	{ "ledger", "late_wait_days", K_INT, CO(late_wait_days), 0, 365, NULL,
	  "90", "cover starts this many days after a late payment" },
	{ "ledger", "newborn_until", K_CUSTOM, CO(newborn_until), 0, 0,
	  p_monthday, "02-25", "newborns may pay until this MM-DD next year" },
	{ "ledger", "refund_working_days", K_INT, CO(refund_working_days), 1,
	  60, NULL, "5", "a refund is due this many working days after request" },

	{ "bank", "name", K_STR, BO(name), 0, 0, NULL, NULL, "the bank's name" },
	{ "bank", "agent", K_STR, BO(agent), 0, 0, NULL, NULL,
	  "BIC or CNAPS code of the payer's bank" },
	{ "bank", "format", K_STR, BO(format), 0, 0, p_format,
	  "pain.008.001.08", "pain.008.001.08, pain.008.001.02 or text:FILE" },
	{ "bank", "max_items", K_INT, BO(max_items), 0, 9999999, NULL, "0",
	  "split batches above this many items (0: no limit)" },
	{ "bank", "max_amount", K_MONEY, BO(max_amount), 0, 0, NULL, "0",
	  "split batches above this amount in yuan (0: no limit)" },
	{ "bank", "upload", K_STR, BO(upload), 0, 0, NULL, NULL,
	  "where debit files go: sftp://user@host:port/dir/ or https://..." },
	{ "bank", "returns", K_STR, BO(returns), 0, 0, NULL, NULL,
	  "where return files are fetched from" },
	{ "bank", "mandates_upload", K_STR, BO(mandates_upload), 0, 0, NULL,
	  NULL, "where mandate requests go (default: upload)" },
	{ "bank", "host_key_sha256", K_STR, BO(host_key_sha256), 0, 0, NULL,
	  NULL, "SFTP server host key pin, base64 SHA-256 as ssh-keygen -l" },
	{ "bank", "known_hosts", K_STR, BO(known_hosts), 0, 0, NULL, NULL,
	  "or a known_hosts file for the SFTP server" },
	{ "bank", "client_key", K_STR, BO(client_key), 0, 0, NULL, NULL,
	  "SFTP key (Ed25519 or ECDSA) or HTTPS client key" },
	{ "bank", "client_cert", K_STR, BO(client_cert), 0, 0, NULL, NULL,
	  "HTTPS client certificate" },
	{ "bank", "ca_file", K_STR, BO(ca_file), 0, 0, NULL, NULL,
	  "HTTPS: the bank's CA or server certificate" },
	{ "bank", "pin_sha256", K_STR, BO(pin_sha256), 0, 0, NULL, NULL,
	  "HTTPS: pinned public key, sha256//BASE64" },
	{ "bank", "http_upload_method", K_STR, BO(http_upload_method), 0, 0,
	  p_method, "PUT", "PUT or POST" },
	{ "bank", "poll_interval", K_INT, BO(poll_interval), 1, 86400, NULL,
	  "300", "seconds between polls of the return location" },
	{ "bank", "unsigned_ok", K_BOOL, BO(unsigned_ok), 0, 1, NULL, "no",
	  "the channel itself is the proof: allow --unsigned ingest" },
	{ "bank", "after_ingest", K_STR, BO(after_ingest), 0, 0,
	  p_after_ingest, "keep", "keep, delete or move:DIR on the server" },
	{ "bank", "overdue_days", K_INT, BO(overdue_days), 1, 365, NULL, "5",
	  "items unanswered this many days after sending are overdue" },
	{ "bank", "client_key_pub", K_STR, BO(client_key_pub), 0, 0, NULL, NULL,
	  "SFTP public key file (default: derived from client_key)" },
	{ "bank", "connect_timeout", K_INT, BO(connect_timeout), 1, 600, NULL,
	  "15", "seconds to connect, TCP plus the SSH or TLS handshake" },
	{ "bank", "transfer_timeout", K_INT, BO(transfer_timeout), 1, 86400,
	  NULL, "600", "seconds one upload, download or listing may take" },
	{ "bank", "retry_max", K_INT, BO(retry_max), 1, 100, NULL, "5",
	  "attempts per file in one pass for transient errors" },
	{ "bank", "retry_base_ms", K_INT, BO(retry_base_ms), 1, 3600000, NULL,
	  "1000", "first retry delay in ms; doubles each attempt, with jitter" },
	{ "bank", "retry_cap_ms", K_INT, BO(retry_cap_ms), 1, 86400000, NULL,
	  "60000", "longest retry delay in ms" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int
apply(struct load *l, const struct key *k, void *base, const char *v)
{
	void *f = (char *)base + k->off;
	struct gw_err e = GW_ERR_INIT;

	switch (k->type) {
	case K_STR:
		if (k->parse != NULL && k->parse(l, f, v) != 0)
			return -1;
		free(*(char **)f);
		*(char **)f = *v ? strdup(v) : NULL;
		return 0;
	case K_INT:
		if (strnum_int((int *)f, v, k->min, k->max, k->name, &e) != 0) {
			cfg_error(l, "%s", e.msg);
			return -1;
		}
		return 0;
	case K_MONEY:
		if (money_parse_yuan((int64_t *)f, v, strlen(v), 0, &e) != 0) {
			cfg_error(l, "%s: %s", k->name, e.msg);
			return -1;
		}
		return 0;
	case K_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0)
			*(int *)f = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "0") == 0)
			*(int *)f = 0;
		else {
			cfg_error(l, "%s: want yes or no, got '%s'", k->name, v);
			return -1;
		}
		return 0;
	case K_CUSTOM:
		return k->parse(l, f, v);
	}
	return -1;
}

/* 1 for the keys of a [bank:CODE] section, 0 for those of the config. */
static int
bank_key(const struct key *k)
{
	return strcmp(k->section, "bank") == 0;
}

/* A section of the config's own keys in the table, or [tariff]. */
static int
config_section(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!bank_key(&keys[i]) && strcmp(keys[i].section, name) == 0)
			return 1;
	return strcmp(name, "tariff") == 0;
}

static void
apply_defaults(struct load *l, int bank, void *base)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (bank_key(&keys[i]) == bank && keys[i].def)
			apply(l, &keys[i], base, keys[i].def);
}

static int
tariff_key(struct load *l, const char *name, const char *value)
{
	static const char *cats[] = { "adult", "minor", "student", "exempt" };
	struct tariff_cfg *t;
	struct gw_err e = GW_ERR_INIT;
	const char *dot = strchr(name, '.');
	size_t i, clen = dot ? (size_t)(dot - name) : strlen(name);
	int year = 0, found = 0;

	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (strlen(cats[i]) == clen && strncmp(cats[i], name, clen) == 0)
			found = 1;
	if (!found) {
		cfg_error(l, "tariff: '%s': want CATEGORY or CATEGORY.YEAR with "
		    "category adult, minor, student or exempt", name);
		return 1;
	}
	if (dot && strnum_int(&year, dot + 1, 2000, 2199, "tariff year", &e)) {
		cfg_error(l, "%s", e.msg);
		return 1;
	}
	if (l->c->ntariffs == CFG_MAX_TARIFFS) {
		cfg_error(l, "tariff: too many entries");
		return 1;
	}
	t = &l->c->tariffs[l->c->ntariffs];
	if (money_parse_yuan(&t->fen, value, strlen(value), 0, &e) != 0) {
		cfg_error(l, "tariff %s: %s", name, e.msg);
		return 1;
	}
	t->category = strndup(name, clen);
	t->year = year;
	l->c->ntariffs++;
	return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct load *l = user;
	const char *sect = section;
	void *base = l->c;
	size_t i;

	/* inih passes only keys; our reader counts "[...]" lines, so a section
	 * repeated right after itself is still seen as a new one. */
	if (strcmp(section, l->section) != 0 ||
	    l->nsection_lines != l->section_seen) {
		/* A new section starts. */
		l->section_seen = l->nsection_lines;
		snprintf(l->section, sizeof(l->section), "%s", section);
		l->bank = NULL;
		l->section_ok = 1;
		if (strncmp(section, "bank:", 5) == 0) {
			if (strlen(section + 5) < 1 || strlen(section + 5) > 10 ||
			    strspn(section + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789") != strlen(section + 5)) {
				/* It becomes part of MsgIds, EndToEndIds (35
				 * characters at most) and file names. */
				cfg_error(l, "[%s]: bank code must be 1-10 capital "
				    "letters or digits", section);
				l->section_ok = 0;
			} else if (config_bank(l->c, section + 5) != NULL) {
				cfg_error(l, "[%s] appears twice", section);
				l->section_ok = 0;
			} else if (l->c->nbanks == CFG_MAX_BANKS) {
				cfg_error(l, "more than %d banks", CFG_MAX_BANKS);
				l->section_ok = 0;
			} else {
				l->bank = &l->c->banks[l->c->nbanks++];
				l->bank->code = strdup(section + 5);
				l->bank->line = l->line;
				apply_defaults(l, 1, l->bank);
			}
		} else if (!config_section(section)) {
			cfg_error(l, "unknown section [%s]", section);
			l->section_ok = 0;
		}
	}
	if (!l->section_ok)
		return 1;
	if (l->bank != NULL) {
		sect = "bank";
		base = l->bank;
	}
	if (strcmp(sect, "tariff") == 0)
		return tariff_key(l, name, value);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, sect) == 0 &&
		    strcmp(keys[i].name, name) == 0) {
			apply(l, &keys[i], base, value);
			return 1;
		}
	cfg_error(l, "[%s]: unknown key '%s'", section, name);
	return 1;
}

static char *
reader(char *str, int num, void *stream)
{
	struct load *l = stream;
	char *r = fgets(str, num, l->fp);
	const char *p = str;

	if (r == NULL)
		return NULL;
	l->line++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[')
		l->nsection_lines++;
	return r;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Read a file of YYYY-MM-DD lines ('#' comments) into a sorted array. */
static void
load_dates(struct load *l, const char *key, const char *file, int **out,
    size_t *nout)
{
	char *path, line[128];
	size_t cap = 0;
	FILE *fp;
	int n = 0;

	if (file == NULL)
		return;
	if ((path = config_path(l->c, file)) == NULL)
		return;
	if ((fp = fopen(path, "r")) == NULL) {
		l->line = 0;
		cfg_error(l, "%s: cannot read %s", key, path);
		free(path);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct gw_err e = GW_ERR_INIT;
		size_t len = strcspn(line, "\r\n#");
		int d;

		n++;
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			len--;
		if (len == 0)
			continue;
		if (date_parse(&d, line, len, &e) != 0) {
			l->line = 0;
			cfg_error(l, "%s:%d: %s", path, n, e.msg);
			continue;
		}
		if (vec_room(out, *nout, &cap, sizeof(**out)) != 0)
			break;
		(*out)[(*nout)++] = d;
	}
	fclose(fp);
	free(path);
	if (*nout > 0)
		qsort(*out, *nout, sizeof(int), cmp_int);
}

/*
 * A remote location must say how its peer is verified: there is no
 * "insecure" switch, so a missing pin is a config error, not a default.
 */
static void
check_remote(struct load *l, const struct bank_cfg *b, const char *key,
    const char *url)
{
	if (url == NULL)
		return;
	if (strncmp(url, "sftp://", 7) == 0) {
		if (b->host_key_sha256 == NULL && b->known_hosts == NULL)
			cfg_error(l, "[bank:%s]: %s is SFTP: set host_key_sha256 "
			    "or known_hosts to verify the server", b->code, key);
		if (b->client_key == NULL)
			cfg_error(l, "[bank:%s]: %s is SFTP: set client_key "
			    "(Ed25519 or ECDSA)", b->code, key);
	} else if (strncmp(url, "https://", 8) == 0) {
		if (b->ca_file == NULL && b->pin_sha256 == NULL)
			cfg_error(l, "[bank:%s]: %s is HTTPS: set ca_file or "
			    "pin_sha256 to verify the server", b->code, key);
		if (b->client_cert == NULL || b->client_key == NULL)
			cfg_error(l, "[bank:%s]: %s is HTTPS: set client_cert "
			    "and client_key", b->code, key);
	} else
		cfg_error(l, "[bank:%s]: %s: want sftp://USER@HOST:PORT/DIR/ or "
		    "https://HOST:PORT/PATH/, got '%s'", b->code, key, url);
	if (url[strlen(url) - 1] != '/')
		cfg_error(l, "[bank:%s]: %s must end with '/' (it names a "
		    "directory)", b->code, key);
}

static void
check_required(struct load *l)
{
	struct config *c = l->c;
	int i;

	l->line = 0;
	if (c->creditor_name == NULL || c->creditor_id == NULL ||
	    c->creditor_account == NULL || c->creditor_agent == NULL)
		cfg_error(l, "[gateway]: creditor_name, creditor_id, "
		    "creditor_account and creditor_agent are required");
	for (i = 0; i < c->nbanks; i++) {
		struct bank_cfg *b = &c->banks[i];

		l->line = b->line;
		if (b->agent == NULL)
			cfg_error(l, "[bank:%s]: agent is required", b->code);
		if (b->name == NULL)
			b->name = strdup(b->code);
		check_remote(l, b, "upload", b->upload);
		check_remote(l, b, "returns", b->returns);
		check_remote(l, b, "mandates_upload", b->mandates_upload);
	}
}

int
config_load(struct config **out, const char *path, const char *home,
    struct gw_err *e)
{
	struct load l;
	struct config *c;
	int rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "config: out of memory");
	c->path = strdup(path);
	c->home = strdup(home);
	l.c = c;
	apply_defaults(&l, 0, c);
	if ((l.fp = fopen(path, "r")) == NULL) {
		config_free(c);
		return gw_err_set(e, GW_ECONFIG, "%s: cannot read config "
		    "(run `debitgw init` to create a home)", path);
	}
	rc = ini_parse_stream(reader, &l, handler, &l);
	fclose(l.fp);
	if (rc > 0) {
		l.line = rc;
		cfg_error(&l, "not an INI line");
	} else if (rc < 0) {
		l.line = 0;
		cfg_error(&l, "cannot parse");
	}
	load_dates(&l, "holidays", c->holidays_file, &c->holidays,
	    &c->nholidays);
	load_dates(&l, "workdays", c->workdays_file, &c->workdays,
	    &c->nworkdays);
	check_required(&l);
	if (l.nerrs > 0) {
		if (l.nerrs > 6) {
			size_t n = strlen(l.errs);

			snprintf(l.errs + n, sizeof(l.errs) - n,
			    "\n(%zu more errors)", l.nerrs - 6);
		}
		config_free(c);
		return gw_err_set(e, GW_ECONFIG, "%s", l.errs);
	}
	*out = c;
	return 0;
}

static void
free_fields(int bank, void *base)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (bank_key(&keys[i]) == bank && keys[i].type == K_STR)
			free(*(char **)((char *)base + keys[i].off));
}

void
config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	free_fields(0, c);
	for (i = 0; i < c->nbanks; i++) {
		free_fields(1, &c->banks[i]);
		free(c->banks[i].code);
	}
	for (i = 0; i < c->ntariffs; i++)
		free(c->tariffs[i].category);
	free(c->holidays);
	free(c->workdays);
	free(c->path);
	free(c->home);
	free(c);
}

const struct bank_cfg *
config_bank(const struct config *c, const char *code)
{
	int i;

	for (i = 0; i < c->nbanks; i++)
		if (strcmp(c->banks[i].code, code) == 0)
			return &c->banks[i];
	return NULL;
}

int
config_tariff(const struct config *c, const char *category, int year,
    int64_t *fen)
{
	int i, found = 0;

	/* A year-specific entry beats the general one. */
	for (i = 0; i < c->ntariffs; i++) {
		if (strcmp(c->tariffs[i].category, category) != 0)
			continue;
		if (c->tariffs[i].year == year) {
			*fen = c->tariffs[i].fen;
			return 1;
		}
		if (c->tariffs[i].year == 0) {
			*fen = c->tariffs[i].fen;
			found = 1;
		}
	}
	return found;
}

int
config_is_holiday(const struct config *c, int day)
{
	return date_in_sorted(c->holidays, c->nholidays, day);
}

char *
config_path(const struct config *c, const char *p)
{
	size_t n;
	char *out;

	if (p == NULL)
		return NULL;
	if (p[0] == '/')
		return strdup(p);
	n = strlen(c->home) + strlen(p) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s/%s", c->home, p);
	return out;
}

void
config_print_keys(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		printf("[%s] %s = %s\n    %s\n",
		    strcmp(keys[i].section, "bank") == 0 ? "bank:CODE" :
		    keys[i].section, keys[i].name, keys[i].def ? keys[i].def : "",
		    keys[i].help);
	printf("[tariff] CATEGORY[.YEAR] = YUAN\n"
	    "    expected assessment per category (adult, minor, student, "
	    "exempt), optionally per year\n");
}
