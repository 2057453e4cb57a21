/*
 * bankfmt.h - which file format a bank speaks, from its config section.
 *
 * `format = pain.008.001.08 | pain.008.001.02 | text:FILE`; a text format's
 * descriptor is loaded from FILE (relative to the home). Batch assembly,
 * return ingestion and `format validate|parse` all ask here, so a bank's
 * format is decided in one place.
 */
#ifndef GW_BANKFMT_H
#define GW_BANKFMT_H

#include "common/err.h"
#include "formats/textfmt.h"
#include "gateway/config.h"

/* 1 if the bank's files are a text format, 0 if ISO 20022 XML. */
int	bankfmt_is_text(const struct bank_cfg *b);

/*
 * Load the text descriptor of bank code. GW_EINPUT when there is no such
 * bank or its format is not text; descriptor errors as textfmt_load.
 * The caller frees *out with textfmt_free.
 */
int	bankfmt_descriptor(struct textfmt **out, const struct config *c,
	    const char *code, struct gw_err *e);

#endif
