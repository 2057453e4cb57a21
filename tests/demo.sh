#!/bin/sh
# make demo: the whole flow on a generated data set, in a scratch home.
# Grows with every part; today: init, mandate import, lifecycle,
# assessments into the ledger, audit.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GW=$ROOT/build/debitgw
GEN=$ROOT/build/gentool
D=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-demo-XXXXXX")
trap 'rm -rf "$D"' EXIT
export DEBITGW_HOME="$D/home"

echo "== init a home"
$GW init
echo "== import 1,000 mandates (some migrated, some unit members)"
$GEN mandates 1000 > "$D/mandates.csv"
$GW mandate import "$D/mandates.csv"
echo "== the bank accepts the first pending mandate"
first=$($GW mandate list --state pending --csv | sed -n '2p' | cut -d, -f1)
$GW mandate activate "$first" --reason "bank accepted (demo)"
echo "== the agency's assessments for the same payers become obligations"
$GEN assessments 1000 > "$D/assessments.csv"
$GW assess import "$D/assessments.csv"
echo "== the ledger: trial balance and reconciliation"
$GW ledger trial-balance
$GW ledger check
echo "== summary"
for s in active pending; do
	printf '  %-8s %s\n' "$s" "$($GW mandate list --state $s --csv | tail -n +2 | wc -l)"
done
$GW audit verify
