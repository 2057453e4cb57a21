# t_transport_https.sh - send, fetch, resend and remote clean-up against a
# real HTTPS endpoint on 127.0.0.1 (build/httpsd: libmicrohttpd with TLS,
# client certificates required): PUT and POST uploads, listing and
# download, the server certificate checked against the bank's CA and a
# pin; an unknown server certificate, a wrong pin and a client certificate
# the bank does not know each stop after one attempt; 503s, a connection
# dropped mid-upload and a 201 that stored nothing are retried until the
# file is confirmed, with exactly one stored upload at the bank.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpsd.sh"

httpsd_setup "$T/https"
httpsd_start
H=$HTTPSD_DIR
IN=$H/bank/in
OUT=$H/bank/out
LOG=$H/requests.log
URL=https://127.0.0.1:$HTTPSD_PORT

# Our client key as encrypted PKCS#8, opened with $DEBITGW_KEY_PASSPHRASE.
cp "$H/client.pem" "$H/client-enc.pem"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$H/client.key" \
	-passout env:DEBITGW_KEY_PASSPHRASE -out "$H/client-enc.key" || fail pkcs8
chmod 600 "$H/client-enc.key"
grep -q 'ENCRYPTED PRIVATE KEY' "$H/client-enc.key" || fail "key not encrypted"

expect 0 "$DEBITGW" init
bank() { # CODE CERT-PREFIX extra-lines
	printf '\n[bank:%s]\nagent = ICBKCNBJGDG\nupload = %s/in/\n' "$1" "$URL"
	printf 'returns = %s/out/\nclient_cert = %s.pem\nclient_key = %s.key\n' \
		"$URL" "$2" "$2"
	printf 'ca_file = %s/ca.pem\nretry_base_ms = 20\nretry_cap_ms = 200\n' "$H"
	printf 'retry_max = 6\nconnect_timeout = 5\n%s\n' "$3"
}
{
	bank HB "$H/client" "pin_sha256 = $HTTPSD_PIN
after_ingest = move:done"
	bank HP "$H/client" "http_upload_method = POST
after_ingest = delete"
	bank HPIN "$H/client" "pin_sha256 = $HTTPSD_ROGUE_PIN"
	bank HBADC "$H/rogue-client" ""
	bank HENC "$H/client-enc" ""
} >>"$DEBITGW_HOME/debitgw.conf"
expect 0 "$DEBITGW" config check

put() { # NAME BANK SIZE
	mkdir -p "$DEBITGW_HOME/outbox/$2"
	head -c "$3" /dev/urandom >"$DEBITGW_HOME/outbox/$2/$1"
	head -c 700 /dev/urandom >"$DEBITGW_HOME/outbox/$2/$1.sig"
	cp "$DEBITGW_HOME/outbox/$2/$1" "$T/sent-$1"
}
state() {
	q "SELECT state || ' ' || attempts ||
	    ' ' || sends FROM transfers WHERE bank = '$1' AND remote_name = '$2'"
}
stored() { grep -c "^P[A-Z]* /in/$1 201 stored\$" "$LOG"; }

# --- up by PUT, pinned and CA-checked; down; each once -----------------
put P1.xml HB 250000
expect 0 "$DEBITGW" send --bank HB
grep_out "up P1.xml.sig (700 bytes) confirmed"
grep_out "up P1.xml (250000 bytes) confirmed"
cmp -s "$IN/P1.xml" "$T/sent-P1.xml" || fail "P1.xml at the bank differs"
[ "$(stored P1.xml)" -eq 1 ] && [ "$(stored P1.xml.sig)" -eq 1 ] || fail "stored count"
# Signature first, file last.
[ "$(grep ' 201 stored$' "$LOG" | head -n 1 | cut -d' ' -f2)" = /in/P1.xml.sig ] ||
	fail "the signature did not go first"
expect 0 "$DEBITGW" send --bank HB
grep_out "send: 0 done"
[ "$(stored P1.xml)" -eq 1 ] || fail "P1.xml uploaded twice"

# --- up by POST multipart ----------------------------------------------
put Q1.xml HP 4000
expect 0 "$DEBITGW" send --bank HP
grep_out "up Q1.xml (4000 bytes) confirmed"
cmp -s "$IN/Q1.xml" "$T/sent-Q1.xml" || fail "Q1.xml (POST) differs"
grep -q '^POST /in/ 201 stored$' "$LOG" || fail "no POST in the log"

