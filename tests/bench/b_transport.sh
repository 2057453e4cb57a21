# b_transport.sh - throughput of `debitgw send` and `fetch` on loopback:
# one 64 MiB file and 200 small signed files, over SFTP (real sshd) and
# HTTPS (build/httpsd). Prints seconds and MiB/s; asserts nothing timed.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/sshd.sh"
. "$(dirname "$0")/../e2e/httpsd.sh"

ms() { date +%s%N | cut -c1-13; }
sshd_setup "$T/sshd"
sshd_start
httpsd_setup "$T/https"
httpsd_start
"$DEBITGW" init >/dev/null || fail init
cat >>"$DEBITGW_HOME/debitgw.conf" <<CONF

[bank:S]
agent = X
upload = sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT$SSHD_DIR/bank/in/
returns = sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT$SSHD_DIR/bank/out/
host_key_sha256 = $SSHD_FP
client_key = $SSHD_DIR/id_ed25519

[bank:H]
agent = X
upload = https://127.0.0.1:$HTTPSD_PORT/in/
returns = https://127.0.0.1:$HTTPSD_PORT/out/
ca_file = $HTTPSD_DIR/ca.pem
client_cert = $HTTPSD_DIR/client.pem
client_key = $HTTPSD_DIR/client.key
CONF

run() { # LABEL BANK CMD...
	t0=$(ms)
	"$DEBITGW" "$3" --bank "$2" >"$T/out" 2>&1 || { cat "$T/out"; fail "$1"; }
	t1=$(ms)
	echo "$1 $((t1 - t0))"
}
for b in S H; do
	d=$DEBITGW_HOME/outbox/$b
	mkdir -p "$d"
	head -c 67108864 /dev/urandom >"$d/BIG.xml"
	head -c 700 /dev/urandom >"$d/BIG.xml.p7s"
	set -- $(run "big" "$b" send)
	awk -v b="$b" -v ms="$2" 'BEGIN { printf "%s send 1 x 64 MiB: %.2f s, %.1f MiB/s\n", b, ms / 1000, 64 / (ms / 1000) }'
	i=0
	while [ $i -lt 200 ]; do
		head -c 10240 /dev/urandom >"$d/S$i.xml"
		head -c 700 /dev/urandom >"$d/S$i.xml.p7s"
		i=$((i + 1))
	done
	set -- $(run "small" "$b" send)
	awk -v b="$b" -v ms="$2" 'BEGIN { printf "%s send 200 x (10 KiB + signature): %.2f s, %.1f files/s\n", b, ms / 1000, 400 / (ms / 1000) }'
	out=$SSHD_DIR/bank/out
	[ "$b" = H ] && out=$HTTPSD_DIR/bank/out
	i=0
	while [ $i -lt 200 ]; do
		head -c 10240 /dev/urandom >"$out/R$i.txt"
		i=$((i + 1))
	done
	set -- $(run "fetch" "$b" fetch)
	awk -v b="$b" -v ms="$2" 'BEGIN { printf "%s fetch 200 x 10 KiB: %.2f s, %.1f files/s\n", b, ms / 1000, 200 / (ms / 1000) }'
done
sshd_stop
httpsd_stop
