# t_bank.sh - the bank simulator (build/bank-sim) on its own: batches
# written by the real writers (fmtgen, textgen) and signed with a key
# from `debitgw keys gen`; every account state decides its item; the
# answers validate against the official schemas, verify with the bank's
# certificate and read back with `debitgw format parse`; a file seen
# again, uploaded again or renamed debits nothing twice; a bad signature
# or an unreadable file is refused whole; pain.009 and pain.011 are
# answered with pain.012 and drive the mandate check; text banks answer
# in their descriptor's codes; split and lost answers; a restart after
# the decisions or after the answer was made replays, never re-decides;
# exit statuses and the one-bank-per-folder lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bank.sh"
FMTGEN=$ROOT/build/fmtgen
TEXTGEN=$ROOT/build/textgen
DESC=$ROOT/formats/descriptors
CYCLE=ok,funds,frozen,closed,abnormal,lost,name,unknown
MSG=B20240126000001
bank_keys

count() { n=$(bank_count "$1" "$2"); [ "$n" = "$3" ] || fail "$1: $2 is $n, want $3"; }
outbox() { ls "$1/outbox" | tr '\n' ' '; }

# ---- a pain.008.001.08 batch: each account state decides its item -----
"$FMTGEN" pain008 16 --pmtinf 2 --out "$T/batch08.xml" 2>/dev/null ||
	fail fmtgen
"$BANKSIM" --make-accounts "$T/batch08.xml" --cycle $CYCLE \
	>"$T/acc08.csv" 2>"$T/mix" || fail "make-accounts"
grep -q '^funds 2$' "$T/mix" || fail "mix: $(cat "$T/mix")"
B=$T/b1
mkdir -p "$B/inbox"
cp "$T/batch08.xml" "$B/inbox/B1.xml"
sign "$B/inbox/B1.xml"
bank_run "$B" "$T/acc08.csv"
grep_err "B1.xml: pain.008.001.08 $MSG: 16 items, 2 debited"
[ "$(outbox "$B")" = "RET-B1.xml RET-B1.xml.p7s " ] || fail "outbox: $(outbox "$B")"
xsd "$B/outbox/RET-B1.xml" pain.002.001.10
expect 0 "$DEBITGW" verify "$B/outbox/RET-B1.xml" --cafile "$BANK_CERT"
grep_out "signature good"
# Our own certificate does not vouch for the bank's answer.
expect 1 "$DEBITGW" verify "$B/outbox/RET-B1.xml" --cafile "$OUR_CERT"
ret_codes "$B/outbox/RET-B1.xml" >"$T/codes1"
want_codes 16 ACSC AM04 AC06 AC04 AG01 AG01 BE01 AC01 >"$T/want1"
same "$T/codes1" "$T/want1" "outcomes of B1"
grep -q '<GrpSts>PART</GrpSts>' "$B/outbox/RET-B1.xml" || fail "GrpSts"
[ "$(grep -c '<PmtInfSts>PART</PmtInfSts>' "$B/outbox/RET-B1.xml")" -eq 2 ] ||
	fail "PmtInfSts"
count "$B" debited 2
count "$B" outcome_funds 2
count "$B" failed 14
"$BANKSIM" --report --dir "$B" --accounts "$T/acc08.csv" --balances >"$T/bal"
# amount + 1000.00 less the amount; amount - 0.01 untouched
grep -q '^balance 6222000000000000000 1000.00 ok$' "$T/bal" || fail "debit"
grep -q '^balance 6222000000000000001 390.00 ok$' "$T/bal" || fail "AM04"

