/*
 * bankhttp.c - the HTTPS file server behind the transport tests.
 *
 * libmicrohttpd runs one internal polling thread, so handlers never run
 * at the same time and the fault counters need no lock. Uploads stream to
 * a dot-name temporary file in the target folder and are renamed into
 * place when the body is complete, so a listing never shows part of a
 * file; a dropped upload leaves nothing behind. Client certificates are
 * checked in the handler with GnuTLS (the session libmicrohttpd exposes),
 * since libmicrohttpd only asks for one.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <jansson.h>
#include <microhttpd.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "gateway/transfer.h"
#include "tests/lib/bankhttp.h"

struct bankhttp {
	struct MHD_Daemon	*d;
	struct bankhttp_opts	 o;
	char			*root;
	char			*cert, *key, *ca;
	FILE			*log;
};

enum kind { K_OTHER, K_PUT, K_POST };

struct req {
	enum kind		 kind;
	int			 status;	/* decided before the body */
	const char		*note;
	int			 drop, discard;
	char			 path[2400];	/* target file */
	char			 dir[2048];
	char			 tmp[2400];
	int			 fd;
	long long		 got, expect;
	struct MHD_PostProcessor *pp;
};

static void
log_line(struct bankhttp *s, const char *method, const char *url, int status,
    const char *note)
{
	if (s->log == NULL)
		return;
	fprintf(s->log, "%s %s %d %s\n", method, url, status, note);
	fflush(s->log);
}

static enum MHD_Result
reply(struct MHD_Connection *c, int status, const char *type,
    const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

/* 1 if the client showed a certificate that chains to the client CA. */
static int
client_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t tls;
	unsigned int status = 1, n = 0;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	tls = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(tls, &n) == NULL || n == 0)
		return 0;
	if (gnutls_certificate_verify_peers2(tls, &status) != 0)
		return 0;
	return status == 0;
}

/*
 * Map url to a path under root: every segment a safe name. dir_ok: the
 * url may name a folder (ends in '/'). Returns 1 for a file, 2 for a
 * folder, 0 if refused.
 */
static int
map(struct bankhttp *s, const char *url, char *out, size_t cap)
{
	char buf[2048], *seg, *save = NULL;
	size_t n = strlen(url), len;
	int folder = n > 0 && url[n - 1] == '/';

	if (url[0] != '/' || n >= sizeof(buf) || strstr(url, "//"))
		return 0;
	memcpy(buf, url, n + 1);
	len = (size_t)snprintf(out, cap, "%s", s->root);
	for (seg = strtok_r(buf, "/", &save); seg; seg = strtok_r(NULL, "/",
	    &save)) {
		if (!transfer_name_is_valid(seg))
			return 0;
		len += (size_t)snprintf(out + len, cap > len ? cap - len : 0,
		    "/%s", seg);
	}
	if (len >= cap)
		return 0;
	return folder ? 2 : 1;
}

static int
dir_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
parent(const char *path, char *out, size_t cap)
{
	const char *sl = strrchr(path, '/');

	snprintf(out, cap, "%.*s", (int)(sl - path), path);
}

