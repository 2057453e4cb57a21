/*
 * out.h - listings as a human table, JSON or RFC 4180 CSV, streamed.
 *
 * A listing declares its columns once; rows are written one at a time so
 * a million-row listing never sits in memory. JSON is an array of objects
 * (amounts as decimal strings with two decimals, exact); CSV has a header
 * row; the table pads to the declared widths.
 */
#ifndef GW_OUT_H
#define GW_OUT_H

#include <stdint.h>
#include <stdio.h>

enum out_fmt { OUT_TABLE, OUT_JSON, OUT_CSV };
enum out_type { OUT_TEXT, OUT_INT, OUT_MONEY };

struct out_col {
	const char	*name;
	enum out_type	 type;
	int		 width;		/* table only */
};

/* The number of columns of a static out_col array. */
#define OUT_NCOLS(cols)	(sizeof(cols) / sizeof((cols)[0]))

struct out;

/* Start a listing on fp. Returns NULL only when out of memory. */
struct out *out_begin(FILE *fp, enum out_fmt fmt, const struct out_col *cols,
	    size_t ncols);

/* The next field of the current row, in column order. NULL text is null. */
void	out_text(struct out *o, const char *s);
void	out_int(struct out *o, int64_t v);
void	out_money(struct out *o, int64_t fen);
void	out_null(struct out *o);
/* s, or null when s is NULL or "" (fields a record leaves empty). */
void	out_text_or_null(struct out *o, const char *s);

/* End the current row. */
void	out_row(struct out *o);

/* Close the listing (JSON "]"), free o; returns the number of rows. */
size_t	out_end(struct out *o);

/*
 * A single record ("show"): the same calls, one row, printed as
 * "name: value" lines for a table, one JSON object, or CSV with header.
 */
struct out *out_record(FILE *fp, enum out_fmt fmt, const struct out_col *cols,
	    size_t ncols);

#endif
