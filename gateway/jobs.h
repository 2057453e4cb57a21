/*
 * jobs.h - the daemon's jobs, built from the config: the calendar's batch
 * runs, sending the outbox, polling each bank's return location.
 */
#ifndef GW_JOBS_H
#define GW_JOBS_H

#include "gateway/config.h"
#include "gateway/daemon.h"

/* Fill jobs (cap entries) for config c at time now; returns how many.
 * Called at start and after each successful reload. */
int	jobs_setup(struct daemon_job *jobs, int cap, const struct config *c,
	    time_t now);

#endif
