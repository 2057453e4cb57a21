/*
 * remote.h - one directory at a bank, over SFTP or HTTPS, on libcurl.
 *
 * A remote is opened on a directory URL from a [bank:CODE] section
 * (upload, returns) and does single operations on files in it: size,
 * put, list, get, delete, move. It knows nothing of records or retries;
 * it only says, through the error code, what kind of failure it met:
 *
 *   GW_ENET       transient: connect, timeout, dropped connection, HTTP 5xx,
 *                 408, 429. Worth another attempt after a backoff.
 *   GW_EAUTH      the peer or we were not accepted: host key mismatch or
 *                 unknown, certificate not trusted, pin mismatch, login
 *                 denied, HTTP 401/403. Never retried.
 *   GW_EKEY       our own key or certificate file is unusable.
 *   GW_ENOTFOUND  the remote file is not there.
 *   GW_EDUP       the remote refuses because the name is taken.
 *   GW_EENV       anything else, not retried.
 *
 * Peers are always verified: SFTP by host_key_sha256 and/or known_hosts
 * (an unknown or different key is refused), HTTPS by ca_file and/or
 * pin_sha256 with TLS 1.2 or newer. There is no switch to turn that off.
 *
 * SFTP puts go to ".NAME.part" and are renamed to NAME on the server in
 * the same request, so the bank never sees a partial file. HTTPS puts go
 * to NAME; the protocol (docs/transport.md) makes the server store it
 * atomically.
 */
#ifndef GW_REMOTE_H
#define GW_REMOTE_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "gateway/config.h"
#include "gateway/transfer.h"

struct remote;

struct remote_entry {
	char	 name[TRANSFER_NAME_MAX + 1];
	int64_t	 size;
};

/*
 * Open url (a directory, ending in '/') for bank b; key and certificate
 * paths are resolved against cfg's home. passphrase may be NULL (for an
 * encrypted client key). No network traffic yet. The caller owns *out and
 * frees it with remote_close.
 */
int	remote_open(struct remote **out, const struct config *cfg,
	    const struct bank_cfg *b, const char *url, const char *passphrase,
	    struct gw_err *e);
void	remote_close(struct remote *r);

/* The directory URL with any user name removed, for messages. */
const char *remote_where(const struct remote *r);

/* Size of NAME: 1 present (*size set), 0 absent, negative on error. */
int	remote_size(struct remote *r, const char *name, int64_t *size,
	    struct gw_err *e);

/* Upload local (size bytes) as NAME. */
int	remote_put(struct remote *r, const char *local, const char *name,
	    int64_t size, struct gw_err *e);

/*
 * Regular files in the directory: names and sizes. Entries whose names are
 * not valid (transfer_name_is_valid) are counted in *skipped and left out.
 * The caller frees *out.
 */
int	remote_list(struct remote *r, struct remote_entry **out, size_t *n,
	    size_t *skipped, struct gw_err *e);

/* Download NAME into fp, at most max bytes; *got is the count written. */
int	remote_get(struct remote *r, const char *name, FILE *fp, int64_t max,
	    int64_t *got, struct gw_err *e);

/* Remove NAME. GW_ENOTFOUND if it is not there. */
int	remote_delete(struct remote *r, const char *name, struct gw_err *e);

/*
 * Move NAME into dir on the server: dir is absolute, or relative to the
 * remote's directory; it is created if missing.
 */
int	remote_move(struct remote *r, const char *name, const char *dir,
	    struct gw_err *e);

/*
 * The error code for a libcurl result and HTTP status (0 when none):
 * 0 for success, else one of the codes above.
 */
int	remote_classify(int curl_code, long http_status);

/* 1 if code is worth another attempt (GW_ENET). */
int	remote_is_transient(int code);

/* Strip "SHA256:" and check a base64 SHA-256 fingerprint: 1 valid. */
int	remote_fingerprint_ok(const char *fp, const char **b64);

#endif
