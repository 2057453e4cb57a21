/*
 * config.h - debitgw.conf, the one INI file of a home (libinih).
 *
 * Every key is a row in a table in config.c that names its section, type
 * and where the value goes; the same table drives parsing, the checks, and
 * `debitgw config keys`. Unknown sections and keys are errors, so a typo
 * cannot silently leave a default in force. All errors are collected and
 * reported as "file:line: message" before giving up.
 *
 * The config is read-only after config_load; the daemon swaps a whole new
 * one in on SIGHUP after a successful re-parse.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CFG_MAX_BANKS		64
#define CFG_MAX_DAYS		31
#define CFG_MAX_DATES		64
#define CFG_MAX_TARIFFS		64

enum on_holiday { ON_HOLIDAY_RUN, ON_HOLIDAY_NEXT_WORKING_DAY };
enum retry_failed { RETRY_NEVER, RETRY_SAME_MONTH };

struct bank_cfg {
	char	*code;			/* section [bank:CODE] */
	char	*name;
	char	*agent;			/* BIC or 12-digit CNAPS code */
	char	*format;		/* pain.008.001.08 | pain.008.001.02 | text:FILE */
	int	 max_items;		/* split batches above this; 0 = no limit */
	int64_t	 max_amount;		/* fen per file; 0 = no limit */
	char	*upload;		/* sftp://user@host:port/dir/ or https://... */
	char	*returns;
	char	*mandates_upload;	/* where pain.009/011 go; default upload */
	char	*host_key_sha256;	/* SFTP host key pin (base64 SHA-256) */
	char	*known_hosts;		/* or a known_hosts file */
	char	*client_key;		/* SFTP private key, or HTTPS client key */
	char	*client_cert;		/* HTTPS client certificate */
	char	*ca_file;		/* HTTPS: the bank's CA */
	char	*pin_sha256;		/* HTTPS: pinned public key sha256//... */
	char	*http_upload_method;	/* PUT | POST */
	int	 poll_interval;		/* seconds between return polls */
	int	 unsigned_ok;		/* channel itself is the proof */
	char	*after_ingest;		/* keep | delete | move:DIR */
	char	*client_key_pub;	/* SFTP public key, if libssh2 needs it */
	int	 connect_timeout;	/* seconds to connect (TCP + TLS/SSH) */
	int	 transfer_timeout;	/* seconds for one whole request */
	int	 retry_max;		/* attempts per file and pass */
	int	 retry_base_ms;		/* first backoff; doubles each time */
	int	 retry_cap_ms;		/* longest backoff */
	int	 overdue_days;		/* unanswered items overdue after */
	int	 line;			/* where the section starts */
};

struct tariff_cfg {
	char	*category;		/* adult | minor | student | exempt */
	int	 year;			/* 0: any year */
	int64_t	 fen;
};

struct config {
	char	*path;
	char	*home;

	/* [gateway] */
	char	*creditor_name;
	char	*creditor_id;
	char	*creditor_account;
	char	*creditor_agent;
	char	*creditor_scheme_id;
	char	*timezone;
	int	 send_interval;		/* daemon: seconds between send passes */

	/* [calendar] */
	int	 debit_days[CFG_MAX_DAYS];
	int	 ndebit_days;
	int	 extra_runs[CFG_MAX_DATES];	/* day numbers */
	int	 nextra_runs;
	int	 window_from;			/* month*100+day, 0 = none */
	int	 window_to;
	int	 run_minute;			/* minutes after midnight */
	char	*holidays_file;
	int	*holidays;			/* sorted day numbers */
	size_t	 nholidays;
	char	*workdays_file;
	int	*workdays;			/* weekend days that are worked */
	size_t	 nworkdays;
	enum on_holiday on_holiday;
	enum retry_failed retry_failed;
	int	 notice_days;			/* funds in account N days before */

	/* [http] */
	char	*http_listen;
	char	*http_tls_cert;
	char	*http_tls_key;

	/* [ledger] */
	int	 late_wait_days;		/* cover starts N days after a late payment */
	int	 newborn_until;			/* month*100+day of the next year */
	int	 refund_working_days;

	/* [tariff] */
	struct tariff_cfg tariffs[CFG_MAX_TARIFFS];
	int	 ntariffs;

	struct bank_cfg banks[CFG_MAX_BANKS];
	int	 nbanks;
};

/*
 * Parse path (home is the directory relative paths are resolved against).
 * On error returns GW_ECONFIG and e holds every problem found, one per
 * line, each "file:line: message". The caller owns *out (config_free).
 */
int	config_load(struct config **out, const char *path, const char *home,
	    struct gw_err *e);
void	config_free(struct config *c);

/* The [bank:CODE] section, or NULL. */
const struct bank_cfg *config_bank(const struct config *c, const char *code);

/* Tariff in fen for category and year: 1 found, 0 none configured. */
int	config_tariff(const struct config *c, const char *category, int year,
	    int64_t *fen);

/* 1 if day is in the holiday list. */
int	config_is_holiday(const struct config *c, int day);

/* Resolve a path from the config against the home: malloc'd, caller frees. */
char	*config_path(const struct config *c, const char *p);

/* The commented template `debitgw init` writes. */
extern const char config_template[];

/* Print every known key with its section and description (docs, help). */
void	config_print_keys(void);

#endif
