#!/usr/bin/env bash
# Alerts reach people: a real SMTP server (aiosmtpd) and a real HTTP server on
# loopback receive them, with escalation to the emergency contact when
# recovery gives up; a dead server is retried, given up and recorded while
# recovery goes on; the same alert is not repeated within repeat_after.
. "$(dirname "$0")/lib.sh"
HELPERS="$(cd "$(dirname "$0")/helpers" && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  echo "SKIP: $PY has no aiosmtpd (apt-get install python3-aiosmtpd; scripts/deps does)"
  exit 77
fi

SERVERS=()
cleanup() { for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$SCRATCH"; }
trap cleanup EXIT

# start_server SCRIPT NAME [ARGS...]: starts a sink writing into NAME/, sets PORT.
start_server() {
  local script=$1 name=$2
  shift 2
  mkdir -p "$name"
  "$PY" "$HELPERS/$script" "$name.port" "$name" "$@" &
  SERVERS+=($!)
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  PORT=$(cat "$name.port")
}

start_server smtp_sink.py mail
SMTP_PORT=$PORT
start_server http_sink.py hooks
HTTP_PORT=$PORT

cat > plan.yaml <<'PLAN'
steps:
  - name: gcc
    run: |
      echo "compiling gcc pass 1"
      echo "foo.c:3:1: error: expected ';' before '}' token" >&2
      exit 1
PLAN
cat > lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [log, email, webhook]
  contacts: {primary: admin@system.org, secondary: backup@system.org, emergency: emergency@system.org}
  retries: 2
  retry_backoff: 1s
  email: {server: 127.0.0.1, port: $SMTP_PORT, from: lfsw@build.example, to: [ops@site.org]}
  webhook:
    url: "http://hook:urls3cret@127.0.0.1:$HTTP_PORT/hooks/lfs?key=qs3cret"
    headers: {X-Site-Token: s3cret}
auto_recovery: {max_attempts: 2}
recovery_actions:
  build_failure: [restart_build]
YAML

mkdir -p root
run build start --plan plan.yaml
expect_status 1 "(recovery given up)"
expect_out "are used up"

# Three alerts (attempt 1, attempt 2, given up), each by email and webhook.
expect_equal "$(ls mail | wc -l)" "3" "(emails received)"
expect_equal "$(ls hooks | wc -l)" "3" "(webhook posts received)"

mail_field() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# First alert: primary contact only; the second adds secondary; giving up adds emergency.
expect_equal "$(mail_field mail/1.json "' '.join(d['rcpt_tos'])")" "ops@site.org admin@system.org"
expect_equal "$(mail_field mail/2.json "' '.join(d['rcpt_tos'])")" "ops@site.org admin@system.org backup@system.org"
expect_equal "$(mail_field mail/3.json "' '.join(d['rcpt_tos'])")" \
  "ops@site.org admin@system.org backup@system.org emergency@system.org"
expect_equal "$(mail_field mail/3.json "d['mail_from']")" "lfsw@build.example"
OUT=$(mail_field mail/3.json "d['data']")
expect_out "Subject: [lfs-wrapper] build_failure in step 'gcc': recovery given up"
expect_out "Failure class: compile_error"
expect_out "foo.c:3:1: error: expected ';' before '}' token"
expect_out "Once the cause is fixed: lfs-wrapper build resume"
OUT=$(mail_field mail/1.json "d['data']")
expect_out "Subject: [lfs-wrapper] build_failure in step 'gcc': recovery chain build_failure completed (attempt 1/2)"

# The webhook: JSON with what an operator needs to act, and the configured header.
hook() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); b=json.loads(d['body']); print(eval(sys.argv[2]))" "$@"; }
expect_equal "$(hook hooks/3.json "d['path']")" "/hooks/lfs?key=qs3cret"
expect_equal "$(hook hooks/3.json "d['headers']['X-Site-Token']")" "s3cret"
expect_equal "$(hook hooks/3.json "d['headers']['Content-Type']")" "application/json"
expect_equal "$(hook hooks/3.json "b['event']")" "recovery_given_up"
expect_equal "$(hook hooks/3.json "b['condition']")" "build_failure"
expect_equal "$(hook hooks/3.json "b['step']")" "gcc"
expect_equal "$(hook hooks/3.json "b['failure_class']")" "compile_error"
expect_equal "$(hook hooks/3.json "b['evidence']['exit_status']")" "1"
expect_equal "$(hook hooks/3.json "b['log_tail'][-1]")" "foo.c:3:1: error: expected ';' before '}' token"
expect_equal "$(hook hooks/3.json "b['resume_command']")" "lfs-wrapper build resume"
expect_equal "$(hook hooks/3.json "b['contacts'][-1]")" "emergency@system.org"
expect_equal "$(hook hooks/1.json "b['event']")" "build_failure"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT group_concat(DISTINCT state) FROM alert_outbox")" "sent"

