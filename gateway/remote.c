/*
 * remote.c - SFTP and HTTPS file operations on one libcurl easy handle.
 *
 * The handle is reset and set up again before each operation (setup()),
 * so no option of one request leaks into the next, while libcurl keeps
 * the connection: a pass over twenty files costs one SSH or TLS handshake.
 * Every setup applies the peer verification again; nothing here can turn
 * it off.
 *
 * Sizes on SFTP come from a NOBODY request on the file (libcurl stats it
 * and reports the size as the download length; a zero-byte file reads as
 * "unknown", which we take as 0). Listings on SFTP are the server's long
 * listing, parsed strictly in OpenSSH's nine-field form; a line in any
 * other shape is skipped rather than guessed at. HTTPS follows the
 * protocol in docs/transport.md: PUT or POST to upload, HEAD for the size,
 * GET of the directory for a JSON list, GET, DELETE and MOVE of a file.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "common/vec.h"
#include "gateway/remote.h"

#define LIST_MAX	(16 * 1024 * 1024)	/* bytes of listing we read */

struct remote {
	CURL			*h;
	const struct bank_cfg	*b;
	int			 sftp;
	char			*url;		/* directory, ends in '/' */
	char			*path;		/* its path part, for SFTP quotes */
	char			*where;		/* url without user, for messages */
	char			*key, *pub, *cert, *ca, *known_hosts;
	char			*passphrase;
	char			 errbuf[CURL_ERROR_SIZE];
	struct curl_slist	*list;		/* headers or quotes of one request */
};

struct membuf {
	char	*buf;
	size_t	 len, cap, max;
	int	 over;
};

struct sink {
	FILE	*fp;
	int64_t	 got, max;
	int	 over;
};

int
remote_classify(int cc, long st)
{
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSH:
	case CURLE_UPLOAD_FAILED:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_AGAIN:
		return GW_ENET;
	case CURLE_LOGIN_DENIED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_AUTH_ERROR:
		return GW_EAUTH;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
		return GW_EKEY;
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return GW_ENOTFOUND;
	case CURLE_REMOTE_FILE_EXISTS:
		return GW_EDUP;
	default:
		return GW_EENV;
	}
	if (st == 0 || (st >= 200 && st < 300))
		return 0;
	if (st == 401 || st == 403)
		return GW_EAUTH;
	if (st == 404)
		return GW_ENOTFOUND;
	if (st == 409 || st == 412)
		return GW_EDUP;
	if (st == 408 || st == 429 || st >= 500)
		return GW_ENET;
	return GW_EENV;
}

int
remote_is_transient(int code)
{
	return code == GW_ENET;
}

int
remote_fingerprint_ok(const char *fp, const char **b64)
{
	size_t i, n;

	if (strncmp(fp, "SHA256:", 7) == 0)
		fp += 7;
	n = strlen(fp);
	/* 32 bytes: 43 base64 characters, or 44 with one '=' of padding. */
	if (n != 43 && !(n == 44 && fp[43] == '='))
		return 0;
	for (i = 0; i < 43; i++)
		if (!isalnum((unsigned char)fp[i]) && fp[i] != '+' &&
		    fp[i] != '/')
			return 0;
	if (b64 != NULL)
		*b64 = fp;
	return 1;
}

static char *
resolve(const struct config *cfg, const char *p)
{
	return p != NULL ? config_path(cfg, p) : NULL;
}

void
remote_close(struct remote *r)
{
	if (r == NULL)
		return;
	if (r->h != NULL)
		curl_easy_cleanup(r->h);
	curl_slist_free_all(r->list);
	free(r->url);
	free(r->path);
	free(r->where);
	free(r->key);
	free(r->pub);
	free(r->cert);
	free(r->ca);
	free(r->known_hosts);
	if (r->passphrase != NULL) {
		explicit_bzero(r->passphrase, strlen(r->passphrase));
		free(r->passphrase);
	}
	free(r);
}

