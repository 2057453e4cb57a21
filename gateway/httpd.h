/*
 * httpd.h - the daemon's HTTP endpoint (libmicrohttpd), driven by the
 * daemon's own loop.
 *
 * MHD runs in external-select mode: no thread of its own, so a request
 * handler runs on the daemon's thread between jobs and may use the same
 * database handle without locking. Handlers are short (health, metrics,
 * small JSON); anything long belongs in a job.
 */
#ifndef GW_HTTPD_H
#define GW_HTTPD_H

#include <stddef.h>
#include <sys/select.h>

#include "common/err.h"

struct httpd;

struct httpd_reply {
	int		 status;		/* 200, 404 ... */
	const char	*content_type;
	char		*body;			/* malloc'd; freed by httpd */
	size_t		 len;
};

/* Called for each GET request; fill r (body may be NULL for empty). */
typedef void (*httpd_handler)(void *arg, const char *method, const char *url,
    struct httpd_reply *r);

/*
 * Listen on "address:port" (IPv4 or [IPv6]). With tls_cert and tls_key
 * (PEM files) serve HTTPS; the key is held to keys_check_private_key with
 * tls_pass (encrypted PKCS#8 when a passphrase is given). *bound_port
 * gets the port (useful with port 0).
 */
int	httpd_start(struct httpd **out, const char *listen, const char *tls_cert,
	    const char *tls_key, const char *tls_pass, httpd_handler fn,
	    void *arg, int *bound_port, struct gw_err *e);

/* Add MHD's sockets to the sets; *maxfd raised; *timeout_ms lowered. */
void	httpd_fdset(struct httpd *h, fd_set *rs, fd_set *ws, fd_set *es,
	    int *maxfd, long *timeout_ms);

/* Serve what is ready after select(). */
void	httpd_run(struct httpd *h, const fd_set *rs, const fd_set *ws,
	    const fd_set *es);

/* Stop and free. Accepts NULL. */
void	httpd_stop(struct httpd *h);

#endif
