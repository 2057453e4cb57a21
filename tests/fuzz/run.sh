#!/bin/sh
# Build every tests/fuzz/fuzz_*.c as a libFuzzer binary (clang
# -fsanitize=fuzzer with ASan and UBSan) against the library sources, and
# run each for FUZZ_SECONDS (default 60). `make fuzz` runs this; `make
# check` does not.
#
# A target NAME may ship tests/fuzz/NAME.seeds: path globs (from the top
# of the tree, one a line, # comments) whose files seed its corpus, and two
# directives: `prefix N M ...` makes each following seed once per listed
# byte value put in front of it (targets whose first byte picks a message
# version), and `dict FILE` passes a libFuzzer dictionary. The working
# corpus and any crash inputs stay in build/fuzz/NAME/.
# Usage: tests/fuzz/run.sh [NAME...]   (default: every target)
set -u
cd "$(dirname "$0")/../.." || exit 2
SECS=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
B=build/fuzz
PKGS="openssl libxml-2.0 libcurl sqlite3 inih libmicrohttpd jansson"

command -v "$CC" >/dev/null 2>&1 || {
	echo "fuzz: $CC not found (apt-get install clang)" >&2; exit 3; }
CFLAGS="-std=c11 -D_GNU_SOURCE -I. -g -O1 -fno-omit-frame-pointer \
    $(pkg-config --cflags $PKGS)"
LIBS=$(pkg-config --libs $PKGS)
SAN="address,undefined"

# The library once, instrumented for coverage (no main: libFuzzer has it).
mkdir -p "$B/obj"
objs=""
for src in common/*.c formats/*.c mandates/*.c ledger/*.c keys/*.c gateway/*.c; do
	[ -e "$src" ] || continue
	[ "$src" = gateway/main.c ] && continue
	o=$B/obj/$(printf '%s' "$src" | tr / _ | sed 's/\.c$/.o/')
	$CC $CFLAGS -fsanitize=fuzzer-no-link,$SAN -c "$src" -o "$o" ||
		{ echo "fuzz: cannot build $src" >&2; exit 1; }
	objs="$objs $o"
done

targets=${*:-$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|.*/||; s|\.c$||')}
failed=0
for name in $targets; do
	src=tests/fuzz/$name.c
	dir=$B/$name
	mkdir -p "$dir/corpus" "$dir/crashes"
	$CC $CFLAGS -fsanitize=fuzzer,$SAN "$src" $objs $LIBS -o "$dir/$name" ||
		{ echo "fuzz: cannot build $src" >&2; failed=$((failed + 1)); continue; }
	dict=""
	if [ -f "tests/fuzz/$name.seeds" ]; then
		prefixes=""
		while read -r word rest; do
			case "$word" in
			''|\#*) continue ;;
			prefix) prefixes=$rest; continue ;;
			dict) dict="-dict=$rest"; continue ;;
			esac
			for f in $word $rest; do
				[ -f "$f" ] || continue
				b=$(basename "$f")
				if [ -z "$prefixes" ]; then
					cp "$f" "$dir/corpus/$b"
				else
					for p in $prefixes; do
						{ printf "\\$(printf '%03o' "$p")"; cat "$f"; } \
						    >"$dir/corpus/$b-$p"
					done
				fi
			done
		done <"tests/fuzz/$name.seeds"
	fi
	echo "fuzz: $name for ${SECS}s"
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    "$dir/$name" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/crashes/" $dict \
	    "$dir/corpus" >"$dir/log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|Done)' "$dir/log" | tail -n 1
		echo "  ok $name ($(ls "$dir/corpus" | wc -l) inputs in corpus)"
	else
		tail -n 40 "$dir/log" >&2
		echo "FAIL $name: inputs in $dir/crashes/" >&2
		failed=$((failed + 1))
	fi
done
echo "fuzz: $(echo $targets | wc -w) targets, $failed failing"
[ $failed -eq 0 ]
