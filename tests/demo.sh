#!/bin/sh
# make demo: the whole story on a fresh machine, against a simulated bank
# behind a real OpenSSH sshd on loopback, with the embedded SQLite store.
#
# A home with keys; the bank's key trusted; 1,000 mandates (some migrated,
# some unit members) and their January assessments; the bank (bank-sim)
# behind sshd; `debitgw serve` sends the new mandates, runs the debit on
# the 26th at 02:00, sends the batch, fetches the bank's signed return and
# ingests it. Then a summary, and everything it started is stopped.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/httpsd.sh"
. "$ROOT/tests/e2e/bank.sh"
. "$ROOT/tests/e2e/flow.sh"
say() { printf '\n== %s\n' "$*"; }
show() { cat "$T/out"; }

say "a home, our signing key, the bank's key (a second home), trust both ways"
say "1,000 mandates and their January assessments; the bank behind sshd on 127.0.0.1"
flow_setup 1000 SB
expect 0 "$DEBITGW" mandate list --csv
printf '   %s mandates: %s migrated (active), %s new (pending the bank), %s unit members\n' \
    "$(($(wc -l < "$T/out") - 1))" "$(grep -c ',migrated,' "$T/out")" \
    "$(grep -c ',new,' "$T/out")" "$(awk -F, 'NR > 1 && $9 != ""' "$T/out" | wc -l)"
printf '   sshd on port %s (host key %s), bank-sim watching %s\n' "$SSHD_PORT" \
    "$SSHD_FP" "$SB_DIR"

say "debitgw serve, 2021-01-26 01:59:35 (fake clock): mandates out, the 02:00 run, returns in"
flow_serve 2021-01-26T01:59:35
mandates_done() {
	[ "$(flow_q "SELECT count(*) FROM mandates WHERE state = 'pending'")" -eq 0 ]
}
wait_for 60 mandates_done || fail "the bank did not answer the mandate requests"
flow_wait_reconciled 1 90
flow_stop_serve
grep -h -e 'up MRQ' -e 'ingest SB RET-MRQ' -e 'run 2021-01-26: bank SB' \
    -e 'up DGW' -e 'down RET-DGW[^ ]*xml ' -e 'ingest SB RET-DGW' \
    -e 'stopped cleanly' "$T/serve.log" | sed 's/^[^ ]* [^ ]* [a-z]*: /   /' 
for p in $FLOW_BANK_PIDS; do BANK_PID=$p; bank_stop; done
sshd_stop

say "summary"
expect 0 "$DEBITGW" batch list
show
expect 0 "$DEBITGW" failed list
printf '\n   failed debits (`debitgw failed list`: %s rows for finance staff), by category:\n' \
    "$(($(wc -l < "$T/out") - 1))"
flow_q "SELECT fail_category, count(*), printf('%.2f', sum(due_fen) / 100.0)
    FROM obligations WHERE state = 'failed' GROUP BY 1 ORDER BY 1" |
    awk -F'|' '{ printf "   %-20s %5d  %12s\n", $1, $2, $3 }' 
printf '\n   debited:   %s items, %s\n' \
    "$(flow_q "SELECT count(*) FROM obligations WHERE state = 'paid'")" \
    "$(flow_q "SELECT printf('%.2f', sum(due_fen) / 100.0) FROM obligations WHERE state = 'paid'")"
printf '   not debited (no active mandate, pay at the counter): %s\n' \
    "$(flow_q "SELECT count(*) FROM obligations WHERE state = 'open'")"
printf '   bank-sim: %s debited, %s debited twice\n\n' "$(bank_count "$SB_DIR" debited)" \
    "$(bank_count "$SB_DIR" double_debits)"
expect 0 "$DEBITGW" ledger trial-balance
show
expect 0 "$DEBITGW" audit verify
show
flow_check
echo
echo "demo: done; everything it started is stopped and its folder removed."
