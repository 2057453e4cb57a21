# tests/e2e/flow.sh - the whole product against simulated banks, for the
# flow test, the daemon kill test and the demo. Sourced after lib.sh,
# sshd.sh, httpsd.sh and bank.sh.
#
# Every process of a flow lives on the same fake calendar (January 2021,
# the Zhongshan notice's first month): keys and imports at a pinned
# FLOW_SETUP_TIME, the banks and the daemon on ticking clocks started near
# the run time, so certificates, signing times and the run time agree.
#
#   flow_setup N [BANKS]   our home and keys, an SFTP bank SB behind sshd
#                          and an HTTPS bank HB behind httpsd (BANKS: "SB
#                          HB", default both), each with a watching
#                          bank-sim, N payers' mandates and January
#                          assessments, the banks' accounts (8% without
#                          the money, a few frozen, closed, abnormal)
#   flow_banks_restart START  restart the watching banks on a new fake
#                          date (a later month's run)
#   flow_banks_stop        stop the watching banks (each must exit 0)
#   flow_serve START       debitgw serve in the background from the fake
#                          time START (ticking); PID in SERVE_PID
#   flow_stop_serve        SIGTERM it; fails unless it exits 0
#   flow_wait_reconciled N wait (bounded) until N batches are reconciled
#   flow_check             ledger, audit and bank agree: nothing lost,
#                          nothing doubled
FLOW_BANKS=${FLOW_BANKS:-SB HB}
# The banks read fake times in the process zone; ours comes from the config.
export TZ=Asia/Shanghai
FLOW_SETUP_TIME=${FLOW_SETUP_TIME:-2021-01-20T09:00:00}
FLOW_BANK_START=${FLOW_BANK_START:-2021-01-26T01:59:00}

flow_q() { q "$1"; }

flow_setup() {
	n=$1
	FLOW_BANKS=${2:-$FLOW_BANKS}
	export DEBITGW_FAKE_NOW=$FLOW_SETUP_TIME
	bank_keys
	banks_csv=$(echo $FLOW_BANKS | tr ' ' ,)
	case " $FLOW_BANKS " in *" SB "*)
		sshd_setup "$T/sshd"
		sshd_start
		SB_DIR=$SSHD_DIR/bank
		SURL=sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT$SB_DIR
		{
		printf '\n[bank:SB]\nname = SFTP 测试银行\nagent = ICBKCNBJGDG\n'
		printf 'upload = %s/inbox/\nreturns = %s/outbox/\n' "$SURL" "$SURL"
		printf 'client_key = %s/id_ed25519\n' "$SSHD_DIR"
		printf 'host_key_sha256 = %s\npoll_interval = 1\n' "$SSHD_FP"
		printf 'connect_timeout = 10\nafter_ingest = delete\n'
		} >>"$DEBITGW_HOME/debitgw.conf" ;;
	esac
	case " $FLOW_BANKS " in *" HB "*)
		httpsd_setup "$T/https"
		httpsd_start
		HB_DIR=$HTTPSD_DIR/bank
		HURL=https://127.0.0.1:$HTTPSD_PORT
		{
		printf '\n[bank:HB]\nname = HTTPS 测试银行\nagent = PCBCCNBJGDG\n'
		printf 'format = pain.008.001.02\n'
		printf 'upload = %s/inbox/\nreturns = %s/outbox/\n' "$HURL" "$HURL"
		printf 'client_cert = %s/client.pem\n' "$HTTPSD_DIR"
		printf 'client_key = %s/client.key\nca_file = %s/ca.pem\n' \
		    "$HTTPSD_DIR" "$HTTPSD_DIR"
		printf 'poll_interval = 1\nconnect_timeout = 10\n'
		} >>"$DEBITGW_HOME/debitgw.conf" ;;
	esac
	sed -i 's/^timezone = Asia\/Shanghai$/timezone = Asia\/Shanghai\nsend_interval = 1/' \
	    "$DEBITGW_HOME/debitgw.conf"
	expect 0 "$DEBITGW" config check
	for b in $FLOW_BANKS; do
		expect 0 "$DEBITGW" trust add "$b" "$BANK_CERT"
	done
	# shellcheck disable=SC2086
	"$ROOT/build/gentool" mandates "$n" --banks "$banks_csv" \
	    ${FLOW_MANDATE_ARGS:-} >"$T/m.csv"
	expect 0 "$DEBITGW" mandate import "$T/m.csv"
	# shellcheck disable=SC2086
	"$ROOT/build/gentool" assessments "$n" --year 2021 --month 1 \
	    ${FLOW_ASSESS_ARGS:-} >"$T/a.csv"
	expect 0 "$DEBITGW" assess import "$T/a.csv"
	"$ROOT/build/gentool" accounts "$n" --insufficient 8 --frozen 2 \
	    --closed 2 --abnormal 1 --lost 1 >"$T/accounts.csv"
	unset DEBITGW_FAKE_NOW
	flow_banks_start "$FLOW_BANK_START"
}

