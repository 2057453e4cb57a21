/*
 * fuzz_mndt.c - libFuzzer target for the reader of our own pain.009 and
 * pain.011 (formats/mndt_read.c). Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/mndt_read.h"

static int
touch(void *arg, const struct mndt_read_item *it)
{
	size_t *n = arg;

	*n += strlen(it->msg_id) + strlen(it->mandate_id) +
	    strlen(it->request_id) + strlen(it->debtor_name) +
	    strlen(it->debtor_id) + strlen(it->debtor_account) +
	    strlen(it->debtor_agent) + strlen(it->ultimate_debtor_name) +
	    strlen(it->orig_msg_id) + strlen(it->reason_code) +
	    strlen(it->reason_text);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct mndt_read_summary sum;
	struct gw_err e = GW_ERR_INIT;
	size_t n = 0;

	lim.max_items = 10000;
	mndt_read_mem(data, size, "fuzz", &lim, touch, &n, &sum, &e);
	return 0;
}
