#!/usr/bin/env bash
# Backups off the machine, for real: the restic backend against a restic REST
# server (rclone serve restic, with a user and password, on loopback) shared
# by two build machines, and against an SFTP repository (Debian's sshd on a
# loopback port with a key the test makes; root only). Create, list, verify,
# restore, prune; what a user sees when the server is down or the password
# is wrong; no secret in the state directory.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
for tool in restic rclone; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (apt-get install restic rclone; scripts/deps does)"
    exit 77
  fi
done
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$SCRATCH"; }
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

REST_PORT=$(free_port)
mkdir rest-data
rclone serve restic --addr "127.0.0.1:$REST_PORT" --user builder --pass s3cretrest rest-data \
  >rclone.log 2>&1 &
PIDS+=($!)
wait_port "$REST_PORT" || fail "rclone serve restic did not start: $(cat rclone.log)"
echo "repo-s3cret-password" >password

# machine NAME: a build root with a file and critical data, configured for the shared repository.
machine() {
  mkdir -p "$1/root/usr" "$1/crit" && cd "$1" || exit 1
  echo "$1 tool" >root/usr/tool
  echo "$1 key" >crit/key
  cat >lfs-wrapper.yaml <<YAML
build:
  root: root
backup:
  backend: restic
  critical_data: [crit]
  retention: 1h
  restic:
    repository: "rest:http://builder:s3cretrest@127.0.0.1:$REST_PORT/fleet"
    password_file: $SCRATCH/password
    host: $1
YAML
}

machine builder-a
run backup create
expect_status 0 "(first backup to the REST server: the repository is created)"
expect_out "restic snapshot "
cd .. && machine builder-b
run backup create
expect_status 0 "(a second machine backs up to the same repository)"
# Each machine lists only its own snapshots; restic sees both.
run backup list
expect_equal "$(grep -c 'system-state' <<<"$OUT")" "1" "(builder-b lists one snapshot)"
expect_equal "$(RESTIC_PASSWORD_FILE=$SCRATCH/password restic -r "rest:http://builder:s3cretrest@127.0.0.1:$REST_PORT/fleet" snapshots --json |
  "$PY" -c 'import json,sys; print(sorted(s["hostname"] for s in json.load(sys.stdin)))')" "['builder-a', 'builder-b']"
run backup verify latest
expect_status 0
expect_out "no errors were found"
# latest is this machine's: a restore brings builder-b's file back, never builder-a's.
echo "changed" >root/usr/tool
run backup restore --selective usr/tool
expect_status 0
expect_equal "$(cat root/usr/tool)" "builder-b tool" "(restored from this machine's latest)"
run backup test-restore
expect_status 0
run backup prune
expect_status 0
expect_out "restic forget --prune --keep-within 1h"
cd ../builder-a || exit 1
run backup list
expect_equal "$(grep -c 'system-state' <<<"$OUT")" "1" "(builder-b's prune left builder-a's snapshot)"

# A wrong password: restic's message, exit 1.
echo "wrong" >"$SCRATCH/wrong-password"
sed "s#password_file: $SCRATCH/password#password_file: $SCRATCH/wrong-password#" lfs-wrapper.yaml >wrong.yaml
run --config wrong.yaml backup list
expect_status 1 "(a wrong repository password)"
expect_err "wrong password or no key found"
# A wrong server password: refused by the server.
sed "s#builder:s3cretrest@#builder:nope@#" lfs-wrapper.yaml >badauth.yaml
run --config badauth.yaml backup create
expect_status 1 "(the REST server refuses the user)"
CHECKS=$((CHECKS + 1)); grep -qi "401\|unauthorized\|unexpected HTTP response" <<<"$ERR$OUT" || fail "the server's refusal is not said"
# The server down: one clear error, nothing half-done locally.
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null
run backup create
expect_status 1 "(the REST server is down)"
CHECKS=$((CHECKS + 1)); grep -q "connection refused" <<<"$ERR$OUT" || fail "the server being down is not said: $ERR"
# The server's password is masked in config show.
run config show
expect_no_out "s3cretrest"
expect_out "rest:http://builder:********@127.0.0.1:$REST_PORT/fleet"
cd "$SCRATCH" || exit 1
# Nor in the log or the database (the build-progress backup carries the
# config file as the user wrote it: docs/backups.md says so).
for where in builder-a/.lfs-wrapper/lfs-wrapper.log builder-a/.lfs-wrapper/state.db \
  builder-b/.lfs-wrapper/lfs-wrapper.log builder-b/.lfs-wrapper/state.db; do
  CHECKS=$((CHECKS + 1)); ! grep -q "s3cretrest\|repo-s3cret-password" "$where" || fail "a secret is in $where"
done

# SFTP: sshd on a loopback port, a key the test makes, a known host key.
if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/sbin/sshd ]; then
  echo "note: the SFTP part needs root and openssh-server; skipped"
  finish
fi
SSH_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N "" -f host_key
ssh-keygen -q -t ed25519 -N "" -f client_key
cp client_key.pub authorized_keys
chmod 600 authorized_keys
cat >sshd_config <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SCRATCH/host_key
PidFile $SCRATCH/sshd.pid
AuthorizedKeysFile $SCRATCH/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONF
# sshd needs its privilege separation directory (systemd makes it; a bare
# machine has none).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
/usr/sbin/sshd -D -e -f "$SCRATCH/sshd_config" 2>sshd.log &
PIDS+=($!)
wait_port "$SSH_PORT" || fail "sshd did not start: $(cat sshd.log)"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 host_key.pub)" >known_hosts
cat >ssh_config <<CONF
Host backup-server
  HostName 127.0.0.1
  Port $SSH_PORT
  User root
  IdentityFile $SCRATCH/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $SCRATCH/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
CONF
mkdir -p sftp/root/usr sftp/crit && cd sftp || exit 1
echo "sftp tool" >root/usr/tool
echo "sftp key" >crit/key
write_sftp_config() {
  cat >lfs-wrapper.yaml <<YAML
build:
  root: root
backup:
  backend: restic
  critical_data: [crit]
  restic:
    repository: "sftp:backup-server:$SCRATCH/sftp-repo"
    password_file: $SCRATCH/password
    options: ["sftp.command=ssh -F $SCRATCH/ssh_config backup-server -s sftp"]
YAML
}
write_sftp_config
run backup create
expect_status 0 "(a backup over SFTP)"
expect_file "$SCRATCH/sftp-repo/config"
run backup list
expect_out "system-state"
run backup verify latest
expect_status 0
echo "changed" >root/usr/tool
run backup restore --selective usr/tool
expect_status 0
expect_equal "$(cat root/usr/tool)" "sftp tool" "(restored over SFTP)"
run backup prune
expect_status 0
# A host key that does not match: refused, said (ssh's own message when restic
# relays it before it exits, else the plugin's hint names the host key).
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 client_key.pub)" >"$SCRATCH/known_hosts"
run backup list
expect_status 1 "(a changed host key)"
CHECKS=$((CHECKS + 1)); grep -qi "host key" <<<"$ERR$OUT" || fail "the host key problem is not said: $ERR"
# The server down.
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SCRATCH/host_key.pub")" >"$SCRATCH/known_hosts"
kill "$(cat "$SCRATCH/sshd.pid")"
sleep 0.2
run backup list
expect_status 1 "(sshd is down)"
CHECKS=$((CHECKS + 1)); grep -qi "connection refused\|connection closed\|unable to start" <<<"$ERR$OUT" || fail "sshd being down is not said: $ERR"
finish