int
remote_open(struct remote **out, const struct config *cfg,
    const struct bank_cfg *b, const char *url, const char *passphrase,
    struct gw_err *e)
{
	static int curl_ready;
	struct remote *r;
	const char *host, *slash, *at;
	int rc = 0;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return gw_err_set(e, GW_EENV, "libcurl: cannot initialise");
		curl_ready = 1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	r->b = b;
	if (strncmp(url, "sftp://", 7) == 0)
		r->sftp = 1;
	else if (strncmp(url, "https://", 8) != 0) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: '%s': want sftp:// or "
		    "https://", b->code, url);
		goto fail;
	}
	host = url + (r->sftp ? 7 : 8);
	slash = strchr(host, '/');
	if (slash == NULL || url[strlen(url) - 1] != '/' || strchr(url, '%') ||
	    strchr(url, '?') || strchr(url, '#')) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: '%s': want a directory "
		    "URL ending in '/', without %%-escapes, query or fragment",
		    b->code, url);
		goto fail;
	}
	at = memchr(host, '@', (size_t)(slash - host));
	r->url = strdup(url);
	r->path = strdup(slash);
	if (at != NULL) {
		size_t n = (size_t)(host - url) + strlen(at + 1) + 1;

		if ((r->where = malloc(n)) != NULL)
			snprintf(r->where, n, "%.*s%s", (int)(host - url), url,
			    at + 1);
	} else
		r->where = strdup(url);
	r->key = resolve(cfg, b->client_key);
	r->pub = resolve(cfg, b->client_key_pub);
	r->cert = resolve(cfg, b->client_cert);
	r->ca = resolve(cfg, b->ca_file);
	r->known_hosts = resolve(cfg, b->known_hosts);
	if (passphrase != NULL)
		r->passphrase = strdup(passphrase);
	if (r->url == NULL || r->path == NULL || r->where == NULL ||
	    (b->client_key && !r->key) || (b->client_key_pub && !r->pub) ||
	    (b->client_cert && !r->cert) || (b->ca_file && !r->ca) ||
	    (b->known_hosts && !r->known_hosts) ||
	    (passphrase && !r->passphrase)) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto fail;
	}
	if (r->key == NULL) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: client_key is required",
		    b->code);
		goto fail;
	}
	/* Our private key must not be readable by others. */
	if ((rc = fs_check_private(r->key, e)) != 0)
		goto fail;
	if (r->sftp && b->host_key_sha256 == NULL && b->known_hosts == NULL) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: set host_key_sha256 or "
		    "known_hosts: the SFTP server must be verified", b->code);
		goto fail;
	}
	if (r->sftp && b->host_key_sha256 != NULL &&
	    !remote_fingerprint_ok(b->host_key_sha256, NULL)) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: host_key_sha256 '%s' is "
		    "not a base64 SHA-256 fingerprint (as `ssh-keygen -lf` "
		    "prints it)", b->code, b->host_key_sha256);
		goto fail;
	}
	if (!r->sftp && (r->cert == NULL || (r->ca == NULL &&
	    b->pin_sha256 == NULL))) {
		rc = gw_err_set(e, GW_ECONFIG, "[bank:%s]: HTTPS needs client_cert, "
		    "client_key and ca_file or pin_sha256", b->code);
		goto fail;
	}
	if ((r->h = curl_easy_init()) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "libcurl: out of memory");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	remote_close(r);
	return rc;
}

const char *
remote_where(const struct remote *r)
{
	return r->where;
}

/* Refuse any SFTP host key that known_hosts does not hold exactly. */
static int
known_host_cb(CURL *h, const struct curl_khkey *known,
    const struct curl_khkey *found, enum curl_khmatch match, void *arg)
{
	(void)h;
	(void)known;
	(void)found;
	(void)arg;
	return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

static size_t
discard_cb(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static size_t
mem_cb(char *p, size_t size, size_t n, void *arg)
{
	struct membuf *m = arg;
	size_t len = size * n;

	if (m->len + len + 1 > m->max) {
		m->over = 1;
		return 0;
	}
	if (m->len + len + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		char *nb;

		while (cap < m->len + len + 1)
			cap *= 2;
		if ((nb = realloc(m->buf, cap)) == NULL)
			return 0;
		m->buf = nb;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, p, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return len;
}

static size_t
sink_cb(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->got + (int64_t)len > s->max) {
		s->over = 1;
		return 0;
	}
	if (fwrite(p, 1, len, s->fp) != len)
		return 0;
	s->got += (int64_t)len;
	return len;
}

/* A fresh request on the kept connection: URL, limits, verification. */
static void
setup(struct remote *r, const char *name)
{
	char url[2048];
	CURL *h = r->h;

	curl_easy_reset(h);
	curl_slist_free_all(r->list);
	r->list = NULL;
	r->errbuf[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", r->url, name ? name : "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, r->sftp ? "sftp" : "https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)r->b->connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)r->b->transfer_timeout);
	/* A peer that stops moving data for connect_timeout seconds is as
	 * good as gone: fail (transiently) instead of waiting out the
	 * whole transfer_timeout. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)r->b->connect_timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	if (r->passphrase != NULL)
		curl_easy_setopt(h, CURLOPT_KEYPASSWD, r->passphrase);
	if (r->sftp) {
		curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES,
		    (long)CURLSSH_AUTH_PUBLICKEY);
		curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, r->key);
		/* "" lets libssh2 derive the public key from the private one. */
		curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE,
		    r->pub ? r->pub : "");
		if (r->b->host_key_sha256 != NULL) {
			const char *b64 = NULL;

			remote_fingerprint_ok(r->b->host_key_sha256, &b64);
			curl_easy_setopt(h, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256,
			    b64);
		}
		if (r->known_hosts != NULL) {
			curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS,
			    r->known_hosts);
			curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, known_host_cb);
		}
		curl_easy_setopt(h, CURLOPT_NEW_FILE_PERMS, 0640L);
		curl_easy_setopt(h, CURLOPT_NEW_DIRECTORY_PERMS, 0750L);
		return;
	}
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLCERT, r->cert);
	curl_easy_setopt(h, CURLOPT_SSLKEY, r->key);
	if (r->ca != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, r->ca);
	if (r->b->pin_sha256 != NULL)
		curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, r->b->pin_sha256);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}

