/*
 * out.c - row writers for the three output formats.
 *
 * JSON rows are built with jansson so escaping is never hand-rolled, then
 * dumped and freed: memory stays one row deep.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/money.h"
#include "formats/csv.h"
#include "gateway/out.h"

struct out {
	FILE			*fp;
	enum out_fmt		 fmt;
	const struct out_col	*cols;
	size_t			 ncols;
	size_t			 col;
	size_t			 rows;
	int			 record;
	json_t			*obj;
	char			**cells;	/* CSV row being built */
};

static void
header(struct out *o)
{
	size_t i;

	if (o->fmt == OUT_JSON) {
		if (!o->record)
			fputs("[", o->fp);
		return;
	}
	if (o->fmt == OUT_CSV) {
		for (i = 0; i < o->ncols; i++) {
			if (i)
				putc(',', o->fp);
			csv_write_field(o->fp, o->cols[i].name);
		}
		fputs("\r\n", o->fp);
		return;
	}
	if (o->record)
		return;
	for (i = 0; i < o->ncols; i++)
		fprintf(o->fp, "%-*s%s", o->cols[i].width, o->cols[i].name,
		    i + 1 < o->ncols ? "  " : "\n");
}

static struct out *
start(FILE *fp, enum out_fmt fmt, const struct out_col *cols, size_t ncols,
    int record)
{
	struct out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	if ((o->cells = calloc(ncols, sizeof(char *))) == NULL) {
		free(o);
		return NULL;
	}
	o->fp = fp;
	o->fmt = fmt;
	o->cols = cols;
	o->ncols = ncols;
	o->record = record;
	header(o);
	return o;
}

struct out *
out_begin(FILE *fp, enum out_fmt fmt, const struct out_col *cols, size_t ncols)
{
	return start(fp, fmt, cols, ncols, 0);
}

struct out *
out_record(FILE *fp, enum out_fmt fmt, const struct out_col *cols,
    size_t ncols)
{
	return start(fp, fmt, cols, ncols, 1);
}

/* Display width: CJK and other wide characters take two columns. */
static int
display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		if (*p < 0x80)
			w += 1, p += 1;
		else if (*p < 0xE0)
			w += 1, p += 2;
		else if (*p < 0xF0)
			w += 2, p += 3;
		else
			w += 2, p += 4;
	}
	return w;
}

static void
put_cell(struct out *o, const char *text, json_t *jv)
{
	const struct out_col *c;

	if (o->col >= o->ncols) {
		json_decref(jv);
		return;
	}
	c = &o->cols[o->col];
	switch (o->fmt) {
	case OUT_JSON:
		if (o->obj == NULL)
			o->obj = json_object();
		json_object_set_new(o->obj, c->name, jv ? jv : json_null());
		break;
	case OUT_CSV:
		json_decref(jv);
		o->cells[o->col] = text ? strdup(text) : NULL;
		break;
	case OUT_TABLE:
		json_decref(jv);
		if (o->record) {
			fprintf(o->fp, "%-20s %s\n", c->name, text ? text : "-");
			break;
		}
		{
			const char *t = text ? text : "-";
			int pad = c->width - display_width(t);

			fputs(t, o->fp);
			if (o->col + 1 < o->ncols)
				fprintf(o->fp, "%*s  ", pad > 0 ? pad : 0, "");
		}
		break;
	}
	o->col++;
}

void
out_text(struct out *o, const char *s)
{
	put_cell(o, s, s ? json_string(s) : json_null());
}

void
out_int(struct out *o, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	put_cell(o, buf, json_integer(v));
}

void
out_money(struct out *o, int64_t fen)
{
	char buf[MONEY_BUFSZ];

	money_format(buf, fen);
	put_cell(o, buf, json_string(buf));
}

void
out_null(struct out *o)
{
	put_cell(o, NULL, json_null());
}

void
out_row(struct out *o)
{
	size_t i;

	while (o->col < o->ncols)
		out_null(o);
	switch (o->fmt) {
	case OUT_JSON:
		if (!o->record)
			fputs(o->rows ? ",\n" : "\n", o->fp);
		json_dumpf(o->obj, o->fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (o->record)
			putc('\n', o->fp);
		json_decref(o->obj);
		o->obj = NULL;
		break;
	case OUT_CSV:
		csv_write_row(o->fp, (const char *const *)o->cells, o->ncols);
		for (i = 0; i < o->ncols; i++) {
			free(o->cells[i]);
			o->cells[i] = NULL;
		}
		break;
	case OUT_TABLE:
		if (!o->record)
			putc('\n', o->fp);
		break;
	}
	o->col = 0;
	o->rows++;
}

size_t
out_end(struct out *o)
{
	size_t n;

	if (o == NULL)
		return 0;
	if (o->fmt == OUT_JSON && !o->record)
		fputs(o->rows ? "\n]\n" : "]\n", o->fp);
	n = o->rows;
	json_decref(o->obj);
	free(o->cells);
	free(o);
	return n;
}
