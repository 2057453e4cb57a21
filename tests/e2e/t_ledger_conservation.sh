#!/bin/sh
# t_ledger_conservation.sh - issue 6's conservation acceptance at full size:
# 10,000 payers x 12 monthly periods with random debit outcomes (through
# the settle/fail API, as return files will), other-channel payments,
# month closes, write-offs and refunds (tests/unit/ledger/sim.h). ledgersim
# holds every obligation and account against its model; then the real CLI
# must agree: trial balance zero, every entry balanced, books reconciled.
. "$(dirname "$0")/lib.sh"
D=$DEBITGW
expect 0 $D init
expect 0 "$ROOT/build/ledgersim" year "$DEBITGW_HOME" --payers 10000 --months 12 \
	--seed 2025
cat "$T/out"
echo
grep_out "10000 payers x 12 months: 120000 obligations"
grep_out "everything agrees"
expect 0 $D --csv ledger trial-balance
[ "$(tr -d '\r' <"$T/out" | grep '^total,' | cut -d, -f5)" = "0.00" ] ||
	fail "trial balance is not zero"
expect 0 $D ledger check
grep_out "ledger sound"
expect 0 $D audit verify
echo "t_ledger_conservation: ok"
