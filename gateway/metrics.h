/*
 * metrics.h - Prometheus text exposition of the gateway's state.
 *
 * Figures are read from the database at scrape time, not kept in memory:
 * they are right after a restart and agree with what the CLI shows.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "gateway/home.h"

/* A metric family header: "# HELP" and "# TYPE" lines. */
void	metrics_family(FILE *fp, const char *name, const char *type,
	    const char *help);

/* One sample; labels is "" or `bank="ICBC",state="sent"`. */
void	metrics_sample(FILE *fp, const char *name, const char *labels,
	    int64_t value);

/*
 * Render every metric into a malloc'd buffer (*out, *len).
 * started is the daemon's start time (for uptime).
 */
int	metrics_render(char **out, size_t *len, struct home *h, time_t started,
	    struct gw_err *e);

#endif
