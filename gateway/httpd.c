/*
 * httpd.c - a thin layer over libmicrohttpd in external-select mode.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "gateway/httpd.h"
#include "keys/keys.h"

struct httpd {
	struct MHD_Daemon	*mhd;
	httpd_handler		 fn;
	void			*arg;
	char			*cert, *key;
};

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	struct httpd_reply r;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	/* First call per request: headers only. We take no bodies. */
	if (*con_cls == NULL) {
		*con_cls = h;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		r.status = MHD_HTTP_METHOD_NOT_ALLOWED;
		r.body = strdup("method not allowed\n");
	} else
		h->fn(h->arg, method, url, &r);
	if (r.body && r.len == 0)
		r.len = strlen(r.body);
	resp = MHD_create_response_from_buffer(r.len, r.body ? r.body : (char *)"",
	    r.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(r.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", r.content_type ?
	    r.content_type : "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, (unsigned)(r.status ? r.status : 200),
	    resp);
	MHD_destroy_response(resp);
	return ret;
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
    struct gw_err *e)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	int port;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return gw_err_set(e, GW_ECONFIG, "[http] listen: want "
		    "ADDRESS:PORT, got '%s'", listen);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (strnum_int(&port, colon + 1, 0, 65535, "[http] listen port", e))
		return e->code;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return gw_err_set(e, GW_ECONFIG, "[http] listen: bad "
			    "IPv6 address '%s'", host + 1);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return gw_err_set(e, GW_ECONFIG, "[http] listen: bad "
			    "IPv4 address '%s' (use a numeric address)", host);
		*len = sizeof(*s4);
	}
	return 0;
}

int
httpd_start(struct httpd **out, const char *listen, const char *tls_cert,
    const char *tls_key, const char *tls_pass, httpd_handler fn, void *arg,
    int *bound_port, struct gw_err *e)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct httpd *h;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem opt[8];
	unsigned flags = MHD_USE_ERROR_LOG;
	size_t n = 0;

	*out = NULL;
	if (parse_listen(listen, &ss, &sslen, e) != 0)
		return e->code;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	h->fn = fn;
	h->arg = arg;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 30,
	    NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, 64,
	    NULL };
	if (tls_cert && tls_key) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			httpd_stop(h);
			return gw_err_set(e, GW_EENV, "[http] tls_cert: this "
			    "libmicrohttpd was built without TLS");
		}
		if (keys_check_private_key(tls_key, tls_pass, e) != 0 ||
		    fs_read_small(&h->cert, NULL, tls_cert, 1 << 20, e) != 0 ||
		    fs_read_small(&h->key, NULL, tls_key, 1 << 20, e) != 0) {
			httpd_stop(h);
			return e->code;
		}
		flags |= MHD_USE_TLS;
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
		    h->cert };
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
		    h->key };
		if (tls_pass != NULL)
			opt[n++] = (struct MHD_OptionItem){
			    MHD_OPTION_HTTPS_KEY_PASSWORD, 0, (void *)tls_pass };
	}
	opt[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_ARRAY, opt, MHD_OPTION_END);
	if (h->mhd == NULL) {
		httpd_stop(h);
		return gw_err_set(e, GW_EENV, "[http] listen %s: cannot listen "
		    "(address in use?)", listen);
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (bound_port)
		*bound_port = info ? info->port : 0;
	*out = h;
	return 0;
}

void
httpd_fdset(struct httpd *h, fd_set *rs, fd_set *ws, fd_set *es, int *maxfd,
    long *timeout_ms)
{
	MHD_UNSIGNED_LONG_LONG to;
	MHD_socket m = -1;

	MHD_get_fdset(h->mhd, rs, ws, es, &m);
	if (m > *maxfd)
		*maxfd = m;
	if (MHD_get_timeout(h->mhd, &to) == MHD_YES && (long)to < *timeout_ms)
		*timeout_ms = (long)to;
}

void
httpd_run(struct httpd *h, const fd_set *rs, const fd_set *ws,
    const fd_set *es)
{
	MHD_run_from_select(h->mhd, rs, ws, es);
}

void
httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	free(h->cert);
	if (h->key != NULL)
		explicit_bzero(h->key, strlen(h->key));
	free(h->key);
	free(h);
}
