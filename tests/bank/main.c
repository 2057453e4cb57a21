/*
 * main.c - build/bank-sim, a partner bank for the end-to-end tests.
 *
 *   bank-sim --dir D --accounts F --key K --cert C --trust PEM ... --code X
 *            [--passphrase-file F] [--text DESC [--text-code OUTCOME=CODE]]
 *            [--mandates off|rejected|strict] [--partial] [--lose N]
 *            [--delay-ms N] [--once | --watch [--poll-ms N] [--ready F]]
 *   bank-sim --report --dir D [--accounts F [--balances]]
 *   bank-sim --make-accounts BATCH --cycle LIST [--text DESC]
 *
 * D/inbox/ is where our uploads land, D/outbox/ where the answers wait
 * for our fetch, D/state/ the bank's own records. One bank-sim runs on
 * a D at a time (a lock). --once answers what the inbox holds and exits;
 * --watch polls until SIGTERM or SIGINT, which end it between two files.
 * Every file is one line on stderr. Exit status: 0, 1 a bad fixture,
 * 2 usage, 3 environment (keys, folders, journal).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/money.h"
#include "common/strnum.h"
#include "common/text.h"
#include "keys/keys.h"
#include "tests/bank/bank.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum opt {
	O_DIR, O_ACCOUNTS, O_KEY, O_CERT, O_PASSFILE, O_TRUST, O_CODE, O_TEXT,
	O_TEXT_CODE, O_MANDATES, O_PARTIAL, O_LOSE, O_DELAY, O_ONCE, O_WATCH,
	O_POLL, O_READY, O_REPORT, O_BALANCES, O_MAKE, O_CYCLE
};

static const struct {
	const char	*name;
	enum opt	 id;
	int		 arg;
} opts[] = {
	{ "--dir", O_DIR, 1 }, { "--accounts", O_ACCOUNTS, 1 },
	{ "--key", O_KEY, 1 }, { "--cert", O_CERT, 1 },
	{ "--passphrase-file", O_PASSFILE, 1 }, { "--trust", O_TRUST, 1 },
	{ "--code", O_CODE, 1 }, { "--text", O_TEXT, 1 },
	{ "--text-code", O_TEXT_CODE, 1 }, { "--mandates", O_MANDATES, 1 },
	{ "--partial", O_PARTIAL, 0 }, { "--lose", O_LOSE, 1 },
	{ "--delay-ms", O_DELAY, 1 }, { "--once", O_ONCE, 0 },
	{ "--watch", O_WATCH, 0 }, { "--poll-ms", O_POLL, 1 },
	{ "--ready", O_READY, 1 }, { "--report", O_REPORT, 0 },
	{ "--balances", O_BALANCES, 0 }, { "--make-accounts", O_MAKE, 1 },
	{ "--cycle", O_CYCLE, 1 },
};

static const char usage[] =
    "usage: bank-sim --dir D --accounts F --key K --cert C --trust PEM "
    "[--trust PEM]... --code X\n"
    "                [--passphrase-file F] [--text DESC [--text-code "
    "OUTCOME=CODE]...]\n"
    "                [--mandates off|rejected|strict] [--partial] "
    "[--lose N] [--delay-ms N]\n"
    "                [--once | --watch [--poll-ms N] [--ready FILE]]\n"
    "       bank-sim --report --dir D [--accounts F [--balances]]\n"
    "       bank-sim --make-accounts BATCH --cycle LIST [--text DESC]";

struct cli {
	struct bank_opts o;
	int		 once, watch, report, balances, poll_ms;
	const char	*ready, *make, *cycle;
};

static int
text_code(struct bank_opts *o, const char *v, struct gw_err *e)
{
	const char *eq = strchr(v, '=');
	char name[32];
	int out;

	if (eq == NULL || (size_t)(eq - v) >= sizeof(name) || eq[1] == '\0')
		return gw_err_set(e, GW_EUSAGE, "--text-code %s: want "
		    "OUTCOME=CODE", v);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
	if ((out = outcome_parse(name)) < 0)
		return gw_err_set(e, GW_EUSAGE, "--text-code: no outcome '%s'",
		    name);
	o->text_code[out] = eq + 1;
	return 0;
}

static int
set(struct cli *c, enum opt id, const char *v, struct gw_err *e)
{
	static const char *const modes[] = { "off", "rejected", "strict" };
	int i;

	switch (id) {
	case O_DIR: c->o.dir = v; return 0;
	case O_ACCOUNTS: c->o.accounts = v; return 0;
	case O_KEY: c->o.key = v; return 0;
	case O_CERT: c->o.cert = v; return 0;
	case O_PASSFILE: c->o.passphrase_file = v; return 0;
	case O_CODE: c->o.code = v; return 0;
	case O_TEXT: c->o.text = v; return 0;
	case O_PARTIAL: c->o.partial = 1; return 0;
	case O_ONCE: c->once = 1; return 0;
	case O_WATCH: c->watch = 1; return 0;
	case O_READY: c->ready = v; return 0;
	case O_REPORT: c->report = 1; return 0;
	case O_BALANCES: c->balances = 1; return 0;
	case O_MAKE: c->make = v; return 0;
	case O_CYCLE: c->cycle = v; return 0;
	case O_TEXT_CODE: return text_code(&c->o, v, e);
	case O_LOSE: return strnum_int(&c->o.lose, v, 0, 1000000, "--lose", e);
	case O_DELAY:
		return strnum_int(&c->o.delay_ms, v, 0, 3600000, "--delay-ms",
		    e);
	case O_POLL:
		return strnum_int(&c->poll_ms, v, 1, 600000, "--poll-ms", e);
	case O_TRUST:
		if (c->o.ntrust == BANK_MAX_TRUST)
			return gw_err_set(e, GW_EUSAGE, "at most %d --trust",
			    BANK_MAX_TRUST);
		c->o.trust[c->o.ntrust++] = v;
		return 0;
	case O_MANDATES:
		for (i = 0; i < 3; i++)
			if (strcmp(v, modes[i]) == 0) {
				c->o.mandates = (enum mandate_mode)i;
				return 0;
			}
		return gw_err_set(e, GW_EUSAGE, "--mandates: off, rejected or "
		    "strict");
	}
	return 0;
}

static int
parse(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	size_t k;
	int i;

	memset(c, 0, sizeof(*c));
	c->poll_ms = 200;
	c->o.code = "BANKSIM";
	for (i = 1; i < argc; i++) {
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]) &&
		    strcmp(argv[i], opts[k].name) != 0; k++)
			;
		if (k == sizeof(opts) / sizeof(opts[0]))
			return gw_err_set(e, GW_EUSAGE, "unknown option %s",
			    argv[i]);
		if (opts[k].arg && i + 1 == argc)
			return gw_err_set(e, GW_EUSAGE, "%s needs a value",
			    argv[i]);
		if (set(c, opts[k].id, opts[k].arg ? argv[++i] : NULL, e) != 0)
			return e->code;
	}
	if (c->make)
		return c->cycle ? 0 : gw_err_set(e, GW_EUSAGE, "--cycle LIST");
	if (c->o.dir == NULL)
		return gw_err_set(e, GW_EUSAGE, "--dir D is required");
	if (c->report)
		return 0;
	if (!c->o.accounts || !c->o.key || !c->o.cert || c->o.ntrust == 0)
		return gw_err_set(e, GW_EUSAGE, "--accounts, --key, --cert and "
		    "--trust are required");
	if (c->once == c->watch)
		return gw_err_set(e, GW_EUSAGE, "one of --once and --watch");
	return 0;
}

/* The key's passphrase: first line of a 0600 file, or the environment
 * as debitgw takes it, or none (an unencrypted key). */
