#!/bin/sh
# Issue 7: the whole story, unattended, over both transports. One daemon;
# bank SB behind a real OpenSSH sshd (SFTP), bank HB behind the HTTPS
# endpoint, each a watching bank simulator whose accounts decide. The
# daemon sends the new mandates (pain.009) and ingests the banks' pain.012;
# at 02:00 on the 26th it runs the batches, sends them, fetches the
# pain.002 answers and ingests them. Then: every mandate the banks
# accepted is active, each batch is reconciled, the ledger balances, and
# neither bank debited anything twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"
. "$(dirname "$0")/httpsd.sh"
. "$(dirname "$0")/bank.sh"
. "$(dirname "$0")/flow.sh"

flow_setup 120
pending=$(flow_q "SELECT count(*) FROM mandates WHERE state = 'pending'")
[ "$pending" -gt 0 ] || fail "no new mandates to send"
# 25 seconds before the run: time for the mandates to go out and back.
flow_serve 2021-01-26T01:59:35
mandates_done() {
	[ "$(flow_q "SELECT count(*) FROM mandates WHERE state = 'pending'")" -eq 0 ]
}
wait_for 60 mandates_done || { tail -n 30 "$T/serve.log" >&2; fail "mandates not answered"; }
[ "$(flow_q "SELECT count(*) FROM mandates WHERE state = 'rejected'")" -gt 0 ] ||
	fail "no mandate was refused (closed accounts should be)"
nb=$(echo $FLOW_BANKS | wc -w)
flow_wait_reconciled "$nb"
grep -q "run 2021-01-26: starting" "$T/serve.log" || fail "no run logged"
flow_check
# The run took what the banks had just accepted: payers whose mandates
# went out as pain.009 and came back active are debited too.
newpaid=$(flow_q "SELECT count(*) FROM obligations o JOIN mandates m
    ON m.payer_id = o.payer_id AND m.state = 'active' AND m.origin = 'new'
    WHERE o.state IN ('paid', 'failed')")
[ "$newpaid" -gt 0 ] || fail "no mandate accepted by pain.012 was debited"
# The failures reach the worklist with their categories.
expect 0 "$DEBITGW" --csv failed list
grep -q ',insufficient_funds,AM04,' "$T/out" || fail "no AM04 in the worklist"
grep -q ',account_frozen,AC06,' "$T/out" || fail "no AC06 in the worklist"
# Metrics over HTTP say the same.
curl -sf "http://127.0.0.1:$SERVE_PORT/metrics" -o "$T/metrics" || fail "/metrics"
for m in 'debitgw_mandates{state="active"}' 'debitgw_batches{bank="SB",state="reconciled"} 1' \
    'debitgw_items{bank="HB",result="accepted"}' \
    'debitgw_debit_failures_total{category="insufficient_funds"}' \
    'debitgw_transfers{bank="SB",direction="up",state="done"}' \
    'debitgw_last_run_timestamp_seconds{bank="SB"}'; do
	grep -qF "$m" "$T/metrics" || { cat "$T/metrics" >&2; fail "metrics lack $m"; }
done
flow_stop_serve
flow_banks_stop
exit 0
