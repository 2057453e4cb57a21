/* Fuzz target: the pain.002 reader (.001.03 and .001.10). */
#include "tests/fuzz/fuzz_read.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_read(data, size, ISO_PAIN002_03, ISO_PAIN002_10);
}
