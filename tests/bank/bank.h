/*
 * bank.h - the parts of the bank simulator (build/bank-sim), a partner
 * bank for the end-to-end tests: it takes our signed debit batches and
 * mandate requests from its inbox, decides them against its accounts and
 * answers, signed, in its outbox. docs/bank-simulator.md is the user's
 * view; this header is the map for a reader of the code.
 *
 *   main.c        options, the poll loop, --report, --make-accounts
 *   inbox.c       which inbox files are complete and new, in upload order
 *   debit.c       a debit batch: verify, read, decide, journal, answer
 *   mandate.c     pain.009 / pain.011 in, pain.012 out
 *   decide.c      the outcome of one debit against the accounts
 *   accounts.c    the accounts fixture (CSV) and the balances
 *   ledger.c      what the journal says: debited items, files, mandates
 *   journal.c     state/journal, the append-only record of all of it
 *   outbox.c      sign a return and place it in outbox/ atomically
 *   ret_pain002.c ret_pain012.c ret_text.c   the answers, as files
 *   strmap.c      string-keyed hash map, string arena, growing arrays
 *
 * Exactly once: every decision is appended to state/journal and fsynced
 * before its return is made; balances and the set of debited EndToEndIds
 * are rebuilt from the journal at start, so a restart at any moment
 * neither debits an item twice nor forgets one (docs/bank-simulator.md,
 * "Exactly once").
 */
#ifndef GW_BANK_H
#define GW_BANK_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "common/err.h"
#include "common/vec.h"
#include "formats/iso20022.h"
#include "formats/textfmt.h"

/* ---- strmap.c ------------------------------------------------------------ */

/* Keys are copied; values are int64. */
struct strmap;

int	strmap_new(struct strmap **out, struct gw_err *e);
void	strmap_free(struct strmap *m);
/* The value of key, or NULL. */
int64_t	*strmap_get(const struct strmap *m, const char *key);
/* The value of key, added as 0 (*added = 1) when missing; NULL: no
 * memory. */
int64_t	*strmap_put(struct strmap *m, const char *key, int *added);
size_t	 strmap_count(const struct strmap *m);

/* Strings that live as long as the arena; never moved. */
struct arena;

int	arena_new(struct arena **out, struct gw_err *e);
void	arena_free(struct arena *a);
/* A copy of s, or NULL when out of memory. */
const char *arena_str(struct arena *a, const char *s);

/* ---- outcomes (decide.c) ------------------------------------------------- */

enum outcome {
	OUT_OK,			/* debited */
	OUT_UNKNOWN,		/* no such account */
	OUT_CLOSED,
	OUT_LOST,		/* reported lost */
	OUT_ABNORMAL,
	OUT_FROZEN,
	OUT_NAME,		/* name differs from the account holder's */
	OUT_MANDATE,		/* no accepted mandate (--mandates) */
	OUT_FUNDS,		/* balance below the amount */
	OUT_DUPLICATE,		/* this EndToEndId was debited before */
	OUT_BADSIG,		/* whole files from here on: the file's
				 * signature does not verify */
	OUT_BADFILE,		/* the file cannot be read */
	OUT_N
};

struct outcome_def {
	const char	*name;		/* "funds"; also in the journal */
	const char	*iso;		/* AM04; "" for OUT_OK */
	const char	*category;	/* reason.h name; NULL for OUT_OK */
	const char	*text;		/* what the bank says, Chinese */
};

extern const struct outcome_def outcomes[OUT_N];

/* By name; -1 when unknown. */
int	outcome_parse(const char *name);

/* ---- accounts.c ---------------------------------------------------------- */

enum acct_status { ACCT_OK, ACCT_FROZEN, ACCT_CLOSED, ACCT_ABNORMAL,
	ACCT_LOST, ACCT_NSTATUS };

struct account {
	const char	*no;
	const char	*name;
	int64_t		 balance_fen;
	enum acct_status status;
};