/* What an operator should look at, for the failures that need one. */
static const char *
hint(const struct remote *r, CURLcode cc)
{
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return r->sftp ? "host key refused: not the key in "
		    "host_key_sha256 / known_hosts: " : "server certificate "
		    "not trusted (ca_file): ";
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return "server key is not the one in pin_sha256: ";
	case CURLE_LOGIN_DENIED:
		return "login refused: the bank does not accept our client_key "
		    "(or its passphrase is wrong): ";
	case CURLE_SSL_CERTPROBLEM:
		return "our client_cert/client_key cannot be used: ";
	case CURLE_SSL_CACERT_BADFILE:
		return "ca_file cannot be read: ";
	default:
		return "";
	}
}

/*
 * Run the request set up on r. 0 on success; otherwise the classified
 * code, with a message unless the file was simply not found.
 */
static int
perform(struct remote *r, const char *what, const char *name,
    struct gw_err *e)
{
	CURLcode cc;
	long st = 0;
	int code;

	cc = curl_easy_perform(r->h);
	if (!r->sftp)
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &st);
	if ((code = remote_classify(cc, st)) == 0 || code == GW_ENOTFOUND)
		return code;
	if (cc != CURLE_OK)
		return gw_err_set(e, code, "%s %s%s: %s%s (curl %d)", what,
		    r->where, name ? name : "", hint(r, cc), r->errbuf[0] ?
		    r->errbuf : curl_easy_strerror(cc), (int)cc);
	return gw_err_set(e, code, "%s %s%s: HTTP %ld", what, r->where,
	    name ? name : "", st);
}

