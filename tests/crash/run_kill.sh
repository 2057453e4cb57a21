#!/bin/sh
# SIGKILL `debitgw run` at random moments, run again, check nothing was
# lost or doubled. Usage: run_kill.sh [N obligations] [K kill points]
# (default 100000 and 20: issue 5's acceptance). Used by `make crash` and,
# through tests/e2e/t_run_kill.sh, by `make check`.
#
# After each kill and the rerun that follows it:
#  - every due obligation is in exactly one live batch item;
#  - every file in the outbox has its batch row, signed, with the SHA-256
#    the row records, and a signature that verifies; every signed batch
#    has its file there;
#  - the audit chain and the ledger check pass.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$ROOT/build/debitgw
N=${1:-100000}
K=${2:-20}
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-crash-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export DEBITGW_KEY_PASSPHRASE=crash-test-passphrase
fail() { echo "FAIL: $*" >&2; exit 1; }

# One pristine home, copied for every kill point.
export DEBITGW_HOME="$T/pristine"
$GW init >/dev/null || fail init
printf '\n[bank:ABC]\nagent = ABOCCNBJ\nmax_items = 7000\n' >>"$DEBITGW_HOME/debitgw.conf"
sed -i 's/^max_items = 50000$/max_items = 7000/' "$DEBITGW_HOME/debitgw.conf"
$GW keys gen --alg p256 >/dev/null || fail keys
$ROOT/build/gentool mandates "$N" --migrated-only --banks ICBC,CCB,BOC,ABC,ICBC >"$T/m.csv"
$GW mandate import "$T/m.csv" >/dev/null || fail "mandate import"
$ROOT/build/gentool assessments "$N" --all-due --year 2021 --month 1 >"$T/a.csv"
$GW assess import "$T/a.csv" >/dev/null || fail "assess import"
rm -f "$T/m.csv" "$T/a.csv"

# How long an undisturbed run takes: kill points are spread over it.
cp -a "$T/pristine" "$T/timing"
start=$(date +%s%N)
DEBITGW_HOME="$T/timing" $GW run --date 2021-01-26 >/dev/null 2>&1 || fail "timing run"
span_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf "$T/timing"
echo "run_kill: $N obligations, a full run takes ${span_ms} ms; $K kill points"

check() {
	db="$DEBITGW_HOME/debitgw.db"
	q() { sqlite3 "$db" "$1"; }
	items=$(q "SELECT count(*) FROM batch_items WHERE live = 1")
	[ "$items" -eq "$N" ] || fail "$1: $items live items for $N obligations"
	twice=$(q "SELECT count(*) FROM (SELECT obligation_id FROM batch_items
	    WHERE live = 1 GROUP BY obligation_id HAVING count(*) > 1)")
	[ "$twice" -eq 0 ] || fail "$1: $twice obligations in two batches"
	[ "$(q "SELECT count(*) FROM obligations WHERE state = 'in_batch'")" -eq "$N" ] ||
		fail "$1: obligations in_batch differ from $N"
	[ "$(q "SELECT count(*) FROM batches WHERE state <> 'signed'")" -eq 0 ] ||
		fail "$1: a batch is not signed after the rerun"
	for f in "$DEBITGW_HOME"/outbox/*/*; do
		case "$f" in *.p7s|*.sig) continue ;; esac
		name=$(basename "$f")
		sha=$(q "SELECT file_sha256 FROM batches WHERE file_name = '$name'")
		[ -n "$sha" ] || fail "$1: $name in the outbox has no batch row"
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sha" ] ||
			fail "$1: $name differs from the SHA-256 its batch row records"
		$GW verify "$f" --own >/dev/null 2>&1 || fail "$1: $name: bad signature"
	done
	for name in $(q "SELECT file_name FROM batches"); do
		ls "$DEBITGW_HOME"/outbox/*/"$name" >/dev/null 2>&1 ||
			fail "$1: batch file $name is not in the outbox"
	done
	$GW audit verify >/dev/null 2>&1 || fail "$1: audit chain broken"
	$GW ledger check >/dev/null 2>&1 || fail "$1: ledger check failed"
}

i=0
while [ $i -lt "$K" ]; do
	i=$((i + 1))
	export DEBITGW_HOME="$T/k$i"
	cp -a "$T/pristine" "$DEBITGW_HOME"
	# A kill point spread over the whole run (and a little beyond).
	r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	at_ms=$(( r % (span_ms + span_ms / 10 + 1) ))
	$GW run --date 2021-01-26 >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((at_ms / 1000)) $((at_ms % 1000)))"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	# Files may now be half made; the database says how far it got.
	$GW run --date 2021-01-26 >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "kill $i: rerun failed"; }
	check "kill $i at ${at_ms} ms"
	printf '  kill %2d at %5d ms: %s\n' $i $at_ms \
	    "$(grep -c 'already ran' "$T/out") banks already ran; consistent"
	rm -rf "$DEBITGW_HOME"
done
echo "run_kill: $K kill points, all consistent"
