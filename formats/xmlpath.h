/*
 * xmlpath.h - the path engine the ISO 20022 readers share (internal to
 * formats/): iso_read.c for what banks send, pain008_read.c and
 * mndt_read.c for what we send.
 *
 * A reader describes what it wants as a table of paths below its
 * message's root element ("GrpHdr/MsgId", "PmtInf/DrctDbtTxInf"), each
 * with an action number of the reader's own. As elements start,
 * xp_enter hashes the path incrementally and finds its rule with one
 * probe of a small open-addressed table (confirmed segment by segment,
 * since hashes may collide); xp_leave gives the ending element's rule
 * back and says whether it had child elements. SplmtryData subtrees are
 * skipped whole (they may hold any namespace); any other element outside
 * the message's namespace is an error. What no rule names is passed over
 * (xmlsafe.c still counts it against the limits). Memory is a few arrays
 * sized by the depth limit, whatever the size of the file.
 */
#ifndef GW_XMLPATH_H
#define GW_XMLPATH_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "formats/iso20022.h"
#include "formats/xmlsafe.h"

struct xp_rule {
	const char	*path;		/* below the message root; NULL ends */
	int		 act;		/* >= 0, the reader's own number */
};

#define XP_NONE	(-1)		/* no rule, or inside a skipped subtree */
#define XP_TOP	(-2)		/* Document or the message root */
#define XP_HSIZE 128		/* > 2 x the longest rule table */

struct xp {
	const struct xp_rule	*rules;
	short			 slot[XP_HSIZE];	/* rule index + 1 */
	uint64_t		 key[XP_HSIZE];
	uint64_t		*h;		/* path hash at depth d */
	const char		**names;	/* element name at depth d */
	short			*rule_at;	/* rule index at depth d, -1 */
	unsigned char		*had_child;
	int			 skip_from;	/* SplmtryData depth, 0 none */
	int			 nroots;
	enum iso_msg		 type;		/* by the Document namespace */
	char			 ns[96];
};

/* Use this table from now on (after the message is known). */
void	xp_rules(struct xp *x, const struct xp_rule *rules);

/*
 * An element starts. *act gets XP_TOP for Document and the message root
 * (call xp_top), XP_NONE, or the act of the element's rule. Returns 0, or
 * xs_fail's code for an element in a foreign namespace.
 */
int	xp_enter(struct xp *x, struct xs_parse *p, const struct xs_elem *el,
	    int *act);

/* An element ends: the act xp_enter gave it (XP_TOP, XP_NONE or a rule)
 * and in *leaf 1 when it had no child element. */
int	xp_leave(struct xp *x, int depth, int *leaf);

/*
 * Document (depth 1) and the message root (depth 2): a Document in a
 * namespace we know sets x->type and x->ns; the root must be that
 * message's and come once. Returns 0 or GW_EINPUT via xs_fail.
 */
int	xp_top(struct xp *x, struct xs_parse *p, const struct xs_elem *el);

/*
 * A field with action act ends: GW_EINPUT "<tag> given twice" via xs_fail
 * when mask (a bit per act, cleared by the reader as its record starts)
 * has it already, else it is noted. Returns 0 or GW_EINPUT.
 */
int	xp_once(struct xs_parse *p, uint64_t *mask, int act, const char *tag);

/*
 * What the reader's callback said of the record that started at line:
 * non-zero stops the parse ("stopped by the caller at line L") and is
 * returned as it is.
 */
int	xp_handed(struct xs_parse *p, int rc, long line);

/* Text without leading and trailing XML white space. */
void	xp_trim(const char **s, size_t *n);

/* Copy s[0..n) into dst (cap bytes) with a NUL; GW_ELIMIT if longer. */
int	xp_keep(struct xs_parse *p, char *dst, size_t cap, const char *s,
	    size_t n, const char *tag);

/*
 * For our own messages, where nothing is lenient: an amount in fen from
 * "yuan.ff" text (at most two decimals, 1 fen to MONEY_MAX_FEN) whose
 * Ccy (ccy, "" when absent) is CNY; a date "YYYY-MM-DD" as a day number.
 * Return 0 or GW_EINPUT via xs_fail naming tag.
 */
int	xp_amount_cny(struct xs_parse *p, int64_t *out, const char *ccy,
	    const char *s, size_t n, const char *tag);
int	xp_date(struct xs_parse *p, int *out, const char *s, size_t n,
	    const char *tag);

/*
 * Parse src with handler h for a reader whose state arg holds x: sets x up
 * for lim and rules (NULL: the reader calls xp_rules once the Document
 * says which message it is), runs xmlsafe, refuses a Document with no
 * message in it, and frees x. Returns what xs_run returns (xmlsafe.h).
 */
int	xp_run(struct xp *x, const struct xp_rule *rules,
	    const struct xs_source *src, const struct iso_limits *lim,
	    const struct xs_handler *h, void *arg, struct gw_err *e);

#endif