struct accounts;

/*
 * Load the fixture: CSV with the header account_no,name,balance,status
 * (docs/bank-simulator.md). A bad row is GW_EINPUT "FILE:LINE: reason".
 */
int	accounts_load(struct accounts **out, const char *path,
	    struct gw_err *e);
void	accounts_free(struct accounts *a);
/* The account, or NULL. */
struct account *accounts_find(struct accounts *a, const char *no);
size_t	accounts_count(const struct accounts *a);
struct account *accounts_at(struct accounts *a, size_t i);
const char *acct_status_name(enum acct_status s);
int	acct_status_parse(const char *s);		/* -1 when unknown */

/* ---- decide.c ------------------------------------------------------------ */

enum mandate_mode {
	MANDATES_OFF,		/* mandates are not checked */
	MANDATES_REJECTED,	/* MD01 for a mandate the bank rejected or
				 * that was cancelled */
	MANDATES_STRICT		/* MD01 unless the bank accepted it */
};

enum mandate_state { MS_UNKNOWN, MS_ACCEPTED, MS_REJECTED, MS_CANCELLED };

struct debit_ask {
	const char	*account;
	const char	*name;		/* "" when the file has none */
	int64_t		 amount_fen;
	enum mandate_state mandate;
};

/*
 * What the bank does with one debit: the checks a bank core makes, in
 * order (account known, closed, lost, abnormal, frozen, name, mandate,
 * balance). Does not change the account; the caller debits on OUT_OK.
 */
enum outcome decide_debit(const struct account *acct,
	    const struct debit_ask *ask, enum mandate_mode mode);

/* ---- journal.c ----------------------------------------------------------- */

#define JOURNAL_MAX_FIELDS 8

/* One record as loaded: its fields, NUL-terminated. */
typedef int (*journal_rec_fn)(void *arg, char *const *f, size_t n,
	    struct gw_err *e);

struct journal;

/*
 * Open (creating) the journal at path, hand every complete record to fn
 * in order, cut a torn last line (a crash mid-append) off the file. With
 * readonly, only read: nothing is created or cut (a running bank may be
 * in the middle of an append), and nothing can be added.
 */
int	journal_open(struct journal **out, const char *path, int readonly,
	    journal_rec_fn fn, void *arg, struct gw_err *e);
/* Queue a record (fields must hold no tab, newline or control byte). */
int	journal_add(struct journal *j, const char *const *f, size_t n,
	    struct gw_err *e);
/* Write what is queued and fsync: only then has it happened. */
int	journal_sync(struct journal *j, struct gw_err *e);
void	journal_close(struct journal *j);

/* ---- ledger.c ------------------------------------------------------------ */

/* How far a file got; each state implies the ones before. */
enum file_state { FS_NEW, FS_DECIDED, FS_MADE, FS_DONE };

struct ledger_counts {
	int64_t	files, files_again, files_rejected, files_ignored;
	int64_t	items, debited, debited_fen, failed, repeated;
	int64_t	double_debits;
	int64_t	by_outcome[OUT_N];
	int64_t	mandates_accepted, mandates_rejected, mandates_cancelled;
	int64_t	returns, returns_lost;
};

struct ledger;

/*
 * Rebuild the bank's state from state_dir/journal: balances of acc (may
 * be NULL for a report), debited EndToEndIds, files, mandates, counts.
 * readonly: for a report, beside a running bank (see journal_open).
 */
int	ledger_open(struct ledger **out, const char *state_dir,
	    struct accounts *acc, int readonly, struct gw_err *e);
void	ledger_close(struct ledger *l);
const struct ledger_counts *ledger_counts(const struct ledger *l);

/* A file is known by its name and content: "NAME@SHA256". */
enum file_state ledger_file(const struct ledger *l, const char *fkey,
	    int64_t *mtime_ns);
