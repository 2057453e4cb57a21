/*
 * cmd_keys.c - `debitgw keys|trust|sign|verify`: our signing keys, the
 * partner trust store, and signing and verifying files by hand.
 *
 * Everything here is a thin layer over keys/: parse options, open the
 * home, call one function, print one line (or a listing). Errors come
 * back with their exit status: 1 for a bad signature or input, 3 for an
 * unusable key or trust store.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "gateway/commands.h"
#include "keys/keys.h"
#include "keys/keystore.h"
#include "keys/trust.h"

static int
open_ks(struct cli *c, struct home **h, struct keystore **ks,
    struct gw_err *e)
{
	if (cli_home(c, h, e) != 0)
		return e->code;
	return keystore_open(ks, (*h)->dir, (*h)->db, c->passphrase_file, e);
}

static int
parse_days(int *out, const char *s, struct cli *c, struct gw_err *e)
{
	struct gw_err le = GW_ERR_INIT;

	*out = KEY_DAYS_DEFAULT;
	if (s != NULL && strnum_int(out, s, 1, KEY_DAYS_MAX, "--days", &le) != 0)
		return cli_usage(c, e, "%s", le.msg);
	return 0;
}

static void
print_key(const char *what, const struct key_info *k)
{
	printf("%s %s (%s): %s\n  certificate %s, issuer %s\n  valid %s .. "
	    "%s, sha256 %s\n  files keys/%s.key (encrypted), keys/%s\n",
	    k->ref, what, k->alg, k->state, k->subject, k->issuer,
	    k->not_before, k->not_after, k->fingerprint, k->ref, k->cert_file);
}

static void
print_retired(int64_t id)
{
	char ref[16];

	printf("%s retired: it signs no more; its certificate still verifies "
	    "what it signed\n", keystore_ref(ref, id));
}

/* keys gen, and keys rotate: gen that also retires a key (--retire). */
static int
make_key(struct cli *c, int argc, char **argv, int rotate, struct gw_err *e)
{
	const char *alg = NULL, *subject = NULL, *days_s = NULL, *ret = NULL;
	const struct cli_opt opts[] = {
		{ "alg", OPT_STR, &alg }, { "subject", OPT_STR, &subject },
		{ "days", OPT_STR, &days_s },
		{ rotate ? "retire" : NULL, OPT_STR, &ret },	/* gen: the end */
		{ NULL, 0, NULL },
	};
	struct keystore *ks = NULL;
	struct key_info k;
	struct home *h;
	int64_t retire_id = 0, retired;
	int days, rc;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    parse_days(&days, days_s, c, e) != 0 ||
	    (ret != NULL && keystore_id_parse(&retire_id, ret, e) != 0))
		return e->code;
	if (alg == NULL)
		return cli_usage(c, e, "--alg is required");
	if ((rc = open_ks(c, &h, &ks, e)) == 0)
		rc = rotate ? keystore_rotate(&k, &retired, ks, alg, subject,
		    days, retire_id, cli_actor(c), e) : keystore_gen(&k, ks, alg,
		    subject, days, cli_actor(c), e);
	if (rc == 0) {
		print_key("generated", &k);
		if (rotate)
			print_retired(retired);
	}
	keystore_close(ks);
	return rc;
}

static int
cmd_gen(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return make_key(c, argc, argv, 0, e);
}

static int
cmd_rotate(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return make_key(c, argc, argv, 1, e);
}

static int
key_arg(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
    char **pos, int npos, int64_t *id, struct home **h, struct keystore **ks,
    struct gw_err *e)
{
	if (cli_parse(c, argc, argv, opts, pos, npos, npos, NULL, e) != 0 ||
	    keystore_id_parse(id, pos[0], e) != 0)
		return e->code;
	return open_ks(c, h, ks, e);
}

static int
cmd_retire(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct keystore *ks = NULL;
	struct home *h;
	int64_t id;
	char *pos[1];
	int rc;

	if ((rc = key_arg(c, argc, argv, NULL, pos, 1, &id, &h, &ks, e)) == 0 &&
	    (rc = keystore_retire(ks, id, cli_actor(c), e)) == 0)
		print_retired(id);
	keystore_close(ks);
	return rc;
}

/* Run fn writing to --out F (atomically) or to stdout. */
static int
to_out(const char *out, int (*fn)(FILE *fp, struct keystore *ks, int64_t id,
    const char *arg, struct gw_err *e), struct keystore *ks, int64_t id,
    const char *arg, struct gw_err *e)
{
	struct afile *af;
	int rc;

	if (out == NULL)
		return fn(stdout, ks, id, arg, e);
	if ((rc = afile_open(&af, out, 0644, e)) != 0)
		return rc;
	if ((rc = fn(afile_fp(af), ks, id, arg, e)) != 0) {
		afile_abort(af);
		return rc;
	}
	if ((rc = afile_commit(af, 0, e)) == 0)
		fprintf(stderr, "wrote %s\n", out);
	return rc;
}

