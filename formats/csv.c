/*
 * csv.c - a small state machine over a 64 KiB read buffer.
 *
 * Fields of the current record are stored back to back, each with a NUL,
 * in one buffer that grows up to CSV_MAX_RECORD; offsets index them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"

struct csv_reader {
	FILE	*fp;
	int	 own_fp;
	char	*name;
	char	 in[65536];
	size_t	 in_len, in_pos;
	int	 eof;
	long	 line;		/* current physical line */
	long	 rec_line;	/* line the current record starts on */
	char	*buf;
	size_t	 buf_len, buf_cap;
	size_t	 off[CSV_MAX_FIELDS + 1];
	size_t	 nfields;
	int	 first;
};

int
csv_open(struct csv_reader **out, const char *path, struct gw_err *e)
{
	struct csv_reader *r;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", path);
	r->name = strdup(path);
	if (strcmp(path, "-") == 0)
		r->fp = stdin;
	else if ((r->fp = fopen(path, "rb")) == NULL) {
		int err = errno;

		free(r->name);
		free(r);
		return gw_err_set(e, GW_EINPUT, "%s: %s", path, strerror(err));
	} else
		r->own_fp = 1;
	r->line = 1;
	r->first = 1;
	*out = r;
	return 0;
}

void
csv_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fp)
		fclose(r->fp);
	free(r->buf);
	free(r->name);
	free(r);
}

/* Next byte, or -1 at end of input. */
static inline int
get(struct csv_reader *r)
{
	if (r->in_pos == r->in_len) {
		if (r->eof)
			return -1;
		r->in_len = fread(r->in, 1, sizeof(r->in), r->fp);
		r->in_pos = 0;
		if (r->in_len == 0) {
			r->eof = 1;
			return -1;
		}
	}
	return (unsigned char)r->in[r->in_pos++];
}

static inline int
peek(struct csv_reader *r)
{
	int c = get(r);

	if (c >= 0)
		r->in_pos--;
	return c;
}

static int
put(struct csv_reader *r, char c, struct gw_err *e)
{
	if (r->buf_len == r->buf_cap) {
		size_t ncap = r->buf_cap ? r->buf_cap * 2 : 4096;
		char *nb;

		if (ncap > CSV_MAX_RECORD)
			return gw_err_set(e, GW_ELIMIT,
			    "%s:%ld: record longer than %d bytes", r->name,
			    r->rec_line, CSV_MAX_RECORD);
		if ((nb = realloc(r->buf, ncap)) == NULL)
			return gw_err_set(e, GW_ENOMEM, "%s: out of memory",
			    r->name);
		r->buf = nb;
		r->buf_cap = ncap;
	}
	r->buf[r->buf_len++] = c;
	return 0;
}

static int
end_field(struct csv_reader *r, struct gw_err *e)
{
	if (put(r, '\0', e) != 0)
		return e->code;
	if (r->nfields == CSV_MAX_FIELDS)
		return gw_err_set(e, GW_ELIMIT, "%s:%ld: more than %d fields",
		    r->name, r->rec_line, CSV_MAX_FIELDS);
	r->off[++r->nfields] = r->buf_len;
	return 0;
}

int
csv_next(struct csv_reader *r, struct gw_err *e)
{
	int c;

	for (;;) {
		r->buf_len = 0;
		r->nfields = 0;
		r->off[0] = 0;
		r->rec_line = r->line;
		if (r->first) {
			r->first = 0;
			/* UTF-8 byte-order mark, written by some spreadsheet tools. */
			if (peek(r) == 0xEF) {
				get(r);
				if (get(r) != 0xBB || get(r) != 0xBF)
					return gw_err_set(e, GW_EINPUT,
					    "%s:1: not UTF-8 text", r->name);
			}
		}
		c = peek(r);
		if (c < 0)
			return 0;
		if (c == '\n' || c == '\r') {
			/* Blank line. */
			get(r);
			if (c == '\r' && peek(r) == '\n')
				get(r);
			r->line++;
			continue;
		}
		break;
	}
	for (;;) {
		c = get(r);
		if (c == '"') {
			/* Quoted field: runs to the closing quote. */
			for (;;) {
				c = get(r);
				if (c < 0)
					return gw_err_set(e, GW_EINPUT,
					    "%s:%ld: quoted field not closed "
					    "before end of file", r->name,
					    r->rec_line);
				if (c == '"') {
					if (peek(r) == '"') {
						get(r);
						if (put(r, '"', e))
							return e->code;
						continue;
					}
					break;
				}
				if (c == '\n')
					r->line++;
				if (put(r, (char)c, e))
					return e->code;
			}
			c = get(r);
			if (c == '\r' && peek(r) == '\n')
				c = get(r);
			if (c != ',' && c != '\n' && c >= 0)
				return gw_err_set(e, GW_EINPUT,
				    "%s:%ld: text after a closing quote in field "
				    "%zu", r->name, r->line, r->nfields + 1);
		} else {
			while (c >= 0 && c != ',' && c != '\n') {
				if (c == '\r' && peek(r) == '\n') {
					c = get(r);
					break;
				}
				if (put(r, (char)c, e))
					return e->code;
				c = get(r);
			}
		}
		if (end_field(r, e) != 0)
			return e->code;
		if (c == ',')
			continue;
		if (c == '\n')
			r->line++;
		return 1;
	}
}

size_t
csv_nfields(const struct csv_reader *r)
{
	return r->nfields;
}

const char *
csv_field(const struct csv_reader *r, size_t i)
{
	return i < r->nfields ? r->buf + r->off[i] : "";
}

size_t
csv_field_len(const struct csv_reader *r, size_t i)
{
	return i < r->nfields ? r->off[i + 1] - r->off[i] - 1 : 0;
}

long
csv_line(const struct csv_reader *r)
{
	return r->rec_line;
}

int
csv_read_header(struct csv_reader *r, const struct csv_col *cols,
    size_t ncols, int *idx, size_t *unknown, struct gw_err *e)
{
	size_t i, j, nunknown = 0;
	int rc;

	if ((rc = csv_next(r, e)) < 0)
		return rc;
	if (rc == 0)
		return gw_err_set(e, GW_EINPUT, "%s:1: empty file, no header row",
		    r->name);
	for (i = 0; i < ncols; i++)
		idx[i] = -1;
	for (j = 0; j < r->nfields; j++) {
		const char *h = csv_field(r, j);
		int found = 0;

		for (i = 0; i < ncols; i++) {
			if (strcmp(h, cols[i].name) != 0)
				continue;
			if (idx[i] >= 0)
				return gw_err_set(e, GW_EINPUT,
				    "%s:%ld: column '%s' appears twice",
				    r->name, r->rec_line, h);
			idx[i] = (int)j;
			found = 1;
		}
		nunknown += !found;
	}
	for (i = 0; i < ncols; i++)
		if (cols[i].required && idx[i] < 0)
			return gw_err_set(e, GW_EINPUT,
			    "%s:%ld: %s: missing column", r->name, r->rec_line,
			    cols[i].name);
	if (unknown)
		*unknown = nunknown;
	return 0;
}

void
csv_write_field(FILE *fp, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (p = s; *p; p++) {
		if (*p == '"')
			putc('"', fp);
		putc(*p, fp);
	}
	putc('"', fp);
}

void
csv_write_row(FILE *fp, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(',', fp);
		csv_write_field(fp, fields[i]);
	}
	fputs("\r\n", fp);
}