/* Start storing into path (in folder dir): temp file beside it. */
static int
store_open(struct req *q)
{
	snprintf(q->tmp, sizeof(q->tmp), "%s/.upload.%ld.%p", q->dir,
	    (long)getpid(), (void *)q);
	q->fd = open(q->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return q->fd >= 0 ? 0 : -1;
}

static int
store_write(struct req *q, const char *data, size_t n)
{
	if (q->discard)
		return 0;
	if (q->fd < 0 && store_open(q) != 0)
		return -1;
	while (n > 0) {
		ssize_t w = write(q->fd, data, n);

		if (w < 0)
			return -1;
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
store_commit(struct bankhttp *s, struct req *q)
{
	if (q->discard)
		return 0;
	if (q->fd < 0 && store_open(q) != 0)
		return -1;
	if (fsync(q->fd) != 0 || close(q->fd) != 0) {
		q->fd = -1;
		return -1;
	}
	q->fd = -1;
	if (rename(q->tmp, q->path) != 0)
		return -1;
	q->tmp[0] = '\0';
	if (s->o.on_stored != NULL)
		s->o.on_stored(s->o.arg, q->path);
	return 0;
}

static void
req_free(struct req *q)
{
	if (q == NULL)
		return;
	if (q->pp != NULL)
		MHD_destroy_post_processor(q->pp);
	if (q->fd >= 0)
		close(q->fd);
	if (q->tmp[0] != '\0')
		unlink(q->tmp);
	free(q);
}

static enum MHD_Result
post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *enc,
    const char *data, uint64_t off, size_t size)
{
	struct req *q = cls;

	(void)kind;
	(void)type;
	(void)enc;
	(void)off;
	if (strcmp(key, "file") != 0)
		return MHD_YES;
	if (q->path[0] == '\0') {
		if (filename == NULL || !transfer_name_is_valid(filename)) {
			q->status = 400;
			return MHD_NO;
		}
		snprintf(q->path, sizeof(q->path), "%s/%s", q->dir, filename);
	}
	q->got += (long long)size;
	return store_write(q, data, size) == 0 ? MHD_YES : MHD_NO;
}

static enum MHD_Result
list(struct MHD_Connection *c, const char *dir)
{
	json_t *arr = json_array();
	DIR *d = opendir(dir);
	struct dirent *de;
	enum MHD_Result ret;
	char *txt, p[4096];
	struct stat st;

	if (d == NULL || arr == NULL) {
		if (d)
			closedir(d);
		json_decref(arr);
		return reply(c, 404, "text/plain", "no such folder\n");
	}
	while ((de = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || lstat(p, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:I}", "name",
		    de->d_name, "size", (json_int_t)st.st_size));
	}
	closedir(d);
	txt = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	ret = reply(c, 200, "application/json", txt ? txt : "[]");
	free(txt);
	return ret;
}

static enum MHD_Result
send_file(struct MHD_Connection *c, const char *path)
{
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result ret;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return reply(c, 404, "text/plain", "no such file\n");
	}
	if ((r = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
do_move(struct bankhttp *s, struct MHD_Connection *c, const char *path,
    int *status)
{
	const char *dst = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Destination");
	char to[2048], todir[2048];
	struct gw_err e = GW_ERR_INIT;

	if (dst == NULL || map(s, dst, to, sizeof(to)) != 1) {
		*status = 400;
		return reply(c, 400, "text/plain", "bad Destination\n");
	}
	parent(to, todir, sizeof(todir));
	if (fs_mkdirs(todir, 0755, &e) != 0 || rename(path, to) != 0) {
		*status = errno == ENOENT ? 404 : 500;
		return reply(c, (unsigned)*status, "text/plain", "not moved\n");
	}
	*status = 201;
	return reply(c, 201, "text/plain", "moved\n");
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **ctx)
{
	struct bankhttp *s = cls;
	struct req *q = *ctx;
	char path[2048];
	int m, status;

	(void)version;
	if (q == NULL) {
		/* First call: headers only. Decide everything now. */
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		q->fd = -1;
		q->note = "-";
		*ctx = q;
		if (strcmp(method, "PUT") == 0)
			q->kind = K_PUT;
		else if (strcmp(method, "POST") == 0)
			q->kind = K_POST;
		if (!client_ok(c))
			q->status = 403;
		else if (s->o.fail_first > 0) {
			s->o.fail_first--;
			q->status = 503;
			q->note = "fault";
		} else if (q->kind != K_OTHER) {
			m = map(s, url, q->kind == K_PUT ? q->path : q->dir,
			    sizeof(q->path));
			if (q->kind == K_PUT && m == 1)
				parent(q->path, q->dir, sizeof(q->dir));
			if ((q->kind == K_PUT && m != 1) ||
			    (q->kind == K_POST && m != 2))
				q->status = 400;
			else if (!dir_exists(q->dir))
				q->status = 404;
			else if (q->kind == K_POST && (q->pp =
			    MHD_create_post_processor(c, 65536, post_iter,
			    q)) == NULL)
				q->status = 400;
			else if (s->o.drop_uploads > 0) {
				s->o.drop_uploads--;
				q->drop = 1;
			} else if (s->o.discard_uploads > 0) {
				s->o.discard_uploads--;
				q->discard = 1;
			}
			q->expect = -1;
			{
				const char *cl = MHD_lookup_connection_value(c,
				    MHD_HEADER_KIND, "Content-Length");
				int64_t v;

				if (cl != NULL && strnum_i64(&v, cl, 0, INT64_MAX,
				    "Content-Length", NULL) == 0)
					q->expect = v;
			}
		}
		if (q->status != 0) {
			log_line(s, method, url, q->status, q->note);
			return reply(c, (unsigned)q->status, "text/plain",
			    q->status == 403 ? "client certificate required\n" :
			    "refused\n");
		}
		return MHD_YES;
	}
	if (q->kind != K_OTHER && *size > 0) {
		/* Body data. */
		if (q->drop && q->got + (long long)*size >= q->expect / 2) {
			log_line(s, method, url, 0, "dropped");
			return MHD_NO;	/* closes the connection */
		}
		if (q->kind == K_PUT) {
			q->got += (long long)*size;
			if (store_write(q, data, *size) != 0)
				return MHD_NO;
		} else if (MHD_post_process(q->pp, data, *size) != MHD_YES)
			q->status = q->status ? q->status : 400;
		*size = 0;
		return MHD_YES;
	}
	if (q->kind != K_OTHER) {
		/* Body complete. */
		if (q->status == 0 && q->path[0] == '\0')
			q->status = 400;
		if (q->status == 0)
			q->status = store_commit(s, q) == 0 ? 201 : 500;
		if (q->status == 201)
			q->note = q->discard ? "discarded" : "stored";
		log_line(s, method, url, q->status, q->note);
		return reply(c, (unsigned)q->status, "text/plain",
		    q->status == 201 ? "stored\n" : "not stored\n");
	}
	m = map(s, url, path, sizeof(path));
	status = 200;
	if (m == 0) {
		status = 400;
		log_line(s, method, url, status, "-");
		return reply(c, 400, "text/plain", "bad path\n");
	}
	if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
	    m == 2) {
		log_line(s, method, url, dir_exists(path) ? 200 : 404, "-");
		return list(c, path);
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
		struct stat st;

		status = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? 200 : 404;
		log_line(s, method, url, status, "-");
		return send_file(c, path);
	}
	if (strcmp(method, "DELETE") == 0 && m == 1) {
		status = unlink(path) == 0 ? 204 : 404;
		log_line(s, method, url, status, "-");
		return reply(c, (unsigned)status, "text/plain", "");
	}
	if (strcmp(method, "MOVE") == 0 && m == 1) {
		enum MHD_Result r = do_move(s, c, path, &status);

		log_line(s, method, url, status, "-");
		return r;
	}
	log_line(s, method, url, 405, "-");
	return reply(c, 405, "text/plain", "method not allowed\n");
}

static void
completed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req_free(*ctx);
	*ctx = NULL;
}

void
bankhttp_stop(struct bankhttp *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	if (s->log != NULL)
		fclose(s->log);
	free(s->root);
	free(s->cert);
	free(s->key);
	free(s->ca);
	free(s);
}

int
bankhttp_start(struct bankhttp **out, const struct bankhttp_opts *o,
    struct gw_err *e)
{
	struct bankhttp *s;
	struct sockaddr_in sa;
	size_t n;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	s->o = *o;
	if ((s->root = realpath(o->root, NULL)) == NULL) {
		bankhttp_stop(s);
		return gw_err_set(e, GW_EENV, "%s: %s", o->root, strerror(errno));
	}
	if (fs_read_small(&s->cert, &n, o->cert, 1 << 20, e) != 0 ||
	    fs_read_small(&s->key, &n, o->key, 1 << 20, e) != 0 ||
	    fs_read_small(&s->ca, &n, o->client_ca, 1 << 20, e) != 0) {
		bankhttp_stop(s);
		return e->code;
	}
	if (o->log != NULL && (s->log = fopen(o->log, "a")) == NULL) {
		bankhttp_stop(s);
		return gw_err_set(e, GW_EENV, "%s: %s", o->log, strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)o->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS,
	    (uint16_t)o->port, NULL, NULL, handler, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_HTTPS_MEM_CERT, s->cert,
	    MHD_OPTION_HTTPS_MEM_KEY, s->key,
	    MHD_OPTION_HTTPS_MEM_TRUST, s->ca,
	    MHD_OPTION_HTTPS_PRIORITIES,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		bankhttp_stop(s);
		return gw_err_set(e, GW_EENV, "cannot serve HTTPS on "
		    "127.0.0.1:%d", o->port);
	}
	*out = s;
	return 0;
}
