/*
 * log.h - one line per event, to stderr or syslog.
 *
 * Lines name the thing they are about (batch, mandate, file) and never
 * hold a key, passphrase, token or full account number: mask accounts
 * with log_mask_account before they reach a log line.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Send lines to syslog (1) or stderr (0); set the least important level. */
void	log_init(const char *ident, int use_syslog, enum log_level max);

void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "6222****1234": first 4 and last 4 digits, the rest masked. */
char	*log_mask_account(char *out, size_t cap, const char *account);

#endif
