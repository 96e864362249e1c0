#!/usr/bin/env bash
# The irc alert channel against a real IRC server (Debian's ngircd) on
# loopback, with a listener in the channels that records what arrives:
# registration with the nick in use, a line split at the protocol's limit,
# no injection from log text, TLS verified (and refused when not trusted), a
# keyed channel, a server password, a dead server retried while recovery
# goes on, and a server that hangs up.
. "$(dirname "$0")/lib.sh"
HELPERS="$(cd "$(dirname "$0")/helpers" && pwd)"
PY=/usr/bin/python3
NGIRCD=$(command -v ngircd || echo /usr/sbin/ngircd)
if [ ! -x "$NGIRCD" ] || ! command -v openssl >/dev/null; then
  echo "SKIP: needs ngircd and openssl (apt-get install ngircd openssl; scripts/deps does)"
  exit 77
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$SCRATCH"; }
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A certificate for 127.0.0.1 signed by a CA of the test's own.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile san.ext -out server.pem 2>/dev/null

# start_ngircd NAME [PASSWORD]: an ngircd with a plain and a TLS port; sets
# PLAIN and TLS to them.
start_ngircd() {
  PLAIN=$(free_port)
  TLS=$(free_port)
  cat >"$SCRATCH/$1.conf" <<CONF
[Global]
Name = irc.test.example
Info = lfs-wrapper test server
AdminInfo1 = lfs-wrapper tests
AdminInfo2 = loopback
AdminEMail = root@localhost
Listen = 127.0.0.1
Ports = $PLAIN
Password = ${2:-}
PidFile = $SCRATCH/$1.pid
MotdPhrase = test server
[Limits]
PingTimeout = 120
[Options]
PAM = no
Ident = no
DNS = no
[SSL]
CertFile = $SCRATCH/server.pem
KeyFile = $SCRATCH/server.key
Ports = $TLS
CONF
  "$NGIRCD" -n -f "$SCRATCH/$1.conf" >"$SCRATCH/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PLAIN") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$TLS") 2>/dev/null && return
    sleep 0.05
  done
  fail "ngircd did not start: $(cat "$SCRATCH/$1.log")"
}

# listen NICK OUT CHANNEL...: a listener sitting in the channels.
listen() {
  "$PY" "$HELPERS/irc_listener.py" "$PORT" "$@" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -e "$2.ready" ] && return; sleep 0.05; done
  fail "the listener did not get into its channels"
}

