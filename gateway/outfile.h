/*
 * outfile.h - how a file we send reaches the outbox.
 *
 * A file is written into HOME/tmp/NAME, signed there (NAME.p7s or
 * NAME.sig), recorded by the caller as signed with its SHA-256, and only
 * then renamed into outbox/BANK/: signature first, file last, directory
 * fsynced. The transport picks a file up only once its signature lies
 * beside it, and the outbox never holds a file its part has no row for.
 * Batches and mandate requests both go this way.
 */
#ifndef GW_OUTFILE_H
#define GW_OUTFILE_H

#include "common/err.h"
#include "common/fsutil.h"
#include "gateway/home.h"
#include "keys/keys.h"

/* Write the file's content at path (through afile_*); 0 or an error. */
typedef int (*outfile_write_fn)(void *arg, const char *path, struct gw_err *e);

struct outfile {
	char	stage[4096];		/* HOME/tmp/NAME */
	char	sig[4096];		/* HOME/tmp/NAME.p7s or .sig */
	char	sha256[SHA256_HEX_LEN + 1];
};

/*
 * Write NAME into HOME/tmp with fn and sign it with our active key (the
 * keystore is opened on first need and kept in *ks for later files;
 * the caller closes it). If expect_sha256 is given, a file whose SHA-256
 * differs is refused (GW_EIO): a file made again must be the same bytes.
 */
int	outfile_stage(struct outfile *out, struct home *h, struct keystore **ks,
	    const char *passphrase_file, const char *name, outfile_write_fn fn,
	    void *arg, const char *expect_sha256, struct gw_err *e);

/* Rename the staged signature, then the file, into outbox/BANK/. */
int	outfile_place(const struct outfile *of, struct home *h, const char *bank,
	    struct gw_err *e);

/* 1 if outbox/BANK/NAME or archive/BANK/NAME exists. */
int	outfile_is_out(struct home *h, const char *bank, const char *name);

#endif
