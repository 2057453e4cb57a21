#!/bin/sh
# Issue 2 acceptance: a 10,000-row import, all-or-nothing rejection naming
# the line, and tamper detection in the audit trail.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/build/gentool

expect 0 $DEBITGW init

# Every command answers --help; unknown things are usage errors (exit 2).
expect 0 $DEBITGW help
expect 0 $DEBITGW mandate import --help
grep_out "usage: debitgw mandate import FILE"
expect 2 $DEBITGW nosuch
expect 2 $DEBITGW mandate frobnicate
expect 2 $DEBITGW mandate list --nosuch-option
expect 2 $DEBITGW mandate import

# 10,000 rows, some migrated, some unit members.
$GEN mandates 10000 > "$T/m.csv"
expect 0 $DEBITGW mandate import "$T/m.csv"
grep_out "10000 imported"
expect 0 $DEBITGW --json mandate list
n=$(grep -c '^{"id"' "$T/out")
[ "$n" -eq 10000 ] || fail "mandate list --json gave $n rows, want 10000"
migrated=$(grep -c ',migrated,' "$T/m.csv")
expect 0 $DEBITGW mandate list --state active --csv
active=$(($(wc -l < "$T/out") - 1))
[ "$active" -eq "$migrated" ] || fail "$active active, $migrated migrated"
expect 0 $DEBITGW mandate list --state pending --csv
pending=$(($(wc -l < "$T/out") - 1))
[ $((active + pending)) -eq 10000 ] || fail "states do not add up"
unit=$(sed -n '2p' "$T/m.csv" | cut -d, -f10)
expect 0 $DEBITGW mandate list --unit "$unit" --csv
members=$(grep -c ",$unit," "$T/m.csv")
[ $(($(wc -l < "$T/out") - 1)) -eq "$members" ] || fail "unit members differ"

# Importing the same file again is a no-op that says so.
expect 0 $DEBITGW mandate import "$T/m.csv"
grep_out "already imported"

# Each kind of bad row in a new file: exit 1, line named, nothing changed.
before=$(dbsum)
for kind in check utf8 control duplicate bank; do
	$GEN mandates 6000 --seed 3 --bad-line 5000 --bad $kind > "$T/bad.csv"
	expect 1 $DEBITGW mandate import "$T/bad.csv"
	grep_err "bad.csv:5000: "
	grep_err "nothing was imported"
	[ "$(dbsum)" = "$before" ] || fail "$kind: database changed"
done
grep_err "bank_code: unknown bank code 'NOSUCH'"
$GEN mandates 10 --seed 4 --bad-line 2 --bad column > "$T/nocol.csv"
expect 1 $DEBITGW mandate import "$T/nocol.csv"
grep_err "nocol.csv:1: unit_code: missing column"
[ "$(dbsum)" = "$before" ] || fail "missing column: database changed"
# A second active mandate for a payer already registered.
$GEN mandates 3 > "$T/again.csv"
printf 'x' >> "$T/again.csv"	# a different file, same payers
expect 1 $DEBITGW mandate import "$T/again.csv"
grep_err "again.csv:2: payer_id: payer .* already has mandate M0000000001 (active)"
[ "$(dbsum)" = "$before" ] || fail "duplicate payer: database changed"

# --reject-file imports the good rows and lists the bad one.
$GEN mandates 20 --seed 5 --bad-line 7 --bad check > "$T/some.csv"
expect 0 $DEBITGW mandate import "$T/some.csv" --reject-file "$T/rej.csv"
grep_out "19 imported"
grep -q ',7,payer_id: wrong check character' "$T/rej.csv" || fail "reject file"

# Lifecycle from the command line.
id=$($DEBITGW mandate list --state pending --csv | sed -n 2p | cut -d, -f1)
expect 0 $DEBITGW mandate activate "$id" --reason "bank accepted"
expect 1 $DEBITGW mandate reject "$id" --reason "too late"
grep_err "is active; reject needs pending"
expect 0 $DEBITGW mandate amend "$id" --bank CCB --account 6217000010000000001 --reason "new account"
expect 0 $DEBITGW --json mandate show "$id"
grep_out '"state": "superseded"'

# The audit trail: intact, then one row changed with the sqlite3 shell.
expect 0 $DEBITGW audit verify
q "UPDATE audit_events SET actor = 'mallory' WHERE id = 4321"
expect 1 $DEBITGW audit verify
grep_err "audit row 4321"
exit 0
