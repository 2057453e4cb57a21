/* Fuzz target: the camt.054 reader (.001.02 and .001.08). */
#include "tests/fuzz/fuzz_read.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_read(data, size, ISO_CAMT054_02, ISO_CAMT054_08);
}
