#!/bin/sh
# Issue 5: the Zhongshan notice's first months. Runs on 2021-01-26, the
# extra 2021-01-29 and 2021-02-26; the second January run debits only what
# was assessed in between and never an item already in a batch. Every file
# validates (schema or control totals) and every signature verifies with
# debitgw and with openssl.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/build/gentool

expect 0 $DEBITGW init
cat >>"$DEBITGW_HOME/debitgw.conf" <<'CONF'

[bank:GDRC]
name = 广东农信
agent = 402581000017
format = text:formats/gbk-pipe.fmt
CONF
sed -i 's/^extra_runs =$/extra_runs = 2021-01-29/; s/^max_items = 50000$/max_items = 20/' \
    "$DEBITGW_HOME/debitgw.conf"
expect 0 $DEBITGW keys gen --alg rsa3072
expect 0 $DEBITGW keys export-cert K0001 --out "$T/ours.pem"

# 300 payers with active mandates at four banks; assessments for 310, so
# ten payers have no mandate and are listed, never debited.
# Payer 296 (a CJK Extension B name, 430.00 due) banks with GDRC (GBK).
$GEN mandates 300 --migrated-only --banks GDRC,ICBC,CCB,BOC > "$T/m.csv"
expect 0 $DEBITGW mandate import "$T/m.csv"
$GEN assessments 200 --year 2021 --month 1 > "$T/a1.csv"
expect 0 $DEBITGW assess import "$T/a1.csv"

# Not a run day; a dry run changes nothing.
expect 1 $DEBITGW run --date 2021-01-27
grep_err "not a run day"
before=$(dbsum)
expect 0 $DEBITGW run --date 2021-01-26 --dry-run
grep_out "ICBC: would debit"
[ "$(dbsum)" = "$before" ] || fail "dry run changed the database"
[ -z "$(ls "$DEBITGW_HOME/outbox")" ] || fail "dry run wrote files"
dry_total=$(sed -n 's/^total 2021-01-26: \([0-9]*\) items.*/\1/p' "$T/out")

# Run 1.
expect 0 $DEBITGW run --date 2021-01-26
run1=$(q "SELECT count(*) FROM batch_items")
[ "$run1" -eq "$dry_total" ] || fail "run made $run1 items, dry run said $dry_total"
[ "$run1" -gt 0 ] || fail "nothing debited"
[ "$(q "SELECT count(*) FROM batches WHERE bank = 'ICBC'")" -ge 2 ] ||
	fail "max_items = 20 did not split ICBC's batch"
before=$(dbsum)
expect 0 $DEBITGW run --date 2021-01-26
grep_out "already ran for 2021-01-26"
[ "$(dbsum)" = "$before" ] || fail "second run of the same date changed things"
max1=$(q "SELECT max(id) FROM obligations")

