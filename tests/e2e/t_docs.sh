#!/bin/sh
# Every command and every configuration key is documented (STYLE.md).
. "$(dirname "$0")/lib.sh"
$DEBITGW help | sed -n 's/^  \([a-z-]*\)\( [a-z-]*\)\{0,1\}  .*/\1\2/p' | sed 's/ *$//' |
while read -r cmd; do
	grep -q "debitgw $cmd\b" "$ROOT/docs/commands.md" || fail "docs/commands.md lacks 'debitgw $cmd'"
done || exit 1
$DEBITGW config keys | sed -n 's/^\[[^]]*\] \([^ ]*\) = .*/\1/p' | while read -r key; do
	grep -qF "\`$key\`" "$ROOT/docs/configuration.md" || fail "docs/configuration.md lacks '$key'"
done || exit 1
exit 0
