#!/bin/sh
# Run every end-to-end test (tests/e2e/t_*.sh), or the ones named (t_x
# t_y ...); print one line each. $DEBITGW picks the binary under test.
set -u
cd "$(dirname "$0")/../.." || exit 2
failed=0 n=0
list=""
for a in "$@"; do list="$list tests/e2e/$a.sh"; done
[ -n "$list" ] || list=$(ls tests/e2e/t_*.sh)
for t in $list; do
	n=$((n + 1))
	if [ ! -e "$t" ]; then
		failed=$((failed + 1))
		echo "FAIL $t: no such test" >&2
		continue
	fi
	start=$(date +%s)
	if out=$(sh "$t" 2>&1); then
		printf '  ok %-40s %ss\n' "$t" $(( $(date +%s) - start ))
	else
		failed=$((failed + 1))
		printf '%s\n' "$out" | tail -n 30 >&2
		echo "FAIL $t" >&2
	fi
done
echo "e2e: $n tests, $failed failing"
[ $failed -eq 0 ]
