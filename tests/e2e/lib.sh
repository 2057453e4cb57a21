# tests/e2e/lib.sh - sourced by every end-to-end test.
#
# Gives each test its own temporary directory (removed on exit), the
# binary under test in $DEBITGW, and small assertion helpers. Tests drive
# the real binary against a real SQLite file; network tests start their
# own servers on free loopback ports and stop them by PID.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DEBITGW=${DEBITGW:-$ROOT/build/debitgw}
SCHEMAS=${SCHEMAS:-$ROOT/../shared/schemas/iso20022}
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-e2e-XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
export DEBITGW_HOME="$T/home"
export DEBITGW_KEY_PASSPHRASE="e2e-test-passphrase"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect RC CMD...: run CMD, fail unless it exits with RC. Output in $T/out, $T/err.
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] || {
		cat "$T/out" "$T/err" >&2
		fail "'$*' exited $got, want $want"
	}
}

# grep_err PATTERN: the last command's stderr holds PATTERN.
grep_err() { grep -q -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }
grep_out() { grep -q -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }

# dbsum: a checksum of the database's logical content.
dbsum() { sqlite3 "$DEBITGW_HOME/debitgw.db" .dump | sha256sum | cut -d' ' -f1; }

# same FILE1 FILE2 WHAT: the files are equal, else their diff and fail.
same() { cmp -s "$1" "$2" || { diff "$1" "$2" >&2; fail "$3"; }; }

# q SQL: run SQL on the home's database, print the result.
q() { sqlite3 "$DEBITGW_HOME/debitgw.db" "$1"; }

# xsd FILE NAME: FILE validates against the official NAME.xsd.
xsd() {
	xmllint --noout --schema "$SCHEMAS/$2.xsd" "$1" 2>"$T/xsd.err" ||
		{ cat "$T/xsd.err" >&2; fail "$1 is not a valid $2"; }
}

# wait_for SECONDS CMD...: poll CMD until it succeeds, bounded.
wait_for() {
	_wf_limit=$1; shift
	_wf_n=0
	while ! "$@" 2>/dev/null; do
		_wf_n=$((_wf_n + 1))
		[ $_wf_n -gt $((_wf_limit * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# free_port: a free TCP port on 127.0.0.1 (asked of the kernel).
free_port() { "$ROOT/build/gentool" port; }
