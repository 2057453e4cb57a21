# tests/e2e/httpsd.sh - an HTTPS bank endpoint on 127.0.0.1 (build/httpsd,
# libmicrohttpd with TLS) for the transport tests. Sourced after lib.sh.
#
#   httpsd_setup DIR     test CAs and certificates (openssl CLI), folders
#   httpsd_start [ARGS]  start build/httpsd on $HTTPSD_PORT with the good
#                        server certificate (or HTTPSD_CERT/HTTPSD_KEY),
#                        extra ARGS are fault switches; wait for --ready
#   httpsd_stop          stop it by PID
#
# Made in DIR: ca.pem (the bank's CA), server.pem/server.key (127.0.0.1,
# SAN IP), client.pem/client.key (our certificate, from ca.pem),
# rogue-ca.pem with rogue-server.pem/.key and rogue-client.pem/.key (a CA
# nobody trusts), bank/in, bank/out, requests.log.
# Sets: HTTPSD_DIR HTTPSD_PORT HTTPSD_PID HTTPSD_PIN (sha256//... of the
# server key) HTTPSD_ROGUE_PIN.

httpsd_cert() { # NAME CA SUBJ [SAN]: key and certificate signed by CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$HTTPSD_DIR/$1.key" -subj "$3" \
		-out "$HTTPSD_DIR/$1.csr" 2>/dev/null || fail "openssl req $1"
	if [ -n "${4:-}" ]; then
		printf 'subjectAltName=%s\n' "$4" >"$HTTPSD_DIR/$1.ext"
	else
		printf 'extendedKeyUsage=clientAuth\n' >"$HTTPSD_DIR/$1.ext"
	fi
	openssl x509 -req -in "$HTTPSD_DIR/$1.csr" -CA "$HTTPSD_DIR/$2.pem" \
		-CAkey "$HTTPSD_DIR/$2.key" -CAcreateserial -days 30 \
		-extfile "$HTTPSD_DIR/$1.ext" -out "$HTTPSD_DIR/$1.pem" 2>/dev/null ||
		fail "openssl x509 $1"
	chmod 600 "$HTTPSD_DIR/$1.key"
}

httpsd_ca() { # NAME SUBJ
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$HTTPSD_DIR/$1.key" -subj "$2" -days 30 \
		-out "$HTTPSD_DIR/$1.pem" 2>/dev/null || fail "openssl CA $1"
}

httpsd_pin() { # CERT: the sha256// pin of its public key
	printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | openssl enc -base64)"
}

httpsd_setup() {
	HTTPSD_DIR=$1
	mkdir -p "$HTTPSD_DIR/bank/in" "$HTTPSD_DIR/bank/out" || fail "httpsd dir"
	HTTPSD_PORT=$(free_port) || fail "no free port"
	httpsd_ca ca "/CN=Test Bank CA"
	httpsd_ca rogue-ca "/CN=Rogue CA"
	httpsd_cert server ca "/CN=127.0.0.1" "IP:127.0.0.1"
	httpsd_cert client ca "/CN=debitgw test client"
	httpsd_cert rogue-server rogue-ca "/CN=127.0.0.1" "IP:127.0.0.1"
	httpsd_cert rogue-client rogue-ca "/CN=stranger"
	HTTPSD_PIN=$(httpsd_pin "$HTTPSD_DIR/server.pem")
	HTTPSD_ROGUE_PIN=$(httpsd_pin "$HTTPSD_DIR/rogue-server.pem")
	: >"$HTTPSD_DIR/requests.log"
}

httpsd_start() {
	rm -f "$HTTPSD_DIR/ready"
	"$ROOT/build/httpsd" --root "$HTTPSD_DIR/bank" --port "$HTTPSD_PORT" \
		--cert "${HTTPSD_CERT:-$HTTPSD_DIR/server.pem}" \
		--key "${HTTPSD_KEY:-$HTTPSD_DIR/server.key}" \
		--client-ca "$HTTPSD_DIR/ca.pem" --log "$HTTPSD_DIR/requests.log" \
		--ready "$HTTPSD_DIR/ready" "$@" 2>>"$HTTPSD_DIR/httpsd.err" &
	HTTPSD_PID=$!
	PIDS="$PIDS $HTTPSD_PID"
	wait_for 10 test -e "$HTTPSD_DIR/ready" ||
		{ cat "$HTTPSD_DIR/httpsd.err" >&2; fail "httpsd did not start"; }
}

httpsd_stop() {
	[ -n "${HTTPSD_PID:-}" ] || return 0
	kill "$HTTPSD_PID" 2>/dev/null
	wait "$HTTPSD_PID" 2>/dev/null
	HTTPSD_PID=
}