# The header's secret and the URL's password and query never show in config
# show or config get, nor in the log, the database or the alerts sent.
run config show
expect_out 'X-Site-Token: "********"'
expect_out "url: http://hook:********@127.0.0.1:$HTTP_PORT/********?********"
expect_no_out "s3cret"
run config get alerts.webhook.headers
expect_no_out "s3cret"
run config get alerts.webhook.url
expect_no_out "s3cret"
run config get alerts.webhook
expect_no_out "s3cret"
for where in .lfs-wrapper/lfs-wrapper.log .lfs-wrapper/state.db mail; do
  CHECKS=$((CHECKS + 1)); ! grep -rq s3cret "$where" || fail "a secret is in $where: $(grep -ro '.\{40\}s3cret.\{20\}' "$where" | head -3)"
done
CHECKS=$((CHECKS + 1)); ! grep -q s3cret <<<"$(for f in hooks/*.json; do hook "$f" "d['body']"; done)" || fail "a secret is in an alert's body"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM alert_sent WHERE channel = 'webhook' AND message = 'posted to http://127.0.0.1:$HTTP_PORT (HTTP 200)'")" "$(ls hooks | wc -l)"

# The same alert again within repeat_after is not sent again.
run recovery reset build_failure --step gcc
run build resume
expect_status 1
expect_equal "$(ls mail | wc -l)" "3" "(no repeated emails within repeat_after)"
expect_out "are used up"

# Dead servers: a closed port for email and HTTP 500 for the webhook. Each is
# tried 1 + retries times, then given up and recorded; recovery goes on.
mkdir down && cd down || exit 1
start_server http_sink.py broken 500
BROKEN_PORT=$PORT
CLOSED_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [email, webhook]
  contacts: {primary: admin@system.org}
  retries: 2
  retry_backoff: 1s
  email: {server: 127.0.0.1, port: $CLOSED_PORT, timeout: 2s}
  webhook: {url: "http://u:brokens3cret@127.0.0.1:$BROKEN_PORT/", timeout: 2s}
recovery_actions:
  system_error:
    - run_command: {command: "echo recovered > recovered.txt"}
YAML
start=$(date +%s)
run recovery run system_error
expect_status 0 "(recovery goes on although no alert can be delivered)"
expect_file recovered.txt
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT channel || ':' || state || ':' || tries FROM alert_outbox ORDER BY channel")" \
  "email:given_up:3
webhook:given_up:3"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM alert_sent WHERE result = 'failed'")" "6"
expect_equal "$(ls broken | wc -l)" "3" "(the webhook was tried three times)"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox WHERE channel='webhook'" | grep -q "500" ||
  fail "the webhook's HTTP 500 is not recorded"
CHECKS=$((CHECKS + 1))
grep -q "giving up on this alert" .lfs-wrapper/lfs-wrapper.log || fail "giving up is not logged"
CHECKS=$((CHECKS + 1)); ! grep -rq brokens3cret .lfs-wrapper/lfs-wrapper.log .lfs-wrapper/state.db ||
  fail "the failing webhook's URL password is in the log or the database"