/* Append to the request's list (quotes or headers). */
static int
add(struct remote *r, struct gw_err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
add(struct remote *r, struct gw_err *e, const char *fmt, ...)
{
	struct curl_slist *l;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((l = curl_slist_append(r->list, line)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	r->list = l;
	return 0;
}

int
remote_size(struct remote *r, const char *name, int64_t *size,
    struct gw_err *e)
{
	curl_off_t len = -1;
	int rc;

	setup(r, name);
	curl_easy_setopt(r->h, CURLOPT_NOBODY, 1L);
	if ((rc = perform(r, "size", name, e)) == GW_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	curl_easy_getinfo(r->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	/* libcurl reports an empty SFTP file as unknown length. */
	*size = len < 0 ? 0 : (int64_t)len;
	return 1;
}

int
remote_put(struct remote *r, const char *local, const char *name,
    int64_t size, struct gw_err *e)
{
	curl_mime *mime = NULL;
	FILE *fp = NULL;
	char part[TRANSFER_NAME_MAX + 8];
	int rc;

	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': not a valid file name",
		    name);
	if ((fp = fopen(local, "rb")) == NULL)
		return gw_err_set(e, GW_EIO, "%s: cannot read", local);
	if (r->sftp) {
		snprintf(part, sizeof(part), ".%s.part", name);
		setup(r, part);
		if ((rc = add(r, e, "rename %s%s %s%s", r->path, part, r->path,
		    name)) != 0)
			goto done;
		curl_easy_setopt(r->h, CURLOPT_POSTQUOTE, r->list);
	} else if (strcmp(r->b->http_upload_method, "POST") == 0) {
		curl_mimepart *p;

		setup(r, NULL);
		if ((mime = curl_mime_init(r->h)) == NULL ||
		    (p = curl_mime_addpart(mime)) == NULL ||
		    curl_mime_name(p, "file") != CURLE_OK ||
		    curl_mime_filedata(p, local) != CURLE_OK ||
		    curl_mime_filename(p, name) != CURLE_OK ||
		    curl_mime_type(p, "application/octet-stream") != CURLE_OK) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
		curl_easy_setopt(r->h, CURLOPT_MIMEPOST, mime);
	} else {
		setup(r, name);
		if ((rc = add(r, e, "Content-Type: application/octet-stream")) != 0)
			goto done;
		curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->list);
	}
	if (mime == NULL) {	/* SFTP, or HTTPS PUT: the file is the body */
		curl_easy_setopt(r->h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(r->h, CURLOPT_READDATA, fp);
		curl_easy_setopt(r->h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)size);
	}
	rc = perform(r, "put", name, e);
	if (rc == GW_ENOTFOUND)
		rc = gw_err_set(e, GW_ECONFIG, "put %s%s: the directory does not "
		    "exist at the bank", r->where, name);
done:
	curl_mime_free(mime);
	fclose(fp);
	return rc;
}

/*
 * One line of an OpenSSH long listing:
 * "-rw-r--r--    1 user group  1234 Jan 12 10:00 NAME" (nine fields).
 * 1 for a regular file (name, size set), 0 for anything else.
 */
static int
parse_long_line(char *line, struct remote_entry *out)
{
	char *f[10], *save = NULL, *t;
	int n = 0;
	int64_t size;

	for (t = strtok_r(line, " \t", &save); t && n < 10;
	    t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n != 9 || f[0][0] != '-' || strlen(f[0]) != 10)
		return 0;
	if (strnum_i64(&size, f[4], 0, INT64_MAX, "size", NULL) != 0)
		return 0;
	if (strlen(f[8]) > TRANSFER_NAME_MAX)
		return 0;
	snprintf(out->name, sizeof(out->name), "%s", f[8]);
	out->size = size;
	return 1;
}

static int
push(struct remote_entry **v, size_t *n, size_t *cap,
    const struct remote_entry *ent)
{
	if (vec_room(v, *n, cap, sizeof(**v)) != 0)
		return -1;
	(*v)[(*n)++] = *ent;
	return 0;
}

static int
parse_sftp_list(char *buf, struct remote_entry **v, size_t *n, size_t *cap,
    size_t *skipped)
{
	char *line, *save = NULL;
	struct remote_entry ent;

	for (line = strtok_r(buf, "\r\n", &save); line;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (line[0] != '-')
			continue;	/* directories, links, devices */
		if (!parse_long_line(line, &ent) ||
		    !transfer_name_is_valid(ent.name)) {
			(*skipped)++;
			continue;
		}
		if (push(v, n, cap, &ent) != 0)
			return -1;
	}
	return 0;
}

static int
parse_json_list(struct remote *r, const char *buf, struct remote_entry **v,
    size_t *n, size_t *cap, size_t *skipped, struct gw_err *e)
{
	json_error_t je;
	json_t *root, *it;
	size_t i;
	int rc = 0;

	if ((root = json_loads(buf, JSON_REJECT_DUPLICATES, &je)) == NULL ||
	    !json_is_array(root)) {
		json_decref(root);
		return gw_err_set(e, GW_EENV, "list %s: not a JSON array of "
		    "{name, size} (%s)", r->where, root ? "not an array" : je.text);
	}
	json_array_foreach(root, i, it) {
		struct remote_entry ent;
		json_t *jn = json_object_get(it, "name");
		json_t *js = json_object_get(it, "size");

		if (!json_is_string(jn) || !json_is_integer(js) ||
		    json_integer_value(js) < 0 ||
		    !transfer_name_is_valid(json_string_value(jn))) {
			(*skipped)++;
			continue;
		}
		snprintf(ent.name, sizeof(ent.name), "%s", json_string_value(jn));
		ent.size = json_integer_value(js);
		if (push(v, n, cap, &ent) != 0) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			break;
		}
	}
	json_decref(root);
	return rc;
}

int
remote_list(struct remote *r, struct remote_entry **out, size_t *n,
    size_t *skipped, struct gw_err *e)
{
	struct membuf m;
	struct remote_entry *v = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	memset(&m, 0, sizeof(m));
	m.max = LIST_MAX;
	setup(r, NULL);
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, mem_cb);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, &m);
	if (!r->sftp && (rc = add(r, e, "Accept: application/json")) == 0)
		curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->list);
	rc = perform(r, "list", NULL, e);
	if (m.over && (rc == 0 || rc == GW_EENV)) {
		gw_err_clear(e);
		rc = gw_err_set(e, GW_ELIMIT, "list %s: longer than %d bytes",
		    r->where, LIST_MAX);
	}
	if (rc == GW_ENOTFOUND)
		rc = gw_err_set(e, GW_ECONFIG, "list %s: the directory does not "
		    "exist at the bank", r->where);
	if (rc == 0 && m.buf != NULL) {
		if (r->sftp) {
			if (parse_sftp_list(m.buf, &v, n, &cap, skipped) != 0)
				rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		} else
			rc = parse_json_list(r, m.buf, &v, n, &cap, skipped, e);
	} else if (rc == 0 && !r->sftp)
		rc = gw_err_set(e, GW_EENV, "list %s: empty answer", r->where);
	free(m.buf);
	if (rc != 0) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}

