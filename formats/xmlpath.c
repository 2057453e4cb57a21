/*
 * xmlpath.c - rule lookup by element path for the streaming ISO 20022
 * readers.
 *
 * The path hash at depth d is a function of the hash at d - 1 and the
 * element's own name, so a lookup costs one hash of the name and one
 * probe, however deep the element. Invariants: h[], names[] and rule_at[]
 * hold the current element's ancestors from depth 3 (the first level
 * below the message root) down; skip_from is the depth of the
 * SplmtryData being skipped, or 0; while it is set no rule is found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "formats/xmlpath.h"

static uint64_t
name_hash(uint64_t parent, const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return (parent * 31) ^ h;
}

static uint64_t
path_hash(const char *path)
{
	uint64_t h = 0;
	const char *seg = path, *slash;

	for (;;) {
		slash = strchr(seg, '/');
		h = name_hash(h, seg, slash ? (size_t)(slash - seg) :
		    strlen(seg));
		if (slash == NULL)
			return h;
		seg = slash + 1;
	}
}

/* Accepts a zeroed or freed engine. */
static void
xp_free(struct xp *x)
{
	free(x->h);
	free(x->names);
	free(x->rule_at);
	free(x->had_child);
	x->h = NULL;
	x->names = NULL;
	x->rule_at = NULL;
	x->had_child = NULL;
}

/* Arrays for max_depth levels. GW_ENOMEM, or GW_EINPUT for a limit out
 * of range (2 .. 10000). */
