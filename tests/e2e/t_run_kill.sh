#!/bin/sh
# Issue 5: SIGKILL `debitgw run` on 100,000 obligations at 20 random
# moments; every rerun leaves each obligation in exactly one batch and no
# outbox file without its batch row (tests/crash/run_kill.sh).
. "$(dirname "$0")/lib.sh"
sh "$ROOT/tests/crash/run_kill.sh" 100000 20
