#!/bin/sh
# `debitgw returns ingest` of one signed 1,000,000-item pain.002 with 8%
# failures (insufficient funds), posted to the ledger. Target (issue 6):
# under 10 s and 100 MB. The batch comes from `debitgw run` (one file: no
# max_items), the answer from the bank simulator's accounts.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$ROOT/build/debitgw
N=${BENCH_INGEST_N:-1000000}
D=${BENCH_DIR:-/tmp}/ingest
rm -rf "$D"
mkdir -p "$D"
export DEBITGW_HOME="$D/home" DEBITGW_KEY_PASSPHRASE=bench-passphrase
$GW init >/dev/null
sed -i 's/^max_items = 50000$/max_items = 0/' "$DEBITGW_HOME/debitgw.conf"
$GW keys gen --alg p256 >/dev/null
$GW keys export-cert K0001 --out "$D/ours.pem" >/dev/null
DEBITGW_HOME="$D/bank" $GW init >/dev/null
DEBITGW_HOME="$D/bank" $GW keys gen --alg p256 >/dev/null
$GW trust add ICBC "$D/bank/keys/K0001.crt" >/dev/null
$ROOT/build/gentool mandates "$N" --migrated-only --banks ICBC >"$D/m.csv"
$GW mandate import "$D/m.csv" >/dev/null
$ROOT/build/gentool assessments "$N" --all-due --year 2021 --month 1 >"$D/a.csv"
$GW assess import "$D/a.csv" >/dev/null
$ROOT/build/gentool accounts "$N" --insufficient 8 >"$D/acc.csv"
rm -f "$D/m.csv" "$D/a.csv"
$GW run --date 2021-01-26 >/dev/null
mkdir -p "$D/bankdir/inbox"
cp "$DEBITGW_HOME"/outbox/ICBC/* "$D/bankdir/inbox/"
$ROOT/build/bank-sim --dir "$D/bankdir" --accounts "$D/acc.csv" \
    --key "$D/bank/keys/K0001.key" --cert "$D/bank/keys/K0001.crt" \
    --trust "$D/ours.pem" --code BENCHBNK --once 2>"$D/bank.log"
ret=$(ls "$D"/bankdir/outbox/RET-*.xml)
printf 'return file: %s items, %s bytes\n' "$N" "$(wc -c <"$ret")"
$ROOT/build/rusage --report "$D/r" $GW returns ingest "$ret" --bank ICBC >"$D/out"
printf 'returns ingest %8d: %s\n' "$N" "$(tail -n 1 "$D/r")"
cat "$D/out"
$GW ledger trial-balance | tail -n 1
rm -rf "$D"
