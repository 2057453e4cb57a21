#!/bin/sh
# Bank text formats end to end: `debitgw init` installs the shipped
# descriptors, `config check` loads the one a bank names, and the codec
# (through build/textgen) writes debit and return files that are really
# GBK / GB18030 (checked with iconv, not with our own code), reads them
# back, and rejects them once their control totals are tampered with.
. "$(dirname "$0")/lib.sh"
TEXTGEN=$ROOT/build/textgen
FIX=$ROOT/tests/fixtures/text
F=$DEBITGW_HOME/formats

expect 0 "$DEBITGW" init
for d in gbk-pipe gb18030-fixed; do
	cmp "$F/$d.fmt" "$ROOT/formats/descriptors/$d.fmt" ||
		fail "init did not install $d.fmt as shipped"
done

# A bank on the GBK descriptor: config check loads it, and names its faults.
conf=$DEBITGW_HOME/debitgw.conf
awk '/^\[bank:CCB\]/{b=1} b && /^format =/{print "format = text:formats/gbk-pipe.fmt"; b=0; next} {print}' \
	"$conf" >"$T/conf" && cp "$T/conf" "$conf"
grep -q '^format = text:formats/gbk-pipe.fmt' "$conf" || fail "config edit"
expect 0 "$DEBITGW" config check
cp "$F/gbk-pipe.fmt" "$T/good.fmt"
sed 's/^amount_unit = yuan/amount_unit = cents/' "$T/good.fmt" >"$F/gbk-pipe.fmt"
expect 3 "$DEBITGW" config check
grep_err "gbk-pipe.fmt:[0-9]*: \[format\] amount_unit: 'cents' is not fen | yuan"
cp "$T/good.fmt" "$F/gbk-pipe.fmt"

# GBK debit file: every 50th name has 𠮷, which GBK lacks: held back, listed.
expect 0 "$TEXTGEN" write "$F/gbk-pipe.fmt" "$T/gbk.txt" 200 --rare 50
grep_out "wrote 196 items, total 80360.00, held 4, substituted 0"
[ "$(grep -c '^held item .*𠮷.*has no GBK code' "$T/err")" -eq 4 ] ||
	fail "held items not listed"
iconv -f GBK -t UTF-8 "$T/gbk.txt" >"$T/gbk.utf8" || fail "not GBK"
! iconv -f UTF-8 -t UTF-8 "$T/gbk.txt" >/dev/null 2>&1 ||
	fail "GBK file is valid UTF-8: no Chinese was encoded"
grep -q '^H|B20250926TEST0001|20250926|44001700000000000001|196|80360.00|' "$T/gbk.utf8" ||
	fail "GBK header"
grep -q '^3|6222000000000000003|张伟|400.00|440102199001010002|M0000000003|B20250926TEST0001-0000003|2025年度医保|' "$T/gbk.utf8" || fail "GBK detail"
! grep -q '𠮷' "$T/gbk.utf8" || fail "a held name was written"
[ "$(tr -cd '\r' <"$T/gbk.txt" | wc -c)" -eq 197 ] || fail "CRLF line ends"
expect 0 "$TEXTGEN" read "$F/gbk-pipe.fmt" "$T/gbk.txt"
grep_out "gbk-pipe debit file: 196 items, total 80360.00, file_id B20250926TEST0001, date 2025-09-26"

# GB18030 carries the same names; fixed byte widths hold with Chinese text.
expect 0 "$TEXTGEN" write "$F/gb18030-fixed.fmt" "$T/fixed.txt" 200 --rare 50 --long 3
grep_out "wrote 200 items, total 81940.00, held 0, substituted 0"
iconv -f GB18030 -t UTF-8 "$T/fixed.txt" >"$T/fixed.utf8" || fail "not GB18030"
[ "$(grep -c '𠮷' "$T/fixed.utf8")" -eq 4 ] || fail "rare names lost"
LC_ALL=C awk '{ print length($0) }' "$T/fixed.txt" | sort -u >"$T/widths"
printf '180\n68\n' | sort >"$T/want"
cmp -s "$T/widths" "$T/want" || { cat "$T/widths" >&2; fail "fixed widths"; }
tail -n 1 "$T/fixed.txt" | grep -q '^TB20250926TEST0001 *2025092600000200000000008194000' ||
	fail "GB18030 trailer"
expect 0 "$TEXTGEN" read "$F/gb18030-fixed.fmt" "$T/fixed.txt"
grep_out "gb18030-fixed debit file: 200 items, total 81940.00"

# Return files: results and categories come back; the kind is detected.
expect 0 "$TEXTGEN" write "$F/gbk-pipe.fmt" "$T/ret.txt" 30 --kind return \
	--codes 0000,1001,1004,8888
expect 0 "$TEXTGEN" read "$F/gbk-pipe.fmt" "$T/ret.txt" --print
grep_out "gbk-pipe return file: 30 items, total 12250.00, file_id B20250926TEST0001, date 2025-09-26, accepted 8 (3250.00), rejected 22 (9000.00)"
grep_out "^2|B20250926TEST0001-0000002|.*|1001|失败|0|insufficient_funds$"
grep_out "^3|.*|1004|失败|0|account_abnormal$"
grep_out "^4|.*|8888|失败|0|other$"
grep_out "^5|.*|0000|成功|1|$"

# The shipped fixtures validate, each as its own kind.
expect 0 "$TEXTGEN" read "$F/gbk-pipe.fmt" "$FIX/gbk-pipe-return.txt"
grep_out "return file: 6 items, total 2440.00.*accepted 1 (380.00), rejected 5 (2060.00)"
expect 0 "$TEXTGEN" read "$F/gb18030-fixed.fmt" "$FIX/gb18030-fixed-debit.txt"
grep_out "debit file: 4 items, total 1970.00"

# Tampered control totals are refused, naming the line, in both layouts.
sed '1s/|196|80360.00|/|195|80360.00|/' "$T/gbk.txt" >"$T/bad1.txt"
expect 1 "$TEXTGEN" read "$F/gbk-pipe.fmt" "$T/bad1.txt" --kind debit
grep_err "bad1.txt:1: header declares 195 items, the file has 196"
sed '$s/00000200000000008194000/00000200000000008194100/' "$T/fixed.txt" >"$T/bad2.txt"
expect 1 "$TEXTGEN" read "$F/gb18030-fixed.fmt" "$T/bad2.txt" --kind debit
grep_err "bad2.txt:201: trailer declares a total of 81941.00, the detail lines add up to 81940.00"
# A line dropped from the middle.
sed '100d' "$T/fixed.txt" >"$T/bad3.txt"
expect 1 "$TEXTGEN" read "$F/gb18030-fixed.fmt" "$T/bad3.txt" --kind debit
grep_err "bad3.txt:200: trailer declares 200 items, the file has 199"
exit 0
