/*
 * out.c - row writers for the three output formats.
 *
 * JSON rows are built with jansson so escaping is never hand-rolled, then
 * dumped and freed: memory stays one row deep. Table and CSV cells are
 * written as they come, so only a JSON listing builds values per cell.
 */
#include <stdlib.h>

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

/*
 * One field of the current row: text as the table and CSV show it (NULL
 * is null); num, when not NULL, makes the JSON value a number.
 */
static void
put_cell(struct out *o, const char *text, const int64_t *num)
{
	const struct out_col *c;
	json_t *jv;

	if (o->col >= o->ncols)
		return;
	c = &o->cols[o->col];
	switch (o->fmt) {
	case OUT_JSON:
		/* json_string refuses text that is not UTF-8: null then. */
		jv = text == NULL ? NULL : num ? json_integer(*num) :
		    json_string(text);
		if (o->obj == NULL)
			o->obj = json_object();
		json_object_set_new(o->obj, c->name, jv ? jv : json_null());
		break;
	case OUT_CSV:
		if (o->col > 0)
			putc(',', o->fp);
		csv_write_field(o->fp, text);
		break;
	case OUT_TABLE:
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
	put_cell(o, s, NULL);
}

void
out_text_or_null(struct out *o, const char *s)
{
	put_cell(o, s != NULL && *s != '\0' ? s : NULL, NULL);
}

void
out_int(struct out *o, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	put_cell(o, buf, &v);
}

void
out_money(struct out *o, int64_t fen)
{
	char buf[MONEY_BUFSZ];

	put_cell(o, money_format(buf, fen), NULL);
}

void
out_null(struct out *o)
{
	put_cell(o, NULL, NULL);
}

void
out_row(struct out *o)
{
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
		fputs("\r\n", o->fp);
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
	free(o);
	return n;
}
