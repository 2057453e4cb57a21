#!/bin/sh
# `debitgw run` for 1,000,000 due obligations across 5 banks, signing
# included (ICBC split at max_items 50000: 11 files in all). Target
# (issue 5): under 15 s and 100 MB. Set-up (mandates and assessments) is timed separately.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$ROOT/build/debitgw
N=${BENCH_RUN_N:-1000000}
D=${BENCH_DIR:-/tmp}/run
rm -rf "$D"
mkdir -p "$D"
export DEBITGW_HOME="$D/home" DEBITGW_KEY_PASSPHRASE=bench-passphrase
$GW init >/dev/null
printf '\n[bank:ABC]\nagent = ABOCCNBJ\n\n[bank:PSBC]\nagent = PSBCCNBJ\n' \
    >>"$DEBITGW_HOME/debitgw.conf"
$GW keys gen --alg p256 >/dev/null
# Six slots for five banks, so bank and payer category do not line up.
$ROOT/build/gentool mandates "$N" --migrated-only \
    --banks ICBC,CCB,BOC,ABC,PSBC,ICBC >"$D/m.csv"
$ROOT/build/rusage --report "$D/r" $GW mandate import "$D/m.csv" >/dev/null
printf 'set-up: mandate import   %8d: %s\n' "$N" "$(tail -n 1 "$D/r")"
$ROOT/build/gentool assessments "$N" --all-due --year 2021 --month 1 >"$D/a.csv"
$ROOT/build/rusage --report "$D/r" $GW assess import "$D/a.csv" >/dev/null
printf 'set-up: assess import    %8d: %s\n' "$N" "$(tail -n 1 "$D/r")"
rm -f "$D/m.csv" "$D/a.csv"
$ROOT/build/rusage --report "$D/r" $GW run --date 2021-01-26 >"$D/out" 2>"$D/err"
printf 'run --date 2021-01-26    %8d: %s\n' "$N" "$(tail -n 1 "$D/r")"
tail -n 1 "$D/out"
rm -rf "$D"
