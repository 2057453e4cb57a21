/*
 * sqlfold.h - rewrite "col IN ('a','b','c')" as "(col = 'a' OR ...)".
 *
 * Why: SQLite evaluates an IN list of three or more constants by building
 * an ephemeral b-tree of the constants, once per execution of a statement.
 * In a CHECK constraint, a trigger's WHEN or a partial index's WHERE that
 * is every INSERT or UPDATE of the table: a single-row UPDATE of an
 * obligation built eight such trees (measured: 13.7 s for a million
 * updates, 4.2 s with the lists folded). Equality chains cost nothing to
 * set up, and mean the same: x IN (a, b) is x = a OR x = b, NULL included.
 *
 * Only the safe shape is folded: a plain or qualified column name (after
 * "(", ",", AND, OR, NOT, WHERE or WHEN, so no operator binds it tighter
 * than IN), [NOT] IN, and a list of three or more string literals. Text
 * in literals, quoted names and comments is never touched.
 */
#ifndef GW_SQLFOLD_H
#define GW_SQLFOLD_H

/*
 * Fold the IN lists of sql. Returns 1 and sets *out (free() it) when
 * something was folded, 0 when sql is already folded (*out NULL), -1 when
 * out of memory.
 */
int	sql_fold_in_lists(const char *sql, char **out);

#endif
