/* Fuzz target: the pain.012 reader (.001.05 and .001.08). */
#include "tests/fuzz/fuzz_read.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_read(data, size, ISO_PAIN012_05, ISO_PAIN012_08);
}
