/*
 * Unit test: every command of the ledger's tables (gateway/cmd_ledger.c,
 * gateway/cmd_finance.c) is documented in docs/ledger.md, and the
 * documented failure categories and channels are the ones the code knows.
 * Run from the worktree root, as `make unit` does.
 */
#include "tests/unit/testutil.h"

#include "common/fsutil.h"
#include "gateway/commands.h"
#include "ledger/obligation.h"

static char *doc;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	size_t len;

	ck_assert_msg(fs_read_small(&doc, &len, "docs/ledger.md", 1 << 20,
	    &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	free(doc);
	doc = NULL;
}

static void
documented(const struct cli_cmd *t)
{
	char want[128];

	for (; t->noun; t++) {
		snprintf(want, sizeof(want), "`%s%s%s", t->noun,
		    t->verb ? " " : "", t->verb ? t->verb : "");
		ck_assert_msg(strstr(doc, want) != NULL, "docs/ledger.md does "
		    "not document %s`", want);
	}
}

START_TEST(test_commands_documented)
{
	documented(ledger_cmds);
	documented(finance_cmds);
}
END_TEST

START_TEST(test_states_documented)
{
	char want[64];
	size_t i;

	for (i = 0; i < 10; i++) {
		snprintf(want, sizeof(want), "| `%s` |", obligation_states[i]);
		ck_assert_msg(strstr(doc, want) != NULL, "state %s",
		    obligation_states[i]);
	}
	ck_assert(ledger_channel_is_valid("bank_app"));
	ck_assert_ptr_nonnull(strstr(doc, "`counter`, `wechat`, `alipay`, "
	    "`bank_app`, `pos`, `other`"));
}
END_TEST

static Suite *
docs_suite(void)
{
	Suite *s = suite_create("ledger docs");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_commands_documented);
	tcase_add_test(tc, test_states_documented);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(docs_suite)
