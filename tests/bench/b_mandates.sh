#!/bin/sh
# Import 1,000,000 generated mandates into a fresh home: wall time, peak
# memory. Target (issue 2): under 20 s on 2 cores, memory flat in N, so
# 100,000 and 1,000,000 are both measured.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$ROOT/build/debitgw
D=${BENCH_DIR:-/tmp}/mandates
mkdir -p "$D"
for n in 100000 1000000; do
	rm -rf "$D/home"
	$GW --home "$D/home" init >/dev/null
	$ROOT/build/gentool mandates $n > "$D/m.csv"
	rm -f "$D/r"
	$ROOT/build/rusage --report "$D/r" $GW --home "$D/home" mandate import "$D/m.csv" >/dev/null
	printf 'mandate import %8d rows: %s\n' $n "$(tail -n 1 "$D/r")"
	rm -f "$D/m.csv"
done
rm -rf "$D"