# ---- the same file again, and its items in another file ---------------
bank_run "$B" "$T/acc08.csv"			# still in the inbox: nothing
[ "$(outbox "$B")" = "RET-B1.xml RET-B1.xml.p7s " ] || fail "answered twice"
touch "$B/inbox/B1.xml"				# uploaded again
bank_run "$B" "$T/acc08.csv"
grep_err "B1.xml: the same file again"
count "$B" files_again 1
[ "$(outbox "$B")" = "RET-B1.xml RET-B1.xml.p7s " ] || fail "answered twice"
bank_run "$B" "$T/acc08.csv"
[ "$(bank_count "$B" files_again)" = 1 ] || fail "counted twice"
cp "$T/batch08.xml" "$B/inbox/B1-again.xml"	# renamed: items repeated
sign "$B/inbox/B1-again.xml"
bank_run "$B" "$T/acc08.csv"
ret_codes "$B/outbox/RET-B1-again.xml" >"$T/codes2"
want_codes 16 AM05 AM04 AC06 AC04 AG01 AG01 BE01 AC01 >"$T/want2"
same "$T/codes2" "$T/want2" "outcomes of the repeated items"
count "$B" debited 2
count "$B" repeated 2
count "$B" double_debits 0
"$BANKSIM" --report --dir "$B" --accounts "$T/acc08.csv" --balances |
	grep -q '^balance 6222000000000000000 1000.00 ok$' || fail "debited twice"

# ---- refused whole: bad signature, untrusted signer, unreadable -------
cp "$T/batch08.xml" "$B/inbox/BAD.xml"
sign "$B/inbox/BAD.xml"
printf '<!-- changed after signing -->\n' >>"$B/inbox/BAD.xml"
"$FMTGEN" pain008 2 --out "$B/inbox/THEIRS.xml" 2>/dev/null
DEBITGW_HOME=$T/bankhome "$DEBITGW" sign "$B/inbox/THEIRS.xml" >/dev/null ||
	fail "sign with the bank's key"
printf '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"><CstmrDrctDbtInitn><GrpHdr><MsgId>X1</MsgId>' \
	>"$B/inbox/BROKEN.xml"
sign "$B/inbox/BROKEN.xml"
bank_run "$B" "$T/acc08.csv"
grep_err "BAD.xml: pain.008.001.08 $MSG refused whole (DS0B): .*signature does not match"
grep_err "THEIRS.xml: .* refused whole (DS0B)"
grep_err "BROKEN.xml: .* refused whole (FF01)"
for f in BAD THEIRS BROKEN; do
	xsd "$B/outbox/RET-$f.xml" pain.002.001.10
	expect 0 "$DEBITGW" verify "$B/outbox/RET-$f.xml" --cafile "$BANK_CERT"
	"$DEBITGW" --csv format parse "$B/outbox/RET-$f.xml" >"$T/p" ||
		fail "parse RET-$f.xml"
	grep -q '^pain.002.001.10,group,.*,rejected,RJCT,' "$T/p" ||
		fail "RET-$f.xml: $(cat "$T/p")"
	! grep -q ',item,' "$T/p" || fail "RET-$f.xml lists items"
done
grep -q '<OrgnlMsgId>X1</OrgnlMsgId>' "$B/outbox/RET-BROKEN.xml" ||
	fail "BROKEN answered for another message"
count "$B" debited 2
count "$B" files_rejected 3

# ---- only complete files: signature beside it, no temporary names -----
cp "$T/batch08.xml" "$B/inbox/NOSIG.xml"
cp "$T/batch08.xml" "$B/inbox/.PART.xml.part"
sign "$B/inbox/.PART.xml.part"
bank_run "$B" "$T/acc08.csv"
[ ! -e "$B/outbox/RET-NOSIG.xml" ] || fail "a file without its signature was taken"
ls "$B/outbox" | grep -q PART && fail "a temporary name was taken"
sign "$B/inbox/NOSIG.xml"
bank_run "$B" "$T/acc08.csv" --delay-ms 600000	# too young yet
[ ! -e "$B/outbox/RET-NOSIG.xml" ] || fail "--delay-ms: taken too soon"
bank_run "$B" "$T/acc08.csv"
[ -e "$B/outbox/RET-NOSIG.xml" ] || fail "NOSIG.xml not taken once signed"

# ---- pain.008.001.02 -> pain.002.001.03 -------------------------------
B2=$T/b2
mkdir -p "$B2/inbox"
"$FMTGEN" pain008 5 --version pain.008.001.02 --out "$B2/inbox/V2.xml" \
	2>/dev/null
