#!/bin/sh
# b_keys.sh - signing and verifying a 200 MB file, per algorithm, against
# the openssl CLI on the same file with the same key.
#
#   rsa3072, p256: debitgw sign / verify --own   vs  openssl cms -sign / -verify
#   sm2:           debitgw sign (.sig) / verify  vs  openssl dgst -sm3 -sign / -verify
#
# Both sides read our encrypted key (same PBKDF2 cost). Each figure is the
# best of 3 runs with the file in the page cache; peak RSS is the
# process's maximum resident set. Target: debitgw within 1.2x of openssl.
# BENCH_MB overrides the size (default 200).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$ROOT/build/debitgw
RUSAGE=$ROOT/build/rusage
MB=${BENCH_MB:-200}
ID=1234567812345678
T=$(mktemp -d "${TMPDIR:-/tmp}/debitgw-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export DEBITGW_HOME="$T/home" DEBITGW_KEY_PASSPHRASE="bench-passphrase"
cd "$T" || exit 1

die() { echo "b_keys: $*" >&2; exit 1; }

# best CMD...: best of 3 runs as "MS KB" (KB: peak RSS of that run).
best() {
	b=""
	for i in 1 2 3; do
		"$RUSAGE" --report "$T/ru" "$@" >/dev/null || die "failed: $*"
		# "wall_ms=N maxrss_kb=N exit=N" -> "N N"
		r=$(sed -n 's/^wall_ms=\([0-9]*\) maxrss_kb=\([0-9]*\).*/\1 \2/p' "$T/ru")
		if [ -z "$b" ] || [ "${r%% *}" -lt "${b%% *}" ]; then b=$r; fi
	done
	echo "$b"
}

"$GW" init >/dev/null || die "init"
for alg in rsa3072 p256 sm2; do
	"$GW" keys gen --alg "$alg" >/dev/null || die "keys gen $alg"
done
"$GW" keys export-cert K0001 --out rsa3072.pem
"$GW" keys export-cert K0002 --out p256.pem
"$GW" keys export-cert K0003 --out sm2.pem
openssl x509 -in sm2.pem -pubkey -noout > sm2.pub
head -c $((MB * 1024 * 1024)) /dev/urandom > big || die "no test file"
cat big > /dev/null

printf '%-8s %-6s %12s %12s %7s %14s %14s\n' alg op "debitgw ms" \
	"openssl ms" ratio "debitgw RSS" "openssl RSS"
row() {
	awk -v a="$1" -v o="$2" -v g="$3" -v s="$4" 'BEGIN {
		split(g, G, " "); split(s, S, " ");
		printf "%-8s %-6s %12d %12d %7.2f %11d KB %11d KB\n",
		    a, o, G[1], S[1], G[1] / S[1], G[2], S[2] }'
}

n=0
for alg in rsa3072 p256 sm2; do
	n=$((n + 1))
	key=$DEBITGW_HOME/keys/K000$n.key
	gs=$(best "$GW" sign big --alg "$alg")
	if [ "$alg" = sm2 ]; then
		os=$(best openssl dgst -sm3 -sign "$key" \
		    -passin env:DEBITGW_KEY_PASSPHRASE -sigopt distid:$ID \
		    -out big.raw big)
		gv=$(best "$GW" verify big big.sig --own)
		ov=$(best openssl dgst -sm3 -verify sm2.pub -sigopt distid:$ID \
		    -signature big.raw big)
	else
		os=$(best openssl cms -sign -binary -outform DER -in big \
		    -signer "$alg.pem" -inkey "$key" \
		    -passin env:DEBITGW_KEY_PASSPHRASE -out big.ossl.p7s)
		gv=$(best "$GW" verify big big.p7s --own)
		ov=$(best openssl cms -verify -binary -inform DER -in big.p7s \
		    -content big -CAfile "$alg.pem" -out /dev/null)
	fi
	row "$alg" sign "$gs" "$os"
	row "$alg" verify "$gv" "$ov"
done
echo "($MB MiB file, best of 3, $(nproc) cores, $(openssl version | cut -d' ' -f1-2))"
