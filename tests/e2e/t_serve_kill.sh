#!/bin/sh
# Issue 7: SIGKILL `debitgw serve` at random moments during runs of 50,000
# items (five monthly runs, restarted after each kill); every item is
# debited at most once at the simulated bank and posted exactly once
# (tests/crash/serve_kill.sh).
exec sh "$(dirname "$0")/../crash/serve_kill.sh" 50000 5 5
