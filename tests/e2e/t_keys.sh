#!/bin/sh
# t_keys.sh - keys, trust, sign and verify against the openssl CLI.
#
# Every acceptance point of the keys issue, with OpenSSL on the other
# side: our .p7s verifies with `openssl cms -verify`, OpenSSL's CMS
# verifies with ours, SM2 interoperates with `openssl dgst -sm3` and the
# standard signer ID, each failure exits 1 with its own message, a key
# file readable by others stops signing with exit 3. Banks' keys and
# certificates (some expired) are made here with the openssl CLI.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
GW=$DEBITGW
ID=1234567812345678

# flip FILE OFFSET: change the byte at OFFSET to another value.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# selfsigned NAME KEYTYPE START END: NAME.key and an NAME.crt valid from
# START to END (YYYYMMDDHHMMSSZ), made by `openssl ca -selfsign`.
selfsigned() {
	mkdir -p "ca-$1"
	: > "ca-$1/index.txt"
	echo 01 > "ca-$1/serial"
	cat > "ca-$1/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = ca-$1/index.txt
new_certs_dir = ca-$1
serial = ca-$1/serial
policy = p
unique_subject = no
copy_extensions = copy
[p]
commonName = supplied
EOF
	case $2 in
	sm2) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 \
		-out "$1.key" && md="-md sm3 -sigopt distid:$ID -vfyopt distid:$ID"
	     sigopt="-sm3 -sigopt distid:$ID" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 \
		-out "$1.key" 2>/dev/null && md="-md sha256" sigopt= ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1.key" && md="-md sha256" sigopt= ;;
	esac
	# shellcheck disable=SC2086
	openssl req -new -key "$1.key" -subj "/CN=$1" $sigopt -out "$1.csr" \
		-addext keyUsage=critical,digitalSignature,nonRepudiation &&
	openssl ca -batch -config "ca-$1/ca.cnf" -selfsign -keyfile "$1.key" \
		-in "$1.csr" $md -startdate "$3" -enddate "$4" -notext -out "$1.crt" \
		>/dev/null 2>&1 || fail "cannot make certificate $1"
}

NOW_START=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
NOW_END=$(date -u -d '+300 days' +%Y%m%d%H%M%SZ)
OLD_START=20200101000000Z
OLD_END=20210101000000Z

expect 0 "$GW" init
# Test data: 3 MB of text, and the banks' return file.
yes 'debit 44001700000000000001 430.00 ok' | head -c 3000000 > batch.xml
yes 'return 44001700000000000001 430.00 AM04' | head -c 1000000 > ret.txt

# ---- our signatures, checked by OpenSSL ---------------------------------
for alg in rsa3072 p256 sm2; do
	expect 0 "$GW" keys gen --alg "$alg" --subject "/CN=Zhongshan tax $alg/O=STA"
	grep_out "generated ($alg): active"
done
expect 0 "$GW" keys list --json
for k in K0001 K0002 K0003; do grep_out "\"id\": *\"$k\""; done
grep_out '"state": *"active"'
expect 0 "$GW" keys export-cert K0001 --out our-rsa3072.pem
expect 0 "$GW" keys export-cert K0002 --out our-p256.pem
expect 0 "$GW" keys export-cert K0003 --out our-sm2.pem
expect 2 "$GW" keys gen --alg p256 --days 0
expect 2 "$GW" keys gen --alg ed25519
expect 2 "$GW" keys rotate --alg ed25519
expect 1 "$GW" keys gen --alg p256
grep_err "an active p256 key exists (K0002)"
# Several active keys: say which.
expect 2 "$GW" sign batch.xml
grep_err "say which algorithm"

