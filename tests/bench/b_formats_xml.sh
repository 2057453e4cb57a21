#!/bin/sh
# b_formats_xml.sh - the ISO 20022 codecs at scale (docs/performance.md,
# "Formats (XML)"): write a 1,000,000-item pain.008 with the real writer,
# parse a 1,000,000-item pain.002 with the real reader (alone, and through
# `debitgw format parse`), and validate the pain.008 against its schema as
# a stream. Items/s counts the work only (build/fmtgen times it); peak
# memory is the whole process's (build/rusage). BENCH_ITEMS changes N.
set -u
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_ITEMS:-1000000}
SCHEMAS=${SCHEMAS:-$(cd .. && pwd)/shared/schemas/iso20022}
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

field() { sed "s/.*$1=\([0-9]*\).*/\1/" "$2"; }
rate() { sed -n 's/.*(\([0-9]*\) items\/s).*/\1/p' "$1"; }
line() {	# WHAT RATE-LOG RUSAGE-REPORT
	printf '%-44s %9s items/s  peak %4d MB  wall %6.2f s\n' "$1" \
	    "${2:--}" $(( $(field maxrss_kb "$3") / 1024 )) \
	    "$(echo "$(field wall_ms "$3")" | awk '{ print $1 / 1000 }')"
}

echo "N=$N, $(nproc) cores, $(date +%F)"
build/rusage --report "$T/ru.w" build/fmtgen pain008 "$N" --out "$T/p8.xml" \
    2>"$T/w.log" || { cat "$T/w.log"; exit 1; }
line "write pain.008.001.08 ($(( $(wc -c <"$T/p8.xml") / 1048576 )) MB)" \
    "$(rate "$T/w.log")" "$T/ru.w"

build/fmtgen pain002 "$N" --out "$T/p2.xml" 2>/dev/null || exit 1
build/rusage --report "$T/ru.r" build/fmtgen read "$T/p2.xml" \
    >/dev/null 2>"$T/r.log" || { cat "$T/r.log"; exit 1; }
line "parse pain.002.001.03 ($(( $(wc -c <"$T/p2.xml") / 1048576 )) MB), reader" \
    "$(rate "$T/r.log")" "$T/ru.r"

build/rusage --report "$T/ru.c" build/debitgw --csv format parse "$T/p2.xml" \
    >/dev/null || exit 1
ms=$(field wall_ms "$T/ru.c")
line "debitgw format parse --csv (whole process)" \
    "$(( N * 1000 / (ms > 0 ? ms : 1) ))" "$T/ru.c"

build/rusage --report "$T/ru.v" build/debitgw format validate "$T/p8.xml" \
    --schemas "$SCHEMAS" >/dev/null || exit 1
ms=$(field wall_ms "$T/ru.v")
line "debitgw format validate pain.008 (XSD)" \
    "$(( N * 1000 / (ms > 0 ? ms : 1) ))" "$T/ru.v"
