#!/bin/sh
# SIGKILL `debitgw serve` at random moments while it runs, sends, fetches
# and ingests a day of N debits, restarting it after each kill, over
# several monthly debit days; then check that the bank debited every item
# at most once and the ledger posted every debit exactly once.
# Usage: serve_kill.sh [N] [MONTHS] [KILLS_PER_MONTH] (default 50000 5 5).
# Run by `make crash`, and by make check through tests/e2e/t_serve_kill.sh.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/httpsd.sh"
. "$ROOT/tests/e2e/bank.sh"
. "$ROOT/tests/e2e/flow.sh"
N=${1:-50000}
MONTHS=${2:-5}
KPM=${3:-5}
FLOW_MANDATE_ARGS=--migrated-only
FLOW_ASSESS_ARGS=--all-due	# January: every payer owes, N debits
flow_setup "$N" SB

kills=0
m=0
while [ $m -lt "$MONTHS" ]; do
	m=$((m + 1))
	if [ $m -gt 1 ]; then
		# This month's assessments, and the bank on this month's date.
		"$ROOT/build/gentool" assessments "$N" --year 2021 --month $m \
		    --all-due >"$T/a$m.csv"
		DEBITGW_FAKE_NOW=2021-0$m-20T09:00:00 "$DEBITGW" assess import \
		    "$T/a$m.csv" >/dev/null || fail "assessments of month $m"
		flow_banks_restart "$(printf '2021-%02d-26T01:59:00' $m)"
	fi
	paid_before=$(flow_q "SELECT count(*) FROM obligations WHERE state = 'paid'")
	k=0
	while [ $k -lt "$KPM" ]; do
		k=$((k + 1))
		# Each start a little later on the 26th, past 02:00: the daemon
		# catches the day's run up, or finds it made, at once.
		FLOW_NO_WAIT=1 flow_serve "$(printf '2021-%02d-26T02:%02d:00' $m $k)"
		# From the process's start: assembly, files, upload, the bank's
		# answer, fetch and ingest all lie within about 3 s.
		r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		at_ms=$(( r % 3000 ))
		sleep "$(printf '%d.%03d' $((at_ms / 1000)) $((at_ms % 1000)))"
		kill -KILL "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
		kills=$((kills + 1))
		printf '  month %d kill %d at %4d ms: batches %s; paid %s\n' $m $k \
		    $at_ms "$(flow_q "SELECT group_concat(state) FROM batches
		    WHERE run_date LIKE '2021-0$m-%'")" \
		    "$(flow_q "SELECT count(*) FROM obligations WHERE state = 'paid'")"
		flow_reconciled $m && break
	done
	# Then a start that runs the month to its end.
	flow_serve "$(printf '2021-%02d-26T03:00:00' $m)"
	flow_wait_reconciled $m 180
	flow_stop_serve
	paid=$(flow_q "SELECT count(*) FROM obligations WHERE state = 'paid'")
	[ $((paid - paid_before)) -gt $((N * 8 / 10)) ] ||
		fail "month $m: only $((paid - paid_before)) of $N debits paid"
done
flow_check
due=$(flow_q "SELECT count(*) FROM batch_items")
answered=$(flow_q "SELECT count(*) FROM batch_items WHERE result IS NOT NULL")
[ "$answered" -eq "$due" ] || fail "$answered items answered of $due"
# Credited by a debit entry (pay_entry, set once) or by a receivable line
# of its own: never both, never two lines.
[ "$(flow_q "SELECT count(*) FROM (SELECT o.id FROM obligations o
    LEFT JOIN postings p ON p.obligation_id = o.id AND p.account = 'receivable'
    AND p.amount_fen < 0 LEFT JOIN journal_entries j ON j.id = p.entry_id
    AND j.kind = 'debit' GROUP BY o.id
    HAVING (o.pay_entry IS NOT NULL) + count(j.id) > 1)")" -eq 0 ] ||
	fail "an obligation posted twice"
flow_banks_stop
echo "serve_kill: $kills kills over $MONTHS runs of $N items: every item debited at most once at the bank, posted exactly once"
exit 0
