/*
 * bankhttp.h - a bank's HTTPS file exchange, for tests and the bank
 * simulator (libmicrohttpd with TLS, client certificates required).
 *
 * Serves a directory tree by the protocol of docs/transport.md:
 *   PUT /DIR/NAME            store the body as NAME (atomically)
 *   POST /DIR/               multipart/form-data, part "file", filename NAME
 *   HEAD /DIR/NAME           200 with Content-Length, or 404
 *   GET /DIR/                JSON [{"name": ..., "size": ...}] of the files
 *   GET /DIR/NAME            the file
 *   DELETE /DIR/NAME         204, or 404
 *   MOVE /DIR/NAME           with "Destination: /DIR2/NAME": 201
 * Every path segment must be a safe name (no dot-names, no "..").
 * A client without a certificate from the client CA gets 403.
 *
 * Faults for tests, each counting down per request: the first fail_first
 * requests get 503; the first drop_uploads uploads are cut off after half
 * their body (the connection is closed); the first discard_uploads
 * uploads are answered 201 and stored nowhere. Each request is one line in
 * the log: "METHOD PATH STATUS NOTE", NOTE one of stored, discarded,
 * dropped, fault, "-".
 */
#ifndef GW_TEST_BANKHTTP_H
#define GW_TEST_BANKHTTP_H

#include "common/err.h"

struct bankhttp_opts {
	const char	*root;		/* directory served */
	const char	*cert;		/* server certificate, PEM file */
	const char	*key;		/* its key, PEM file */
	const char	*client_ca;	/* CA of accepted client certificates */
	int		 port;		/* on 127.0.0.1 */
	const char	*log;		/* request log, may be NULL */
	int		 fail_first;
	int		 drop_uploads;
	int		 discard_uploads;
	/* After a file is stored (the simulator reacts); may be NULL. */
	void		(*on_stored)(void *arg, const char *path);
	void		*arg;
};

struct bankhttp;

/* Listen and serve in a thread of libmicrohttpd. Caller frees with _stop. */
int	bankhttp_start(struct bankhttp **out, const struct bankhttp_opts *o,
	    struct gw_err *e);
void	bankhttp_stop(struct bankhttp *s);

#endif
