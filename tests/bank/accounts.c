/*
 * accounts.c - the simulated bank's accounts, from a CSV fixture.
 *
 *   account_no,name,balance,status
 *   6222000000000000018,张伟,1000.00,ok
 *
 * balance is yuan with at most two decimals, never negative; status is
 * ok, frozen, closed, abnormal or lost (default ok when the column is
 * missing). The whole file is checked before the bank opens: a bad row
 * stops it with "FILE:LINE: reason". Balances change only through
 * ledger.c, which replays the journal's debits over the fixture's
 * opening balances at every start.
 */
#include <stdlib.h>
#include <string.h>

#include "common/money.h"
#include "common/text.h"
#include "formats/csv.h"
#include "formats/iso20022.h"
#include "tests/bank/bank.h"

static const char *const status_names[ACCT_NSTATUS] = { "ok", "frozen",
    "closed", "abnormal", "lost" };

struct accounts {
	struct account	*v;
	size_t		 n, cap;
	struct strmap	*by_no;
	struct arena	*strings;
};

const char *
acct_status_name(enum acct_status s)
{
	return (unsigned)s < ACCT_NSTATUS ? status_names[s] : "?";
}

int
acct_status_parse(const char *s)
{
	int i;

	for (i = 0; i < ACCT_NSTATUS; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

/* One row into a; why gets the reason when it is refused. */
static int
add_row(struct accounts *a, const char *no, const char *name,
    const char *balance, const char *status, struct gw_err *why)
{
	struct gw_err m = GW_ERR_INIT;
	struct account *acct;
	int64_t *slot;
	int added, st = *status ? acct_status_parse(status) : ACCT_OK;
	size_t nlen = strlen(name);

	if (iso_check_account(no, &m) != 0)
		return gw_err_set(why, GW_EINPUT, "account_no '%.40s': %s", no,
		    m.msg);
	if (nlen == 0 || !text_is_clean(name, nlen))
		return gw_err_set(why, GW_EINPUT, "name of %s is empty, not "
		    "UTF-8 or has control characters", no);
	if (st < 0)
		return gw_err_set(why, GW_EINPUT, "status '%.20s' is not ok, "
		    "frozen, closed, abnormal or lost", status);
	if (vec_room(&a->v, a->n, &a->cap, sizeof(*a->v)) != 0)
		return gw_err_set(why, GW_ENOMEM, "out of memory");
	acct = &a->v[a->n];
	if (money_parse_yuan(&acct->balance_fen, balance, strlen(balance), 0,
	    &m) != 0)
		return gw_err_set(why, GW_EINPUT, "balance of %s: %s", no,
		    m.msg);
	if ((slot = strmap_put(a->by_no, no, &added)) == NULL ||
	    (acct->no = arena_str(a->strings, no)) == NULL ||
	    (acct->name = arena_str(a->strings, name)) == NULL)
		return gw_err_set(why, GW_ENOMEM, "out of memory");
	if (!added)
		return gw_err_set(why, GW_EINPUT, "account %s is listed twice",
		    no);
	acct->status = (enum acct_status)st;
	*slot = (int64_t)a->n++;
	return 0;
}

int
accounts_load(struct accounts **out, const char *path, struct gw_err *e)
{
	static const struct csv_col cols[] = {
		{ "account_no", 1 }, { "name", 1 }, { "balance", 1 },
		{ "status", 0 },
	};
	struct accounts *a;
	struct csv_reader *r = NULL;
	struct gw_err why = GW_ERR_INIT;
	int idx[4], rc;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if ((rc = strmap_new(&a->by_no, e)) != 0 ||
	    (rc = arena_new(&a->strings, e)) != 0 ||
	    (rc = csv_open(&r, path, e)) != 0 ||
	    (rc = csv_read_header(r, cols, 4, idx, NULL, e)) != 0)
		goto done;
	while ((rc = csv_next(r, e)) == 1) {
		const char *status = idx[3] < 0 ? "" :
		    csv_field(r, (size_t)idx[3]);

		if (add_row(a, csv_field(r, (size_t)idx[0]),
		    csv_field(r, (size_t)idx[1]), csv_field(r, (size_t)idx[2]),
		    status, &why) != 0) {
			rc = gw_err_set(e, why.code, "%s:%ld: %s", path,
			    csv_line(r), why.msg);
			goto done;
		}
	}
done:
	csv_close(r);
	if (rc < 0) {
		accounts_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
accounts_free(struct accounts *a)
{
	if (a == NULL)
		return;
	strmap_free(a->by_no);
	arena_free(a->strings);
	free(a->v);
	free(a);
}

struct account *
accounts_find(struct accounts *a, const char *no)
{
	int64_t *i = strmap_get(a->by_no, no);

	return i ? &a->v[*i] : NULL;
}

size_t
accounts_count(const struct accounts *a)
{
	return a->n;
}

struct account *
accounts_at(struct accounts *a, size_t i)
{
	return i < a->n ? &a->v[i] : NULL;
}
