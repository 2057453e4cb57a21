/*
 * textfmt_int.h - inside the text codec: the loaded descriptor and the
 * charset helpers that textfmt.c (descriptors), textfmt_write.c and
 * textfmt_read.c share. Nothing outside formats/textfmt*.c includes this.
 */
#ifndef GW_TEXTFMT_INT_H
#define GW_TEXTFMT_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/textfmt.h"

#define TF_MAX_FIELDS	32
#define TF_MAX_CODES	1024

/* Every column a line can have. */
enum tf_fid {
	TF_LITERAL, TF_FILLER,
	/* detail lines */
	TF_SEQ, TF_REF, TF_ACCOUNT_NO, TF_ACCOUNT_NAME, TF_AMOUNT, TF_PAYER_ID,
	TF_MANDATE_ID, TF_MEMO, TF_RESULT_CODE, TF_RESULT_TEXT,
	/* header and trailer lines */
	TF_COUNT, TF_TOTAL, TF_OK_COUNT, TF_OK_TOTAL, TF_FAIL_COUNT,
	TF_FAIL_TOTAL, TF_FILE_ID, TF_DATE, TF_CREDITOR_ACCOUNT,
	TF_CREDITOR_NAME,
	TF_NFIDS
};

/*
 * How a column's value is written: numbers right-aligned and padded with
 * number_pad, text left-aligned with spaces. NAME follows the [names]
 * policy; FREE text (memo, result text) is truncated to its width and
 * always takes the substitute; plain TEXT that does not fit holds the item.
 */
enum tf_type { T_LIT, T_FILLER, T_NUM, T_AMOUNT, T_DATE, T_TEXT, T_NAME,
	T_FREE };

/* Where a column may stand. */
#define TF_W_DD	0x1	/* debit detail */
#define TF_W_RD	0x2	/* return detail */
#define TF_W_DS	0x4	/* debit header/trailer */
#define TF_W_RS	0x8	/* return header/trailer */

struct tf_fdef {
	const char	*name;
	enum tf_fid	 id;
	enum tf_type	 type;
	unsigned	 where;
};

const struct tf_fdef *tf_fdef(enum tf_fid id);

struct tf_field {
	enum tf_fid	 id;
	int		 width;		/* bytes; 0 in delimited layouts */
	char		*lit;		/* T_LIT: UTF-8 text */
	char		*lit_enc;	/* T_LIT: in the file's encoding */
	size_t		 lit_enclen;
};

struct tf_line {
	struct tf_field	 f[TF_MAX_FIELDS];
	int		 n;		/* 0: the layout has no such line */
	int		 width;		/* fixed: sum of widths */
	int		 has[TF_NFIDS];	/* 1 if the column is on the line */
	int		 dline;		/* descriptor line, for messages */
};

struct tf_layout {
	struct tf_line	 header, detail, trailer;
	enum tf_fid	 key;		/* TF_SEQ, else TF_REF: matches items */
};

enum tf_cs { CS_UTF8, CS_GBK, CS_GB18030 };

struct tf_code {
	char		*code;
	const char	*category;
	int		 dline;
};

struct textfmt {
	char		*name;
	char		 charset[16];	/* iconv name */
	enum tf_cs	 cs;
	int		 fixed;
	char		*sep;		/* UTF-8 */
	size_t		 seplen;
	char		*sep_enc;
	size_t		 sep_enclen;
	int		 trailing_sep;
	const char	*eol;
	int		 yuan;		/* amounts in yuan, else fen */
	char		 number_pad;	/* '0' or ' ' */
	int		 date_dashes;	/* YYYY-MM-DD, else YYYYMMDD */
	int64_t		 max_items;
	struct tf_layout lay[2];	/* by enum textfmt_kind */
	char		**success;
	size_t		 nsuccess;
	struct tf_code	*codes;		/* sorted by code */
	size_t		 ncodes;
	int		 substitute;	/* [names] unrepresentable = substitute */
	char		*subst;		/* UTF-8 */
	char		*subst_enc;
	size_t		 subst_enclen;
};

/*
 * UTF-8 s[0..len) into d's encoding. With subst, a character the encoding
 * lacks becomes d->subst_enc and *nsubst counts it; without, it fails with
 * GW_EINPUT and the character (UTF-8, NUL-terminated) goes to bad.
 * GW_ELIMIT when cap is too small. No gw_err: callers word the reason.
 */
int	tf_encode(const struct textfmt *d, const char *s, size_t len,
	    char *out, size_t cap, size_t *outlen, int subst, int *nsubst,
	    char bad[8]);

/* Bytes of the character that starts at p in d's encoding (1..4). */
size_t	tf_charlen(const struct textfmt *d, const unsigned char *p,
	    size_t left);

/* 1 if code is one of d's success codes. */
int	tf_is_success(const struct textfmt *d, const char *code);

/* The category of a failure code; "other" for codes the table lacks. */
const char *tf_category(const struct textfmt *d, const char *code);

/* Set "NAME:LINE: message" ("NAME: message" for line 0) in e. */
int	tf_verr(struct gw_err *e, int code, const char *name, long line,
	    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* 1 if every byte is ASCII: the same bytes in every supported encoding. */
int	tf_is_ascii(const char *s, size_t len);

#endif
