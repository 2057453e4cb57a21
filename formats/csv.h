/*
 * csv.h - RFC 4180 CSV, read as a stream and written with quoting.
 *
 * The reader returns one record at a time (quoted fields may hold commas,
 * quotes as "" and line breaks), remembers the line each record starts on
 * for error messages, strips a UTF-8 byte-order mark, accepts CRLF or LF,
 * and skips blank lines. Records are bounded (CSV_MAX_RECORD bytes,
 * CSV_MAX_FIELDS fields) so a hostile file cannot make it grow without end.
 */
#ifndef GW_CSV_H
#define GW_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

#define CSV_MAX_RECORD	(1 << 20)
#define CSV_MAX_FIELDS	256

struct csv_reader;

/* Open path for reading ("-" is standard input). Caller frees with csv_close. */
int	csv_open(struct csv_reader **out, const char *path, struct gw_err *e);
void	csv_close(struct csv_reader *r);

/*
 * Read the next record. Returns 1 when a record was read, 0 at end of
 * file, or a negative code with "FILE:LINE: reason" in e.
 */
int	csv_next(struct csv_reader *r, struct gw_err *e);

size_t	csv_nfields(const struct csv_reader *r);
/* Field i of the current record, NUL-terminated; "" past the last field. */
const char *csv_field(const struct csv_reader *r, size_t i);
size_t	csv_field_len(const struct csv_reader *r, size_t i);
/* Line number (1-based) on which the current record starts. */
long	csv_line(const struct csv_reader *r);

struct csv_col {
	const char	*name;
	int		 required;
};

/*
 * Read the header record and find each column: idx[i] is the field index
 * of cols[i], or -1 for a missing optional column. A missing required
 * column, a repeated column or an empty file is an error naming line 1.
 * Columns the table does not name are counted in *unknown (may be NULL).
 */
int	csv_read_header(struct csv_reader *r, const struct csv_col *cols,
	    size_t ncols, int *idx, size_t *unknown, struct gw_err *e);

/* Write one field, quoted when it holds a comma, quote, CR or LF. */
void	csv_write_field(FILE *fp, const char *s);

/* Write fields separated by commas and a CRLF line end. NULL is empty. */
void	csv_write_row(FILE *fp, const char *const *fields, size_t n);

#endif
