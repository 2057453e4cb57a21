/*
 * fuzz_read.h - the body the reader fuzz targets share: the first input
 * byte picks one of the reader's two versions, the rest is the file. Any
 * result is fine; a crash, a sanitizer report, a leak or a hang is not.
 */
#ifndef GW_FUZZ_READ_H
#define GW_FUZZ_READ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/iso_read.h"

static int
fuzz_item(void *arg, const struct iso_item *it)
{
	size_t *n = arg;

	/* Touch every string so the sanitizers see a bad pointer. */
	*n += strlen(it->orig_msg_id) + strlen(it->orig_pmtinf_id) +
	    strlen(it->end_to_end_id) + strlen(it->mandate_id) +
	    strlen(it->mandate_req_id) + strlen(it->status_code) +
	    strlen(it->reason_code) + strlen(it->reason_text);
	return 0;
}

static int
fuzz_read(const uint8_t *data, size_t size, enum iso_msg a, enum iso_msg b)
{
	struct iso_read_opts o;
	struct iso_summary sum;
	struct gw_err e = GW_ERR_INIT;
	size_t n = 0;

	if (size < 1)
		return 0;
	iso_read_opts_init(&o);
	o.expect = data[0] & 1 ? b : a;
	o.lim.max_items = 10000;
	iso_read_mem(data + 1, size - 1, "fuzz", &o, fuzz_item, &n, &sum, &e);
	return 0;
}

#endif
