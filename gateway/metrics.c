/*
 * metrics.c - /metrics: one family per question an operator asks.
 *
 * Each part answers for its own tables through its header; this file only
 * names the families and formats the samples.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "gateway/batch.h"
#include "gateway/metrics.h"
#include "gateway/transfer.h"
#include "ledger/obligation.h"
#include "mandates/mandate.h"

void
metrics_family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_sample(FILE *fp, const char *name, const char *labels, int64_t value)
{
	if (labels && *labels)
		fprintf(fp, "%s{%s} %lld\n", name, labels, (long long)value);
	else
		fprintf(fp, "%s %lld\n", name, (long long)value);
}

static void
mandate_state(void *arg, const char *state, int64_t n)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "state=\"%s\"", state);
	metrics_sample(arg, "debitgw_mandates", labels, n);
}

static void
batch_row(void *arg, const char *bank, const char *state, int64_t n,
    int64_t items, int64_t amount)
{
	char l[96];

	snprintf(l, sizeof(l), "bank=\"%s\",state=\"%s\"", bank, state);
	metrics_sample(arg, "debitgw_batches", l, n);
	metrics_sample(arg, "debitgw_batch_items", l, items);
	metrics_sample(arg, "debitgw_batch_amount_fen", l, amount);
}

static void
item_row(void *arg, const char *bank, const char *result, int64_t n,
    int64_t amount)
{
	char l[96];

	snprintf(l, sizeof(l), "bank=\"%s\",result=\"%s\"", bank, result);
	metrics_sample(arg, "debitgw_items", l, n);
	metrics_sample(arg, "debitgw_items_amount_fen", l, amount);
}

static void
failure_row(void *arg, const char *category, int64_t n, int64_t fen)
{
	char l[64];

	snprintf(l, sizeof(l), "category=\"%s\"", category);
	metrics_sample(arg, "debitgw_debit_failures_total", l, n);
	metrics_sample(arg, "debitgw_debit_failures_fen_total", l, fen);
}

static void
transfer_row(void *arg, const char *bank, const char *dir, const char *state,
    int64_t n, int64_t attempts)
{
	char l[128];

	snprintf(l, sizeof(l), "bank=\"%s\",direction=\"%s\",state=\"%s\"",
	    bank, dir, state);
	metrics_sample(arg, "debitgw_transfers", l, n);
	metrics_sample(arg, "debitgw_transfer_attempts_total", l, attempts);
	/* Errors an operator must look at, or a pass will retry. */
	if (strcmp(state, "failed") == 0 || strcmp(state, "needs_operator") == 0)
		metrics_sample(arg, "debitgw_transfer_errors", l, n);
}

static void
last_run_row(void *arg, const char *bank, const char *at)
{
	struct tm tm;
	char l[64];

	memset(&tm, 0, sizeof(tm));
	if (strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return;
	snprintf(l, sizeof(l), "bank=\"%s\"", bank);
	metrics_sample(arg, "debitgw_last_run_timestamp_seconds", l,
	    (int64_t)timegm(&tm));
}

int
metrics_render(char **out, size_t *len, struct home *h, time_t started,
    struct gw_err *e)
{
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if ((fp = open_memstream(out, len)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "metrics: out of memory");
	metrics_family(fp, "debitgw_up", "gauge", "1 while the daemon runs");
	metrics_sample(fp, "debitgw_up", "", 1);
	metrics_family(fp, "debitgw_uptime_seconds", "gauge",
	    "seconds since the daemon started");
	metrics_sample(fp, "debitgw_uptime_seconds", "",
	    (int64_t)(gw_now() - started));
	metrics_family(fp, "debitgw_mandates", "gauge", "mandates by state");
	rc = mandate_count_by_state(h->db, mandate_state, fp, e);
	if (rc == 0) {
		metrics_family(fp, "debitgw_batches", "gauge",
		    "batches by bank and state (also _items and _amount_fen)");
		rc = batch_stats(h->db, batch_row, fp, e);
	}
	if (rc == 0) {
		metrics_family(fp, "debitgw_items", "gauge",
		    "live batch items by bank and result (open: not answered yet)");
		rc = batch_item_stats(h->db, item_row, fp, e);
	}
	if (rc == 0) {
		metrics_family(fp, "debitgw_debit_failures_total", "counter",
		    "debits the banks refused, by failure category");
		rc = obligation_failure_stats(h->db, failure_row, fp, e);
	}
	if (rc == 0) {
		metrics_family(fp, "debitgw_transfer_errors", "gauge",
		    "uploads and downloads failed or waiting for an operator");
		rc = transfer_stats(h->db, transfer_row, fp, e);
	}
	if (rc == 0) {
		metrics_family(fp, "debitgw_last_run_timestamp_seconds", "gauge",
		    "when the newest batch run of each bank was made");
		rc = batch_last_runs(h->db, last_run_row, fp, e);
	}
	if (fclose(fp) != 0 && rc == 0)
		rc = gw_err_set(e, GW_ENOMEM, "metrics: out of memory");
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
