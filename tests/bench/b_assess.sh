#!/bin/sh
# b_assess.sh - time `debitgw assess import` of one agency file with
# N rows (default 1,000,000): validation, the enrolment check, one
# obligation, one balanced journal entry and one audit event per row, all
# in one transaction. Prints rows per second; the figure goes in
# docs/performance.md, section "Ledger". No assertions on time.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_ASSESS_ROWS:-1000000}
D=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")
trap 'rm -rf "$D"' EXIT
export DEBITGW_HOME="$D/home"
export DEBITGW_FAKE_NOW=2025-10-15T10:00:00
GW=$ROOT/build/debitgw

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

"$GW" init >/dev/null
"$ROOT/build/gentool" assessments "$N" >"$D/a.csv"
t0=$(ms)
"$GW" assess import "$D/a.csv"
t1=$(ms)
el=$((t1 - t0))
echo "assess import: $N rows ($(wc -c <"$D/a.csv") bytes) in $(secs $el) s" \
	"= $((N * 1000 / (el > 0 ? el : 1))) rows/s;" \
	"database $(du -k "$DEBITGW_HOME/debitgw.db" | cut -f1) KiB"
t0=$(ms)
"$GW" --csv ledger trial-balance >"$D/tb"
t1=$(ms)
echo "ledger trial-balance over" \
	"$(tr -d '\r' <"$D/tb" | grep '^total,' | cut -d, -f2) postings:" \
	"$(secs $((t1 - t0))) s"
t0=$(ms)
"$GW" ledger check >/dev/null
t1=$(ms)
echo "ledger check (every entry, reconciliation): $(secs $((t1 - t0))) s"
t0=$(ms)
"$GW" assess import "$D/a.csv" >/dev/null
t1=$(ms)
echo "re-import of the same file (a no-op): $(secs $((t1 - t0))) s"
