#!/bin/sh
# Build every tests/fuzz/fuzz_*.c with clang -fsanitize=fuzzer,address,
# undefined against the library sources it needs and run each for
# FUZZ_SECONDS (default 60). Seeds are the fixtures of the reader's
# message (tests/fixtures/iso20022), one copy per version byte. A crash,
# leak, sanitizer report or timeout fails the run; the input that caused
# it is kept under build/fuzz/ and named on stderr.
set -u
cd "$(dirname "$0")/../.." || exit 2
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC_FUZZ=${CC_FUZZ:-clang}
OUT=build/fuzz
SRC="formats/iso_read.c formats/xmlsafe.c formats/reason.c formats/iso20022.c
     common/err.c common/money.c common/date.c common/strnum.c common/text.c"
FLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -I. $(pkg-config --cflags libxml-2.0)
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
LIBS=$(pkg-config --libs libxml-2.0)

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (make fuzz installs it)" >&2; exit 3; }
mkdir -p "$OUT"
failed=0
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	msg=${name#fuzz_}
	# shellcheck disable=SC2086
	if ! $CC_FUZZ $FLAGS -o "$OUT/$name" "$t" $SRC $LIBS; then
		echo "fuzz: $name does not build" >&2
		failed=$((failed + 1))
		continue
	fi
	corpus=$OUT/corpus-$msg
	mkdir -p "$corpus" "$OUT/crash-$msg"
	for f in tests/fixtures/iso20022/${msg}_*.xml; do
		[ -e "$f" ] || continue
		b=$(basename "$f" .xml)
		{ printf '\000'; cat "$f"; } >"$corpus/$b-0"
		{ printf '\001'; cat "$f"; } >"$corpus/$b-1"
	done
	for f in tests/fixtures/iso20022/hostile_*.xml; do
		{ printf '\000'; cat "$f"; } >"$corpus/$(basename "$f" .xml)"
	done
	if "$OUT/$name" -max_total_time="$SECONDS_EACH" -timeout=10 \
	    -rss_limit_mb=512 -max_len=65536 -dict=tests/fuzz/iso.dict \
	    -artifact_prefix="$OUT/crash-$msg/" -print_final_stats=1 \
	    "$corpus" >"$OUT/$name.log" 2>&1; then
		printf '  ok %-20s %s\n' "$name" \
		    "$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$name.log" | tr -s ' ' | cut -d' ' -f2) runs"
	else
		tail -n 30 "$OUT/$name.log" >&2
		echo "FAIL $name: see $OUT/$name.log and $OUT/crash-$msg/" >&2
		failed=$((failed + 1))
	fi
done
echo "fuzz: $failed failing"
[ $failed -eq 0 ]
