/*
 * err.c - recording errors into a caller's struct gw_err.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

static const struct {
	int		 code;
	int		 exit_status;
	const char	*name;
} err_table[] = {
#define GW_ERR_ROW(name, num, exit, text) { num, exit, #name },
	GW_ERRORS(GW_ERR_ROW)
#undef GW_ERR_ROW
};

int
gw_err_set(struct gw_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	if (e->code != 0)
		return e->code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
gw_err_pass(struct gw_err *e, const struct gw_err *from)
{
	return gw_err_set(e, from->code, "%s", from->msg);
}

int
gw_err_prefix(struct gw_err *e, const char *fmt, ...)
{
	char pre[GW_ERR_MSG_MAX];
	size_t np, nm;
	va_list ap;

	if (e == NULL || e->code == 0)
		return e ? e->code : 0;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	/* Cut the old message, not the context, when both do not fit. */
	np = strlen(pre);
	nm = strnlen(e->msg, sizeof(e->msg) - 1);
	if (nm > sizeof(e->msg) - 1 - np)
		nm = sizeof(e->msg) - 1 - np;
	memmove(e->msg + np, e->msg, nm);
	memcpy(e->msg, pre, np);
	e->msg[np + nm] = '\0';
	return e->code;
}

void
gw_err_clear(struct gw_err *e)
{
	if (e == NULL)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

int
gw_err_exit_status(int code)
{
	size_t i;

	for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return err_table[i].exit_status;
	return 3;
}

const char *
gw_err_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return err_table[i].name;
	return "GW_E?";
}
