/*
 * decide.c - what the simulated bank does with one debit, and what each
 * outcome is called in ISO codes, categories and words.
 *
 * The checks run in the order a bank core makes them: an account that
 * does not exist, then its state (closed, reported lost, abnormal,
 * frozen), then the holder's name, the mandate, and last the balance,
 * so an item fails for the first reason that applies. The function is
 * pure: the caller debits the account on OUT_OK and records it.
 */
#include <string.h>

#include "tests/bank/bank.h"

const struct outcome_def outcomes[OUT_N] = {
	[OUT_OK] = { "ok", "", NULL, "扣款成功" },
	[OUT_UNKNOWN] = { "unknown", "AC01", "account_abnormal",
	    "账号不存在" },
	[OUT_CLOSED] = { "closed", "AC04", "account_closed", "账户已销户" },
	[OUT_LOST] = { "lost", "AG01", "account_abnormal", "账户已挂失" },
	[OUT_ABNORMAL] = { "abnormal", "AG01", "account_abnormal",
	    "账户状态不正常" },
	[OUT_FROZEN] = { "frozen", "AC06", "account_frozen", "账户冻结" },
	[OUT_NAME] = { "name", "BE01", "account_abnormal", "户名不符" },
	[OUT_MANDATE] = { "mandate", "MD01", "mandate_invalid",
	    "协议不存在" },
	[OUT_FUNDS] = { "funds", "AM04", "insufficient_funds", "余额不足" },
	[OUT_DUPLICATE] = { "duplicate", "AM05", "other", "重复扣款" },
	[OUT_BADSIG] = { "badsig", "DS0B", "other", "签名验证失败" },
	[OUT_BADFILE] = { "badfile", "FF01", "other", "文件格式错误" },
};

int
outcome_parse(const char *name)
{
	int i;

	for (i = 0; i < OUT_N; i++)
		if (strcmp(name, outcomes[i].name) == 0)
			return i;
	return -1;
}

enum outcome
decide_debit(const struct account *acct, const struct debit_ask *ask,
    enum mandate_mode mode)
{
	if (acct == NULL)
		return OUT_UNKNOWN;
	switch (acct->status) {
	case ACCT_CLOSED:
		return OUT_CLOSED;
	case ACCT_LOST:
		return OUT_LOST;
	case ACCT_ABNORMAL:
		return OUT_ABNORMAL;
	case ACCT_FROZEN:
		return OUT_FROZEN;
	default:
		break;
	}
	if (ask->name[0] != '\0' && strcmp(ask->name, acct->name) != 0)
		return OUT_NAME;
	if ((mode == MANDATES_STRICT && ask->mandate != MS_ACCEPTED) ||
	    (mode == MANDATES_REJECTED && (ask->mandate == MS_REJECTED ||
	    ask->mandate == MS_CANCELLED)))
		return OUT_MANDATE;
	if (acct->balance_fen < ask->amount_fen)
		return OUT_FUNDS;
	return OUT_OK;
}