# The recovery journal was written before the alerts were given up.
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT outcome FROM recovery_attempt")" "recovered"

# SMTP AUTH with the password from a file, then from a variable; a wrong one fails.
cd "$SCRATCH" && mkdir auth && cd auth || exit 1
start_server smtp_sink.py authmail builder:s3cret-pw
AUTH_PORT=$PORT
echo "s3cret-pw" >smtp-password
write_auth_config() {
  cat > lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [email]
  triggers: [system_error]
  retries: 0
  repeat_after: 1s
  email: {server: 127.0.0.1, port: $AUTH_PORT, to: [ops@site.org], username: builder, $1}
auto_recovery: {max_attempts: 10}
recovery_actions:
  system_error:
    - run_command: {command: "true"}
YAML
}
# a username without TLS: refused unless insecure_auth says the relay is trusted
write_auth_config "password_file: smtp-password"
run recovery run system_error
expect_equal "$(ls authmail 2>/dev/null | grep -c json)" "0" "(a password sent without TLS)"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox" | grep -q "the password would cross the network in clear" ||
  fail "the refusal to send a password in clear is not recorded"
sleep 1.1
write_auth_config "password_file: smtp-password, insecure_auth: true"
run recovery run system_error
expect_equal "$(ls authmail | grep -c json)" "1" "(mail accepted with the password file)"
sleep 1.1
write_auth_config "password_env: LFSW_TEST_SMTP_PASSWORD, insecure_auth: true"
LFSW_TEST_SMTP_PASSWORD=s3cret-pw run recovery run system_error
expect_equal "$(ls authmail | grep -c json)" "2" "(mail accepted with the password variable)"
sleep 1.1
LFSW_TEST_SMTP_PASSWORD=wrong run recovery run system_error
expect_status 0 "(recovery goes on)"
expect_equal "$(ls authmail | grep -c json)" "2" "(no mail with a wrong password)"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox WHERE state = 'given_up'" | grep -q "SMTP to 127.0.0.1:$AUTH_PORT failed" ||
  fail "the refused login is not recorded"
CHECKS=$((CHECKS + 1)); ! grep -rq "s3cret-pw" .lfs-wrapper/lfs-wrapper.log .lfs-wrapper/state.db || fail "the password leaked into the log or the database"

# a webhook URL of another protocol than http(s) is never fetched
cd "$SCRATCH" && mkdir fileurl && cd fileurl || exit 1
echo "not for posting" > target
cat > lfs-wrapper.yaml <<YAML
build: {root: root}
alerts:
  methods: [webhook]
  triggers: [system_error]
  retries: 0
  webhook: {url: "file://$SCRATCH/fileurl/target"}
recovery_actions:
  system_error:
    - run_command: {command: "true"}
YAML
run recovery run system_error
expect_status 0 "(recovery goes on when the webhook is refused)"
expect_equal "$(cat target)" "not for posting" "(the file a file:// webhook names)"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox" | grep -qi "protocol" ||
  fail "the refused protocol is not recorded: $(sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox")"

# starttls: true against a server without STARTTLS: refused, never sent in clear.
cd "$SCRATCH" && mkdir tls && cd tls || exit 1
cat > lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [email]
  triggers: [system_error]
  retries: 0
  email: {server: 127.0.0.1, port: $SMTP_PORT, starttls: true, to: [ops@site.org]}
recovery_actions:
  system_error:
    - run_command: {command: "true"}
YAML
BEFORE=$(ls "$SCRATCH/mail" | wc -l)
run recovery run system_error
expect_status 0
expect_equal "$(ls "$SCRATCH/mail" | wc -l)" "$BEFORE" "(nothing sent without STARTTLS)"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT state FROM alert_outbox")" "given_up"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox" | grep -qi "SMTP to 127.0.0.1:$SMTP_PORT failed" ||
  fail "STARTTLS refusal not recorded: $(sqlite3 .lfs-wrapper/state.db "SELECT last_error FROM alert_outbox")"
finish
