#!/bin/sh
# b_bank.sh - the bank simulator and the readers of our own messages at
# scale (docs/performance.md, "Bank simulator"): read a pain.008 back
# (formats/pain008_read.c), then let build/bank-sim take the same batch
# whole: verify, read, decide, journal (one fsync), answer with a signed
# pain.002; then a restart that rebuilds its state from that journal
# (--report). Items/s counts the work; peak memory is the whole process
# (build/rusage). BENCH_ITEMS changes N (default 200,000; the kill tests
# use 50,000).
set -u
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_ITEMS:-200000}
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
unset DEBITGW_KEY_PASSPHRASE

field() { sed "s/.*$1=\([0-9]*\).*/\1/" "$2"; }
line() {	# WHAT ITEMS RUSAGE-REPORT
	ms=$(field wall_ms "$3")
	printf '%-46s %9s items/s  peak %4d MB  wall %6.2f s\n' "$1" \
	    "$(( $2 * 1000 / (ms > 0 ? ms : 1) ))" \
	    $(( $(field maxrss_kb "$3") / 1024 )) \
	    "$(echo "$ms" | awk '{ print $1 / 1000 }')"
}
cert() {	# NAME: NAME.key and a self-signed NAME.pem (P-256)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/$1.key" -subj "/CN=$1" -days 2 \
	    -out "$T/$1.pem" 2>/dev/null && chmod 600 "$T/$1.key"
}

echo "N=$N, $(nproc) cores, $(date +%F)"
build/fmtgen pain008 "$N" --pmtinf 4 --out "$T/p8.xml" 2>/dev/null || exit 1
build/rusage --report "$T/ru.r" build/fmtgen read "$T/p8.xml" >/dev/null \
    2>&1 || exit 1
line "read pain.008.001.08 ($(( $(wc -c <"$T/p8.xml") / 1048576 )) MB)" "$N" \
    "$T/ru.r"

cert ours && cert bank || exit 1
mkdir -p "$T/bank/inbox"
cp "$T/p8.xml" "$T/bank/inbox/B1.xml"
openssl cms -sign -binary -outform DER -nosmimecap -in "$T/bank/inbox/B1.xml" \
    -signer "$T/ours.pem" -inkey "$T/ours.key" \
    -out "$T/bank/inbox/B1.xml.p7s" || exit 1
build/bank-sim --make-accounts "$T/p8.xml" --cycle ok,ok,ok,funds,frozen \
    >"$T/acc.csv" 2>/dev/null || exit 1
build/rusage --report "$T/ru.b" build/bank-sim --dir "$T/bank" \
    --accounts "$T/acc.csv" --key "$T/bank.key" --cert "$T/bank.pem" \
    --trust "$T/ours.pem" --code BENCH --once 2>"$T/b.log" ||
    { cat "$T/b.log"; exit 1; }
line "bank-sim --once: one batch, answered and signed" "$N" "$T/ru.b"
build/rusage --report "$T/ru.j" build/bank-sim --report --dir "$T/bank" \
    --accounts "$T/acc.csv" >"$T/report" || exit 1
line "bank-sim restart: state rebuilt from the journal" "$N" "$T/ru.j"
grep -q "^debited $((N * 3 / 5))" "$T/report" ||
    { echo "b_bank: report: $(grep '^debited' "$T/report")"; exit 1; }