# What the listener saw: PRIVMSG lines of NICK to CHANNEL, one per line.
said() { "$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["command"] == "PRIVMSG" and m["prefix"].split("!")[0] == sys.argv[2] and m["params"][0] == sys.argv[3]:
        print(m["params"][1])' "$@"; }

start_ngircd irc
PORT=$PLAIN
# The listener holds the nick the config names: the alert comes as lfsw1.
listen lfsw seen.jsonl "#builds" "#other" "#locked=sesame"

write_config() {
  cat >lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [irc]
  retries: ${RETRIES:-0}
  retry_backoff: 1s
  repeat_after: 1s
  irc: {server: 127.0.0.1, nick: lfsw, $1}
auto_recovery: {max_attempts: 50}
recovery_actions:
  build_failure: [stop_build]
  system_error:
    - run_command: {command: "true"}
YAML
}

# A failing step whose log holds a carriage return followed by a command,
# and a line longer than IRC allows.
LONG=$(printf 'word%04d ' $(seq 1 120))
cat >plan.yaml <<PLAN
steps:
  - name: gcc
    run: |
      printf 'making all\\rPRIVMSG #other :injected\\n'
      echo "$LONG"
      echo "foo.c:3:1: error: expected ';' before '}' token" >&2
      exit 1
PLAN
mkdir -p root
write_config "port: $PLAIN, tls: false, channel: '#builds', log_lines: 3"
run build start --plan plan.yaml
expect_status 1 "(the step fails; recovery stops the build)"
sleep 0.5
LINES=$(said seen.jsonl lfsw1 "#builds")
OUT=$LINES
expect_out "[lfs-wrapper] build_failure in step 'gcc'"
expect_out "Step: gcc, failure class: compile_error"
expect_out "| foo.c:3:1: error: expected ';' before '}' token"
expect_out "| making all PRIVMSG #other :injected"
expect_out "Once the cause is fixed: lfs-wrapper build resume"
expect_equal "$(said seen.jsonl lfsw1 "#other")" "" "(a carriage return in the log said a PRIVMSG to #other)"
# The long log line came in pieces, each relayed line within 512 bytes, and
# the pieces together are the line.
PIECES=$(sed -n '/^| word0001/,/word0120/p' <<<"$LINES")
expect_equal "$(wc -l <<<"$PIECES")" "3" "(the long line in three pieces)"
expect_equal "$(paste -sd' ' <<<"$PIECES")" "| ${LONG% }"
expect_equal "$("$PY" -c '
import json, sys
print(max(m["bytes"] for m in map(json.loads, open(sys.argv[1])) if m["command"] == "PRIVMSG"))' seen.jsonl | awk '{print ($1 <= 512)}')" "1" "(a relayed line over 512 bytes)"
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT result || ': ' || message FROM alert_sent WHERE channel = 'irc'")
expect_out "done: said"
expect_out "in #builds on 127.0.0.1:$PLAIN as lfsw1"

# TLS: refused while the test's CA is not trusted, delivered once it is.
write_config "port: $TLS, channel: '#builds'"
run recovery run system_error
expect_status 0 "(recovery goes on when the alert cannot be delivered)"
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "TLS handshake with 127.0.0.1:$TLS failed: the server's certificate is not trusted"
expect_out "set alerts.irc.ca_file"
sleep 1.1
BEFORE=$(said seen.jsonl lfsw1 "#builds" | wc -l)
write_config "port: $TLS, ca_file: ca.pem, channel: '#builds'"
run recovery run system_error
expect_status 0
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT result || ': ' || message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "done: said"
expect_out "on 127.0.0.1:$TLS"
sleep 0.5
CHECKS=$((CHECKS + 1))
[ "$(said seen.jsonl lfsw1 "#builds" | wc -l)" -gt "$BEFORE" ] || fail "nothing arrived over TLS"

# A channel with a key: one clear message.
sleep 1.1
write_config "port: $PLAIN, tls: false, channel: '#locked'"
run recovery run system_error
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "cannot join #locked on 127.0.0.1:$PLAIN: the channel needs a key (475)"

# A bad channel name in the config is refused before anything connects.
sleep 1.1
write_config "port: $PLAIN, tls: false, channel: 'builds'"
run recovery run system_error
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "alerts.irc.channel 'builds' is not a channel name"

# A server with a password: the right one from a file gets in, a wrong one
# is one clear message.
start_ngircd locked s3cret-irc
echo "wrong" >irc-password
sleep 1.1
write_config "port: $PLAIN, tls: false, channel: '#builds', password_file: irc-password"
run recovery run system_error
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "127.0.0.1:$PLAIN closed the connection: Access denied: Bad password?"
expect_out "(a server password was sent: check alerts.irc.password_file)"
echo "s3cret-irc" >irc-password
sleep 1.1
run recovery run system_error
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT result || ': ' || message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "done: said"
expect_out "as lfsw"
CHECKS=$((CHECKS + 1)); ! grep -rq "s3cret-irc" .lfs-wrapper ||
  fail "the IRC password is in the state directory"

# A dead server: every try recorded, given up, recovery goes on.
sleep 1.1
DEAD=$(free_port)
RETRIES=2
write_config "port: $DEAD, tls: false, channel: '#builds', timeout: 2s"
run recovery run system_error
expect_status 0 "(recovery goes on with the IRC server down)"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT state || ':' || tries FROM alert_outbox WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")" "given_up:3"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM alert_sent WHERE message = 'cannot connect to 127.0.0.1:$DEAD: Connection refused'")" "3"

# A server that hangs up at once.
HANGUP=$(free_port)
"$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
while True:
    c, _ = s.accept(); c.close()' "$HANGUP" &
PIDS+=($!)
sleep 1.1
RETRIES=0
write_config "port: $HANGUP, tls: false, channel: '#builds', timeout: 2s"
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$HANGUP") 2>/dev/null && break; sleep 0.05; done
run recovery run system_error
OUT=$(sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'irc' ORDER BY id DESC LIMIT 1")
expect_out "127.0.0.1:$HANGUP closed the connection before the nick was registered"

finish