for alg in rsa3072 p256; do
	expect 0 "$GW" sign batch.xml --alg "$alg"
	grep_out "batch.xml.p7s"
	openssl cms -verify -binary -inform DER -in batch.xml.p7s \
		-content batch.xml -CAfile "our-$alg.pem" -out /dev/null \
		2>"$T/ossl" || { cat "$T/ossl"; fail "openssl cms rejects our $alg .p7s"; }
	# Signing time is a signed attribute, the certificate is included.
	openssl cms -cmsout -print -inform DER -in batch.xml.p7s > p7s.txt
	grep -q 'signingTime' p7s.txt || fail "$alg .p7s has no signingTime"
	grep -q 'd.certificate' p7s.txt || fail "$alg .p7s has no certificate"
	grep -q 'sha256' p7s.txt || fail "$alg .p7s is not SHA-256"
	cp batch.xml.p7s "our-$alg.p7s"
done

# SM2: OpenSSL 3.0 makes no SM2 CMS, so .sig; RAW is its Signature line.
expect 0 "$GW" sign batch.xml --alg sm2
grep_out "batch.xml.sig"
[ ! -e batch.xml.p7s ] || fail "stale batch.xml.p7s left beside the .sig"
sed -n 's/^Signature: //p' batch.xml.sig | openssl base64 -d -A > batch.raw
openssl x509 -in our-sm2.pem -pubkey -noout > our-sm2.pub
openssl dgst -sm3 -verify our-sm2.pub -sigopt distid:$ID -signature batch.raw \
	batch.xml | grep -q 'Verified OK' || fail "openssl dgst rejects our SM2"
# ... and only with the standard ID (OpenSSL 3.0 defaults to an empty one).
if openssl dgst -sm3 -verify our-sm2.pub -signature batch.raw batch.xml \
	>/dev/null 2>&1; then fail "our SM2 signature used the empty ID"; fi
expect 0 "$GW" verify batch.xml --own
grep_out "signature good (sm2-sig, sm2 key, sm3)"

# ---- banks' signatures made by OpenSSL, checked by us --------------------
selfsigned icbc rsa "$NOW_START" "$NOW_END"
selfsigned ccb p256 "$NOW_START" "$NOW_END"
selfsigned boc sm2 "$NOW_START" "$NOW_END"
expect 0 "$GW" trust add ICBC icbc.crt
expect 0 "$GW" trust add CCB ccb.crt
expect 0 "$GW" trust add BOC boc.crt
expect 1 "$GW" trust add NOBANK icbc.crt
grep_err "unknown bank code 'NOBANK'"
expect 0 "$GW" trust list
grep_out "CN=icbc"

for b in icbc ccb; do
	openssl cms -sign -binary -outform DER -in ret.txt -signer "$b.crt" \
		-inkey "$b.key" -out "ret.$b.p7s" || fail "openssl cms -sign $b"
done
expect 0 "$GW" verify ret.txt ret.icbc.p7s --bank ICBC
grep_out "trusted as bank ICBC"
expect 0 "$GW" verify ret.txt ret.ccb.p7s --bank CCB
grep_out "signature good (cms, p256 key, sha256)"
# SM2 the openssl dgst way: a bare signature, or wrapped in a .sig.
openssl dgst -sm3 -sign boc.key -sigopt distid:$ID -out ret.boc.raw ret.txt
expect 0 "$GW" verify ret.txt ret.boc.raw --bank BOC
grep_out "signature good (sm2-raw, sm2 key, sm3)"
{
	echo '-----BEGIN DEBITGW SM2 SIGNATURE-----'
	echo 'Version: 1'
	printf 'Signature: %s\n' "$(openssl base64 -A -in ret.boc.raw)"
	openssl x509 -in boc.crt
	echo '-----END DEBITGW SM2 SIGNATURE-----'
} > ret.boc.sig
expect 0 "$GW" verify ret.txt ret.boc.sig --bank BOC
grep_out "signature good (sm2-sig, sm2 key, sm3)"

# ---- each failure: exit 1 with its own message ---------------------------
MSG_MOD='signature does not match the file (modified?)'
MSG_OTHER='signer not trusted for bank ICBC (signed by a certificate of bank CCB'
MSG_EXP='certificate expired at'
MSG_TRUNC='signature truncated or malformed'
cp ret.txt mod.txt
flip mod.txt 4321
expect 1 "$GW" verify mod.txt ret.icbc.p7s --bank ICBC
grep_err "$MSG_MOD"; head -1 "$T/err" > m1
expect 1 "$GW" verify mod.txt ret.ccb.p7s --bank CCB
grep_err "$MSG_MOD"
expect 1 "$GW" verify mod.txt ret.boc.raw --bank BOC
grep_err "$MSG_MOD"
expect 1 "$GW" verify mod.txt ret.boc.sig --bank BOC
grep_err "$MSG_MOD"