sign "$B2/inbox/V2.xml"
bank_run "$B2" "$T/acc08.csv"
xsd "$B2/outbox/RET-V2.xml" pain.002.001.03
ret_codes "$B2/outbox/RET-V2.xml" >"$T/codes3"
want_codes 5 ACSC AM04 AC06 AC04 AG01 >"$T/want3"
same "$T/codes3" "$T/want3" "outcomes of the .02 batch"

# ---- split and lost answers ---------------------------------------------
B3=$T/b3
mkdir -p "$B3/inbox"
cp "$T/batch08.xml" "$B3/inbox/B1.xml"
sign "$B3/inbox/B1.xml"
bank_run "$B3" "$T/acc08.csv" --partial
[ "$(outbox "$B3")" = "RET-P1-B1.xml RET-P1-B1.xml.p7s RET-P2-B1.xml RET-P2-B1.xml.p7s " ] ||
	fail "split: $(outbox "$B3")"
for p in 1 2; do
	xsd "$B3/outbox/RET-P$p-B1.xml" pain.002.001.10
	! grep -q 'GrpSts\|PmtInfSts' "$B3/outbox/RET-P$p-B1.xml" ||
		fail "part $p speaks for items it does not list"
	ret_codes "$B3/outbox/RET-P$p-B1.xml"
done >"$T/codes4"
same "$T/codes4" "$T/want1" "outcomes of the split answer"
B4=$T/b4
mkdir -p "$B4/inbox"
cp "$T/batch08.xml" "$B4/inbox/L1.xml"
sign "$B4/inbox/L1.xml"
bank_run "$B4" "$T/acc08.csv" --lose 1
[ -z "$(outbox "$B4")" ] || fail "the lost answer is in the outbox"
[ -e "$B4/state/lost/RET-L1.xml" ] || fail "the lost answer is gone"
cp "$T/batch08.xml" "$B4/inbox/L2.xml"
sign "$B4/inbox/L2.xml"
bank_run "$B4" "$T/acc08.csv" --lose 1
[ -e "$B4/outbox/RET-L2.xml" ] || fail "only the first answer is lost"
count "$B4" returns_lost 1

# ---- mandates: pain.009 / pain.011 -> pain.012, and the mandate check --
M=$T/m1
mkdir -p "$M/inbox"
"$FMTGEN" pain009 8 --out "$M/inbox/MR1.xml" 2>/dev/null
sign "$M/inbox/MR1.xml"
bank_run "$M" "$T/acc08.csv"
xsd "$M/outbox/RET-MR1.xml" pain.012.001.08
expect 0 "$DEBITGW" verify "$M/outbox/RET-MR1.xml" --cafile "$BANK_CERT"
"$DEBITGW" --csv format parse "$M/outbox/RET-MR1.xml" |
	awk -F, '$2 == "item" { print $6, $7, $9 }' >"$T/mcodes"
cat >"$T/mwant" <<EOF
M0000000001 accepted 
M0000000002 accepted 
M0000000003 accepted 
M0000000004 rejected AC04
M0000000005 accepted 
M0000000006 accepted 
M0000000007 rejected BE01
M0000000008 rejected AC01
EOF
same "$T/mcodes" "$T/mwant" "mandate answers (frozen and lost accounts take a mandate)"
count "$M" mandates_accepted 5
"$FMTGEN" pain009 2 --version pain.009.001.05 --out "$M/inbox/MR5.xml" 2>/dev/null
sign "$M/inbox/MR5.xml"
bank_run "$M" "$T/acc08.csv"
xsd "$M/outbox/RET-MR5.xml" pain.012.001.05

"$BANKSIM" --make-accounts "$T/batch08.xml" --cycle ok >"$T/accok.csv" \
	2>/dev/null || fail "make-accounts ok"
