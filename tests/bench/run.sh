#!/bin/sh
# make bench: run every tests/bench/b_*.sh; each prints its own figures.
# Scratch data goes to $BENCH_DIR (default a temp dir, removed afterwards).
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH_DIR=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")}
export BENCH_DIR
trap 'rm -rf "$BENCH_DIR"' EXIT
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
failed=0
for b in tests/bench/b_*.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || { failed=$((failed + 1)); echo "FAIL $b" >&2; }
done
[ $failed -eq 0 ]
