/*
 * outbox.c - how an answer leaves the bank: made and signed in
 * state/ready/, recorded, then moved into outbox/ signature first.
 *
 *   write state/ready/RET (afile: temp, fsync, rename)
 *   sign it: state/ready/RET.p7s (or .sig), also atomic
 *   journal P FKEY RET, fsync            <- from here the answer exists
 *   link RET.p7s into outbox/, fsync, unlink from ready/
 *   link RET into outbox/, fsync, unlink from ready/
 *   journal R FKEY, fsync
 *
 * Our fetch never sees a partial file or a file without its signature:
 * each appears whole by link(), the signature first. Every step after P
 * is repeatable, so outbox_place finishes what a crash interrupted (a
 * name already in the outbox is the same file, linked before the
 * crash). A lost answer (--lose) goes to state/lost/ instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/fsutil.h"
#include "keys/keys.h"
#include "tests/bank/bank.h"

#define MAX_NAME 128

static int
exists_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fs_exists(path);
}

/* A return name for name that was never used: RET-NAME, RET-Pn-NAME,
 * and RET2-..., RET3-... should those be taken. */
static int
ret_name(const struct bank *b, const char *name, int part, char *out,
    size_t cap, struct gw_err *e)
{
	char prefix[32], kpart[8], ppart[8];
	size_t room, n = strlen(name);
	int k;

	for (k = 1; k < 100; k++) {
		snprintf(kpart, sizeof(kpart), "%.0d", k > 1 ? k : 0);
		snprintf(ppart, sizeof(ppart), part ? "-P%d" : "%.0d", part);
		snprintf(prefix, sizeof(prefix), "RET%s%s-", kpart, ppart);
		room = MAX_NAME - strlen(prefix);
		/* Keep the end of a long name: it holds the extension. */
		snprintf(out, cap, "%s%s", prefix, n > room ? name + n - room :
		    name);
		if (!ledger_return_used(b->led, out) &&
		    !exists_in(b->outbox, out) && !exists_in(b->lost, out))
			return 0;
	}
	return gw_err_set(e, GW_EDUP, "%s: no free return name", name);
}

/* The bank's MsgId for part of the answer to fkey, <= 35 characters,
 * the same after a restart. */
static void
msg_id_of(const struct bank *b, const char *fkey, int part, char out[36])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], in[600];

	snprintf(in, sizeof(in), "%s/%d", fkey, part);
	EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL);
	hex_encode(hex, md, mdlen);
	snprintf(out, 36, "%.8s-%.26s", b->o.code, hex);
}

int
outbox_make(struct bank *b, const struct infile *f, int part,
    outbox_write_fn fn, void *arg, struct gw_err *e)
{
	char name[MAX_NAME + 8], msg_id[36], sig[4096], *path = NULL;
	struct afile *af = NULL;
	int rc, lost;

	if ((rc = ret_name(b, f->name, part, name, sizeof(name), e)) != 0)
		return rc;
	if (asprintf(&path, "%s/%s", b->ready, name) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	msg_id_of(b, f->fkey, part, msg_id);
	if ((rc = afile_open(&af, path, 0644, e)) == 0) {
		if ((rc = fn(arg, afile_fp(af), msg_id, e)) == 0)
			rc = afile_commit(af, 0, e);
		else
			afile_abort(af);
	}
	if (rc == 0)
		rc = keys_sign_file_with(sig, sizeof(sig), b->o.key,
		    b->passphrase, b->o.cert, path, e);
	free(path);
	if (rc != 0)
		return rc;
	lost = ledger_counts(b->led)->returns_lost < b->o.lose;
	return ledger_return_made(b->led, f->fkey, name, lost, e);
}

/* Move ready/NAME to dir/NAME; done already when only dir has it. */
static int
move_one(const struct bank *b, const char *dir, const char *name,
    struct gw_err *e)
{
	char src[4096], dst[4096];
	struct gw_err why = GW_ERR_INIT;

	snprintf(src, sizeof(src), "%s/%s", b->ready, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if (!fs_exists(src)) {
		if (fs_exists(dst))
			return 0;
		return gw_err_set(e, GW_EIO, "%s: made but neither in %s nor "
		    "in %s", name, b->ready, dir);
	}
	if (fs_move_noreplace(src, dst, &why) == 0)
		return 0;
	if (why.code != GW_EDUP)
		return gw_err_pass(e, &why);
	/* Linked before a crash, not yet unlinked from ready/. */
	if (unlink(src) != 0)
		return gw_err_set(e, GW_EIO, "%s: %s", src, strerror(errno));
	return 0;
}

int
outbox_place(struct bank *b, const char *fkey, struct gw_err *e)
{
	const char *names[8];
	char sig[MAX_NAME + 8];
	int lost[8], rc;
	size_t i, n = ledger_returns(b->led, fkey, names, lost, 8);

	for (i = 0; i < n; i++) {
		const char *dir = lost[i] ? b->lost : b->outbox;

		snprintf(sig, sizeof(sig), "%s.p7s", names[i]);
		if (!exists_in(b->ready, sig) && !exists_in(dir, sig))
			snprintf(sig, sizeof(sig), "%s.sig", names[i]);
		if ((rc = move_one(b, dir, sig, e)) != 0 ||
		    (rc = move_one(b, dir, names[i], e)) != 0)
			return rc;
	}
	if ((rc = ledger_file_done(b->led, fkey, e)) != 0)
		return rc;
	return ledger_sync(b->led, e);
}