static int
csr_fn(FILE *fp, struct keystore *ks, int64_t id, const char *subject,
    struct gw_err *e)
{
	return keystore_csr(fp, ks, id, subject, e);
}

static int
export_fn(FILE *fp, struct keystore *ks, int64_t id, const char *arg,
    struct gw_err *e)
{
	(void)arg;
	return keystore_export_cert(fp, ks, id, e);
}

/* keys csr and keys export-cert: ID [--subject S] [--out F]. */
static int
key_out_cmd(struct cli *c, int argc, char **argv, int with_subject,
    int (*fn)(FILE *, struct keystore *, int64_t, const char *,
    struct gw_err *), struct gw_err *e)
{
	const char *subject = NULL, *out = NULL;
	const struct cli_opt opts[] = {
		{ "out", OPT_STR, &out }, { "subject", OPT_STR, &subject },
		{ NULL, 0, NULL },
	};
	struct cli_opt only[3];
	struct keystore *ks = NULL;
	struct home *h;
	int64_t id;
	char *pos[1];
	int rc;

	memcpy(only, opts, sizeof(only));
	if (!with_subject)
		only[1] = only[2];
	if ((rc = key_arg(c, argc, argv, only, pos, 1, &id, &h, &ks, e)) == 0)
		rc = to_out(out, fn, ks, id, subject, e);
	keystore_close(ks);
	return rc;
}

static int
cmd_csr(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return key_out_cmd(c, argc, argv, 1, csr_fn, e);
}

static int
cmd_export(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	return key_out_cmd(c, argc, argv, 0, export_fn, e);
}

static int
cmd_import(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct keystore *ks = NULL;
	struct key_info k;
	struct home *h;
	int64_t id;
	char *pos[2];
	int rc;

	if ((rc = key_arg(c, argc, argv, NULL, pos, 2, &id, &h, &ks, e)) == 0 &&
	    (rc = keystore_import_cert(&k, ks, id, pos[1], cli_actor(c),
	    e)) == 0)
		print_key("takes the imported certificate", &k);
	keystore_close(ks);
	return rc;
}

static const struct out_col key_cols[] = {
	{ "id", OUT_TEXT, 6 }, { "alg", OUT_TEXT, 8 },
	{ "state", OUT_TEXT, 8 }, { "created_at", OUT_TEXT, 21 },
	{ "retired_at", OUT_TEXT, 21 }, { "not_after", OUT_TEXT, 21 },
	{ "fingerprint", OUT_TEXT, 17 }, { "subject", OUT_TEXT, 0 },
};

/* A listing in progress; tables show fingerprints shortened. */
struct listing {
	struct out	*o;
	int		 table;
};

static int
key_row(void *arg, const struct key_info *k)
{
	struct listing *l = arg;
	char fp[24];

	out_text(l->o, k->ref);
	out_text(l->o, k->alg);
	out_text(l->o, k->state);
	out_text(l->o, k->created_at);
	out_text_or_null(l->o, k->retired_at);
	out_text(l->o, k->not_after);
	/* The table shows a prefix; machines get the whole fingerprint. */
	snprintf(fp, sizeof(fp), "%.16s", k->fingerprint);
	out_text(l->o, l->table ? fp : k->fingerprint);
	out_text(l->o, k->subject);
	out_row(l->o);
	return 0;
}

static int
cmd_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct keystore *ks = NULL;
	struct listing l;
	struct home *h;
	int rc;

	if (cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL, e) != 0 ||
	    open_ks(c, &h, &ks, e) != 0)
		return e->code;
	l.table = c->fmt == OUT_TABLE;
	if ((l.o = out_begin(stdout, c->fmt, key_cols,
	    OUT_NCOLS(key_cols))) == NULL) {
		keystore_close(ks);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	rc = keystore_foreach(ks, key_row, &l, e);
	out_end(l.o);
	keystore_close(ks);
	return rc;
}

/* ---- trust ------------------------------------------------------------- */

static void
warn_line(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "debitgw: warning: %s\n", msg);
}

