/*
 * textfmt.h - bank delimited-text files, driven by a format descriptor.
 *
 * Chinese partner banks have no common batch-debit text layout, so one
 * codec serves them all, steered by a descriptor: an INI file in the home
 * (HOME/formats/NAME.fmt, named by `format = text:FILE` in the bank's
 * config section; docs/formats.md "Bank text formats" lists every key).
 * The descriptor says the encoding (GBK, GB2312, GB18030, UTF-8), a field
 * separator (may be several characters) or fixed byte widths, the header
 * and trailer lines that carry the item count and total amount, the amount
 * unit (fen or yuan), the field order of debit and return lines, the
 * success codes and the bank's return-code table.
 *
 * Writing (debit files, and return files for the bank simulator): the
 * batch is assembled first, so totals are known before the first line is
 * written. The caller checks every item with textfmt_item_check, leaves
 * the held-back ones out of the totals (and lists them), then writes. The
 * writer never adjusts anything silently: finish fails unless the items
 * written add up to the totals declared at textfmt_writer_new.
 *
 *   textfmt_item_check(d, kind, it) -> FITS | SUBSTITUTED | HELD
 *   textfmt_writer_new(&w, d, kind, fp, &batch)    header line, if any
 *   textfmt_write_item(w, it)                      one detail line
 *   textfmt_writer_finish(w)                       trailer, totals check
 *   textfmt_writer_free(w)
 *
 * Reading (return files, and debit files to re-check what we wrote):
 * streamed line by line with bounded lines and item counts, converted to
 * UTF-8, every field checked; the count and sum of the detail lines must
 * equal what the header and/or trailer declare, or the file is rejected
 * with a one-line "FILE:LINE: reason". The callback sees each item as it
 * is read, before the trailer has been checked: apply the items inside one
 * transaction and roll back when the read fails.
 */
#ifndef GW_TEXTFMT_H
#define GW_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

#define TEXTFMT_MAX_LINE	4096	/* bytes of one line, line end excluded */
#define TEXTFMT_MAX_ITEMS	2000000	/* detail lines in one file */
#define TEXTFMT_MAX_DESC	65536	/* bytes of a descriptor file */

struct textfmt;
struct textfmt_writer;

enum textfmt_kind {
	TEXTFMT_DEBIT,			/* the debit file we send */
	TEXTFMT_RETURN			/* the bank's result file */
};

/* What textfmt_item_check says of an item. */
enum textfmt_fit {
	TEXTFMT_FITS = 0,		/* written exactly as given */
	TEXTFMT_HELD = 1,		/* cannot be carried: leave it out, list it */
	TEXTFMT_SUBSTITUTED = 2		/* written, with the configured substitute
					   for characters the encoding lacks */
};

/* The file-level values of header and trailer lines. */
struct textfmt_batch {
	const char	*file_id;	/* batch MsgId or file name id */
	int		 date;		/* day number (common/date.h) */
	int64_t		 count;		/* items that will be written */
	int64_t		 total_fen;	/* their sum */
	const char	*creditor_account;
	const char	*creditor_name;
	/* Return files only: split of count/total by result. */
	int64_t		 ok_count, ok_total_fen;
	int64_t		 fail_count, fail_total_fen;
};

/*
 * One detail line. Strings are UTF-8; NULL means empty. Readers fill every
 * field (empty strings for columns the layout lacks, seq 0 without a seq
 * column); the pointers are valid only during the callback.
 */
struct textfmt_item {
	long		 line;		/* readers: line number in the file */
	int64_t		 seq;		/* 1-based sequence number in the file */
	const char	*ref;		/* our end-to-end reference */
	const char	*account_no;
	const char	*account_name;
	int64_t		 amount_fen;
	const char	*payer_id;	/* resident ID or unit code */
	const char	*mandate_id;	/* agreement number */
	const char	*memo;
	/* Return lines. */
	const char	*result_code;	/* raw, always kept */
	const char	*result_text;
	int		 accepted;	/* readers: 1 if result_code is a success code */
	const char	*category;	/* readers, rejected items: insufficient_funds,
					   account_frozen, account_abnormal,
					   account_closed, mandate_invalid,
					   payer_deceased or other (unknown code);
					   NULL when accepted; static storage */
};

/* What a reader found; every count here equals what the file declared. */
struct textfmt_summary {
	enum textfmt_kind kind;
	long		 lines;		/* physical lines read */
	int64_t		 count;		/* detail lines */
	int64_t		 total_fen;	/* their sum */
	int64_t		 ok_count, ok_total_fen;	/* returns: accepted */
	int64_t		 fail_count, fail_total_fen;	/* returns: rejected */
	char		 file_id[64];	/* from header/trailer; "" if absent */
	int		 has_date;	/* 1 if header or trailer has a date */
	int		 date;		/* its day number */
	char		 creditor_account[64];
};

/* ---- descriptors ------------------------------------------------------ */