static int
passphrase(struct bank *b, struct gw_err *e)
{
	const char *env = getenv("DEBITGW_KEY_PASSPHRASE");
	char *text = NULL;
	size_t len;
	int rc;

	if (b->o.passphrase_file == NULL) {
		b->passphrase = env ? strdup(env) : NULL;
		return env && !b->passphrase ? gw_err_set(e, GW_ENOMEM,
		    "out of memory") : 0;
	}
	if ((rc = fs_check_private(b->o.passphrase_file, e)) != 0 ||
	    (rc = fs_read_small(&text, &len, b->o.passphrase_file, 4096,
	    e)) != 0)
		return rc;
	text[strcspn(text, "\r\n")] = '\0';
	b->passphrase = text;
	return 0;
}

/* For each outcome, the code a text bank answers with: --text-code, else
 * the descriptor's first code of its category, else the ISO code. */
static void
resolve_codes(struct bank *b)
{
	const char *code, *cat;
	size_t k;
	int i;

	b->text_code[OUT_OK] = textfmt_success_code(b->tf);
	for (i = 1; i < OUT_N; i++) {
		b->text_code[i] = b->o.text_code[i];
		for (k = 0; !b->text_code[i] && textfmt_code(b->tf, k, &code,
		    &cat); k++)
			if (strcmp(cat, outcomes[i].category) == 0)
				b->text_code[i] = code;
		if (b->text_code[i] == NULL)
			b->text_code[i] = outcomes[i].iso;
	}
	if (b->o.text_code[OUT_OK])
		b->text_code[OUT_OK] = b->o.text_code[OUT_OK];
}

static int
dirs(struct bank *b, struct gw_err *e)
{
	const char *sub[] = { "inbox", "outbox", "state", "state/ready",
	    "state/lost" };
	char **dst[] = { &b->inbox, &b->outbox, &b->state, &b->ready,
	    &b->lost };
	size_t i;
	int rc;

	for (i = 0; i < 5; i++) {
		if (asprintf(dst[i], "%s/%s", b->o.dir, sub[i]) < 0) {
			*dst[i] = NULL;
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
		if ((rc = fs_mkdirs(*dst[i], 0755, e)) != 0)
			return rc;
	}
	return 0;
}

/* One bank per folder: a second would answer the same files twice. */
static int
lock(const struct bank *b, int *fd, struct gw_err *e)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/lock", b->state);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return gw_err_set(e, GW_EENV, "%s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0)
		return gw_err_set(e, GW_EBUSY, "another bank-sim works in %s",
		    b->o.dir);
	return 0;
}

