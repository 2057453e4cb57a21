/*
 * err.h - the one error table of debitgw.
 *
 * Every fallible function returns int: 0 on success, a negative GW_E* code
 * on failure, and writes a one-line message into the caller's struct gw_err.
 * The first error wins: once a gw_err holds a code, later gw_err_set calls
 * leave it alone, so the deepest layer's reason reaches the user unchanged.
 *
 * The X-macro below yields the enum, the names, and the exit status the CLI
 * maps each code to (0 ok, 1 rejected input, 2 usage, 3 environment).
 * Numbers are never reused.
 */
#ifndef GW_ERR_H
#define GW_ERR_H

#include <stddef.h>

/*   name              number  exit  meaning */
#define GW_ERRORS(X)                                             \
	X(GW_OK,             0,    0, "ok")                          \
	X(GW_EINPUT,        -1,    1, "rejected input")              \
	X(GW_EUSAGE,        -2,    2, "usage")                       \
	X(GW_EENV,          -3,    3, "environment")                 \
	X(GW_ENOMEM,        -4,    3, "out of memory")               \
	X(GW_EIO,           -5,    3, "i/o error")                   \
	X(GW_EDB,           -6,    3, "database error")              \
	X(GW_ENOTFOUND,     -7,    1, "not found")                   \
	X(GW_ESTATE,        -8,    1, "illegal state transition")    \
	X(GW_EDUP,          -9,    1, "duplicate")                   \
	X(GW_ESIG,         -10,    1, "signature not valid")         \
	X(GW_EKEY,         -11,    3, "key unusable")                \
	X(GW_ENET,         -12,    3, "network error")               \
	X(GW_ECONFIG,      -13,    3, "configuration error")         \
	X(GW_ELIMIT,       -14,    1, "limit exceeded")              \
	X(GW_EAUTH,        -15,    3, "peer authentication failed")  \
	X(GW_EBUSY,        -16,    3, "busy")                        \
	X(GW_EINTR,        -17,    3, "interrupted")

enum gw_code {
#define GW_ERR_ENUM(name, num, exit, text) name = num,
	GW_ERRORS(GW_ERR_ENUM)
#undef GW_ERR_ENUM
};

#define GW_ERR_MSG_MAX 1024

struct gw_err {
	int	code;
	char	msg[GW_ERR_MSG_MAX];
};

#define GW_ERR_INIT { 0, { 0 } }

/*
 * Record an error unless one is already recorded (first error wins).
 * Returns the code now held by e, so callers can `return gw_err_set(...)`.
 * e may be NULL, in which case only the code is returned.
 */
int	gw_err_set(struct gw_err *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Hand a local error on to e (first error wins); returns e's code. */
int	gw_err_pass(struct gw_err *e, const struct gw_err *from);

/*
 * Put context before the held error's message ("--date: " + "...") and
 * return its code: gw_err_set cannot, since the first error wins.
 */
int	gw_err_prefix(struct gw_err *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Forget the held error, e.g. after a handled, expected failure. */
void	gw_err_clear(struct gw_err *e);

/* Process exit status for a code: 0, 1, 2 or 3. */
int	gw_err_exit_status(int code);

/* Symbolic name of a code, e.g. "GW_EINPUT". */
const char *gw_err_name(int code);

#endif
