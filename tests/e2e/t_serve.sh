#!/bin/sh
# debitgw serve: health and metrics over HTTP, one daemon per home,
# SIGHUP reload (a bad config refused, a good one taken), clean SIGTERM.
. "$(dirname "$0")/lib.sh"
expect 0 $DEBITGW init
$ROOT/build/gentool mandates 50 > "$T/m.csv"
expect 0 $DEBITGW mandate import "$T/m.csv"
port=$(free_port)
$DEBITGW serve --listen 127.0.0.1:$port --pidfile "$T/pid" 2>"$T/log" &
pid=$!
PIDS="$pid"
wait_for 10 curl -sf "http://127.0.0.1:$port/healthz" -o "$T/health" || fail "no /healthz"
grep -q '"status":"ok"' "$T/health" || fail "health: $(cat "$T/health")"
[ "$(cat "$T/pid")" = "$pid" ] || fail "pid file"
curl -sf "http://127.0.0.1:$port/metrics" -o "$T/metrics" || fail "no /metrics"
grep -q '^debitgw_mandates{state="active"} 8$' "$T/metrics" || { cat "$T/metrics"; fail "metrics"; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nosuch")
[ "$code" = 404 ] || fail "unknown path gave $code"

# A second daemon on the same home is refused (exit 3).
expect 3 $DEBITGW serve --listen 127.0.0.1:0
grep_err "another .debitgw serve. runs on this home"

# SIGHUP with a broken config keeps the old one; a fixed one is taken.
cp "$DEBITGW_HOME/debitgw.conf" "$T/conf.good"
sed -i 's/^run_time = 02:00/run_time = 2:00/' "$DEBITGW_HOME/debitgw.conf"
kill -HUP $pid
wait_for 10 grep -q "reload refused" "$T/log" || fail "bad reload not refused"
cp "$T/conf.good" "$DEBITGW_HOME/debitgw.conf"
kill -HUP $pid
wait_for 10 grep -q "config reloaded" "$T/log" || fail "good reload not taken"
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || fail "dead after reload"

# SIGTERM: clean stop, exit 0, pid file removed.
kill -TERM $pid
wait $pid
rc=$?
PIDS=""
[ $rc -eq 0 ] || fail "serve exited $rc after SIGTERM"
grep -q "stopped cleanly" "$T/log" || fail "no clean stop line"
[ ! -e "$T/pid" ] || fail "pid file left behind"
exit 0