# Assessed in between: the payers 200..309 for January.
$GEN assessments 310 --year 2021 --month 1 --first 200 > "$T/a2.csv"
expect 0 $DEBITGW assess import "$T/a2.csv"
expect 0 $DEBITGW run --date 2021-01-29
grep_err "not debited, no active mandate"
grep_err "GDRC: held back .*has no GBK code"	# a rare name
held=$(q "SELECT count(*) FROM obligations o JOIN mandates m ON m.payer_id = o.payer_id
    WHERE m.name_not_gbk = 1 AND m.bank_code = 'GDRC' AND o.state = 'open' AND o.due_fen > 0")
[ "$held" -ge 1 ] || fail "the held-back obligation is not open"
unmandated=$(q "SELECT count(*) FROM obligations o WHERE o.due_fen > 0 AND
    NOT EXISTS (SELECT 1 FROM mandates m WHERE m.payer_id = o.payer_id)")
grep_out "not debited: $unmandated obligations"
old=$(q "SELECT count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id
    WHERE b.run_date = '2021-01-29' AND i.obligation_id <= $max1")
[ "$old" -eq 0 ] || fail "the 29th debited $old obligations assessed before the 26th"
new=$(q "SELECT count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id
    WHERE b.run_date = '2021-01-29'")
[ "$new" -gt 0 ] || fail "the 29th debited nothing"

# February: every payer's February assessment; January items still wait
# for their returns and are not debited again.
$GEN assessments 300 --year 2021 --month 2 > "$T/a3.csv"
expect 0 $DEBITGW assess import "$T/a3.csv"
expect 0 $DEBITGW run --date 2021-02-26
feb_jan=$(q "SELECT count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id
    JOIN obligations o ON o.id = i.obligation_id
    WHERE b.run_date = '2021-02-26' AND o.period <> '2021-02'")
[ "$feb_jan" -eq 0 ] || fail "February's run debited $feb_jan non-February items"
twice=$(q "SELECT count(*) FROM (SELECT obligation_id FROM batch_items
    GROUP BY obligation_id HAVING count(*) > 1)")
[ "$twice" -eq 0 ] || fail "$twice obligations are in two batches"
[ "$(q "SELECT count(*) FROM obligations WHERE state = 'in_batch'")" -eq \
  "$(q "SELECT count(*) FROM batch_items")" ] || fail "in_batch != items"
# EndToEndIds (MsgId-seq) are unique: the files say so.
dups=$(cat "$DEBITGW_HOME"/outbox/*/*.xml | sed -n 's/.*<EndToEndId>\(.*\)<\/EndToEndId>.*/\1/p' |
    sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || fail "$dups EndToEndIds repeat"

# Every file: in the outbox with its batch row, valid, signature good.
n=0
for f in "$DEBITGW_HOME"/outbox/*/*; do
	case "$f" in *.p7s|*.sig) continue ;; esac
	name=$(basename "$f")
	bank=$(basename "$(dirname "$f")")
	fmt=$(q "SELECT format FROM batches WHERE file_name = '$name'")
	[ -n "$fmt" ] || fail "$name in the outbox has no batch row"
	case "$fmt" in
	text:*)	expect 0 $DEBITGW format validate "$f" --bank "$bank"
		grep_out "valid debit file" ;;
	*)	xsd "$f" "$fmt"
		expect 0 $DEBITGW format validate "$f" --schemas "$SCHEMAS" ;;
	esac
	expect 0 $DEBITGW verify "$f" --own
	openssl cms -verify -binary -inform DER -in "$f.p7s" -content "$f" \
	    -CAfile "$T/ours.pem" -out /dev/null 2>"$T/ossl" ||
		{ cat "$T/ossl"; fail "openssl cms -verify refused $name"; }
	n=$((n + 1))
done
[ "$n" -eq "$(q "SELECT count(*) FROM batches")" ] || fail "$n files for $(q "SELECT count(*) FROM batches") batches"

# Cancel a batch before it is sent: its items go back to open and the next
# run takes them; the file leaves the outbox.
id=$(q "SELECT id FROM batches WHERE run_date = '2021-02-26' AND bank = 'CCB' LIMIT 1")
items=$(q "SELECT nb_items FROM batches WHERE id = $id")
file=$(q "SELECT file_name FROM batches WHERE id = $id")
expect 0 $DEBITGW batch cancel "$id" --reason "wrong date"
[ ! -e "$DEBITGW_HOME/outbox/CCB/$file" ] || fail "cancelled file still in the outbox"
expect 1 $DEBITGW batch cancel "$id" --reason again
grep_err "is cancelled"
sed -i 's/^debit_days = 26$/debit_days = 20, 26/' "$DEBITGW_HOME/debitgw.conf"
expect 0 $DEBITGW run --date 2021-03-20 --bank CCB
grep_out "CCB: debits $items items"

expect 0 $DEBITGW --json batch show "$id"
grep_out '"state":"cancelled"'

# A file that cannot be staged (a directory sits where it would be
# written): the run fails, the files staged beside it on other threads do
# not stay in tmp/, the batches wait as assembled, and the next run
# places them all.
$GEN assessments 300 --year 2021 --month 3 > "$T/a4.csv"
expect 0 $DEBITGW assess import "$T/a4.csv"
mkdir "$DEBITGW_HOME/tmp/DGW20210326BOC0001.xml"
$DEBITGW run --date 2021-03-26 >"$T/out" 2>"$T/err" && fail "run staged onto a directory"
left=$(cd "$DEBITGW_HOME/tmp" && ls -d DGW20210326*)
[ "$left" = "DGW20210326BOC0001.xml" ] ||
	fail "staged files left behind: $(echo $left)"
[ "$(q "SELECT count(*) FROM batches WHERE run_date = '2021-03-26' AND
    state = 'assembled'")" -ge 1 ] || fail "no batch waits after the failed run"
rmdir "$DEBITGW_HOME/tmp/DGW20210326BOC0001.xml"
expect 0 $DEBITGW run --date 2021-03-26
grep_out "already ran for 2021-03-26"
[ "$(q "SELECT count(*) FROM batches WHERE run_date = '2021-03-26' AND
    state = 'assembled'")" -eq 0 ] || fail "batches still wait after the second run"
for f in $(q "SELECT bank || '/' || file_name FROM batches WHERE run_date = '2021-03-26'"); do
	[ -e "$DEBITGW_HOME/outbox/$f" ] && [ -e "$DEBITGW_HOME/outbox/$f.p7s" ] ||
		fail "$f is not in the outbox"
done
expect 0 $DEBITGW notices --date 2021-03-26 --csv
expect 0 $DEBITGW audit verify
exit 0
