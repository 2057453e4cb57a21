# t_bank_transport.sh - the bank simulator behind real servers: a real
# OpenSSH sshd (SFTP) and the HTTPS bank endpoint (build/httpsd,
# libmicrohttpd with TLS and client certificates), each on a free port on
# 127.0.0.1, with bank-sim --watch answering what lands in its inbox.
# `debitgw send` uploads a signed pain.008 and pain.009 (signature first,
# file last); the bank answers; `debitgw fetch` brings the signed
# pain.002 and pain.012 home, where they verify against the bank's trust
# entry and read back with the outcomes the bank's accounts decided. A
# second send moves nothing and the bank debits nothing twice. The full
# product flow (batches from the database, ingestion, the ledger) is
# tested where it is built.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"
. "$(dirname "$0")/httpsd.sh"
. "$(dirname "$0")/bank.sh"
FMTGEN=$ROOT/build/fmtgen
MSG=B20240126000001
bank_keys

"$FMTGEN" pain008 12 --pmtinf 2 --out "$T/batch.xml" 2>/dev/null || fail fmtgen
"$BANKSIM" --make-accounts "$T/batch.xml" --cycle ok,funds,frozen,name \
	>"$T/acc.csv" 2>/dev/null || fail "make-accounts"

sshd_setup "$T/sshd"
sshd_start
httpsd_setup "$T/https"
httpsd_start
SFTP_DIR=$SSHD_DIR/bank
HTTPS_DIR=$HTTPSD_DIR/bank
SURL=sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT$SFTP_DIR
HURL=https://127.0.0.1:$HTTPSD_PORT
{
	printf '\n[bank:SB]\nagent = ICBKCNBJGDG\nupload = %s/inbox/\n' "$SURL"
	printf 'returns = %s/outbox/\nclient_key = %s/id_ed25519\n' "$SURL" \
		"$SSHD_DIR"
	printf 'host_key_sha256 = %s\nconnect_timeout = 5\n' "$SSHD_FP"
	printf '\n[bank:HB]\nagent = ICBKCNBJGDG\nupload = %s/inbox/\n' "$HURL"
	printf 'returns = %s/outbox/\nclient_cert = %s/client.pem\n' "$HURL" \
		"$HTTPSD_DIR"
	printf 'client_key = %s/client.key\nca_file = %s/ca.pem\n' \
		"$HTTPSD_DIR" "$HTTPSD_DIR"
	printf 'connect_timeout = 5\n'
} >>"$DEBITGW_HOME/debitgw.conf"
expect 0 "$DEBITGW" config check
expect 0 "$DEBITGW" trust add SB "$BANK_CERT"
expect 0 "$DEBITGW" trust add HB "$BANK_CERT"

for bank in SB HB; do
	if [ $bank = SB ]; then dir=$SFTP_DIR; else dir=$HTTPS_DIR; fi
	out=$DEBITGW_HOME/outbox/$bank
	in=$DEBITGW_HOME/inbox/$bank
	bank_watch "$dir" "$T/acc.csv"
	mkdir -p "$out"
	cp "$T/batch.xml" "$out/D$bank.xml"
	sign "$out/D$bank.xml"
	"$FMTGEN" pain009 4 --out "$out/M$bank.xml" 2>/dev/null
	sign "$out/M$bank.xml"
	expect 0 "$DEBITGW" send --bank $bank
	grep_out "up D$bank.xml ([0-9]* bytes) confirmed"
	grep_out "up M$bank.xml ([0-9]* bytes) confirmed"
	wait_for 20 test -e "$dir/outbox/RET-D$bank.xml" ||
		{ cat "$T/bank.log" >&2; fail "$bank: no answer to the batch"; }
	wait_for 20 test -e "$dir/outbox/RET-M$bank.xml" ||
		{ cat "$T/bank.log" >&2; fail "$bank: no answer to pain.009"; }
	expect 0 "$DEBITGW" fetch --bank $bank
	grep_out "down RET-D$bank.xml ([0-9]* bytes) stored"
	grep_out "down RET-D$bank.xml.p7s ([0-9]* bytes) stored"
	for f in RET-D$bank.xml RET-M$bank.xml; do
		expect 0 "$DEBITGW" verify "$in/$f" --bank $bank
		grep_out "signature good"
	done
	ret_codes "$in/RET-D$bank.xml" >"$T/codes"
	want_codes 12 ACSC AM04 AC06 BE01 >"$T/want"
	same "$T/codes" "$T/want" "$bank: outcomes"
	"$DEBITGW" --csv format parse "$in/RET-M$bank.xml" |
		awk -F, '$2 == "item" { print $6, $7, $9 }' >"$T/m"
	printf 'M0000000001 accepted \nM0000000002 accepted \nM0000000003 accepted \nM0000000004 rejected BE01\n' \
		>"$T/mwant"
	same "$T/m" "$T/mwant" "$bank: mandate answers"
	# Sending again moves nothing; the bank debits nothing twice.
	expect 0 "$DEBITGW" send --bank $bank
	grep_out "send: 0 done"
	[ "$(bank_count "$dir" debited)" = 3 ] || fail "$bank: debited"
	[ "$(bank_count "$dir" files_again)" = 0 ] || fail "$bank: again"
	[ "$(bank_count "$dir" double_debits)" = 0 ] || fail "$bank: twice"
	bank_stop
	grep -q "D$bank.xml: pain.008.001.08 $MSG: 12 items, 3 debited" \
		"$T/bank.log" || { cat "$T/bank.log" >&2; fail "$bank: log"; }
done
# What each server saw: the signature stored before its file.
grep -n 'rename old' "$SSHD_DIR/sftp.log" | grep -m1 'DSB.xml' |
	grep -q 'DSB.xml.p7s' || fail "SFTP: the file went up before its signature"
p=$(grep -n '^PUT /inbox/DHB.xml.p7s 201 stored' "$HTTPSD_DIR/requests.log" |
	cut -d: -f1)
f=$(grep -n '^PUT /inbox/DHB.xml 201 stored' "$HTTPSD_DIR/requests.log" |
	cut -d: -f1)
[ -n "$p" ] && [ -n "$f" ] && [ "$p" -lt "$f" ] ||
	fail "HTTPS: the file went up before its signature"
