#!/bin/sh
# Banned calls (STYLE.md): unbounded or unchecked string and number
# functions. A match fails the build; the message names file and line.
set -u
cd "$(dirname "$0")/.." || exit 2
pat='\b(atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|strtok|gets|sscanf)[[:space:]]*\('
hits=$(grep -nE "$pat" $(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]') 2>/dev/null \
	| grep -vE '^\S+:[0-9]+:\s*(\*|/\*)' || true)
if [ -n "$hits" ]; then
	echo "lint: banned function (use snprintf, strnum_*, bounded copies):" >&2
	echo "$hits" >&2
	exit 1
fi
exit 0
