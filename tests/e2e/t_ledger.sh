#!/bin/sh
# t_ledger.sh - the collection ledger through the real CLI: assessments in,
# bank runs applied through the ledger's API (build/ledgersim debit, as the
# return-file code will), failed-debit follow-up, other-channel payments,
# month close, refunds with maker-checker, trial balance, certificates and
# the agency export.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/build/gentool
SIM=$ROOT/build/ledgersim
D=$DEBITGW
export DEBITGW_FAKE_NOW=2025-11-27T10:00:00

expect 0 $D init
$GEN mandates 30 >"$T/m.csv"
expect 0 $D mandate import "$T/m.csv"
for id in $($D mandate list --state pending --csv | tail -n +2 | cut -d, -f1); do
	expect 0 $D mandate activate "$id" --reason "bank accepted"
done

# ---- assessments ---------------------------------------------------------
# A bad row is named by file and line, and nothing is imported.
$GEN assessments 30 --bad-line 5 --bad payer >"$T/bad.csv"
before=$(dbsum)
expect 1 $D assess import "$T/bad.csv"
grep_err "bad.csv:5: payer_id: wrong check character"
grep_err "1 of 30 rows are bad; nothing was imported"
[ "$(dbsum)" = "$before" ] || fail "a refused file changed the database"
$GEN assessments 30 --bad-line 7 --bad amount >"$T/bad2.csv"
expect 1 $D assess import "$T/bad2.csv"
grep_err "bad2.csv:7: amount:"

$GEN assessments 30 >"$T/a.csv"
expect 0 $D assess import "$T/a.csv"
grep_out "30 rows, 30 obligations (22 open, 8 settled with nothing due)"
expect 0 $D assess import "$T/a.csv"
grep_out "already imported at"
[ "$($D obligation list --csv | tail -n +2 | wc -l)" -eq 30 ] ||
	fail "re-import changed the obligations"

# One enrolment per payer and period: the same rows in another file (a
# trailing blank line makes it a different file to the SHA-256 check).
{ cat "$T/a.csv"; printf '\r\n'; } >"$T/again.csv"
expect 1 $D assess import "$T/again.csv"
grep_err "again.csv:2: payer_id: payer 110000194009013726 already has obligation O0000000001 for 2025"

# Tariffs: 431.00 for an adult is a warning, or refused with --strict.
$GEN assessments 30 --year 2026 --bad-line 2 --bad tariff >"$T/t.csv"
expect 1 $D assess import --strict "$T/t.csv"
grep_err "t.csv:2: amount: 431.00 differs from the adult tariff 430.00 for 2026"
expect 0 $D assess import "$T/t.csv"
grep_err "t.csv:2: warning: amount: 431.00 differs"
grep_out "1 warnings"

# ---- bank runs, failed debits ------------------------------------------
expect 0 $SIM debit "$DEBITGW_HOME" --bank ICBC --on 2025-11-26 \
	--upto 2025-12 --fail-every 3
grep_out "7 items, 5 paid, 2 failed"
expect 0 $SIM debit "$DEBITGW_HOME" --bank CCB --on 2025-11-26 \
	--upto 2025-12 --fail-every 4 --category account_closed --code AC04
grep_out "2 failed, 2 mandates suspended"
expect 0 $D failed list --csv
[ "$(tail -n +2 "$T/out" | wc -l)" -eq 4 ] || fail "want 4 failed debits"
grep_out "O0000000013,130000194109013727,陈超静,13900000012,442000,,2025,300.00,insufficient_funds,AM04,ICBC,2025-11-26,3"
expect 0 $D failed list --csv --category account_closed --bank CCB
[ "$(tail -n +2 "$T/out" | wc -l)" -eq 2 ] || fail "want 2 closed accounts"
expect 0 $D --json failed list --month 2025-11 --region 442000
grep_out '"days_left":3'
# A suspended mandate is what the closed account did to it.
payer14=$($D obligation show O14 --csv | tail -n 1 | cut -d, -f2)
expect 0 $D mandate list --payer "$payer14" --csv
grep_out ",suspended,"

# ---- other-channel payments -------------------------------------------
expect 1 $D payment record --obligation O13 --channel wechat --ref WX1 \
	--amount 310.00 --paid-on 2025-11-27
grep_err "over-payment of 310.00; 300.00 is due"
expect 1 $D payment record --obligation O13 --channel wechat --ref WX1 \
	--amount 299.99 --paid-on 2025-11-27
grep_err "under-payment"
expect 1 $D payment record --obligation O13 --channel wechat --ref WX1 \
	--amount 300 --paid-on 2025-11-28
grep_err "in the future"
expect 0 $D payment record --obligation O13 --channel wechat --ref WX1 \
	--amount 300 --paid-on 2025-11-27
grep_out "cover from 2025-01-01"
expect 1 $D payment record --obligation O13 --channel alipay --ref A2 \
	--amount 300 --paid-on 2025-11-27
grep_err "a second payment is refused"
expect 1 $D payment record --obligation O22 --channel wechat --ref WX1 \
	--amount 430 --paid-on 2025-11-27
