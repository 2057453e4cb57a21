/*
 * ledger_policy.c - config callbacks behind struct ledger_policy.
 */
#include "gateway/calendar.h"
#include "gateway/ledger_policy.h"

/* The collection calendar's rule: holidays and make-up workdays. */
static int
is_working_day(void *arg, int day)
{
	return calendar_is_working_day(arg, day);
}

static int
tariff(void *arg, const char *category, int year, int64_t *fen)
{
	return config_tariff(arg, category, year, fen);
}

void
ledger_policy_from_config(struct ledger_policy *p, const struct config *c)
{
	ledger_policy_default(p);
	p->late_wait_days = c->late_wait_days;
	p->newborn_until = c->newborn_until;
	p->refund_working_days = c->refund_working_days;
	p->is_working_day = is_working_day;
	p->working_day_arg = (void *)c;
	p->tariff = tariff;
	p->tariff_arg = (void *)c;
}
