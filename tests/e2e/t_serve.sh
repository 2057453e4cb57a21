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

# HTTPS: the key encrypted with the home's passphrase, the client checks
# the certificate; plain HTTP on that port gets nothing.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -aes-256-cbc -pass env:DEBITGW_KEY_PASSPHRASE -out "$T/https.key" 2>/dev/null
openssl req -new -x509 -key "$T/https.key" -passin env:DEBITGW_KEY_PASSPHRASE \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 2 \
    -out "$T/https.crt" 2>/dev/null
chmod 600 "$T/https.key"
sed -i "s|^; tls_cert =.*|tls_cert = $T/https.crt|; s|^; tls_key =.*|tls_key = $T/https.key|" \
    "$DEBITGW_HOME/debitgw.conf"
port=$(free_port)
$DEBITGW serve --listen 127.0.0.1:$port 2>"$T/log" &
pid=$!
PIDS="$pid"
wait_for 10 curl -sf --cacert "$T/https.crt" "https://127.0.0.1:$port/healthz" \
    -o "$T/health" || fail "no /healthz over HTTPS"
grep -q '"status":"ok"' "$T/health" || fail "health: $(cat "$T/health")"
curl -sf --max-time 5 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 &&
	fail "plain HTTP answered on the HTTPS port"
kill -TERM $pid
wait $pid || fail "HTTPS serve exited $?"
PIDS=""

# The key readable by others, under another passphrase, or stored in
# clear, is refused (exit 3).
chmod 640 "$T/https.key"
expect 3 $DEBITGW serve --listen 127.0.0.1:0
grep_err "https.key: readable by group or others"
chmod 600 "$T/https.key"
expect 3 env DEBITGW_KEY_PASSPHRASE=not-this-one $DEBITGW serve \
    --listen 127.0.0.1:0
grep_err "https.key: wrong passphrase"
openssl pkey -in "$T/https.key" -passin env:DEBITGW_KEY_PASSPHRASE \
    -out "$T/clear.key" 2>/dev/null
chmod 600 "$T/clear.key"
sed -i "s|^tls_key = .*|tls_key = $T/clear.key|" "$DEBITGW_HOME/debitgw.conf"
expect 3 $DEBITGW serve --listen 127.0.0.1:0
grep_err "refusing a private key stored in clear"
exit 0