grep_err "wechat:WX1 was posted before"
expect 2 $D payment record --obligation O22 --channel wechat
expect 1 $D payment record --obligation O22 --channel cash --ref X \
	--amount 430 --paid-on 2025-11-27
grep_err "is not counter, wechat"

# ---- month close and a late payment ------------------------------------
expect 1 $D month close 2025-11
grep_err "has not ended"
DEBITGW_FAKE_NOW=2025-12-01T09:00:00 expect 0 $D --csv month close 2025-11
grep_out "total,3,1030.00"
DEBITGW_FAKE_NOW=2025-12-01T09:00:00 expect 0 $D month close 2025-11
grep_out "nothing to do"
expect 0 $D failed list --arrears --csv
[ "$(tail -n +2 "$T/out" | wc -l)" -eq 3 ] || fail "want 3 arrears"
DEBITGW_FAKE_NOW=2025-12-05T09:00:00 expect 0 $D payment record \
	--obligation O22 --channel counter --ref C9 --amount 430 --paid-on 2025-12-05
grep_out "cover from 2026-03-05 (late payment"
DEBITGW_FAKE_NOW=2025-12-05T09:00:00 expect 0 $D obligation write-off O29 \
	--reason "payer deceased"
expect 1 $D obligation write-off O29 --reason again
grep_err "write_off needs open, failed or arrears"

# ---- refunds: maker-checker --------------------------------------------
export DEBITGW_FAKE_NOW=2025-12-05T10:00:00
expect 0 $D refund request --obligation O13 --reason duplicate --actor alice
grep_out "due by 2025-12-12"
expect 1 $D refund approve R1 --actor alice
grep_err "maker-checker"
expect 1 $D refund reject R1 --actor alice
expect 0 $D refund approve R1 --actor bob
expect 1 $D refund approve R1 --actor carol
DEBITGW_FAKE_NOW=2025-12-15T10:00:00 expect 0 $D refund list --csv
grep_out "R0000000001,O0000000013,.*,approved,OVERDUE,alice"
expect 0 $D refund pay R1 --ref T1 --paid-on 2025-12-05
expect 0 $D obligation show O13 --csv
grep_out ",refunded,"

# ---- the books ---------------------------------------------------------
expect 0 $D --csv ledger trial-balance
[ "$(tr -d '\r' <"$T/out" | grep '^total,' | cut -d, -f5)" = "0.00" ] ||
	fail "trial balance is not zero"
expect 0 $D ledger check
grep_out "ledger sound"
expect 0 $D --csv ledger balance clearing
grep_out "clearing:wechat,2,300.00,300.00,0.00"
expect 0 $D --csv ledger balance receivable --payer "$payer14"
grep_out "receivable,,,,600.00"	# 2025 in arrears, 2026 open
expect 0 $D --json ledger journal --payer "$payer14"
grep_out '"kind":"assessment"'
expect 0 $D --csv ledger journal --since 2025-12-05
grep_out "refund_payout"
expect 0 $D audit verify

# ---- certificates ------------------------------------------------------
P=110000194009013726
expect 0 $D certificate --payer $P --year 2025 --out "$T/cert.html"
[ -s "$T/cert.html" ] || fail "no certificate written"
code=$(grep -o '[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$T/cert.html")
[ -n "$code" ] || fail "no verification code in the certificate"
grep -q "$P" "$T/cert.html" || fail "payer missing from the certificate"
grep -q "430.00" "$T/cert.html" || fail "amount missing from the certificate"
expect 0 $D certificate verify --payer $P --year 2025 --code "$code"
expect 1 $D certificate verify --payer $P --year 2025 --code AAAA-AAAA-AAAA-AAAA
grep_err "does not match the ledger"
expect 1 $D certificate --payer 130000194109013727 --year 2025
grep_err "nothing paid"

# ---- the agency export, each record once -------------------------------
expect 0 $D --csv export payments --out "$T/e1.csv"
grep_out "13 payment records"
head -n 1 "$T/e1.csv" | grep -q "^payer_id,period,amount,paid_on,channel,bank,reference" ||
	fail "export header"
[ "$(tail -n +2 "$T/e1.csv" | wc -l)" -eq 13 ] || fail "want 13 exported"
expect 0 $D --csv export payments --out "$T/e2.csv"
[ "$(tail -n +2 "$T/e2.csv" | wc -l)" -eq 0 ] || fail "exported twice"
expect 0 $D --csv export payments --again --since 2025-11-27
[ "$(tail -n +2 "$T/out" | wc -l)" -eq 2 ] || fail "--again --since"
expect 1 $D --csv export payments --out "$T/e1.csv"
grep_err "already exists"

# ---- kept totals changed behind the ledger's back are caught -----------
q "UPDATE account_totals SET credit_fen = credit_fen - 1
    WHERE account = 'premium_income:2025'"
expect 3 $D ledger check
grep_err "account totals of premium_income:2025 say"
echo "t_ledger: ok"
