#!/bin/sh
# Bank text codec: write and read back a 1,000,000-item debit file and a
# return file in each shipped layout (build/textgen: items checked, then
# written through an atomic file; read streams with full validation).
# Prints items/s and peak resident memory; figures go to docs/performance.md
# "Formats (text)". N overrides the item count.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TEXTGEN=$ROOT/build/textgen
N=${N:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

for fmt in gbk-pipe gb18030-fixed; do
	d=$ROOT/formats/descriptors/$fmt.fmt
	case $fmt in gbk-pipe) ok=0000 bad=1001 ;; *) ok=000000 bad=E00051 ;; esac
	for kind in debit return; do
		f=$T/$fmt-$kind.txt
		"$TEXTGEN" write "$d" "$f" "$N" --kind "$kind" --rare 997 \
		    --codes "$ok,$ok,$ok,$bad" >"$T/out" 2>"$T/err" ||
			{ cat "$T/err" >&2; exit 1; }
		w=$(grep '^write:' "$T/err")
		"$TEXTGEN" read "$d" "$f" --kind "$kind" >"$T/out" 2>"$T/err" ||
			{ cat "$T/err" >&2; exit 1; }
		r=$(grep '^read:' "$T/err")
		printf '%-14s %-6s %5s MB  %s\n' "$fmt" "$kind" \
		    "$(( $(wc -c <"$f") / 1000000 ))" "$w"
		printf '%-14s %-6s %8s  %s\n' "" "" "" "$r"
		rm -f "$f"
	done
done
