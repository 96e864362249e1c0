#!/usr/bin/env bash
# The matrix alert channel against a loopback homeserver stand-in
# (helpers/matrix_server.py: Debian 12 packages no Matrix homeserver) that
# implements the alias and send endpoints with a real server's rules: the
# token, the room, and one event per transaction id. A retry after a lost
# answer is not a duplicate; 429 is waited out; a bad token, an unknown alias
# or a room the account is not in are rejected without retries; 5xx and a
# dead server are retried while recovery goes on.
. "$(dirname "$0")/lib.sh"
HELPERS="$(cd "$(dirname "$0")/helpers" && pwd)"
PY=/usr/bin/python3

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$SCRATCH"; }
trap cleanup EXIT

TOKEN=syt_bGZzdw_s3cretmatrixtoken
echo "$TOKEN" >token
# homeserver NAME [OPTIONS...]: a stand-in recording into NAME/; sets HS.
homeserver() {
  local name=$1
  shift
  "$PY" "$HELPERS/matrix_server.py" "$name.port" "$name" "$TOKEN" \
    "#builds:test.example=!builds:test.example" "$@" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  HS="http://127.0.0.1:$(cat "$name.port")"
}
write_config() {
  cat >lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [matrix]
  retries: ${RETRIES:-0}
  retry_backoff: 1s
  repeat_after: 1s
  matrix: {homeserver: "$HS", access_token_file: ${TOKEN_FILE:-token}, $1}
auto_recovery: {max_attempts: 50}
recovery_actions:
  system_error:
    - run_command: {command: "true"}
YAML
}
field() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
requests() { "$PY" -c '
import json, sys
for line in open(sys.argv[1] + "/requests.jsonl"):
    r = json.loads(line)
    print(r["method"], r["path"])' "$1"; }
last_sent() { sqlite3 .lfs-wrapper/state.db "SELECT result || ': ' || message FROM alert_sent WHERE channel = 'matrix' ORDER BY id DESC LIMIT 1"; }
outbox() { sqlite3 .lfs-wrapper/state.db "SELECT state || ':' || tries FROM alert_outbox WHERE channel = 'matrix' ORDER BY id DESC LIMIT 1"; }

# An alias is resolved, the notice sent with the token, plain and formatted.
homeserver hs
write_config "room: '#builds:test.example'"
run recovery run system_error
expect_status 0
expect_equal "$(ls hs/events)" "1.json"
expect_equal "$(field hs/events/1.json "d['room_id']")" "!builds:test.example"
expect_equal "$(field hs/events/1.json "d['content']['msgtype']")" "m.notice"
expect_equal "$(field hs/events/1.json "d['content']['format']")" "org.matrix.custom.html"
OUT=$(field hs/events/1.json "d['content']['body']")
expect_out "[lfs-wrapper] system_error: recovery chain system_error completed"
OUT=$(field hs/events/1.json "d['content']['formatted_body']")
expect_out "<strong>[lfs-wrapper] system_error: recovery chain system_error completed"
OUT=$(requests hs)
expect_out "GET /_matrix/client/v3/directory/room/%23builds%3Atest.example"
expect_out "PUT /_matrix/client/v3/rooms/%21builds%3Atest.example/send/m.room.message/lfsw."
expect_equal "$("$PY" -c 'import json,sys; print({json.loads(l)["authorization"] for l in open(sys.argv[1])})' hs/requests.jsonl)" "{'Bearer $TOKEN'}"
OUT=$(last_sent)
expect_out "done: sent to !builds:test.example (event \$event1, transaction lfsw."
# Another alert is another transaction.
sleep 1.1
run recovery run system_error
expect_equal "$(ls hs/events | wc -l)" "2" "(a second alert, a second event)"
CHECKS=$((CHECKS + 1))
[ "$(field hs/events/1.json "d['txn_id']")" != "$(field hs/events/2.json "d['txn_id']")" ] ||
  fail "two alerts share a transaction id"

# The answer is lost after the server stored the event: the retry uses the
# same transaction id, and the room shows the alert once.
homeserver lost --lose 1
RETRIES=2
write_config "room: '!builds:test.example'"
run recovery run system_error
expect_status 0
expect_equal "$(ls lost/events | wc -l)" "1" "(a retry after a lost answer showed the alert twice)"
expect_equal "$(requests lost | grep -c '^PUT')" "2"
expect_equal "$(requests lost | grep '^PUT' | sort -u | wc -l)" "1" "(the retry used another transaction id)"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT group_concat(result, ',') FROM (SELECT result FROM alert_sent WHERE channel = 'matrix' ORDER BY id DESC LIMIT 2)")" "done,failed"
expect_equal "$(outbox)" "sent:2"

# 429: retry_after_ms is waited out within one try.
homeserver limited --rate-limit 2
write_config "room: '!builds:test.example'"
start=$(date +%s%N)
run recovery run system_error
took=$((($(date +%s%N) - start) / 1000000))
expect_equal "$(ls limited/events | wc -l)" "1"
expect_equal "$(requests limited | grep -c '^PUT')" "3"
expect_equal "$(outbox)" "sent:1" "(the rate limit cost a try of the host's)"
CHECKS=$((CHECKS + 1))
[ "$took" -ge 600 ] || fail "two 429s of 300 ms were not waited out (took $took ms)"

# A bad token: rejected, not retried, the token never shown.
echo wrong-token >bad-token
TOKEN_FILE=bad-token write_config "room: '!builds:test.example'"
run recovery run system_error
expect_status 0 "(recovery goes on)"
OUT=$(last_sent)
expect_out "rejected: sending to !builds:test.example failed: HTTP 401 M_UNKNOWN_TOKEN: Invalid access token passed. (the access token of alerts.matrix.access_token_file is not accepted"
expect_equal "$(outbox)" "given_up:1" "(a rejected token was retried)"
# An unknown alias, a room the account is not in: rejected.
sleep 1.1
write_config "room: '#nope:test.example'"
run recovery run system_error
OUT=$(last_sent)
expect_out "rejected: cannot resolve the room alias #nope:test.example: HTTP 404 M_NOT_FOUND: Room alias #nope:test.example not found"
expect_equal "$(outbox)" "given_up:1"
sleep 1.1
write_config "room: '!elsewhere:test.example'"
run recovery run system_error
OUT=$(last_sent)
expect_out "rejected: sending to !elsewhere:test.example failed: HTTP 403 M_FORBIDDEN"
expect_equal "$(outbox)" "given_up:1"

# 5xx and a dead server: failed, retried, given up; recovery goes on.
homeserver broken --fail 10
RETRIES=1
write_config "room: '!builds:test.example'"
run recovery run system_error
expect_status 0
OUT=$(last_sent)
expect_out "failed: sending to !builds:test.example failed: HTTP 500 M_UNKNOWN: Internal server error"
expect_equal "$(outbox)" "given_up:2"
DEAD=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HS="http://127.0.0.1:$DEAD"
sleep 1.1
write_config "room: '!builds:test.example', timeout: 2s"
run recovery run system_error
expect_status 0
OUT=$(last_sent)
expect_out "failed: sending to !builds:test.example failed:"
expect_equal "$(outbox)" "given_up:2"

# A contact may name a channel: the emergency contact is the Matrix room,
# told only when recovery gives up.
mkdir contacts && cd contacts || exit 1
cp ../token .
homeserver escalation
cat >lfs-wrapper.yaml <<YAML
build:
  root: root
alerts:
  methods: [log]
  contacts: {primary: ops@site.org, emergency: matrix}
  matrix: {homeserver: "$HS", access_token_file: token, room: '!builds:test.example'}
auto_recovery: {max_attempts: 1}
recovery_actions:
  build_failure: [restart_build]
YAML
printf 'steps:\n  - name: gcc\n    run: exit 1\n' >plan.yaml
mkdir root
run build start --plan plan.yaml
expect_status 1 "(recovery given up)"
expect_equal "$(ls escalation/events | wc -l)" "1" "(only the given-up alert reaches the emergency room)"
OUT=$(field escalation/events/1.json "d['content']['body']")
expect_out "build_failure in step 'gcc': recovery given up"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT group_concat(channel || ':' || recipients, ' ') FROM alert_outbox ORDER BY id")" \
  "log:ops@site.org log:ops@site.org matrix:ops@site.org"
cd ..

# The token is nowhere in the state directory.
CHECKS=$((CHECKS + 1)); ! grep -rq "s3cretmatrixtoken" .lfs-wrapper ||
  fail "the access token is in the state directory"
finish
