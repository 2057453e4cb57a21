#!/bin/sh
# Run every end-to-end test (tests/e2e/t_*.sh); print one line each.
set -u
cd "$(dirname "$0")/../.." || exit 2
failed=0 n=0
for t in tests/e2e/t_*.sh; do
	[ -e "$t" ] || continue
	n=$((n + 1))
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