static int
xp_init(struct xp *x, int max_depth, struct gw_err *e)
{
	size_t n;

	memset(x, 0, sizeof(*x));
	if (max_depth < 2 || max_depth > 10000)
		return gw_err_set(e, GW_EINPUT, "depth limit out of range");
	n = (size_t)max_depth + 2;
	if ((x->h = calloc(n, sizeof(*x->h))) == NULL ||
	    (x->names = calloc(n, sizeof(*x->names))) == NULL ||
	    (x->rule_at = calloc(n, sizeof(*x->rule_at))) == NULL ||
	    (x->had_child = calloc(n, 1)) == NULL) {
		xp_free(x);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	return 0;
}

void
xp_rules(struct xp *x, const struct xp_rule *rules)
{
	int i;

	x->rules = rules;
	memset(x->slot, 0, sizeof(x->slot));
	for (i = 0; rules[i].path; i++) {
		uint64_t h = path_hash(rules[i].path);
		size_t k = h % XP_HSIZE;

		while (x->slot[k])
			k = (k + 1) % XP_HSIZE;
		x->slot[k] = (short)(i + 1);
		x->key[k] = h;
	}
}

/* The rule for the path ending at depth d (root element at depth 2). */
static int
find_rule(const struct xp *x, int d)
{
	uint64_t h = x->h[d];
	size_t k = h % XP_HSIZE;

	if (x->rules == NULL)
		return -1;
	for (; x->slot[k]; k = (k + 1) % XP_HSIZE) {
		const char *seg;
		int depth;

		if (x->key[k] != h)
			continue;
		/* Confirm segment by segment: hashes may collide. */
		seg = x->rules[x->slot[k] - 1].path;
		for (depth = 3; depth <= d; depth++) {
			size_t n = strlen(x->names[depth]);

			if (strncmp(seg, x->names[depth], n) != 0 ||
			    (seg[n] != '/' && seg[n] != '\0'))
				break;
			seg += n;
			if (*seg == '/')
				seg++;
			else if (depth < d)
				break;
		}
		if (depth > d && *seg == '\0')
			return x->slot[k] - 1;
	}
	return -1;
}

int
xp_enter(struct xp *x, struct xs_parse *p, const struct xs_elem *el,
    int *act)
{
	int d = el->depth, i;

	*act = XP_NONE;
	x->had_child[d - 1] = 1;
	x->had_child[d] = 0;
	x->rule_at[d] = -1;
	if (x->skip_from)
		return 0;
	if (d <= 2) {
		*act = XP_TOP;
		return 0;
	}
	if (strcmp(el->ns, x->ns) != 0)
		return xs_fail(p, GW_EINPUT, "element <%.64s> in namespace "
		    "'%.100s' is not part of %s", el->local, el->ns,
		    iso_msg_name(x->type));
	if (strcmp(el->local, "SplmtryData") == 0) {
		x->skip_from = d;
		return 0;
	}
	x->names[d] = el->local;
	x->h[d] = name_hash(d > 3 ? x->h[d - 1] : 0, el->local,
	    strlen(el->local));
	if ((i = find_rule(x, d)) < 0)
		return 0;
	x->rule_at[d] = (short)i;
	*act = x->rules[i].act;
	return 0;
}

int
xp_leave(struct xp *x, int depth, int *leaf)
{
	*leaf = !x->had_child[depth];
	if (x->skip_from) {
		if (depth == x->skip_from)
			x->skip_from = 0;
		return XP_NONE;
	}
	if (depth <= 2)
		return XP_TOP;
	if (x->rule_at[depth] < 0)
		return XP_NONE;
	return x->rules[x->rule_at[depth]].act;
}

int
xp_top(struct xp *x, struct xs_parse *p, const struct xs_elem *el)
{
	if (el->depth == 1) {
		if (strcmp(el->local, "Document") != 0)
			return xs_fail(p, GW_EINPUT, "root element <%.64s> is "
			    "not <Document>: not an ISO 20022 message",
			    el->local);
		x->type = iso_msg_from_ns(el->ns);
		if (x->type == ISO_MSG_UNKNOWN)
			return xs_fail(p, GW_EINPUT, "namespace '%.100s' is "
			    "not an ISO 20022 message we know", el->ns);
		snprintf(x->ns, sizeof(x->ns), "%s", el->ns);
		return 0;
	}
	if (++x->nroots > 1)
		return xs_fail(p, GW_EINPUT, "<Document> has more than one "
		    "message in it");
	if (strcmp(el->local, iso_msg_root(x->type)) != 0 ||
	    strcmp(el->ns, x->ns) != 0)
		return xs_fail(p, GW_EINPUT, "a %s <Document> must hold <%s>, "
		    "not <%.64s>", iso_msg_name(x->type), iso_msg_root(x->type),
		    el->local);
	return 0;
}

int
xp_once(struct xs_parse *p, uint64_t *mask, int act, const char *tag)
{
	uint64_t bit = 1ULL << act;

	if (*mask & bit)
		return xs_fail(p, GW_EINPUT, "<%s> given twice", tag);
	*mask |= bit;
	return 0;
}

int
xp_handed(struct xs_parse *p, int rc, long line)
{
	if (rc != 0)
		xs_fail(p, rc, "stopped by the caller at line %ld", line);
	return rc;
}

static int
is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void
xp_trim(const char **s, size_t *n)
{
	while (*n > 0 && is_xml_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_xml_space((*s)[*n - 1]))
		(*n)--;
}

int
xp_keep(struct xs_parse *p, char *dst, size_t cap, const char *s, size_t n,
    const char *tag)
{
	if (n >= cap)
		return xs_fail(p, GW_ELIMIT, "<%s> longer than %zu bytes", tag,
		    cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
xp_amount_cny(struct xs_parse *p, int64_t *out, const char *ccy,
    const char *s, size_t n, const char *tag)
{
	struct gw_err why = GW_ERR_INIT;

	if (strcmp(ccy, "CNY") != 0)
		return xs_fail(p, GW_EINPUT, "<%s> in currency '%.8s', not "
		    "CNY", tag, ccy);
	if (money_parse_yuan(out, s, n, 0, &why) != 0)
		return xs_fail(p, GW_EINPUT, "<%s> '%.*s': %s", tag,
		    (int)(n > 30 ? 30 : n), s, why.msg);
	if (*out < 1)
		return xs_fail(p, GW_EINPUT, "<%s> is zero", tag);
	return 0;
}

int
xp_date(struct xs_parse *p, int *out, const char *s, size_t n,
    const char *tag)
{
	struct gw_err why = GW_ERR_INIT;

	if (date_parse(out, s, n, &why) != 0)
		return xs_fail(p, GW_EINPUT, "<%s>: %s", tag, why.msg);
	return 0;
}

int
xp_run(struct xp *x, const struct xp_rule *rules, const struct xs_source *src,
    const struct iso_limits *lim, const struct xs_handler *h, void *arg,
    struct gw_err *e)
{
	struct gw_err why = GW_ERR_INIT;
	int rc;

	if (xp_init(x, lim->max_depth, &why) != 0)
		return gw_err_set(e, why.code, "%s: %s", src->name, why.msg);
	if (rules != NULL)
		xp_rules(x, rules);
	rc = xs_run(src, lim, NULL, h, arg, NULL, e);
	if (rc == 0 && x->nroots == 0)
		rc = gw_err_set(e, GW_EINPUT, "%s: no message inside "
		    "<Document>", src->name);
	xp_free(x);
	return rc;
}