/* The outcome recorded for item seq of fkey before a crash; 1 if any. */
int	ledger_replay(const struct ledger *l, const char *fkey, int64_t seq,
	    enum outcome *out);
/* 1 if e2e was debited (by any file). */
int	ledger_debited(const struct ledger *l, const char *e2e);
enum mandate_state ledger_mandate(const struct ledger *l,
	    const char *mandate_id);
/* Return names recorded for fkey ("P" records), in order; 1 if lost. */
size_t	ledger_returns(const struct ledger *l, const char *fkey,
	    const char **names, int *lost, size_t cap);
/* 1 if a return of this name was ever made. */
int	ledger_return_used(const struct ledger *l, const char *name);
/* Files whose returns are made but not all placed (a crash): up to cap
 * keys into fkeys; returns how many. */
int	ledger_pending(const struct ledger *l, const char **fkeys, size_t cap);

/*
 * Records; each is queued in the journal and applied to the state at
 * once (the caller syncs before acting on them outside).
 */
int	ledger_item(struct ledger *l, const char *fkey, int64_t seq,
	    const char *e2e, struct account *acct, const char *account_no,
	    int64_t amount_fen, enum outcome out, struct gw_err *e);
int	ledger_mandate_decided(struct ledger *l, const char *fkey,
	    const char *mandate_id, const char *account, enum mandate_state st,
	    const char *code, struct gw_err *e);
/* kind: "debit", "mandate" or "other"; status: "ok", an outcome name. */
int	ledger_file_decided(struct ledger *l, const char *fkey,
	    const char *name, const char *kind, const char *status,
	    int64_t mtime_ns, struct gw_err *e);
int	ledger_return_made(struct ledger *l, const char *fkey,
	    const char *ret_name, int lost, struct gw_err *e);
int	ledger_file_done(struct ledger *l, const char *fkey, struct gw_err *e);
int	ledger_file_again(struct ledger *l, const char *fkey, const char *name,
	    int64_t mtime_ns, struct gw_err *e);
int	ledger_sync(struct ledger *l, struct gw_err *e);

/* "key value" lines for --report. */
void	ledger_report(const struct ledger *l, FILE *fp);

/* ---- the bank ------------------------------------------------------------ */

#define BANK_MAX_TRUST 8

struct bank_opts {
	const char	*dir;
	const char	*accounts;
	const char	*key, *cert, *passphrase_file;
	const char	*trust[BANK_MAX_TRUST];
	size_t		 ntrust;
	const char	*code;		/* the bank's code, in its MsgIds */
	const char	*text;		/* descriptor of a text bank, or NULL */
	const char	*text_code[OUT_N];	/* --text-code OUTCOME=CODE */
	enum mandate_mode mandates;
	int		 partial;	/* answer a batch in two files */
	int		 lose;		/* lose the first N returns */
	int		 delay_ms;	/* leave a file this long first */
};

struct bank {
	struct bank_opts o;
	char		*passphrase;
	char		*inbox, *outbox, *state, *ready, *lost;
	struct accounts	*acc;
	struct ledger	*led;
	struct textfmt	*tf;
	const char	*text_code[OUT_N];	/* resolved for tf */
	struct strmap	*seen_mtime;	/* inbox files looked at: name -> */
	struct strmap	*seen_size;	/* their mtime and size then */
	volatile sig_atomic_t *stop;	/* set by SIGTERM: stop between files */
};

/* A file picked up from the inbox. */
struct infile {
	const char	*name;
	const char	*path;
	const char	*fkey;		/* NAME@SHA256 */
	int64_t		 mtime_ns;
};

/* fixture.c: --make-accounts (see there). */
int	fixture_accounts(const char *batch, struct textfmt *tf,
	    const char *cycle, FILE *out, struct gw_err *e);

/* inbox.c: one pass over the inbox; *handled gets the files acted on. */
int	inbox_pass(struct bank *b, int *handled, struct gw_err *e);

