#!/bin/sh
# Issue 6: a signed status report with AM04, AC06, AG01, AC04 and
# successes, ingested once; the ledger balances, failures reach the
# finance worklist, and bad files (tampered, another bank's signer, an
# unknown item) are refused without changing anything.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/build/gentool

# bank_key NAME: a bank's signing key and self-signed certificate.
bank_key() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.crt" -subj "/CN=$1 returns" \
	    -days 30 2>/dev/null || fail "openssl req"
}

# txs MSGID "SEQ:CODE ...": the items' TxInfAndSts (ACSC = accepted,
# else RJCT + reason).
txs() {
	for it in $2; do
		seq=${it%%:*} code=${it#*:}
		printf '<TxInfAndSts><OrgnlEndToEndId>%s-%07d</OrgnlEndToEndId>' "$1" "$seq"
		if [ "$code" = ACSC ]; then
			printf '<TxSts>ACSC</TxSts>'
		else
			printf '<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf>' "$code"
		fi
		printf '</TxInfAndSts>'
	done
}

# pain002 OUT MSGID "SEQ:CODE ..." [scope [MORE]]: a pain.002.001.10
# answering batch MSGID, item SEQ with CODE. scope "pmtinf-ACSC" adds a
# payment-level ACSC for the rest; MORE are items of a second payment
# block, after it.
pain002() {
	out=$1 msg=$2 items=$3 scope=${4:-} more=${5:-}
	{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">'
	printf '<CstmrPmtStsRpt><GrpHdr><MsgId>R%s</MsgId>' "$(date +%s%N | cut -c1-16)"
	printf '<CreDtTm>2021-01-27T10:00:00</CreDtTm></GrpHdr>'
	printf '<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId>' "$msg"
	printf '<OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId></OrgnlGrpInfAndSts>'
	printf '<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-P1</OrgnlPmtInfId>' "$msg"
	[ "$scope" = pmtinf-ACSC ] && printf '<PmtInfSts>ACSC</PmtInfSts>'
	txs "$msg" "$items"
	printf '</OrgnlPmtInfAndSts>'
	if [ -n "$more" ]; then
		printf '<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-P1</OrgnlPmtInfId>' "$msg"
		txs "$msg" "$more"
		printf '</OrgnlPmtInfAndSts>'
	fi
	printf '</CstmrPmtStsRpt></Document>\n'
	} >"$out"
	xsd "$out" pain.002.001.10
}

# sign FILE BANK: detached CMS by the bank, as banks send them.
sign() {
	openssl cms -sign -binary -outform DER -in "$1" -signer "$T/$2.crt" \
	    -inkey "$T/$2.key" -out "$1.p7s" || fail "openssl cms -sign"
}

expect 0 $DEBITGW init
expect 0 $DEBITGW keys gen --alg p256
bank_key ICBC
bank_key CCB
expect 0 $DEBITGW trust add ICBC "$T/ICBC.crt"
expect 0 $DEBITGW trust add CCB "$T/CCB.crt"
$GEN mandates 20 --migrated-only --banks ICBC > "$T/m.csv"
expect 0 $DEBITGW mandate import "$T/m.csv"
$GEN assessments 20 --all-due --year 2021 --month 1 > "$T/a.csv"
expect 0 $DEBITGW assess import "$T/a.csv"
expect 0 $DEBITGW run --date 2021-01-26
MSG=DGW20210126ICBC0001
[ "$(q "SELECT nb_items FROM batches WHERE msg_id = '$MSG'")" -eq 20 ] || fail "batch"

# The bank answers 16 of the 20: four failures, twelve successes.
items="1:AM04 2:AC06 3:AG01 4:AC04"
for s in 5 6 7 8 9 10 11 12 13 14 15 16; do items="$items $s:ACSC"; done
pain002 "$T/ret.xml" $MSG "$items"
sign "$T/ret.xml" ICBC

# refused NAME "SEQ:CODE ..." MESSAGE [scope MORE]: ICBC's signed answer
# NAME.xml to MSG is refused with MESSAGE.
refused() {
	pain002 "$T/$1.xml" $MSG "$2" "${4:-}" "${5:-}"
	sign "$T/$1.xml" ICBC
	expect 1 $DEBITGW returns ingest "$T/$1.xml" --bank ICBC
	grep_err "$3"
}

# Refused, each with its reason, and nothing changes.
before=$(dbsum)
cp "$T/ret.xml" "$T/tampered.xml"
cp "$T/ret.xml.p7s" "$T/tampered.xml.p7s"
sed -i 's/AM04/AM05/' "$T/tampered.xml"
expect 1 $DEBITGW returns ingest "$T/tampered.xml" --bank ICBC
grep_err "signature does not match the file"
cp "$T/ret.xml" "$T/ccb.xml"
sign "$T/ccb.xml" CCB
expect 1 $DEBITGW returns ingest "$T/ccb.xml" --bank ICBC
grep_err "not trusted for bank ICBC"
refused unknown "5:ACSC 99:ACSC" "EndToEndId $MSG-0000099 is not an item of ours"
cp "$T/ret.xml" "$T/nosig.xml"
expect 1 $DEBITGW returns ingest "$T/nosig.xml" --bank ICBC
grep_err "no signature"
expect 1 $DEBITGW returns ingest "$T/nosig.xml" --bank ICBC --unsigned
grep_err "unsigned_ok"
# A file of ICBC's batch sent in as CCB's return: the CCB signature is
# good, the batch is not CCB's.
expect 1 $DEBITGW returns ingest "$T/ccb.xml" --bank CCB
grep_err "of bank ICBC, not CCB"
[ "$(dbsum)" = "$before" ] || fail "a refused file changed the database"

# The good file.
expect 0 $DEBITGW returns ingest "$T/ret.xml" --bank ICBC
grep_out "16 items in 1 batch: 12 debited"
grep_out "4 failed"
expect 0 $DEBITGW ledger trial-balance
grep_out "^total .* 0\.00$"
expect 0 $DEBITGW --csv failed list
for cat in insufficient_funds account_frozen account_abnormal account_closed; do
	grep -q ",$cat," "$T/out" || fail "failed list lacks $cat"
done
[ "$(($(wc -l < "$T/out") - 1))" -eq 4 ] || fail "failed list: want 4 rows"
grep -q ',AG01,' "$T/out" || fail "raw code AG01 not kept"
# AC04 (closed) suspends the mandate; AM04 does not.
[ "$(q "SELECT count(*) FROM mandates WHERE state = 'suspended'")" -eq 1 ] ||
	fail "the closed account's mandate is not suspended"
[ "$(q "SELECT count(*) FROM debit_results r JOIN mandates m
    ON m.id = r.mandate_suspended WHERE r.raw_code = 'AC04'
    AND m.state = 'suspended'")" -eq 1 ] &&
[ "$(q "SELECT count(*) FROM debit_results WHERE mandate_suspended IS NOT NULL")" -eq 1 ] ||
	fail "the AC04 result does not name the mandate it suspended"

# The payer's side of a debit: one credit for the chunk in the journal,
# the payer's share by its detail (the obligation naming the entry).
ob5=$(q "SELECT obligation_id FROM batch_items WHERE seq = 5")
p5=$(q "SELECT payer_id FROM obligations WHERE id = $ob5")
due5=$(q "SELECT printf('%d.%02d', due_fen / 100, due_fen % 100) FROM obligations WHERE id = $ob5")
[ "$(q "SELECT count(*) FROM postings WHERE account = 'receivable'
    AND amount_fen < 0")" -eq 1 ] || fail "want one receivable credit for the chunk"
expect 0 $DEBITGW --csv ledger balance receivable --payer "$p5"
grep_out "receivable,,,,0.00"
expect 0 $DEBITGW --csv ledger journal --payer "$p5"
grep_out ",debit,receivable,,$due5,$p5,"
[ "$(grep -c "^[0-9]*,[0-9-]*,debit," "$T/out")" -eq 2 ] ||
	fail "the payer's debit entry: want its clearing line and their detail"
expect 0 $DEBITGW ledger check
grep_out "ledger sound"
expect 0 $DEBITGW certificate --payer "$p5" --year 2021 --out "$T/cert.html"
grep -q "$due5" "$T/cert.html" || fail "debit missing from the certificate"
code=$(grep -o '[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$T/cert.html" | head -n 1)
expect 0 $DEBITGW certificate verify --payer "$p5" --year 2021 --code "$code"
expect 0 $DEBITGW --csv export payments --out "$T/e1.csv"
[ "$(tail -n +2 "$T/e1.csv" | wc -l)" -eq 12 ] || fail "want 12 debits exported"
grep -q "^$p5,2021.*,$due5,.*,debit,ICBC,$MSG-0000005," "$T/e1.csv" ||
	fail "the debit's export record"
expect 0 $DEBITGW --csv export payments --out "$T/e2.csv"
[ "$(tail -n +2 "$T/e2.csv" | wc -l)" -eq 0 ] || fail "debits exported twice"

# Again: nothing changes.
before=$(dbsum)
expect 0 $DEBITGW returns ingest "$T/ret.xml" --bank ICBC
grep_out "ingested before"
[ "$(dbsum)" = "$before" ] || fail "the same file twice changed the database"

# An item answered again, by a later file or twice in one, refuses the
# file, which changes nothing.
refused again "17:ACSC 5:ACSC" \
    "again.xml:.*$MSG-0000005 was already answered (accepted), by an earlier file"
refused twice "17:ACSC 18:ACSC 17:AM04" \
    "twice.xml:.*$MSG-0000017 is answered twice in this file"
# The items are looked up ahead, in the store as it was before the file:
# one the file's payment-level status answered is still a repeat.
refused late "17:AM04" "late.xml:.*$MSG-0000019 is answered twice in this file" \
    pmtinf-ACSC "19:ACSC"
[ "$(dbsum)" = "$before" ] || fail "a refused file changed the database"

# Finance staff: the payer with too little money pays at the counter.
ob=$(q "SELECT id FROM obligations WHERE fail_code = 'AM04'")
amt=$(q "SELECT printf('%d.%02d', due_fen / 100, due_fen % 100) FROM obligations WHERE id = $ob")
expect 0 $DEBITGW payment record --obligation "$ob" --channel counter \
    --ref CNT-0001 --amount "$amt" --paid-on 2021-01-28
expect 0 $DEBITGW --csv failed list
[ "$(($(wc -l < "$T/out") - 1))" -eq 3 ] || fail "payment did not clear a failure"

# The rest of the batch: one item of its own, then a payment-level ACSC
# for the three the file leaves alone.
pain002 "$T/ret2.xml" $MSG "17:AM04" pmtinf-ACSC
sign "$T/ret2.xml" ICBC
expect 0 $DEBITGW returns ingest "$T/ret2.xml" --bank ICBC
grep_out "4 items in 1 batch: 3 debited"
grep_out "1 failed"
[ "$(q "SELECT state FROM batches WHERE msg_id = '$MSG'")" = reconciled ] ||
	fail "batch not reconciled once every item is answered"
[ "$(q "SELECT count(*) FROM obligations WHERE state = 'paid'")" -eq 15 ] || fail "paid"
expect 0 $DEBITGW ledger trial-balance
grep_out "^total .* 0\.00$"
expect 0 $DEBITGW ledger check
expect 0 $DEBITGW audit verify
exit 0
