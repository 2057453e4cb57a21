#!/bin/sh
# Run every benchmark (tests/bench/b_*.sh); each prints its own figures.
set -u
cd "$(dirname "$0")/../.." || exit 2
failed=0
for b in tests/bench/b_*.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || { failed=$((failed + 1)); echo "FAIL $b" >&2; }
done
[ $failed -eq 0 ]
