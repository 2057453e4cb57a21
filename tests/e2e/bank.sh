# tests/e2e/bank.sh - the bank simulator (build/bank-sim) for end-to-end
# tests. Sourced after lib.sh.
#
#   bank_keys                 our signing key (the home's, `debitgw keys
#                             gen`) and the bank's (a second home's);
#                             sets OUR_CERT BANK_KEY BANK_CERT BANK_PASS
#   bank_run DIR ACC [ARGS]   bank-sim --once on DIR with accounts ACC
#   bank_watch DIR ACC [ARGS] bank-sim --watch in the background, waited
#                             for (its --ready file), PID in BANK_PID
#   bank_stop                 SIGTERM by PID; fails unless it exits 0
#   bank_count DIR KEY        one number of `bank-sim --report`
#   ret_codes FILE            "END_TO_END_ID CODE" per item of a pain.002
#                             (CODE is ACSC for a debited one), read by
#                             `debitgw format parse`
#   want_codes N CODE...      "END_TO_END_ID CODE" for items 1..N of the
#                             batch $MSG, the CODEs in turn (as ret_codes)
#   sign FILE                 FILE.p7s with our key
BANKSIM=${BANKSIM:-$ROOT/build/bank-sim}

bank_keys() {
	[ -f "$DEBITGW_HOME/debitgw.conf" ] || expect 0 "$DEBITGW" init
	expect 0 "$DEBITGW" keys gen --alg p256 --subject "/CN=Zhongshan tax/O=STA"
	OUR_CERT=$T/ours.pem
	expect 0 "$DEBITGW" keys export-cert K0001 --out "$OUR_CERT"
	DEBITGW_HOME=$T/bankhome "$DEBITGW" init >/dev/null &&
	    DEBITGW_HOME=$T/bankhome "$DEBITGW" keys gen --alg p256 \
		--subject "/CN=Test Bank/O=Bank" >/dev/null || fail "bank key"
	BANK_KEY=$T/bankhome/keys/K0001.key
	BANK_CERT=$T/bankhome/keys/K0001.crt
	BANK_PASS=$T/bank-pass
	printf '%s\n' "$DEBITGW_KEY_PASSPHRASE" >"$BANK_PASS"
	chmod 600 "$BANK_PASS"
}

sign() { expect 0 "$DEBITGW" sign "$1"; }

bank_args() { # DIR ACC
	printf -- '--dir\n%s\n--accounts\n%s\n--key\n%s\n--cert\n%s\n' \
		"$1" "$2" "$BANK_KEY" "$BANK_CERT"
	printf -- '--passphrase-file\n%s\n--trust\n%s\n--code\nTESTBANK\n' \
		"$BANK_PASS" "$OUR_CERT"
}

bank_run() {
	d=$1 a=$2
	shift 2
	# shellcheck disable=SC2046
	(IFS='
'; exec "$BANKSIM" $(bank_args "$d" "$a") --once "$@") >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/err" >&2; fail "bank-sim --once exited $rc"; }
}

bank_watch() {
	d=$1 a=$2
	shift 2
	rm -f "$T/bank-ready"
	# shellcheck disable=SC2046
	(IFS='
'; exec "$BANKSIM" $(bank_args "$d" "$a") --watch --poll-ms 50 \
		--ready "$T/bank-ready" "$@") 2>>"$T/bank.log" &
	BANK_PID=$!
	PIDS="$PIDS $BANK_PID"
	wait_for 20 test -e "$T/bank-ready" ||
		{ cat "$T/bank.log" >&2; fail "bank-sim did not start"; }
}

bank_stop() {
	kill "$BANK_PID" 2>/dev/null
	wait "$BANK_PID"
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/bank.log" >&2; fail "bank-sim exited $rc"; }
}

bank_count() {
	"$BANKSIM" --report --dir "$1" | sed -n "s/^$2 //p"
}

ret_codes() {
	"$DEBITGW" --csv format parse "$1" |
		awk -F, '$2 == "item" { print $5, ($9 == "" ? $8 : $9) }'
}

want_codes() {
	n=$1
	shift
	i=1
	while [ $i -le "$n" ]; do
		for c in "$@"; do
			[ $i -le "$n" ] && printf '%s-%09d %s\n' $MSG $i "$c"
			i=$((i + 1))
		done
	done
}
