/*
 * log.c - timestamped lines on stderr, or syslog for the daemon.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "common/log.h"

static const char	*log_ident = "debitgw";
static int		 log_syslog;
static enum log_level	 log_max = LOG_LVL_INFO;

void
log_init(const char *ident, int use_syslog, enum log_level max)
{
	log_ident = ident;
	log_syslog = use_syslog;
	log_max = max;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char ts[TS_BUFSZ], line[2048];

	if (lvl > log_max)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_syslog) {
		syslog(prio[lvl], "%s", line);
		return;
	}
	fprintf(stderr, "%s %s[%ld] %s: %s\n", ts_format(ts, gw_now()),
	    log_ident, (long)getpid(), names[lvl], line);
}

#define LOG_FN(fn, lvl)						\
	void							\
	fn(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		vlog(lvl, fmt, ap);				\
		va_end(ap);					\
	}

LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

char *
log_mask_account(char *out, size_t cap, const char *account)
{
	size_t n = strlen(account);

	if (n <= 8)
		snprintf(out, cap, "****%s", n > 4 ? account + n - 4 : "");
	else
		snprintf(out, cap, "%.4s****%s", account, account + n - 4);
	return out;
}
