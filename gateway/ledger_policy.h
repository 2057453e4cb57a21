/*
 * ledger_policy.h - the ledger's policy taken from debitgw.conf.
 *
 * The ledger part does not read the config; every command or daemon task
 * that calls it fills a struct ledger_policy here: [ledger] late_wait_days,
 * newborn_until, refund_working_days, [calendar] holidays and [tariff].
 */
#ifndef GW_LEDGER_POLICY_H
#define GW_LEDGER_POLICY_H

#include "gateway/config.h"
#include "ledger/ledger.h"

/* Fill p from c; p keeps pointing into c, which must outlive it. */
void	ledger_policy_from_config(struct ledger_policy *p,
	    const struct config *c);

#endif