for mode in strict rejected; do
	D=$T/m-$mode
	mkdir -p "$D/inbox"
	"$FMTGEN" pain009 4 --out "$D/inbox/MR1.xml" 2>/dev/null
	sign "$D/inbox/MR1.xml"
	bank_run "$D" "$T/accok.csv"
	"$FMTGEN" pain011 2 --out "$D/inbox/MC1.xml" 2>/dev/null
	sign "$D/inbox/MC1.xml"
	bank_run "$D" "$T/accok.csv"
	xsd "$D/outbox/RET-MC1.xml" pain.012.001.08
	"$FMTGEN" pain008 8 --out "$D/inbox/B1.xml" 2>/dev/null
	sign "$D/inbox/B1.xml"
	bank_run "$D" "$T/accok.csv" --mandates $mode
	ret_codes "$D/outbox/RET-B1.xml" >"$T/codes-$mode"
done
# M1, M2 cancelled; M3, M4 accepted; M5..M8 never asked for
want_codes 8 MD01 MD01 ACSC ACSC MD01 MD01 MD01 MD01 >"$T/want-strict"
want_codes 8 MD01 MD01 ACSC ACSC ACSC ACSC ACSC ACSC >"$T/want-rejected"
same "$T/codes-strict" "$T/want-strict" "--mandates strict"
same "$T/codes-rejected" "$T/want-rejected" "--mandates rejected"

# ---- a text bank answers in its descriptor's codes ----------------------
X=$T/t1
mkdir -p "$X/inbox"
"$TEXTGEN" write "$DESC/gbk-pipe.fmt" "$X/inbox/D1.txt" 16 \
	--file-id B20250926ICBC0001 >/dev/null 2>&1 || fail textgen
"$BANKSIM" --make-accounts "$X/inbox/D1.txt" --text "$DESC/gbk-pipe.fmt" \
	--cycle $CYCLE >"$T/acct.csv" 2>/dev/null || fail "make-accounts text"
sign "$X/inbox/D1.txt"
bank_run "$X" "$T/acct.csv" --text "$DESC/gbk-pipe.fmt" \
	--text-code unknown=1005 --text-code lost=1006 --text-code abnormal=1007
grep_err "D1.txt: text batch B20250926ICBC0001: 16 items, 2 debited"
expect 0 "$DEBITGW" verify "$X/outbox/RET-D1.txt" --cafile "$BANK_CERT"
"$TEXTGEN" read "$DESC/gbk-pipe.fmt" "$X/outbox/RET-D1.txt" --kind return \
	--print 2>/dev/null >"$T/tret" || fail "the text answer does not read back"
cut -d'|' -f1,8 "$T/tret" | grep -v 'return file' >"$T/tcodes"
i=1
for c in 0000 1001 1002 1008 1007 1006 1004 1005 0000 1001 1002 1008 1007 \
    1006 1004 1005; do
	echo "$i|$c"
	i=$((i + 1))
done >"$T/twant"
same "$T/tcodes" "$T/twant" "gbk-pipe codes"
grep -q 'accepted 2 (' "$T/tret" || fail "text summary: $(tail -n 1 "$T/tret")"
# A bad signature: every item returned failed, with the 'other' code.
"$TEXTGEN" write "$DESC/gbk-pipe.fmt" "$X/inbox/D2.txt" 3 \
	--file-id B20250926ICBC0002 >/dev/null 2>&1
sign "$X/inbox/D2.txt"
printf 'x' >>"$X/inbox/D2.txt.p7s"
bank_run "$X" "$T/acct.csv" --text "$DESC/gbk-pipe.fmt"
"$TEXTGEN" read "$DESC/gbk-pipe.fmt" "$X/outbox/RET-D2.txt" --kind return \
	--print 2>/dev/null | cut -d'|' -f8 | sort -u >"$T/tbad"
[ "$(head -n 1 "$T/tbad")" = 9999 ] || fail "bad signature codes: $(cat "$T/tbad")"
count "$X" debited 2
# gb18030-fixed: the first code of each category, no overrides
X2=$T/t2
mkdir -p "$X2/inbox"
"$TEXTGEN" write "$DESC/gb18030-fixed.fmt" "$X2/inbox/F1.txt" 8 \
	--file-id B20250926CCB0001 >/dev/null 2>&1
