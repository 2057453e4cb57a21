#!/bin/sh
# make demo: the whole flow on a generated data set, in a scratch home.
# Grows with every part; today: init, mandate import, lifecycle, audit.
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
echo "== summary"
for s in active pending; do
	printf '  %-8s %s\n' "$s" "$($GW mandate list --state $s --csv | tail -n +2 | wc -l)"
done
$GW audit verify
