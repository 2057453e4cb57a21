/*
 * fuzz_textfmt.c - libFuzzer target for the bank text readers
 * (formats/textfmt_read.c): every input is read as a debit and as a return
 * file under each of four descriptors. The descriptors are the two shipped ones
 * (compiled in) and two made here to reach the UTF-8, multi-character
 * separator and substitute paths. Built and run by tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "formats/textfmt.h"

static const char utf8_desc[] =
    "[format]\nencoding = UTF-8\nseparator = |!\namount_unit = yuan\n"
    "date_format = yyyy-mm-dd\n[debit]\nheader = \"HDR\",file_id,date,count\n"
    "fields = ref,account_no,account_name,amount,memo\n"
    "trailer = \"END\",total\n[return]\n"
    "fields = ref,amount,result_code,result_text\n"
    "trailer = count,total,ok_count,fail_total\nsuccess_codes = 00,01\n"
    "[codes]\n51 = insufficient_funds\n";
static const char gb2312_desc[] =
    "[format]\nencoding = GB2312\nlayout = fixed\nnumber_pad = space\n"
    "amount_unit = fen\nline_end = lf\nmax_items = 1000\n[debit]\n"
    "header = count:4,total:10,filler:2\n"
    "fields = seq:4,account_no:8,account_name:6,amount:8,memo:5\n"
    "[return]\nfields = seq:4,amount:8,result_code:3,result_text:7\n"
    "success_codes = 0\n[names]\nunrepresentable = substitute\n";

static struct textfmt *descs[4];

static int
cb(void *arg, const struct textfmt_item *it, struct gw_err *e)
{
	size_t *n = arg;

	(void)e;
	/* Touch every string: a dangling pointer shows up here. */
	*n += strlen(it->ref) + strlen(it->account_no) +
	    strlen(it->account_name) + strlen(it->payer_id) +
	    strlen(it->mandate_id) + strlen(it->memo) +
	    strlen(it->result_code) + strlen(it->result_text) +
	    (it->category ? strlen(it->category) : 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_err e = GW_ERR_INIT;
	struct textfmt_summary sum;
	FILE *fp;
	size_t n = 0;
	int i;

	if (descs[0] == NULL) {
		if (textfmt_load_mem(&descs[0], "gbk-pipe",
		    textfmt_shipped[0].text, strlen(textfmt_shipped[0].text),
		    &e) != 0 ||
		    textfmt_load_mem(&descs[1], "gb18030-fixed",
		    textfmt_shipped[1].text, strlen(textfmt_shipped[1].text),
		    &e) != 0 ||
		    textfmt_load_mem(&descs[2], "utf8", utf8_desc,
		    sizeof(utf8_desc) - 1, &e) != 0 ||
		    textfmt_load_mem(&descs[3], "gb2312", gb2312_desc,
		    sizeof(gb2312_desc) - 1, &e) != 0) {
			fprintf(stderr, "fuzz_textfmt: %s\n", e.msg);
			__builtin_trap();
		}
	}
	if (size == 0)
		return 0;
	for (i = 0; i < 8; i++) {
		gw_err_clear(&e);
		if ((fp = fmemopen((void *)data, size, "rb")) == NULL)
			return 0;
		textfmt_read_fp(descs[i / 2], (enum textfmt_kind)(i % 2), fp,
		    "fuzz", cb, &n, &sum, &e);
		fclose(fp);
		/* An error message is one line, always. */
		if (strchr(e.msg, '\n') != NULL)
			__builtin_trap();
	}
	return 0;
}