"$BANKSIM" --make-accounts "$X2/inbox/F1.txt" --text "$DESC/gb18030-fixed.fmt" \
	--cycle $CYCLE >"$T/acct2.csv" 2>/dev/null || fail "make-accounts fixed"
sign "$X2/inbox/F1.txt"
bank_run "$X2" "$T/acct2.csv" --text "$DESC/gb18030-fixed.fmt"
"$TEXTGEN" read "$DESC/gb18030-fixed.fmt" "$X2/outbox/RET-F1.txt" \
	--kind return --print 2>/dev/null | grep -v 'return file' |
	cut -d'|' -f8 | tr '\n' ' ' >"$T/fcodes"
[ "$(cat "$T/fcodes")" = "000000 E00051 E00062 E00046 E00014 E00014 E00014 E00014 " ] ||
	fail "gb18030-fixed codes: $(cat "$T/fcodes")"

# ---- a restart replays what was decided, never decides again ------------
R=$T/r1
mkdir -p "$R/inbox"
cp "$T/batch08.xml" "$R/inbox/B1.xml"
sign "$R/inbox/B1.xml"
bank_run "$R" "$T/acc08.csv"
cp "$R/state/journal" "$T/journal.full"
# 1. stopped after the decisions, before the answer was made
TAB=$(printf '\t')
grep -v "^[PR]$TAB" "$T/journal.full" >"$R/state/journal"
rm -f "$R/outbox/"*
bank_run "$R" "$T/acc08.csv"
ret_codes "$R/outbox/RET-B1.xml" >"$T/codes5"
same "$T/codes5" "$T/want1" "outcomes after a restart"
count "$R" items 16
count "$R" debited 2
count "$R" double_debits 0
# 2. stopped after the answer was made, before it was all placed
grep -v "^R$TAB" "$R/state/journal" >"$T/j" && cp "$T/j" "$R/state/journal"
mv "$R/outbox/RET-B1.xml" "$R/state/ready/"
bank_run "$R" "$T/acc08.csv"
[ "$(outbox "$R")" = "RET-B1.xml RET-B1.xml.p7s " ] || fail "placed: $(outbox "$R")"
[ -z "$(ls "$R/state/ready")" ] || fail "ready/ not emptied"
grep -q "^R$TAB" "$R/state/journal" || fail "not marked done"
count "$R" items 16

# ---- exit statuses and one bank per folder --------------------------------
expect 2 "$BANKSIM"
expect 2 "$BANKSIM" --dir "$T/x" --once
printf 'not-the-passphrase\n' >"$T/wrong-pass"
chmod 600 "$T/wrong-pass"
expect 3 "$BANKSIM" --dir "$T/x" --accounts "$T/acc08.csv" --key "$BANK_KEY" \
	--cert "$BANK_CERT" --trust "$OUR_CERT" --passphrase-file "$T/wrong-pass" \
	--once
printf 'account_no,name,balance,status\n1,a,1.00,asleep\n' >"$T/badacc.csv"
expect 1 "$BANKSIM" --dir "$T/x" --accounts "$T/badacc.csv" --key "$BANK_KEY" \
	--cert "$BANK_CERT" --trust "$OUR_CERT" --passphrase-file "$BANK_PASS" \
	--once
grep_err "badacc.csv:2: status 'asleep'"
bank_watch "$B2" "$T/acc08.csv"
expect 3 "$BANKSIM" --dir "$B2" --accounts "$T/acc08.csv" --key "$BANK_KEY" \
	--cert "$BANK_CERT" --trust "$OUR_CERT" --passphrase-file "$BANK_PASS" \
	--once
grep_err "another bank-sim works in"
bank_stop

# ---- every option is documented -------------------------------------------
"$BANKSIM" 2>&1 | grep -o -- '--[a-z-]*' | sort -u | while read -r o; do
	grep -q -- "\`$o" "$ROOT/docs/bank-simulator.md" ||
		fail "docs/bank-simulator.md lacks $o"
done || exit 1
