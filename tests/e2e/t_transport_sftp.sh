# t_transport_sftp.sh - send, fetch, transfers and resend against a real
# OpenSSH sshd on 127.0.0.1: files up and down for real, Ed25519 and ECDSA
# client keys, host key pinned by SHA-256 and by known_hosts, refusals of
# a wrong host key, an unknown host key and a wrong client key (one
# attempt each, no retry storm), and a connection dropped mid-upload and
# an upload the server acknowledged but stored nothing of, both retried
# until confirmed with exactly one file at the bank.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

sshd_setup "$T/sshd"
sshd_start
IN=$SSHD_DIR/bank/in
OUT=$SSHD_DIR/bank/out
URL=sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT
OTHER_FP=$(ssh-keygen -l -E sha256 -f "$SSHD_DIR/other_host_key.pub" | cut -d' ' -f2)
# A known_hosts that knows another key for this host: "mismatch".
sed "s|ssh-ed25519 .*|$(cut -d' ' -f1,2 "$SSHD_DIR/other_host_key.pub")|" \
	"$SSHD_KNOWN_HOSTS" >"$T/wrong_known_hosts"
# One that does not know this host at all: "unknown".
sed "s|^\[127.0.0.1\]:$SSHD_PORT|[127.0.0.2]:$SSHD_PORT|" \
	"$SSHD_KNOWN_HOSTS" >"$T/unknown_known_hosts"

# Our key encrypted (OpenSSH format, bcrypt KDF): opened with the
# passphrase from --passphrase-file or $DEBITGW_KEY_PASSPHRASE.
cp "$SSHD_DIR/id_ed25519" "$T/id_enc"
ssh-keygen -q -p -P '' -N "$DEBITGW_KEY_PASSPHRASE" -f "$T/id_enc" >/dev/null ||
	fail "ssh-keygen -p"

expect 0 "$DEBITGW" init
bank() { # CODE KEY HOSTKEY-LINE [extra lines]
	printf '\n[bank:%s]\nagent = ICBKCNBJGDG\nupload = %s%s/\n' "$1" "$URL" "$IN"
	printf 'returns = %s%s/\nclient_key = %s\n%s\n' "$URL" "$OUT" "$2" "$3"
	printf 'retry_base_ms = 20\nretry_cap_ms = 200\nretry_max = 6\n'
	printf 'connect_timeout = 5\n'
}
{
	bank SB "$SSHD_DIR/id_ed25519" "host_key_sha256 = $SSHD_FP"
	bank EC "$SSHD_DIR/id_ecdsa" "known_hosts = $SSHD_KNOWN_HOSTS
client_key_pub = $SSHD_DIR/id_ecdsa.pub"
	bank BADPIN "$SSHD_DIR/id_ed25519" "host_key_sha256 = $OTHER_FP"
	bank BADKH "$SSHD_DIR/id_ed25519" "known_hosts = $T/wrong_known_hosts"
	bank UNKH "$SSHD_DIR/id_ed25519" "known_hosts = $T/unknown_known_hosts"
	bank BADKEY "$SSHD_DIR/id_stranger" "host_key_sha256 = $SSHD_FP"
	bank ENC "$T/id_enc" "host_key_sha256 = $SSHD_FP"
} >>"$DEBITGW_HOME/debitgw.conf"
expect 0 "$DEBITGW" config check

# put NAME BANK SIZE: a data file and its signature in outbox/BANK/.
put() {
	mkdir -p "$DEBITGW_HOME/outbox/$2"
	head -c "$3" /dev/urandom >"$DEBITGW_HOME/outbox/$2/$1"
	head -c 700 /dev/urandom >"$DEBITGW_HOME/outbox/$2/$1.p7s"
	cp "$DEBITGW_HOME/outbox/$2/$1" "$T/sent-$1"
}
# state BANK NAME: "state attempts sends" of an upload record.
state() {
	q "SELECT state || ' ' || attempts ||
	    ' ' || sends FROM transfers WHERE bank = '$1' AND remote_name = '$2'
	    AND direction = 'up'"
}
# bank_files: the names in the bank's upload folder, dot-files included.
bank_files() { ls -A "$IN" | tr '\n' ' '; }