# --- an encrypted client key ------------------------------------------
put E1.xml HENC 3000
expect 0 "$DEBITGW" send --bank HENC
grep_out "up E1.xml (3000 bytes) confirmed"
cmp -s "$IN/E1.xml" "$T/sent-E1.xml" || fail "E1.xml differs"

# --- down: listed as JSON, fetched once, unsafe names never -------------
head -c 65000 /dev/urandom >"$OUT/RET1.xml"
echo x >"$OUT/bad name.xml"
expect 0 "$DEBITGW" fetch --bank HB
grep_out "down RET1.xml (65000 bytes) stored"
grep_out "1 unsafe names skipped"
cmp -s "$OUT/RET1.xml" "$DEBITGW_HOME/inbox/HB/RET1.xml" || fail "RET1.xml differs"
expect 0 "$DEBITGW" fetch --bank HB
grep_out "fetch: 0 done, 1 already done"
[ "$(grep -c '^GET /out/RET1.xml 200' "$LOG")" -eq 1 ] || fail "RET1.xml fetched twice"
# After ingestion: moved on the server (HB), deleted (HP).
expect 0 "$ROOT/build/xferctl" remote-done "$DEBITGW_HOME" HB RET1.xml
grep_out "moved at the bank"
[ -f "$OUT/done/RET1.xml" ] && [ ! -e "$OUT/RET1.xml" ] || fail "RET1.xml not moved"
head -c 300 /dev/urandom >"$OUT/RET2.xml"
expect 0 "$DEBITGW" fetch --bank HP
grep_out "down RET2.xml (300 bytes) stored"
expect 0 "$ROOT/build/xferctl" remote-done "$DEBITGW_HOME" HP RET2.xml
[ ! -e "$OUT/RET2.xml" ] || fail "RET2.xml not deleted"
expect 0 "$DEBITGW" transfers --direction down --json
grep_out '"name":"RET1.xml".*"remote":"moved"'
grep_out '"name":"RET2.xml".*"remote":"deleted"'

# --- refusals: one attempt, no retry storm -----------------------------
put W1.xml HPIN 1000
expect 3 "$DEBITGW" send --bank HPIN
grep_err "server key is not the one in pin_sha256"
[ "$(state HPIN W1.xml.sig)" = "needs_operator 1 1" ] || fail "HPIN: $(state HPIN W1.xml.sig)"
put W2.xml HBADC 1000
expect 3 "$DEBITGW" send --bank HBADC
grep_err "HTTP 403"
[ "$(state HBADC W2.xml.sig)" = "needs_operator 1 1" ] || fail "HBADC: $(state HBADC W2.xml.sig)"
[ "$(grep -c '/in/W2.xml' "$LOG")" -eq 1 ] || fail "HBADC: more than one request"
# The server shows a certificate from a CA we do not trust.
httpsd_stop
HTTPSD_CERT=$H/rogue-server.pem HTTPSD_KEY=$H/rogue-server.key httpsd_start
put W3.xml HP 1000
expect 3 "$DEBITGW" send --bank HP
grep_err "server certificate not trusted"
[ "$(state HP W3.xml.sig)" = "needs_operator 1 1" ] || fail "HP: $(state HP W3.xml.sig)"
[ ! -e "$IN/W3.xml.sig" ] || fail "W3 reached the bank"
httpsd_stop
# An automatic pass (the daemon's) leaves what waits for an operator alone.
httpsd_start
expect 0 "$ROOT/build/xferctl" send "$DEBITGW_HOME" HPIN
grep_out "done 0 already 0 failed 0 stopped 1 deferred 0 attempts 0"
[ "$(state HPIN W1.xml.sig)" = "needs_operator 1 1" ] || fail "HPIN retried"
httpsd_stop