expect 1 "$GW" verify ret.txt ret.ccb.p7s --bank ICBC
grep_err "$MSG_OTHER"; head -1 "$T/err" > m2
expect 1 "$GW" verify ret.txt ret.boc.sig --bank ICBC
grep_err "signer not trusted for bank ICBC (signed by a certificate of bank BOC"
expect 1 "$GW" verify ret.txt ret.icbc.p7s --bank CCB
grep_err "signer not trusted for bank CCB (signed by a certificate of bank ICBC"
# Our own signature is not a bank's.
expect 1 "$GW" verify batch.xml our-p256.p7s --bank ICBC
grep_err "signed by a certificate of our key K0002"
expect 1 "$GW" verify ret.txt ret.icbc.p7s --cafile ccb.crt
grep_err "unknown signer CN=icbc"

for kt in rsa p256 sm2; do
	selfsigned "old$kt" "$kt" "$OLD_START" "$OLD_END"
	expect 0 "$GW" trust add ICBC "old$kt.crt"
	grep_err "is not valid now"
done
openssl cms -sign -binary -outform DER -in ret.txt -signer oldrsa.crt \
	-inkey oldrsa.key -out ret.oldrsa.p7s
openssl cms -sign -binary -outform DER -in ret.txt -signer oldp256.crt \
	-inkey oldp256.key -out ret.oldp256.p7s
openssl dgst -sm3 -sign oldsm2.key -sigopt distid:$ID -out ret.oldsm2.raw ret.txt
expect 1 "$GW" verify ret.txt ret.oldrsa.p7s --bank ICBC
grep_err "certificate expired at signing time"; head -1 "$T/err" > m3
expect 1 "$GW" verify ret.txt ret.oldp256.p7s --bank ICBC
grep_err "certificate expired at signing time (CN=oldp256 valid until 2021-01-01T00:00:00Z"
expect 1 "$GW" verify ret.txt ret.oldsm2.raw --bank ICBC
grep_err "$MSG_EXP verification time"

for s in ret.icbc.p7s ret.ccb.p7s ret.boc.sig our-rsa3072.p7s; do
	n=$(wc -c < "$s")
	head -c $((n / 2)) "$s" > trunc.sig
	case $s in our-*) f=batch.xml b="--own" ;; *) f=ret.txt b="--bank ICBC" ;; esac
	# shellcheck disable=SC2086
	expect 1 "$GW" verify "$f" trunc.sig $b
	grep_err "$MSG_TRUNC"
done
head -1 "$T/err" > m4
: > empty.p7s
expect 1 "$GW" verify ret.txt empty.p7s --bank ICBC
grep_err "$MSG_TRUNC"
# The four reasons are told apart.
[ "$(cat m1 m2 m3 m4 | sed 's/^debitgw: [^:]*: //; s/ (.*//' | sort -u | wc -l)" -eq 4 ] ||
	fail "failure messages are not distinct: $(cat m1 m2 m3 m4)"
expect 1 "$GW" --json verify ret.txt ret.ccb.p7s --bank ICBC
grep_out '"valid": false'
grep_out '"failure": "other_signer"'