flow_banks_start() {
	FLOW_BANK_PIDS=""
	for b in $FLOW_BANKS; do
		eval "dir=\$${b}_DIR"
		DEBITGW_FAKE_START=$1 bank_watch "$dir" "$T/accounts.csv" \
		    --code "BANK$b"
		FLOW_BANK_PIDS="$FLOW_BANK_PIDS $BANK_PID"
	done
}

flow_banks_stop() {
	for p in $FLOW_BANK_PIDS; do BANK_PID=$p; bank_stop; done
	FLOW_BANK_PIDS=""
}

flow_banks_restart() {
	flow_banks_stop
	flow_banks_start "$1"
}

flow_serve() {
	port=$(free_port)
	DEBITGW_FAKE_START=$1 "$DEBITGW" serve --listen 127.0.0.1:$port \
	    2>>"$T/serve.log" &
	SERVE_PID=$!
	PIDS="$PIDS $SERVE_PID"
	SERVE_PORT=$port
	# Answered only after the first round of jobs; a kill test that wants
	# to hit that round says FLOW_NO_WAIT=1.
	[ -n "${FLOW_NO_WAIT:-}" ] && return 0
	wait_for 20 curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null ||
		{ tail -n 20 "$T/serve.log" >&2; fail "serve did not come up"; }
}

flow_stop_serve() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID"
	rc=$?
	[ $rc -eq 0 ] || { tail -n 30 "$T/serve.log" >&2; fail "serve exited $rc"; }
}

flow_reconciled() {
	[ "$(flow_q "SELECT count(*) FROM batches WHERE state = 'reconciled'")" -ge "$1" ]
}

flow_wait_reconciled() {
	wait_for "${2:-90}" flow_reconciled "$1" || {
		tail -n 40 "$T/serve.log" >&2
		flow_q "SELECT msg_id, state FROM batches" >&2
		fail "batches not reconciled in time"
	}
}

# Nothing lost, nothing doubled: the bank's journal, our ledger and the
# audit chain tell the same story.
flow_check() {
	debited=0
	for b in $FLOW_BANKS; do
		eval "dir=\$${b}_DIR"
		[ "$(bank_count "$dir" double_debits)" = 0 ] || fail "$b debited twice"
		debited=$((debited + $(bank_count "$dir" debited)))
	done
	paid=$(flow_q "SELECT count(*) FROM obligations WHERE state = 'paid'")
	[ "$paid" -eq "$debited" ] || fail "banks debited $debited, ledger has $paid paid"
	# A debit entry credits receivable once for the obligations naming
	# it; ledger check below holds each credit to their dues.
	posted=$(flow_q "SELECT count(*) FROM obligations o JOIN journal_entries j
	    ON j.id = o.pay_entry WHERE j.kind = 'debit'")
	[ "$posted" -eq "$debited" ] || fail "banks debited $debited, $posted credited"
	expect 0 "$DEBITGW" ledger trial-balance
	grep_out "^total .* 0\.00$"
	expect 0 "$DEBITGW" ledger check
	expect 0 "$DEBITGW" audit verify
}