# --- up and down, for real (Ed25519 key, SHA-256 host key pin) ---------
put D1.xml SB 200000
mkdir -p "$DEBITGW_HOME/outbox/SB"
head -c 100 /dev/urandom >"$DEBITGW_HOME/outbox/SB/UNSIGNED.xml"
expect 0 "$DEBITGW" send --bank SB
grep_out "up D1.xml.p7s (700 bytes) confirmed"
grep_out "up D1.xml (200000 bytes) confirmed"
grep_out "UNSIGNED.xml: no signature"
cmp -s "$IN/D1.xml" "$T/sent-D1.xml" || fail "D1.xml at the bank differs"
[ "$(bank_files)" = "D1.xml D1.xml.p7s " ] || fail "bank holds: $(bank_files)"
# The signature went up before the file.
grep -n 'rename old' "$SSHD_DIR/sftp.log" | head -n 2 | tail -n 1 |
	grep -q '"/.*/D1.xml"' || fail "D1.xml was not renamed after its signature"
[ -f "$DEBITGW_HOME/archive/SB/D1.xml" ] && [ -f "$DEBITGW_HOME/archive/SB/D1.xml.p7s" ] ||
	fail "confirmed files not archived"
[ ! -e "$DEBITGW_HOME/outbox/SB/D1.xml" ] || fail "D1.xml still in the outbox"
[ "$(state SB D1.xml)" = "done 1 1" ] || fail "D1.xml record: $(state SB D1.xml)"

# A second pass uploads nothing again, even with the file back in the outbox.
cp "$DEBITGW_HOME/archive/SB/D1.xml" "$DEBITGW_HOME/archive/SB/D1.xml.p7s" \
	"$DEBITGW_HOME/outbox/SB/"
expect 0 "$DEBITGW" send --bank SB
grep_out "send: 0 done, 1 already done"
[ "$(grep -c 'rename old' "$SSHD_DIR/sftp.log")" -eq 2 ] || fail "uploaded twice"

# Return files: fetched once each, unsafe names never.
head -c 54321 /dev/urandom >"$OUT/R1.txt"
echo x >"$OUT/.hidden"
echo x >"$OUT/bad name.txt"
echo x >"$OUT/semi;colon"
expect 0 "$DEBITGW" fetch --bank SB
grep_out "down R1.txt (54321 bytes) stored"
grep_out "3 unsafe names skipped"
cmp -s "$OUT/R1.txt" "$DEBITGW_HOME/inbox/SB/R1.txt" || fail "R1.txt differs"
[ "$(ls -A "$DEBITGW_HOME/inbox/SB")" = "R1.txt" ] || fail "inbox: $(ls -A "$DEBITGW_HOME/inbox/SB")"
expect 0 "$DEBITGW" fetch --bank SB
grep_out "fetch: 0 done, 1 already done"

# --- ECDSA key, host verified by known_hosts -----------------------------
put E1.xml EC 5000
expect 0 "$DEBITGW" send --bank EC
grep_out "up E1.xml (5000 bytes) confirmed"
cmp -s "$IN/E1.xml" "$T/sent-E1.xml" || fail "E1.xml at the bank differs"

# --- an encrypted key: a wrong passphrase is refused, the right one works
put K1.xml ENC 2000
printf 'not-the-passphrase\n' >"$T/wrong-pass"
chmod 600 "$T/wrong-pass"
expect 3 "$DEBITGW" send --bank ENC --passphrase-file "$T/wrong-pass"
grep_err "or its passphrase is wrong"
[ "$(state ENC K1.xml.p7s)" = "needs_operator 1 1" ] || fail "ENC: $(state ENC K1.xml.p7s)"
chmod 644 "$T/wrong-pass"
expect 3 "$DEBITGW" send --bank ENC --passphrase-file "$T/wrong-pass"
grep_err "readable by group or others"
expect 0 "$DEBITGW" send --bank ENC
grep_out "up K1.xml (2000 bytes) confirmed"
cmp -s "$IN/K1.xml" "$T/sent-K1.xml" || fail "K1.xml differs"