# --- a bank down longer than a pass: failed, not due yet for the daemon,
# retried by the next pass run by hand; hooks run once it is through ----
httpsd_start --fail-first 1000
put F0.xml HB 1000
expect 3 "$DEBITGW" send --bank HB
grep_out "up F0.xml.sig: failed after 6 attempts: .*HTTP 503"
[ "$(state HB F0.xml.sig)" = "failed 6 1" ] || fail "F0: $(state HB F0.xml.sig)"
[ "$(state HB F0.xml)" = "pending 0 1" ] || fail "F0 data tried before its signature"
expect 0 "$ROOT/build/xferctl" send "$DEBITGW_HOME" HB
grep_out "deferred 1 attempts 0"
httpsd_stop
httpsd_start
expect 0 "$DEBITGW" send --bank HB
grep_out "up F0.xml (1000 bytes) confirmed"
[ "$(state HB F0.xml.sig)" = "done 7 1" ] || fail "F0: $(state HB F0.xml.sig)"
put F00.xml HB 1000
expect 0 "$ROOT/build/xferctl" send "$DEBITGW_HOME" HB
grep_out "^hook uploaded HB F00.xml$"
[ "$(grep -c '^hook' "$T/out")" -eq 1 ] || fail "hook count"
head -c 10 /dev/urandom >"$OUT/RET3.xml"
expect 0 "$ROOT/build/xferctl" fetch "$DEBITGW_HOME" HB
grep_out "^hook downloaded HB RET3.xml $DEBITGW_HOME/inbox/HB/RET3.xml$"
httpsd_stop

# --- transient faults, each retried until confirmed, stored once -------
f503=$(grep -c ' 503 fault$' "$LOG")
httpsd_start --fail-first 2
put F1.xml HB 20000
expect 0 "$DEBITGW" send --bank HB
grep_out "attempt 2 failed: .*HTTP 503"
grep_out "up F1.xml (20000 bytes) confirmed"
[ "$(grep -c ' 503 fault$' "$LOG")" -eq $((f503 + 2)) ] || fail "503 count"
httpsd_stop

httpsd_start --drop-uploads 1
put F2.xml HB 300000
rm "$DEBITGW_HOME/outbox/HB/F2.xml.sig"
head -c 500 /dev/urandom >"$DEBITGW_HOME/outbox/HB/F2.xml.p7s"
expect 0 "$DEBITGW" send --bank HB
grep_out "up F2.xml.p7s: attempt 1 failed"
grep_out "up F2.xml (300000 bytes) confirmed"
grep -q '^PUT /in/F2.xml.p7s 0 dropped$' "$LOG" || fail "no dropped upload in the log"
[ "$(stored F2.xml.p7s)" -eq 1 ] && [ "$(stored F2.xml)" -eq 1 ] || fail "F2 stored count"
cmp -s "$IN/F2.xml" "$T/sent-F2.xml" || fail "F2.xml differs"
httpsd_stop

httpsd_start --discard-uploads 1
put F3.xml HB 80000
expect 0 "$DEBITGW" send --bank HB
grep_out "accepted the upload but the file is not there"
grep_out "up F3.xml.sig (700 bytes) confirmed at the bank after retries"
grep -q '^PUT /in/F3.xml.sig 201 discarded$' "$LOG" || fail "no discarded upload"
[ "$(stored F3.xml.sig)" -eq 1 ] && [ "$(stored F3.xml)" -eq 1 ] || fail "F3 stored count"
[ "$(ls -A "$IN" | grep -c F3)" -eq 2 ] || fail "bank holds: $(ls -A "$IN")"

# --- resend under the same name, recorded ------------------------------
rm "$IN/P1.xml"
expect 0 "$DEBITGW" resend P1.xml --bank HB --reason "bank lost P1"
grep_out "up P1.xml (250000 bytes) confirmed"
cmp -s "$IN/P1.xml" "$T/sent-P1.xml" || fail "resent P1.xml differs"
[ "$(stored P1.xml)" -eq 2 ] && [ "$(stored P1.xml.sig)" -eq 1 ] || fail "resend count"
[ "$(state HB P1.xml)" = "done 2 2" ] || fail "P1 record: $(state HB P1.xml)"
expect 0 "$DEBITGW" audit list --entity transfer --id HB/up/P1.xml
grep_out "bank lost P1"
expect 0 "$DEBITGW" audit verify
[ -z "$(ls -A "$IN" | grep '^\.')" ] || fail "temporary files left at the bank"

httpsd_stop
echo "t_transport_https: ok"
