/*
 * fixture.c - bank-sim --make-accounts: the accounts a test needs for a
 * given debit file, so that the bank's own rules produce the outcomes
 * the test expects.
 *
 *   bank-sim --make-accounts BATCH --cycle ok,funds,frozen [--text DESC]
 *
 * Reads BATCH (pain.008, or a text debit file in DESC's layout) and
 * opens one account per debtor account, in file order, giving item i
 * the state cycle[i % n]:
 *
 *   ok        balance = amount + 1000.00
 *   funds     balance = amount - 0.01 (AM04 / 余额不足)
 *   frozen closed abnormal lost   that status, ample balance
 *   name      the holder's name differs (BE01 / 户名不符)
 *   unknown   no account at all (AC01 / 账号不存在)
 *
 * The CSV goes to stdout, how many of each to stderr ("ok 4"). An
 * account that appears twice keeps its first state.
 */
#include <stdlib.h>
#include <string.h>

#include "common/money.h"
#include "formats/csv.h"
#include "tests/bank/bank.h"

static const char *const states[] = { "ok", "funds", "frozen", "closed",
    "abnormal", "lost", "name", "unknown" };
#define NSTATES (sizeof(states) / sizeof(states[0]))

/* cycle "ok,funds" into indexes of states[]. */
static int
parse_cycle(const char *cycle, int *v, size_t *n, size_t cap,
    struct gw_err *e)
{
	char buf[512], *save = NULL, *w;
	size_t i;

	*n = 0;
	snprintf(buf, sizeof(buf), "%s", cycle);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NSTATES && strcmp(w, states[i]) != 0; i++)
			;
		if (i == NSTATES || *n == cap)
			return gw_err_set(e, GW_EUSAGE, "--cycle: '%s' is not "
			    "one of ok, funds, frozen, closed, abnormal, lost, "
			    "name, unknown (at most %zu)", w, cap);
		v[(*n)++] = (int)i;
	}
	if (*n == 0)
		return gw_err_set(e, GW_EUSAGE, "--cycle: empty");
	return 0;
}

static int
write_accounts(const struct batch *bt, const int *cycle, size_t ncycle,
    FILE *out, struct gw_err *e)
{
	static const char *const header[] = { "account_no", "name",
	    "balance", "status" };
	int64_t count[NSTATES] = { 0 };
	struct strmap *done;
	size_t i;
	int added, rc;

	if ((rc = strmap_new(&done, e)) != 0)
		return rc;
	csv_write_row(out, header, 4);
	for (i = 0; i < bt->n; i++) {
		const struct bitem *it = &bt->items[i];
		int s = cycle[i % ncycle];
		char bal[MONEY_BUFSZ], name[600];
		const char *row[4];

		if (strmap_put(done, it->account, &added) == NULL) {
			strmap_free(done);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
		if (!added)
			continue;
		count[s]++;
		if (strcmp(states[s], "unknown") == 0)
			continue;
		money_format(bal, strcmp(states[s], "funds") == 0 ?
		    it->amount_fen - 1 : it->amount_fen + 100000);
		snprintf(name, sizeof(name), "%s%s", it->name,
		    strcmp(states[s], "name") == 0 ? "之" : "");
		row[0] = it->account;
		row[1] = name;
		row[2] = bal;
		row[3] = s >= 2 && s <= 5 ? states[s] : "ok";
		csv_write_row(out, row, 4);
	}
	strmap_free(done);
	for (i = 0; i < NSTATES; i++)
		fprintf(stderr, "%s %lld\n", states[i], (long long)count[i]);
	return fflush(out) == 0 ? 0 : gw_err_set(e, GW_EIO, "write failed");
}

int
fixture_accounts(const char *batch, struct textfmt *tf, const char *cycle,
    FILE *out, struct gw_err *e)
{
	struct bank b;
	struct batch bt;
	struct infile f;
	int v[32], rc;
	size_t n;

	if ((rc = parse_cycle(cycle, v, &n, 32, e)) != 0)
		return rc;
	memset(&b, 0, sizeof(b));
	b.tf = tf;
	memset(&bt, 0, sizeof(bt));
	memset(&f, 0, sizeof(f));
	f.name = f.path = batch;
	if ((rc = arena_new(&bt.strings, e)) == 0 &&
	    (rc = debit_read(&b, &f, tf != NULL, &bt, e)) == 0)
		rc = write_accounts(&bt, v, n, out, e);
	free(bt.items);
	arena_free(bt.strings);
	return rc;
}
