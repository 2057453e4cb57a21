/*
 * bankfmt.c - a bank's format from its [bank:CODE] section.
 */
#include <stdlib.h>
#include <string.h>

#include "gateway/bankfmt.h"

int
bankfmt_is_text(const struct bank_cfg *b)
{
	return b->format != NULL && strncmp(b->format, "text:", 5) == 0;
}

int
bankfmt_descriptor(struct textfmt **out, const struct config *c,
    const char *code, struct gw_err *e)
{
	const struct bank_cfg *b;
	char *path;
	int rc;

	*out = NULL;
	if ((b = config_bank(c, code)) == NULL)
		return gw_err_set(e, GW_EINPUT, "unknown bank '%s' (no [bank:%s] "
		    "section in %s)", code, code, c->path);
	if (!bankfmt_is_text(b))
		return gw_err_set(e, GW_EINPUT, "bank %s speaks %s, not a text "
		    "format", code, b->format);
	if ((path = config_path(c, b->format + 5)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = textfmt_load(out, path, e);
	free(path);
	return rc;
}
