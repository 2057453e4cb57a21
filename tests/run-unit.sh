#!/bin/sh
# Run Check unit-test binaries; print one line each and a total.
# Fails if any binary fails or if fewer tests ran than MIN_TESTS.
set -u
total=0 failed=0
for t in "$@"; do
	out=$(CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" 2>&1)
	rc=$?
	n=$(printf '%s\n' "$out" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p' | tail -n 1)
	total=$((total + ${n:-0}))
	if [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		printf '%s\n' "$out" | grep -v '^Running suite' >&2
		echo "FAIL $t" >&2
	else
		printf '  ok %-50s %s tests\n' "${t#build/}" "${n:-0}"
	fi
done
echo "unit: $total tests in $# binaries, $failed failing"
[ $failed -eq 0 ] && [ $total -ge ${MIN_TESTS:-40} ]
