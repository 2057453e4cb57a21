# t_formats.sh - ISO 20022 files through the real binary.
#
# Files written by the real writers (build/fmtgen) for 1, 2 and 10,000
# items validate against the official schemas with xmllint and with
# `debitgw format validate`; banks' status reports of every kind parse to
# the right items; hostile files are refused with one clear line, exit 1,
# within 1 s and 50 MB (build/rusage); nothing touches the home.
. "$(dirname "$0")/lib.sh"

FMTGEN=$ROOT/build/fmtgen
RUSAGE=$ROOT/build/rusage
FIX=$ROOT/tests/fixtures/iso20022
unset DEBITGW_SCHEMAS

# --- written files are valid -------------------------------------------------
for spec in pain008:pain.008.001.08 pain008:pain.008.001.02 \
    pain009:pain.009.001.08 pain009:pain.009.001.05 \
    pain011:pain.011.001.08 pain011:pain.011.001.05; do
	cmd=${spec%%:*} v=${spec#*:}
	for n in 1 2 10000; do
		f=$T/$v-$n.xml
		"$FMTGEN" $cmd $n --version $v --pmtinf 2 --out "$f" 2>/dev/null ||
			fail "fmtgen $cmd $n --version $v"
		xsd "$f" "$v"
		expect 0 "$DEBITGW" format validate "$f" --schemas "$SCHEMAS"
		grep_out "valid $v"
	done
done
# The Chinese names that need escaping are in there, escaped.
grep -q '&amp;&lt;&gt;"'"'"'</Nm>' "$T/pain.008.001.08-10000.xml" ||
	fail "escaped names missing from the 10,000-item pain.008"
[ "$(grep -c '<DrctDbtTxInf>' "$T/pain.008.001.02-10000.xml")" -eq 10000 ] ||
	fail "pain.008.001.02 does not hold 10,000 items"

# A written file with one value broken is caught, with its line.
sed 's|<PmtMtd>DD</PmtMtd>|<PmtMtd>TRF</PmtMtd>|' \
	"$T/pain.008.001.08-2.xml" >"$T/broken.xml"
expect 1 "$DEBITGW" format validate "$T/broken.xml" --schemas "$SCHEMAS"
grep_err "broken.xml:[0-9]*: schema: .*PmtMtd"

# --- status reports of each kind ---------------------------------------------
# rows PATTERN: how many lines of the last command's output match.
rows() { grep -c -- "$1" "$T/out" || true; }

expect 0 "$DEBITGW" --csv format parse "$FIX/pain002_03_group_reject.xml"
[ "$(rows ',group,')" -eq 1 ] || fail "group-level reject: no group row"
grep_out ',group,B20240126000001,,,,rejected,RJCT,FF01,other,'

expect 0 "$DEBITGW" --csv format parse "$FIX/pain002_10_pmtinf_reject.xml"
grep_out ',pmtinf,B20240126000002,B20240126000002-P001,,,rejected,RJCT,DT01,'
[ "$(rows ',item,.*,rejected,')" -eq 3 ] || fail "pmtinf reject: rejected"
[ "$(rows ',item,.*,accepted,')" -eq 1 ] || fail "pmtinf reject: accepted"

expect 0 "$DEBITGW" --csv format parse "$FIX/pain002_03_item_rejects.xml"
for pair in AM04,insufficient_funds AC01,account_abnormal \
    AC04,account_closed AC06,account_frozen MD01,mandate_invalid \
    MS02,mandate_invalid E1001,account_frozen; do
	grep_out ",rejected,RJCT,$pair,"
done
[ "$(rows ',item,')" -eq 9 ] || fail "item rejects: want 9 items"
expect 0 "$DEBITGW" format parse "$FIX/pain002_03_item_rejects.xml"
grep_out "9 items (2 accepted, 7 rejected, 0 pending)"

expect 0 "$DEBITGW" --json format parse "$FIX/camt054_02_returns.xml"
grep_out '"end_to_end_id":"B20240126000001-000000003"'
grep_out '"reason_code":"AM04","category":"insufficient_funds","amount":"400.02","booking_date":"2024-01-29"'
expect 0 "$DEBITGW" format parse "$FIX/camt054_08_returns.xml"
grep_out "4 items (0 accepted, 4 rejected, 0 pending), 1 group or payment-level statuses, 1 entries not ours"
expect 0 "$DEBITGW" --csv format parse "$FIX/pain012_08_acceptance.xml"
grep_out ',M0000000002,rejected,false,AC01,account_abnormal,'
expect 0 "$DEBITGW" --csv format parse "$FIX/pain002_10_bank_quirks.xml"
grep_out ',rejected,RJCT,AM04,insufficient_funds,400.02,2024-01-26,'
for f in pain002_03_group_reject pain002_03_item_rejects \
    pain002_10_pmtinf_reject camt054_02_returns camt054_08_returns \
    pain012_05_acceptance pain012_08_acceptance; do
	expect 0 "$DEBITGW" format validate "$FIX/$f.xml" --schemas "$SCHEMAS"
done

# The bank's answer to a written batch, 10,000 items.
"$FMTGEN" pain002 10000 --out "$T/sts.xml" 2>/dev/null || fail "fmtgen pain002"
expect 0 "$DEBITGW" format parse "$T/sts.xml"
grep_out "10000 items (9000 accepted, 1000 rejected, 0 pending)"

# --- hostile files: exit 1, one line, < 1 s, < 50 MB ---------------------------
: >"$T/empty.xml"
awk 'BEGIN { printf "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt>";
	for (i = 0; i < 10000; i++) printf "<a>"; for (i = 0; i < 10000; i++) printf "</a>";
	print "</CstmrPmtStsRpt></Document>" }' >"$T/deep.xml"
