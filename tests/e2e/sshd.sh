# tests/e2e/sshd.sh - a real OpenSSH sshd serving SFTP on 127.0.0.1, for
# the transport tests. Sourced after lib.sh.
#
#   sshd_setup DIR        host key, client keys, authorized_keys, config
#   sshd_start            start /usr/sbin/sshd on $SSHD_PORT, wait until it
#                         answers (bounded), remember its PID
#   sshd_stop             stop it by PID
#   sshd_fault_drop N     drop the next N SFTP connections after 3000 bytes
#                         (dd bs=1: head buffers its output, and dd with
#                         a larger block stops after one short read)
#
# sshd runs as whoever runs the test: as root (CI) it needs /run/sshd, its
# privilege-separation directory, which we create; as a normal user it can
# only let that same user in, which is all we need. There is no chroot
# (that needs root): the bank's folders are absolute paths under DIR.
# The SFTP subsystem is a small wrapper around OpenSSH's sftp-server so a
# test can make a session die mid-upload; it otherwise just execs it.
#
# Sets: SSHD_DIR SSHD_PORT SSHD_USER SSHD_PID SSHD_FP (host key SHA-256,
# as ssh-keygen -l prints it) SSHD_KNOWN_HOSTS.

SSHD=/usr/sbin/sshd
SFTP_SERVER=/usr/lib/openssh/sftp-server

sshd_setup() {
	SSHD_DIR=$1
	mkdir -p "$SSHD_DIR/bank/in" "$SSHD_DIR/bank/out" || fail "sshd dir"
	SSHD_PORT=$(free_port) || fail "no free port"
	SSHD_USER=$(id -un)
	ssh-keygen -q -t ed25519 -N '' -C bank-host -f "$SSHD_DIR/host_key" ||
		fail "ssh-keygen host"
	ssh-keygen -q -t ed25519 -N '' -C gw-ed25519 -f "$SSHD_DIR/id_ed25519" ||
		fail "ssh-keygen client"
	ssh-keygen -q -t ecdsa -b 256 -N '' -C gw-ecdsa -f "$SSHD_DIR/id_ecdsa" ||
		fail "ssh-keygen ecdsa"
	ssh-keygen -q -t ed25519 -N '' -C stranger -f "$SSHD_DIR/id_stranger" ||
		fail "ssh-keygen stranger"
	ssh-keygen -q -t ed25519 -N '' -C other-host -f "$SSHD_DIR/other_host_key" ||
		fail "ssh-keygen other host"
	cat "$SSHD_DIR/id_ed25519.pub" "$SSHD_DIR/id_ecdsa.pub" \
		>"$SSHD_DIR/authorized_keys"
	SSHD_FP=$(ssh-keygen -l -E sha256 -f "$SSHD_DIR/host_key.pub" | cut -d' ' -f2)
	echo 0 >"$SSHD_DIR/fault-drop"
	cat >"$SSHD_DIR/sftp-wrap" <<EOF
#!/bin/sh
# Fault injection for tests: while fault-drop holds N > 0, the next N
# sessions read only 3000 bytes from the client; then this session's sshd
# is killed, so the TCP connection drops in the middle of the upload.
n=\$(cat "$SSHD_DIR/fault-drop")
if [ "\$n" -gt 0 ]; then
	echo \$((n - 1)) >"$SSHD_DIR/fault-drop"
	dd bs=1 count=3000 status=none |
		$SFTP_SERVER -e -l INFO 2>>"$SSHD_DIR/sftp.log"
	kill -9 \$PPID
	exit 0
fi
exec $SFTP_SERVER -e -l INFO 2>>"$SSHD_DIR/sftp.log"
EOF
	chmod 755 "$SSHD_DIR/sftp-wrap"
	cat >"$SSHD_DIR/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
AllowUsers $SSHD_USER
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
MaxStartups 50
LogLevel VERBOSE
Subsystem sftp $SSHD_DIR/sftp-wrap
EOF
}

sshd_start() {
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 755 /run/sshd
	fi
	$SSHD -t -f "$SSHD_DIR/sshd_config" || fail "sshd -t: config rejected"
	$SSHD -D -e -f "$SSHD_DIR/sshd_config" 2>>"$SSHD_DIR/sshd.log" &
	SSHD_PID=$!
	PIDS="$PIDS $SSHD_PID"
	wait_for 10 sshd_answers || { cat "$SSHD_DIR/sshd.log" >&2; fail "sshd did not start"; }
	ssh-keyscan -p "$SSHD_PORT" -t ed25519 127.0.0.1 2>/dev/null \
		>"$SSHD_DIR/known_hosts"
	SSHD_KNOWN_HOSTS=$SSHD_DIR/known_hosts
	grep -q ssh-ed25519 "$SSHD_KNOWN_HOSTS" || fail "ssh-keyscan found no key"
}

sshd_answers() {
	kill -0 "$SSHD_PID" 2>/dev/null || return 1
	ssh-keyscan -T 2 -p "$SSHD_PORT" -t ed25519 127.0.0.1 2>/dev/null |
		grep -q ssh-ed25519
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

sshd_fault_drop() { echo "$1" >"$SSHD_DIR/fault-drop"; }
