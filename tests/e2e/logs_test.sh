#!/usr/bin/env bash
# logs show: level, time and channel filters over the real log file and its rotated files.
. "$(dirname "$0")/lib.sh"
mkdir plugins && cp "$TEST_PLUGIN_DIR/recorder.so" plugins/ && chmod 755 plugins/recorder.so
export LFSW_PLUGIN_PATH=$SCRATCH/plugins

cat > lfs-wrapper.yaml <<'YAML'
recovery_actions:
  system_error:
    - always_fail
YAML
run recovery run system_error
expect_status 1

stamp() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.000Z; }
mkdir -p .lfs-wrapper/logs
{
  echo "$(stamp '3 hours ago') ERROR engine: old error"
  echo "$(stamp '3 hours ago') INFO engine: old info"
} > .lfs-wrapper/logs/lfs-wrapper-20000101T000000-0.log
{
  echo "$(stamp '10 minutes ago') WARNING monitor: recent warning"
  echo "$(stamp '5 minutes ago') FATAL engine: recent fatal"
  echo "not a record line"
} >> .lfs-wrapper/lfs-wrapper.log

run logs show --level ERROR --last 1h
expect_status 0 "logs show"
expect_out "ERROR engine: action always_fail failed: failed on purpose"
expect_out "FATAL engine: recent fatal"
expect_no_out "old error"
expect_no_out "recent warning"
expect_no_out "INFO"

run logs show --level ERROR
expect_out "old error"

run logs show --level warning --channel monitor
expect_equal "$(wc -l <<<"$OUT")" "1"
expect_out "recent warning"

run logs show --channel alert
expect_out "alert.log: ALERT"

run logs show --level LOUD
expect_status 2
expect_err "unknown level 'LOUD'"
run logs show --last soon
expect_status 2
expect_err "--last: expected a duration"

# Each record is one line: UTC ISO-8601 with milliseconds, level, channel, message.
CHECKS=$((CHECKS + 1))
grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (TRACE|DEBUG|INFO|WARNING|ERROR|FATAL) [a-z_.]+: ' \
  .lfs-wrapper/lfs-wrapper.log | grep -v "not a record line" | grep -q . && fail "malformed log lines"

# --follow prints records written after it started
"$LFSW" logs show --follow --channel engine > follow.out 2>&1 &
follower=$!
sleep 0.5
run recovery run system_error
sleep 0.6
kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null
CHECKS=$((CHECKS + 1)); [ "$(grep -c 'action always_fail failed' follow.out)" -ge 2 ] || fail "--follow missed the new record: $(cat follow.out)"

# Rotation by size keeps logging.keep files, and logs show reads them all.
mkdir rotate && cd rotate || exit 1
cp ../lfs-wrapper.yaml . && printf 'logging:\n  rotate_size: 1K\n  keep: 2\n' >> lfs-wrapper.yaml
for _ in 1 2 3 4 5 6 7 8; do "$LFSW" -q recovery reset >/dev/null 2>&1; "$LFSW" -q recovery run system_error >/dev/null 2>&1; done
expect_equal "$(find .lfs-wrapper/logs -name '*.log' | wc -l)" "2" "(rotated files kept)"
CHECKS=$((CHECKS + 1)); [ "$(stat -c %s .lfs-wrapper/lfs-wrapper.log)" -le 1400 ] || fail "log file not rotated"
run logs show --channel engine
expect_equal "$(grep -c 'action always_fail failed' <<<"$OUT")" "$(cat .lfs-wrapper/logs/*.log .lfs-wrapper/lfs-wrapper.log | grep -c 'action always_fail failed')" "(logs show reads rotated files)"
CHECKS=$((CHECKS + 1)); [ "$(grep -c 'action always_fail failed' <<<"$OUT")" -ge 3 ] || fail "too few records across rotated files"
cd "$SCRATCH" || exit 1

finish
