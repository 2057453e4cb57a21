/*
 * fuzz_pain008.c - libFuzzer target for the reader of our own pain.008
 * (formats/pain008_read.c, both versions: the namespace picks it). Any
 * result is fine; a crash, a sanitizer report, a leak or a hang is not.
 * Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/pain008_read.h"

static int
touch(void *arg, const struct pain008_read_item *it)
{
	size_t *n = arg;

	/* Every string, so the sanitizers see a bad pointer. */
	*n += strlen(it->msg_id) + strlen(it->pmtinf_id) +
	    strlen(it->creditor_account) + strlen(it->end_to_end_id) +
	    strlen(it->mandate_id) + strlen(it->debtor_agent) +
	    strlen(it->debtor_name) + strlen(it->debtor_account) +
	    strlen(it->ultimate_debtor_name) + strlen(it->remittance);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct pain008_read_summary sum;
	struct gw_err e = GW_ERR_INIT;
	size_t n = 0;

	lim.max_items = 10000;
	pain008_read_mem(data, size, "fuzz", &lim, touch, &n, &sum, &e);
	return 0;
}
