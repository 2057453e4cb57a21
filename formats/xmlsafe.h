/*
 * xmlsafe.h - reading XML that may be hostile (internal to formats/).
 *
 * A bank's file is data from outside: it is parsed as a stream by
 * libxml2's SAX2 push parser, fed 64 KiB at a time, with:
 *   - no DTD at all: a DOCTYPE stops the parse at once, so no entity is
 *     ever declared, expanded or fetched (billion laughs, XXE);
 *   - no network (XML_PARSE_NONET), no XInclude (never requested: the
 *     SAX interface does not do it), no entity substitution;
 *   - our own limits on depth, name length, attributes per element and
 *     text length, checked before libxml2's larger built-in ones;
 *   - every error reported once, as "FILE:LINE:COL: reason".
 * Memory is the parser's working set plus one text buffer, whatever the
 * size of the file. Optionally an XSD schema validates the same stream
 * (xmlSchemaSAXPlug), with schema errors counted, not fatal.
 */
#ifndef GW_XMLSAFE_H
#define GW_XMLSAFE_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlschemas.h>

#include "common/err.h"
#include "formats/iso_read.h"

struct xs_parse;

struct xs_elem {
	const char	 *local;
	const char	 *ns;		/* "" when none */
	int		  depth;	/* 1 for the root */
	int		  nattrs;
	const unsigned char **attrs;	/* libxml2's 5-tuples */
};

struct xs_handler {
	/* Return 0, or a negative code after xs_fail. */
	int	(*start)(struct xs_parse *p, void *arg,
		    const struct xs_elem *el);
	/* text is the element's own text (trimmed of nothing), len bytes. */
	int	(*end)(struct xs_parse *p, void *arg, const struct xs_elem *el,
		    const char *text, size_t len);
};

struct xs_source {
	const char	*name;		/* for messages */
	const char	*path;		/* read this file ... */
	const void	*mem;		/* ... or this buffer */
	size_t		 len;
};

/*
 * Parse src with h. schema may be NULL; with one, *nschema_errors gets
 * the number of validity errors and, when there are any, e holds the
 * first ("FILE:LINE: schema: ...") but the call still returns 0 if the
 * document is well-formed and no handler failed. Returns 0, GW_EINPUT
 * for a malformed or hostile document, GW_ELIMIT for a limit, GW_EIO when
 * the file cannot be read, or what a handler returned.
 */
int	xs_run(const struct xs_source *src, const struct iso_limits *lim,
	    xmlSchemaPtr schema, const struct xs_handler *h, void *arg,
	    int64_t *nschema_errors, struct gw_err *e);

/* Fail the parse at the current position: "FILE:LINE:COL: message".
 * Returns code. Later errors are ignored. */
int	xs_fail(struct xs_parse *p, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Current line, for records that remember where they started. */
long	xs_line(const struct xs_parse *p);

/* The value of attribute name (no namespace) of el into buf (cut to cap),
 * "" when el has none; 1 found, 0 not. */
int	xs_attr(const struct xs_elem *el, const char *name, char *buf,
	    size_t cap);

#endif