/* Sign a probe file, so a wrong key or passphrase stops the bank now
 * rather than at its first answer. */
static int
probe_key(const struct bank *b, struct gw_err *e)
{
	char path[4096], sig[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/key-probe", b->ready);
	if ((rc = fs_write_atomic(path, "probe\n", 6, 0600, e)) == 0)
		rc = keys_sign_file_with(sig, sizeof(sig), b->o.key,
		    b->passphrase, b->o.cert, path, e);
	if (rc == 0)
		unlink(sig);
	unlink(path);
	return rc;
}

static int
open_bank(struct bank *b, int *lockfd, struct gw_err *e)
{
	const char *fkeys[64];
	int rc, n, i;

	if ((rc = dirs(b, e)) != 0 || (rc = lock(b, lockfd, e)) != 0 ||
	    (rc = passphrase(b, e)) != 0 ||
	    (rc = accounts_load(&b->acc, b->o.accounts, e)) != 0 ||
	    (rc = ledger_open(&b->led, b->state, b->acc, 0, e)) != 0 ||
	    (rc = strmap_new(&b->seen_mtime, e)) != 0 ||
	    (rc = strmap_new(&b->seen_size, e)) != 0 ||
	    (rc = probe_key(b, e)) != 0)
		return rc;
	if (b->o.text) {
		if ((rc = textfmt_load(&b->tf, b->o.text, e)) != 0)
			return rc;
		resolve_codes(b);
	}
	/* Answers made but not all placed when the bank stopped. */
	while ((n = ledger_pending(b->led, fkeys, 64)) > 0)
		for (i = 0; i < n; i++)
			if ((rc = outbox_place(b, fkeys[i], e)) != 0)
				return rc;
	return 0;
}

static void
close_bank(struct bank *b)
{
	textfmt_free(b->tf);
	strmap_free(b->seen_mtime);
	strmap_free(b->seen_size);
	ledger_close(b->led);
	accounts_free(b->acc);
	if (b->passphrase)
		OPENSSL_cleanse(b->passphrase, strlen(b->passphrase));
	free(b->passphrase);
	free(b->inbox);
	free(b->outbox);
	free(b->state);
	free(b->ready);
	free(b->lost);
}

static int
serve(struct bank *b, const struct cli *c, struct gw_err *e)
{
	struct timespec nap = { c->poll_ms / 1000,
	    (long)(c->poll_ms % 1000) * 1000000 };
	int handled, rc;

	if (c->ready && (rc = fs_write_atomic(c->ready, "ready\n", 6, 0644,
	    e)) != 0)
		return rc;
	do {
		if ((rc = inbox_pass(b, &handled, e)) != 0)
			return rc;
		if (c->once)
			break;
		nanosleep(&nap, NULL);		/* a signal cuts it short */
	} while (!stop);
	return 0;
}

static int
report(const struct cli *c, struct gw_err *e)
{
	struct accounts *acc = NULL;
	struct ledger *led = NULL;
	char state[4096], yuan[MONEY_BUFSZ];
	size_t i;
	int rc;

	snprintf(state, sizeof(state), "%s/state", c->o.dir);
	if (!fs_exists(state))
		return gw_err_set(e, GW_EENV, "%s: no bank here", c->o.dir);
	if ((c->o.accounts && (rc = accounts_load(&acc, c->o.accounts,
	    e)) != 0) || (rc = ledger_open(&led, state, acc, 1, e)) != 0)
		goto done;
	ledger_report(led, stdout);
	for (i = 0; c->balances && acc && i < accounts_count(acc); i++) {
		const struct account *a = accounts_at(acc, i);

		printf("balance %s %s %s\n", a->no, money_format(yuan,
		    a->balance_fen), acct_status_name(a->status));
	}
done:
	ledger_close(led);
	accounts_free(acc);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct bank b;
	struct textfmt *tf = NULL;
	struct gw_err e = GW_ERR_INIT;
	struct sigaction sa;
	int rc, lockfd = -1;

	log_init("bank-sim", 0, LOG_LVL_INFO);
	if (parse(&c, argc, argv, &e) != 0) {
		fprintf(stderr, "bank-sim: %s\n%s\n", e.msg, usage);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.o = c.o;
	b.stop = &stop;
	if (c.make) {
		if ((rc = c.o.text ? textfmt_load(&tf, c.o.text, &e) : 0) == 0)
			rc = fixture_accounts(c.make, tf, c.cycle, stdout, &e);
		textfmt_free(tf);
	} else if (c.report)
		rc = report(&c, &e);
	else {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		if ((rc = open_bank(&b, &lockfd, &e)) == 0)
			rc = serve(&b, &c, &e);
		close_bank(&b);
		if (lockfd >= 0)
			close(lockfd);
	}
	text_cleanup();
	if (rc != 0) {
		fprintf(stderr, "bank-sim: %s\n", e.msg);
		return gw_err_exit_status(rc);
	}
	return 0;
}