static int
cmd_trust_add(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct home *h;
	char *pos[2];
	int n;

	if (cli_parse(c, argc, argv, NULL, pos, 2, 2, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if (config_bank(h->cfg, pos[0]) == NULL)
		return gw_err_set(e, GW_EINPUT, "unknown bank code '%s' (no "
		    "[bank:%s] section in the config)", pos[0], pos[0]);
	if (trust_add(&n, h->db, h->dir, pos[0], pos[1], cli_actor(c),
	    warn_line, NULL, e) != 0)
		return e->code;
	printf("bank %s: %d certificate%s from %s now trusted\n", pos[0], n,
	    n == 1 ? "" : "s", pos[1]);
	return 0;
}

static const struct out_col trust_cols[] = {
	{ "bank", OUT_TEXT, 6 }, { "entry", OUT_INT, 5 },
	{ "kind", OUT_TEXT, 6 }, { "not_before", OUT_TEXT, 21 },
	{ "not_after", OUT_TEXT, 21 }, { "fingerprint", OUT_TEXT, 17 },
	{ "subject", OUT_TEXT, 30 }, { "issuer", OUT_TEXT, 0 },
};

static int
trust_row(void *arg, const struct trust_entry *t)
{
	struct listing *l = arg;
	char fp[24];

	snprintf(fp, sizeof(fp), "%.16s", t->fingerprint);
	out_text(l->o, t->bank);
	out_int(l->o, t->id);
	out_text(l->o, t->is_ca ? "ca" : "signer");
	out_text(l->o, t->not_before);
	out_text(l->o, t->not_after);
	out_text(l->o, l->table ? fp : t->fingerprint);
	out_text(l->o, t->subject);
	out_text(l->o, t->issuer);
	out_row(l->o);
	return 0;
}

static int
cmd_trust_list(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct listing l;
	struct home *h;
	char *pos[1] = { NULL };
	int rc;

	if (cli_parse(c, argc, argv, NULL, pos, 0, 1, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	l.table = c->fmt == OUT_TABLE;
	if ((l.o = out_begin(stdout, c->fmt, trust_cols,
	    OUT_NCOLS(trust_cols))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = trust_foreach(h->db, pos[0], trust_row, &l, e);
	out_end(l.o);
	return rc;
}

static int
cmd_trust_remove(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	struct home *h;
	char *pos[2];

	if (cli_parse(c, argc, argv, NULL, pos, 2, 2, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0 ||
	    trust_remove(h->db, h->dir, pos[0], pos[1], cli_actor(c), e) != 0)
		return e->code;
	printf("bank %s: trust entry %s removed\n", pos[0], pos[1]);
	return 0;
}

/* ---- sign and verify --------------------------------------------------- */

static int
cmd_sign(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *alg = NULL;
	const struct cli_opt opts[] = {
		{ "alg", OPT_STR, &alg }, { NULL, 0, NULL },
	};
	struct keystore *ks = NULL;
	struct home *h;
	char *pos[1], sig[4096];
	int rc;

	if (cli_parse(c, argc, argv, opts, pos, 1, 1, NULL, e) != 0)
		return e->code;
	if ((rc = open_ks(c, &h, &ks, e)) == 0 &&
	    (rc = keys_sign_file(sig, sizeof(sig), ks, alg, pos[0], e)) == 0)
		printf("%s\n", sig);
	keystore_close(ks);
	return rc;
}

static void
print_verdict(const struct cli *c, const char *file,
    const struct keys_sig_info *in, int rc, const struct gw_err *e)
{
	char st[TS_BUFSZ], at[TS_BUFSZ];
	json_t *j;

	if (in->signing_time)
		ts_format_utc(st, in->signing_time);
	ts_format_utc(at, in->checked_at);
	if (c->fmt == OUT_JSON) {
		j = json_pack("{s:s, s:b, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, "
		    "s:s?, s:b, s:s, s:s?, s:I}", "file", file, "valid", rc == 0,
		    "failure", keys_fail_name(in->fail),
		    "reason", rc == 0 ? NULL : e->msg, "format", in->format,
		    "key_alg", in->key_alg, "digest", in->digest,
		    "subject", in->subject, "fingerprint", in->fingerprint,
		    "signing_time", in->signing_time ? st : NULL,
		    "signing_time_signed", in->signing_time_signed,
		    "checked_at", at, "trusted_by",
		    in->trusted_by[0] ? in->trusted_by : NULL,
		    "size", (json_int_t)in->size);
		if (j != NULL) {
			json_dumpf(j, stdout, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER);
			putchar('\n');
		}
		json_decref(j);
		return;
	}
	if (rc != 0)
		return;
	printf("%s: signature good (%s, %s key, %s)\n  signer %s\n"
	    "  certificate sha256 %s\n  signed %s%s; trusted as %s\n", file,
	    in->format, in->key_alg, in->digest, in->subject, in->fingerprint,
	    in->signing_time ? st : "at an unsigned time",
	    in->signing_time && !in->signing_time_signed ? " (claimed, not "
	    "signed)" : "", in->trusted_by);
}

static int
cmd_verify(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	const char *bank = NULL, *cafile = NULL;
	int own = 0;
	const struct cli_opt opts[] = {
		{ "bank", OPT_STR, &bank }, { "own", OPT_FLAG, &own },
		{ "cafile", OPT_STR, &cafile }, { NULL, 0, NULL },
	};
	struct keys_sig_info info;
	struct keys_trust t;
	struct home *h;
	char *pos[2] = { NULL, NULL };
	int rc;

	if (cli_parse(c, argc, argv, opts, pos, 1, 2, NULL, e) != 0)
		return e->code;
	if ((bank != NULL) + own + (cafile != NULL) != 1)
		return cli_usage(c, e, "say whose signature to expect: exactly "
		    "one of --bank B, --own, --cafile F");
	memset(&t, 0, sizeof(t));
	if (cafile != NULL) {
		t.ca_files = &cafile;
		t.nca_files = 1;
	} else {
		if (cli_home(c, &h, e) != 0)
			return e->code;
		t.db = h->db;
		t.home_dir = h->dir;
		t.bank = bank;
		t.own = own;
	}
	rc = keys_verify_path(&info, &t, pos[0], pos[1], e);
	if (rc == 0 || e->code == GW_ESIG)
		print_verdict(c, pos[0], &info, rc, e);
	return rc;
}

const struct cli_cmd keys_cmds[] = {
	{ "keys", "gen", cmd_gen, "--alg rsa3072|p256|sm2 [--subject S] "
	  "[--days N]",
	  "make a signing key with a self-signed certificate; it becomes the "
	  "active key of its algorithm",
	  "The private key is encrypted PKCS#8 (AES-256, PBKDF2) under the "
	  "passphrase from\n$DEBITGW_KEY_PASSPHRASE or --passphrase-file F "
	  "(mode 0600), at least 8\ncharacters. --subject \"/CN=name/O=org\" "
	  "(default /CN=debitgw signing key Kn);\n--days: validity, default "
	  "730. One key per algorithm is active." },
	{ "keys", "csr", cmd_csr, "ID [--subject S] [--out F]",
	  "write a PKCS#10 request for a bank or CA to sign (stdout or F)",
	  "SM2 requests are signed with the signer ID 1234567812345678; check "
	  "one with\nopenssl req -verify -vfyopt distid:1234567812345678." },
	{ "keys", "import-cert", cmd_import, "ID CERT.pem",
	  "attach the certificate a bank or CA signed for the key (with its "
	  "issuers, if any)", NULL },
	{ "keys", "list", cmd_list, "", "our keys (--json, --csv)", NULL },
	{ "keys", "rotate", cmd_rotate,
	  "--alg A [--subject S] [--days N] [--retire ID]",
	  "make a new active key and retire the old one (it still verifies)",
	  "Without --retire, the active key of algorithm A is retired, or, if "
	  "there is none,\nthe one active key of another algorithm (an "
	  "algorithm change)." },
	{ "keys", "retire", cmd_retire, "ID",
	  "retire an active key without a successor", NULL },
	{ "keys", "export-cert", cmd_export, "ID [--out F]",
	  "write the key's certificate chain (PEM) for a bank's trust store",
	  NULL },
	{ "trust", "add", cmd_trust_add, "BANK CERT.pem",
	  "trust the certificates in CERT.pem (PEM or DER; signer or CA) for "
	  "BANK's files", NULL },
	{ "trust", "list", cmd_trust_list, "[BANK]",
	  "trust entries (--json, --csv)", NULL },
	{ "trust", "remove", cmd_trust_remove, "BANK ENTRY",
	  "stop trusting an entry (its number, or 8+ hex digits of its "
	  "fingerprint)", NULL },
	{ "sign", NULL, cmd_sign, "FILE [--alg A]",
	  "sign FILE with our active key: FILE.p7s (CMS), or FILE.sig (SM2)",
	  "Prints the signature's path. --alg picks the key when keys of "
	  "several algorithms\nare active. Exit 3 when the key is unusable "
	  "(readable by others, wrong\npassphrase, certificate expired)." },
	{ "verify", NULL, cmd_verify,
	  "FILE [SIG] --bank BANK | --own | --cafile F",
	  "check FILE's signature (default FILE.p7s, else FILE.sig)",
	  "Checks the signature, that the signer chains to BANK's trust "
	  "entries (or our\nkeys, or the certificates in F), validity at the "
	  "signing time and key usage.\nExit 1 with the reason on any failure. "
	  "--json prints the verdict as an object." },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