int
remote_get(struct remote *r, const char *name, FILE *fp, int64_t max,
    int64_t *got, struct gw_err *e)
{
	struct sink s;
	int rc;

	*got = 0;
	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': not a valid file name",
		    name);
	memset(&s, 0, sizeof(s));
	s.fp = fp;
	s.max = max;
	setup(r, name);
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, sink_cb);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, &s);
	rc = perform(r, "get", name, e);
	*got = s.got;
	if (s.over) {
		gw_err_clear(e);
		/* The file grew since it was listed: try again later. */
		return gw_err_set(e, GW_ENET, "get %s%s: more than the %lld bytes "
		    "listed; the bank is still writing it?", r->where, name,
		    (long long)max);
	}
	if (rc == GW_ENOTFOUND)
		return gw_err_set(e, GW_ENOTFOUND, "get %s%s: no longer there",
		    r->where, name);
	return rc;
}

int
remote_delete(struct remote *r, const char *name, struct gw_err *e)
{
	int64_t size;
	int rc;

	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': not a valid file name",
		    name);
	if (r->sftp) {
		if ((rc = remote_size(r, name, &size, e)) < 0)
			return rc;
		if (rc == 0)
			return GW_ENOTFOUND;
		setup(r, NULL);
		if ((rc = add(r, e, "rm %s%s", r->path, name)) != 0)
			return rc;
		curl_easy_setopt(r->h, CURLOPT_QUOTE, r->list);
		curl_easy_setopt(r->h, CURLOPT_NOBODY, 1L);
		return perform(r, "delete", name, e);
	}
	setup(r, name);
	curl_easy_setopt(r->h, CURLOPT_CUSTOMREQUEST, "DELETE");
	return perform(r, "delete", name, e);
}

int
remote_move(struct remote *r, const char *name, const char *dir,
    struct gw_err *e)
{
	char dest[2048];
	size_t n;
	int rc;

	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': not a valid file name",
		    name);
	n = strlen(dir);
	if (n == 0 || strstr(dir, "..") || strpbrk(dir, " \t\r\n\"%?#"))
		return gw_err_set(e, GW_ECONFIG, "after_ingest move:%s: not a "
		    "usable directory", dir);
	snprintf(dest, sizeof(dest), "%s%s%s", dir[0] == '/' ? "" : r->path,
	    dir, dir[n - 1] == '/' ? "" : "/");
	if (r->sftp) {
		setup(r, NULL);
		/* '*': a directory that already exists is fine. */
		if ((rc = add(r, e, "*mkdir %.*s", (int)strlen(dest) - 1,
		    dest)) != 0 || (rc = add(r, e, "rename %s%s %s%s", r->path,
		    name, dest, name)) != 0)
			return rc;
		curl_easy_setopt(r->h, CURLOPT_QUOTE, r->list);
		curl_easy_setopt(r->h, CURLOPT_NOBODY, 1L);
		return perform(r, "move", name, e);
	}
	setup(r, name);
	if ((rc = add(r, e, "Destination: %s%s", dest, name)) != 0)
		return rc;
	curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->list);
	curl_easy_setopt(r->h, CURLOPT_CUSTOMREQUEST, "MOVE");
	return perform(r, "move", name, e);
}