check_hostile() {	# FILE PATTERN
	for verb in parse validate; do
		if [ $verb = validate ]; then extra="--schemas $SCHEMAS"; else extra=""; fi
		expect 1 "$RUSAGE" --report "$T/ru" "$DEBITGW" format $verb "$1" $extra
		grep_err "$2"
		[ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2; fail "$1: not one line"; }
		ms=$(sed 's/.*wall_ms=\([0-9]*\).*/\1/' "$T/ru")
		kb=$(sed 's/.*maxrss_kb=\([0-9]*\).*/\1/' "$T/ru")
		[ "$ms" -lt 1000 ] || fail "$1 ($verb): $ms ms"
		[ "$kb" -lt 51200 ] || fail "$1 ($verb): $kb KB"
	done
}
check_hostile "$FIX/hostile_billion_laughs.xml" "DTD is not allowed"
check_hostile "$FIX/hostile_xxe.xml" "DTD is not allowed"
check_hostile "$T/deep.xml" "deep.xml:1:[0-9]*: elements nested deeper than 64"
check_hostile "$T/empty.xml" "empty.xml: empty file (0 bytes)"
check_hostile "$FIX/hostile_truncated.xml" "hostile_truncated.xml:44:[0-9]*: truncated"
check_hostile "$FIX/hostile_wrong_ns.xml" "not an ISO 20022 message we know"
check_hostile "$FIX/hostile_wrong_root.xml" "must hold <CstmrPmtStsRpt>"
expect 1 "$DEBITGW" format parse "$FIX/hostile_xinclude.xml"
grep_err "XInclude"

# --- schemas from the home; a text file goes to the text hook -----------------
expect 3 "$DEBITGW" format validate "$FIX/pain012_05_acceptance.xml"
grep_err "no schema directory"
mkdir -p "$DEBITGW_HOME"
ln -s "$SCHEMAS" "$DEBITGW_HOME/schemas"
expect 0 "$DEBITGW" format validate "$FIX/pain012_05_acceptance.xml"
grep_out "valid pain.012.001.05"
rm "$DEBITGW_HOME/schemas"
printf 'H|ICBC|2\nD|1|6222000000000000001|380.00\n' >"$T/bank.txt"
expect 2 "$DEBITGW" format parse "$T/bank.txt"
grep_err "not an XML file; a bank text file needs --bank B"

# Looking at files changed nothing: no database appeared in the home.
[ ! -e "$DEBITGW_HOME/debitgw.db" ] || fail "format created a database"

# --- bank text files, against the descriptor their bank's config names ------
H2="$T/home2"
expect 0 "$DEBITGW" --home "$H2" init
printf '\n[bank:GDRC]\nagent = 402581000017\nformat = text:formats/gbk-pipe.fmt\n' \
    >>"$H2/debitgw.conf"
TXT=$ROOT/tests/fixtures/text
expect 0 "$DEBITGW" --home "$H2" format validate "$TXT/gbk-pipe-return.txt" --bank GDRC
grep_out "valid return file for bank GDRC: 6 items, total 2440.00"
expect 0 "$DEBITGW" --home "$H2" format validate "$TXT/gbk-pipe-debit.txt" --bank GDRC
grep_out "valid debit file"
expect 0 "$DEBITGW" --home "$H2" --csv format parse "$TXT/gbk-pipe-return.txt" --bank GDRC
grep_out ",rejected,1001,1001,insufficient_funds,400.00,"
grep_out ",rejected,1002,1002,account_frozen,420.00,"
[ "$(grep -c ',accepted,' "$T/out")" -eq 1 ] || fail "text parse: accepted rows"
# A changed total is caught before a single row is printed.
sed 's/2440\.00/2440.01/' "$TXT/gbk-pipe-return.txt" >"$T/bad-total.txt"
expect 1 "$DEBITGW" --home "$H2" format parse "$T/bad-total.txt" --bank GDRC
grep_err "bad-total.txt:"
[ ! -s "$T/out" ] || fail "rows printed for a file with a bad total"
exit 0