# --- refusals: one attempt each, stopped for an operator ---------------
for b in BADPIN BADKH UNKH BADKEY; do
	put "X-$b.xml" "$b" 1000
	expect 3 "$DEBITGW" send --bank "$b"
	case $b in
	BADKEY) grep_err "login refused: the bank does not accept our client_key" ;;
	BADPIN) grep_err "host key refused.*mismatch sha256 fingerprint" ;;
	*) grep_err "host key refused: not the key in host_key_sha256 / known_hosts" ;;
	esac
	[ "$(state "$b" "X-$b.xml.p7s")" = "needs_operator 1 1" ] ||
		fail "$b: $(state "$b" "X-$b.xml.p7s")"
	[ "$(state "$b" "X-$b.xml")" = "pending 0 1" ] ||
		fail "$b: data file tried after a refusal"
	[ ! -e "$IN/X-$b.xml.p7s" ] || fail "$b: file reached the bank"
done
expect 0 "$DEBITGW" transfers --state needs_operator --json
[ "$(grep -c '"state":"needs_operator"' "$T/out")" -eq 4 ] || fail "needs_operator list"
grep_out '"last_error":"size sftp://127.0.0.1'

# --- connection dropped mid-upload: retried until confirmed, once ------
put DROP.xml SB 300000
sshd_fault_drop 1
expect 0 "$DEBITGW" send --bank SB
grep_out "up DROP.xml: attempt 1 failed"
grep_out "up DROP.xml (300000 bytes) confirmed at the bank after retries"
[ "$(cat "$SSHD_DIR/fault-drop")" = 0 ] || fail "the drop fault did not fire"
cmp -s "$IN/DROP.xml" "$T/sent-DROP.xml" || fail "DROP.xml at the bank differs"
[ "$(ls -A "$IN" | grep -c DROP)" -eq 2 ] || fail "bank holds: $(bank_files)"
[ "$(state SB DROP.xml)" = "done 2 1" ] || fail "DROP.xml record: $(state SB DROP.xml)"

# --- server says OK and stores nothing: the temporary name is a link to
# /dev/null, so open, write and rename all succeed and no byte is kept --
put NULL.xml SB 100000
ln -s /dev/null "$IN/.NULL.xml.part"
expect 0 "$DEBITGW" send --bank SB
grep_out "up NULL.xml: attempt 1 failed: put .*the server holds 0 bytes, we sent 100000"
grep_out "removing our incomplete copy"
grep_out "up NULL.xml (100000 bytes) confirmed at the bank after retries"
[ -f "$IN/NULL.xml" ] && [ ! -L "$IN/NULL.xml" ] || fail "NULL.xml not a real file"
cmp -s "$IN/NULL.xml" "$T/sent-NULL.xml" || fail "NULL.xml at the bank differs"
[ "$(ls -A "$IN" | grep -c NULL)" -eq 2 ] || fail "bank holds: $(bank_files)"

# --- resend a file the bank lost: same name, recorded -----------------
rm "$IN/D1.xml"
expect 0 "$DEBITGW" resend D1.xml --reason "bank lost it"
grep_out "up D1.xml (200000 bytes) confirmed"
grep_out "up D1.xml.p7s: already at the bank with the right size"
cmp -s "$IN/D1.xml" "$T/sent-D1.xml" || fail "resent D1.xml differs"
[ "$(state SB D1.xml)" = "done 2 2" ] || fail "resent record: $(state SB D1.xml)"
expect 0 "$DEBITGW" audit list --entity transfer --id SB/up/D1.xml
grep_out "resend .*bank lost it"
expect 0 "$DEBITGW" audit verify
expect 1 "$DEBITGW" resend NEVER.xml
grep_err "never uploaded"

# --- the listing shows every transfer with state, attempts, error ------
expect 0 "$DEBITGW" transfers --csv
head -n 1 "$T/out" | grep -q '^id,dir,bank,name,size,state,attempts,sends,' ||
	fail "csv header: $(head -n 1 "$T/out")"
[ "$(grep -c ',up,' "$T/out")" -eq 18 ] || fail "csv up rows: $(grep -c ',up,' "$T/out")"
expect 0 "$DEBITGW" transfers
grep_out "last error: size sftp://"

# --- a config without host key verification is refused ----------------
printf '\n[bank:NOPIN]\nagent = X\nupload = %s%s/\nclient_key = k\n' "$URL" "$IN" \
	>>"$DEBITGW_HOME/debitgw.conf"
expect 3 "$DEBITGW" config check
grep_err "set host_key_sha256 or known_hosts"

sshd_stop
echo "t_transport_sftp: ok"
