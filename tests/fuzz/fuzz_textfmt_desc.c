/*
 * fuzz_textfmt_desc.c - libFuzzer target for the descriptor loader
 * (formats/textfmt.c). A descriptor that loads is then used: an item
 * with a rare name is checked and written, and a small file is read, so
 * odd but valid layouts reach the writer and reader too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/textfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sample[] = "H|1|20250926|1|1.00|\r\n"
	    "1|6222|张𠮷|1.00|0000|ok|\r\n";
	struct gw_err e = GW_ERR_INIT;
	struct textfmt *d = NULL;
	struct textfmt_writer *w = NULL;
	struct textfmt_item it;
	struct textfmt_batch b;
	char why[256], *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int k;

	if (textfmt_load_mem(&d, "fuzz.fmt", (const char *)data, size, &e)
	    != 0) {
		if (strchr(e.msg, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	memset(&it, 0, sizeof(it));
	it.seq = 1;
	it.ref = "E2E-1";
	it.account_no = "6222020200000000018";
	it.account_name = "张𠮷 伟";
	it.amount_fen = 38000;
	it.memo = "2025年度城乡居民医保";
	it.result_code = "0000";
	for (k = 0; k < 2; k++) {
		memset(&b, 0, sizeof(b));
		b.file_id = "B1";
		b.date = 20357;
		b.count = 1;
		b.total_fen = 38000;
		textfmt_item_check(d, (enum textfmt_kind)k, &it, why,
		    sizeof(why));
		if ((fp = open_memstream(&buf, &len)) == NULL)
			break;
		if (textfmt_writer_new(&w, d, (enum textfmt_kind)k, fp, &b,
		    &e) == 0) {
			textfmt_write_item(w, &it, &e);
			textfmt_writer_finish(w, &e);
		}
		textfmt_writer_free(w);
		w = NULL;
		fclose(fp);
		/* Whatever it wrote, its own reader must take or refuse cleanly. */
		if ((fp = fmemopen(buf, len ? len : 1, "rb")) != NULL) {
			textfmt_read_fp(d, (enum textfmt_kind)k, fp, "w", NULL,
			    NULL, NULL, &e);
			fclose(fp);
		}
		free(buf);
		buf = NULL;
		if ((fp = fmemopen((void *)sample, sizeof(sample) - 1, "rb"))
		    != NULL) {
			textfmt_read_fp(d, (enum textfmt_kind)k, fp, "s", NULL,
			    NULL, NULL, &e);
			fclose(fp);
		}
	}
	textfmt_free(d);
	return 0;
}