/*
 * debit.c: read a debit batch whole into bt (bt->strings made by the
 * caller), pain.008 or, with is_text, b->tf's layout. GW_EINPUT with the
 * reader's reason when it is not a good batch; bt holds what was read.
 */
struct batch;
int	debit_read(const struct bank *b, const struct infile *f, int is_text,
	    struct batch *bt, struct gw_err *e);

/* debit.c, mandate.c: process one file whose signature was checked
 * (sig_ok 0: sig_why says why it failed). */
int	debit_file(struct bank *b, const struct infile *f, int is_text,
	    int sig_ok, const char *sig_why, struct gw_err *e);
int	mandate_file(struct bank *b, const struct infile *f, int sig_ok,
	    const char *sig_why, struct gw_err *e);

/*
 * outbox.c. outbox_make: write an answer to file f through fn (which
 * gets the stream and the bank's MsgId for it) into state/ready/ under a
 * return name never used before (RET-NAME, or RET-Pn-NAME for part n of
 * a split answer), sign it, and record it (lost when --lose says so).
 * outbox_place: move the answers recorded for fkey and their signatures
 * into outbox/ (or state/lost/), signatures first, and mark the file
 * done; safe to call again after a crash at any point.
 */
typedef int (*outbox_write_fn)(void *arg, FILE *fp, const char *msg_id,
	    struct gw_err *e);

int	outbox_make(struct bank *b, const struct infile *f, int part,
	    outbox_write_fn fn, void *arg, struct gw_err *e);
int	outbox_place(struct bank *b, const char *fkey, struct gw_err *e);

/* ---- the answers --------------------------------------------------------- */

/* One debit item as the bank keeps it until it has answered. */
struct bitem {
	int64_t		 seq;
	const char	*pmtinf_id;	/* XML */
	int		 collection_date;
	const char	*e2e;		/* EndToEndId, or a text file's ref */
	const char	*mandate_id;
	const char	*account;
	const char	*name;
	const char	*payer_id;	/* text */
	int64_t		 amount_fen;
	enum outcome	 out;
};

struct batch {
	enum iso_msg	 version;	/* ISO_MSG_UNKNOWN for text */
	char		 msg_id[144];	/* MsgId, or a text file's file_id */
	int		 date;		/* text: the file's date, -1 */
	char		 creditor_account[64];
	int64_t		 nb, sum_fen;
	struct bitem	*items;
	size_t		 n, cap;
	struct arena	*strings;
};

/*
 * ret_pain002.c: a pain.002 (.001.10 for a .08 batch, .001.03 for .02)
 * answering items [from, to) of bt. with_status: state GrpSts and
 * PmtInfSts (a complete answer); a partial one gives item statuses only.
 * file_out != OUT_OK: the whole file is rejected (GrpSts RJCT with its
 * reason and why), no items listed.
 */
int	ret_pain002(FILE *fp, const struct batch *bt, const char *msg_id,
	    time_t created, size_t from, size_t to, int with_status,
	    enum outcome file_out, const char *why, struct gw_err *e);

/* ret_text.c: a text return of items [from, to) with codes[outcome]. */
int	ret_text(FILE *fp, const struct textfmt *tf, const struct batch *bt,
	    size_t from, size_t to, const char *const *codes,
	    struct gw_err *e);

/* One answer to a mandate request or cancellation. */
struct mreply {
	const char	*mandate_id;
	const char	*orig_msg_id;
	int		 accepted;
	const char	*code;		/* rejected: ISO reason */
	const char	*text;		/* rejected: words, may be NULL */
};

/* ret_pain012.c: a pain.012 (.08 for .08 requests, .05 for .05). */
int	ret_pain012(FILE *fp, enum iso_msg version, const char *msg_id,
	    time_t created, const char *orig_msg_name,
	    const struct mreply *r, size_t n, struct gw_err *e);

#endif