/*
 * Load a descriptor file. Errors read "PATH:LINE: reason" (GW_ECONFIG for
 * a bad descriptor, GW_EENV if it cannot be read or the system lacks the
 * encoding). The caller frees *out with textfmt_free.
 */
int	textfmt_load(struct textfmt **out, const char *path, struct gw_err *e);

/* Same from memory; name stands for the path in messages. */
int	textfmt_load_mem(struct textfmt **out, const char *name,
	    const char *text, size_t len, struct gw_err *e);

void	textfmt_free(struct textfmt *d);

/* The descriptor's name ([format] name, else the file name). */
const char *textfmt_name(const struct textfmt *d);

/* Its encoding as given ("GBK", "GB2312", "GB18030", "UTF-8"). */
const char *textfmt_encoding(const struct textfmt *d);

/*
 * Row i of the [codes] table, in code order: the bank's result code and
 * its category name (static storage, as in struct textfmt_item). Returns
 * 1, or 0 when i is past the last row. A bank simulator picks the code it
 * answers with from here.
 */
int	textfmt_code(const struct textfmt *d, size_t i, const char **code,
	    const char **category);

/* The first of the success codes of [return] ("" for a debit-only
 * descriptor, which the loader does not allow). */
const char *textfmt_success_code(const struct textfmt *d);

/* Descriptors shipped with debitgw, which `debitgw init` copies into
 * HOME/formats/. The text is compiled into the binary. */
struct textfmt_shipped {
	const char	*file;		/* "gbk-pipe.fmt" */
	const char	*text;		/* NUL-terminated descriptor */
};
extern const struct textfmt_shipped textfmt_shipped[];
extern const size_t textfmt_nshipped;

/* ---- writing ----------------------------------------------------------- */

/*
 * Whether it can go into a kind file of d. why (may be NULL) receives the
 * reason for HELD and SUBSTITUTED, e.g. "account_name: '𠮷' has no GBK
 * code". Pure: the same item always gives the same answer, and
 * textfmt_write_item writes exactly what this promised.
 */
enum textfmt_fit textfmt_item_check(const struct textfmt *d,
	    enum textfmt_kind kind, const struct textfmt_item *it, char *why,
	    size_t whylen);

/*
 * Start a kind file on fp (not owned; the caller opens it, e.g. with
 * afile_open, and commits or aborts it after finish). Writes the header
 * line, if the layout has one. b is copied. GW_EINPUT if the batch does
 * not fit the layout (a count too wide for its column, say).
 */
int	textfmt_writer_new(struct textfmt_writer **out, const struct textfmt *d,
	    enum textfmt_kind kind, FILE *fp, const struct textfmt_batch *b,
	    struct gw_err *e);

/*
 * Write one detail line. Returns 0 when written (also with substitutes),
 * TEXTFMT_HELD when the item cannot be carried (nothing written; the
 * writer stays usable, but the declared totals will then not match unless
 * the caller checked first), or a negative code; errors are sticky.
 * Sequence numbers must rise.
 */
int	textfmt_write_item(struct textfmt_writer *w,
	    const struct textfmt_item *it, struct gw_err *e);

/*
 * Write the trailer line (if any), check that the items written equal the
 * declared count and total (and, for returns, the ok/fail split when the
 * layout carries it), flush. Returns the first error of the writer's life.
 */
int	textfmt_writer_finish(struct textfmt_writer *w, struct gw_err *e);

void	textfmt_writer_free(struct textfmt_writer *w);

/* ---- reading ----------------------------------------------------------- */

/* Called once per detail line; a non-zero return stops the read and is
 * returned (put the reason in e). */
typedef int (*textfmt_item_cb)(void *arg, const struct textfmt_item *it,
	    struct gw_err *e);

/*
 * Read a kind file from fp (name is used in messages). cb may be NULL (a
 * validation pass). sum may be NULL. Returns 0 when every line parsed and
 * the control totals agree; GW_EINPUT / GW_ELIMIT with "NAME:LINE: reason"
 * otherwise.
 */
int	textfmt_read_fp(const struct textfmt *d, enum textfmt_kind kind,
	    FILE *fp, const char *name, textfmt_item_cb cb, void *arg,
	    struct textfmt_summary *sum, struct gw_err *e);

/* Open path and read it as a return file / a debit file. */
int	textfmt_read_returns(const struct textfmt *d, const char *path,
	    textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
	    struct gw_err *e);
int	textfmt_read_debits(const struct textfmt *d, const char *path,
	    textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
	    struct gw_err *e);

/*
 * Decide whether path is a debit or a return file of d and validate it
 * whole (no callback). On success *kind says which. When it is neither,
 * the error is the one from the reading that got further into the file.
 */
int	textfmt_detect(const struct textfmt *d, const char *path,
	    enum textfmt_kind *kind, struct textfmt_summary *sum,
	    struct gw_err *e);

/* "debit" or "return". */
const char *textfmt_kind_name(enum textfmt_kind kind);

#endif
