#!/bin/sh
# Issue 6, through the real pipeline: 10,000 payers, 12 monthly runs, the
# simulated bank's accounts deciding each debit (about 8% without the
# money, some frozen, closed, abnormal), other-channel payments for some
# failures, refunds (maker-checker) for some payments, month closes and
# write-offs. At the end every fen is accounted for:
#   assessed = paid by debit + paid other channel + outstanding + written off
#   refunds = refunded amounts, trial balance 0, each obligation one state,
#   and the bank debited exactly what the ledger holds as debit payments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bank.sh"
N=${CONSERVATION_N:-10000}
MONTHS=${CONSERVATION_MONTHS:-12}
export TZ=Asia/Shanghai
export DEBITGW_FAKE_NOW=2021-01-05T09:00:00
bank_keys
expect 0 "$DEBITGW" trust add ICBC "$BANK_CERT"
sed -i 's/^max_items = 50000$/max_items = 0/' "$DEBITGW_HOME/debitgw.conf"
"$ROOT/build/gentool" mandates "$N" --migrated-only --banks ICBC >"$T/m.csv"
expect 0 "$DEBITGW" mandate import "$T/m.csv"
"$ROOT/build/gentool" accounts "$N" --insufficient 8 --frozen 1 --closed 1 \
    --abnormal 1 >"$T/acc.csv"
BANK="$T/bankdir"
mkdir -p "$BANK/inbox"
refunds=0 payments=0
m=0
while [ $m -lt "$MONTHS" ]; do
	m=$((m + 1))
	mm=$(printf '%02d' $m)
	export DEBITGW_FAKE_NOW=2021-$mm-20T09:00:00
	"$ROOT/build/gentool" assessments "$N" --year 2021 --month $m >"$T/a.csv"
	expect 0 "$DEBITGW" assess import "$T/a.csv"
	export DEBITGW_FAKE_NOW=2021-$mm-26T02:00:00
	expect 0 "$DEBITGW" run --date 2021-$mm-26
	cp "$DEBITGW_HOME"/outbox/ICBC/DGW2021${mm}26* "$BANK/inbox/"
	bank_run "$BANK" "$T/acc.csv"
	for f in "$BANK"/outbox/RET-DGW2021${mm}26*.xml; do
		expect 0 "$DEBITGW" returns ingest "$f" --bank ICBC
	done
	export DEBITGW_FAKE_NOW=2021-$mm-27T10:00:00
	# Finance staff: a few failed payers pay at the counter or by WeChat.
	for id in $(q "SELECT id FROM obligations WHERE state = 'failed'
	    ORDER BY (id * 7919) % 1009 LIMIT 25"); do
		amt=$(q "SELECT printf('%d.%02d', due_fen / 100, due_fen % 100)
		    FROM obligations WHERE id = $id")
		payments=$((payments + 1))
		expect 0 "$DEBITGW" payment record --obligation "$id" \
		    --channel wechat --ref "WX$m-$id" --amount "$amt" --paid-on 2021-$mm-27
	done
	# A few refunds (duplicate payments), each approved by a second person.
	for id in $(q "SELECT id FROM obligations WHERE state = 'paid'
	    ORDER BY (id * 104729) % 1013 LIMIT 3"); do
		expect 0 "$DEBITGW" --actor alice refund request --obligation "$id" \
		    --reason duplicate
		rid=$(q "SELECT max(id) FROM refunds")
		expect 1 "$DEBITGW" --actor alice refund approve "$rid"
		expect 0 "$DEBITGW" --actor bob refund approve "$rid"
		expect 0 "$DEBITGW" --actor bob refund pay "$rid" --ref "RF$rid" \
		    --paid-on 2021-$mm-27
		refunds=$((refunds + 1))
	done
	# After the month: failures become arrears; a few are written off.
	export DEBITGW_FAKE_NOW=2021-$(printf '%02d' $((m % 12 + 1)))-01T09:00:00
	[ $m -eq 12 ] && export DEBITGW_FAKE_NOW=2022-01-01T09:00:00
	expect 0 "$DEBITGW" month close 2021-$mm
	for id in $(q "SELECT id FROM obligations WHERE state = 'arrears'
	    ORDER BY (id * 31) % 97 LIMIT 2"); do
		expect 0 "$DEBITGW" obligation write-off "$id" --reason "deceased, estate empty"
	done
done

# Every fen accounted for.
sum() { q "SELECT coalesce(sum(due_fen), 0) FROM obligations WHERE $1"; }
assessed=$(sum "1 = 1")
debit=$(sum "pay_channel = 'debit'")
other=$(sum "pay_channel IS NOT NULL AND pay_channel <> 'debit'")
outstanding=$(sum "state IN ('open', 'in_batch', 'failed', 'arrears')")
written=$(sum "state = 'written_off'")
[ "$assessed" -eq $((debit + other + outstanding + written)) ] ||
	fail "assessed $assessed <> debit $debit + other $other + outstanding $outstanding + written off $written"
refunded=$(q "SELECT coalesce(sum(amount_fen), 0) FROM refunds WHERE state = 'paid'")
[ "$refunded" -eq "$(sum "state = 'refunded'")" ] || fail "refunds $refunded differ from refunded obligations"
[ "$(q "SELECT count(*) FROM refunds WHERE state = 'paid'")" -eq "$refunds" ] || fail "refund count"
[ "$(q "SELECT count(*) FROM obligations WHERE pay_channel = 'wechat'")" -eq "$payments" ] || fail "payments"
total=$(q "SELECT count(*) FROM obligations")
bystate=$(q "SELECT sum(n) FROM (SELECT count(*) AS n FROM obligations GROUP BY state)")
[ "$total" -eq "$bystate" ] || fail "states do not add up"
[ "$total" -eq $((N * MONTHS)) ] || fail "$total obligations for $N x $MONTHS"
[ "$(bank_count "$BANK" double_debits)" = 0 ] || fail "the bank debited twice"
[ "$(bank_count "$BANK" debited)" -eq "$(q "SELECT count(*) FROM obligations
    WHERE pay_channel = 'debit'")" ] || fail "bank and ledger disagree on debits"
expect 0 "$DEBITGW" ledger trial-balance
grep_out "^total .* 0\.00$"
expect 0 "$DEBITGW" ledger check
expect 0 "$DEBITGW" audit verify
echo "conservation: $total obligations, $payments other-channel payments, $refunds refunds: balanced"
exit 0