# ---- private key files and passphrases: exit 3 ---------------------------
chmod 644 "$DEBITGW_HOME/keys/K0002.key"
expect 3 "$GW" sign batch.xml --alg p256
grep_err "K0002.key: readable by group or others (mode 0644)"
chmod 640 "$DEBITGW_HOME/keys/K0002.key"
expect 3 "$GW" sign batch.xml --alg p256
chmod 600 "$DEBITGW_HOME/keys/K0002.key"
expect 3 env DEBITGW_KEY_PASSPHRASE=not-the-passphrase "$GW" sign batch.xml --alg p256
grep_err "wrong passphrase"
printf '%s\n' "$DEBITGW_KEY_PASSPHRASE" > pass.txt
chmod 644 pass.txt
expect 3 env DEBITGW_KEY_PASSPHRASE= "$GW" --passphrase-file pass.txt sign batch.xml --alg p256
grep_err "pass.txt: readable by group or others"
chmod 600 pass.txt
expect 0 env DEBITGW_KEY_PASSPHRASE= "$GW" --passphrase-file pass.txt sign batch.xml --alg p256
expect 3 env DEBITGW_KEY_PASSPHRASE= "$GW" sign batch.xml --alg p256
grep_err "no key passphrase"
# The key file is standard encrypted PKCS#8.
openssl pkey -in "$DEBITGW_HOME/keys/K0002.key" -passin env:DEBITGW_KEY_PASSPHRASE \
	-noout || fail "openssl cannot read our encrypted key"
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$DEBITGW_HOME/keys/K0002.key" ||
	fail "key not encrypted PKCS#8"

# ---- rotation: the old key still verifies --------------------------------
expect 0 "$GW" sign batch.xml --alg p256
cp batch.xml.p7s before-rotate.p7s
expect 0 "$GW" keys rotate --alg p256
grep_out "K0004 generated (p256): active"
grep_out "K0002 retired"
expect 0 "$GW" keys list --csv
grep_out "^K0002,p256,retired,"
grep_out "^K0004,p256,active,"
expect 0 "$GW" verify batch.xml before-rotate.p7s --own
grep_out "signer CN=Zhongshan tax p256,O=STA"
openssl cms -verify -binary -inform DER -in before-rotate.p7s -content batch.xml \
	-CAfile our-p256.pem -out /dev/null 2>/dev/null || fail "old key's signature"
expect 0 "$GW" sign batch.xml --alg p256
expect 0 "$GW" verify batch.xml --own
grep_out "signer CN=debitgw signing key K0004"

# ---- a CA signs our request; the chain verifies with OpenSSL -------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
	-subj "/CN=Test bank CA" -days 30 2>/dev/null
expect 0 "$GW" keys csr K0004 --subject "/CN=Zhongshan tax/O=STA" --out k4.csr
openssl req -verify -in k4.csr -noout 2>/dev/null || fail "our CSR does not verify"
openssl x509 -req -in k4.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 20 \
	-copy_extensions copy -out k4.crt 2>/dev/null || fail "CA cannot sign our CSR"
cat k4.crt ca.crt > k4-chain.pem
expect 1 "$GW" keys import-cert K0004 icbc.crt
grep_err "carries the public key of K0004"
expect 0 "$GW" keys import-cert K0004 k4-chain.pem
grep_out "issuer CN=Test bank CA"
expect 0 "$GW" sign batch.xml --alg p256
openssl cms -verify -binary -inform DER -in batch.xml.p7s -content batch.xml \
	-CAfile ca.crt -out /dev/null 2>/dev/null || fail "CA-issued chain rejected"
expect 0 "$GW" verify batch.xml --cafile ca.crt
# SM2 requests carry the standard ID.
expect 0 "$GW" keys csr K0003 --out k3.csr
openssl req -verify -in k3.csr -noout -vfyopt distid:$ID 2>/dev/null ||
	fail "SM2 CSR does not verify with the standard ID"

# ---- trust removal ------------------------------------------------------
fp=$(openssl x509 -in ccb.crt -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | cut -c1-12)
expect 0 "$GW" trust remove CCB "$fp"
expect 1 "$GW" verify ret.txt ret.ccb.p7s --bank ICBC
grep_err "unknown signer CN=ccb"
expect 3 "$GW" verify ret.txt ret.ccb.p7s --bank CCB
grep_err "no certificate is trusted for bank CCB"

# Every change is in the audit trail, and the trail is intact.
expect 0 "$GW" audit verify
expect 0 "$GW" audit list --entity key --csv
grep_out ",key,K0002,retire,active,retired,"
echo "t_keys: ok"
