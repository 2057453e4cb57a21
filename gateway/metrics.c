/*
 * metrics.c - /metrics: one family per question an operator asks.
 *
 * Each part answers for its own tables through its header; this file only
 * names the families and formats the samples.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "gateway/metrics.h"
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
	if (fclose(fp) != 0 && rc == 0)
		rc = gw_err_set(e, GW_ENOMEM, "metrics: out of memory");
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
