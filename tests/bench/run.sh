#!/bin/sh
# make bench: run every benchmark (tests/bench/b_*.sh), one after another.
# Benchmarks print tables; figures worth keeping go to docs/performance.md.
set -u
cd "$(dirname "$0")/../.." || exit 2
failed=0
for b in tests/bench/b_*.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || { failed=$((failed + 1)); echo "FAIL $b" >&2; }
done
[ $failed -eq 0 ]
