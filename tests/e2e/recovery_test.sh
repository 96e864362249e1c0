#!/usr/bin/env bash
# recovery run / --dry-run / status / history / reset / init, across separate processes.
. "$(dirname "$0")/lib.sh"
# Only the well-behaved test plugin: the others are the loader tests' business.
mkdir plugins && cp "$TEST_PLUGIN_DIR/recorder.so" plugins/ && chmod 755 plugins/recorder.so
export LFSW_PLUGIN_PATH=$SCRATCH/plugins

cat > lfs-wrapper.yaml <<YAML
build:
  root: $SCRATCH/root
auto_recovery:
  max_attempts: 2
alerts:
  triggers: [build_failure]
recovery_actions:
  build_failure:
    - run_command: {command: "echo cleaning for \$LFSW_STEP >> $SCRATCH/ran", timeout: 10s}
    - record: {file: $SCRATCH/ran, label: restore}
  build_failure:fetch_error:
    - record: {file: $SCRATCH/ran, label: refetch}
    - always_fail
    - record: {file: $SCRATCH/ran, label: never}
  system_error:
    - throw_in_action
YAML

run recovery run build_failure --dry-run --step gcc
expect_status 0 "dry run"
expect_out "dry run: build_failure would run chain 'build_failure' as attempt 1 of 2"
expect_out "1. run_command: run \`echo cleaning for \$LFSW_STEP >> $SCRATCH/ran\` (timeout 10s) [not repeatable]"
expect_out "2. record: append a line to $SCRATCH/ran"
expect_out "nothing was run and no attempt was counted"
expect_no_file ran
expect_no_file .lfs-wrapper

run recovery run build_failure --step gcc
expect_status 0 "first attempt"
expect_out "[1/2] run_command: done (exited with status 0)"
expect_out "build_failure: recovered by chain 'build_failure' (attempt 1 of 2)"
expect_equal "$(cat ran)" "cleaning for gcc
restore attempt=1 condition=build_failure step=gcc"

# A second process sees the counter of the first.
run recovery status
expect_out "build_failure"
expect_out "1/2"

run recovery run build_failure --step gcc
expect_status 0 "second attempt"
expect_out "(attempt 2 of 2)"

run recovery run build_failure --step gcc --dry-run
expect_out "but it would be refused: all 2 attempts are used up"

run recovery run build_failure --step gcc
expect_status 1 "exhausted"
expect_err "refused: all 2 recovery attempts for build_failure in step 'gcc' are used up (auto_recovery.max_attempts)"
expect_equal "$(grep -c restore ran)" "2" "(the refused attempt ran nothing)"

run recovery status
expect_out "2/2"
expect_out "exhausted"

# The failure-class chain wins, and stops at the first failure.
run recovery run build_failure --class fetch_error --step wget
expect_status 1 "failing chain"
expect_out "[2/3] always_fail: failed (failed on purpose)"
expect_err "chain 'build_failure:fetch_error' stopped at always_fail: failed on purpose"
CHECKS=$((CHECKS + 1)); ! grep -q never ran || fail "an action after the failure ran"

# An action that throws is a failed action; the host goes on and says so.
run recovery run system_error
expect_status 1 "throwing action"
expect_out "throw_in_action: failed (action throw_in_action (plugin recorder) threw: boom from the plugin)"

run recovery history
expect_status 0
# One incident per (condition, step), newest first, each with its attempts.
first_line=$(head -1 <<<"$OUT")
CHECKS=$((CHECKS + 1)); grep -qE "^#3  .*  system_error outside build steps  1 attempt  open \(failed\)$" <<<"$first_line" || fail "history is not newest first: $first_line"
CHECKS=$((CHECKS + 1)); grep -A1 "^#3 " <<<"$OUT" | grep -q "  chain system_error  attempt 1  failed" || fail "the attempt under its incident"
expect_out "  build_failure (fetch_error) in step wget  1 attempt  open (failed)"
expect_out "  chain build_failure:fetch_error  attempt 1  failed: always_fail: failed on purpose"
expect_out "2. always_fail  failed: failed on purpose"
expect_out "1. record {file: $SCRATCH/ran, label: refetch}  done: recorded"
expect_out "  build_failure in step gcc  2 attempts  given_up"
expect_out "  chain build_failure  attempt 2  recovered"
expect_equal "$(grep -c '^#' <<<"$OUT")" "3" "(three incidents)"

run recovery reset build_failure --step gcc
expect_status 0
run recovery run build_failure --step gcc
expect_status 0 "after reset"
expect_out "(attempt 1 of 2)"

run recovery run no_such_condition
expect_status 2
expect_err "unknown condition 'no_such_condition'"
run recovery run build_failure --class compile_eror
expect_status 2
expect_err "has no failure class 'compile_eror', did you mean 'compile_error'?"
run recovery run resource_exhaustion
expect_status 2
expect_err "recovery_actions has no chain for 'resource_exhaustion'"

# The alert went through the log channel and was recorded.
CHECKS=$((CHECKS + 1)); grep -q "WARNING alert.log: ALERT build_failure in step 'gcc': recovery chain build_failure completed (attempt 1/2)" .lfs-wrapper/lfs-wrapper.log || fail "alert not in the log file"
# readable as a sentence with its evidence listed, not as ';'-joined key: value pairs
CHECKS=$((CHECKS + 1)); alert_line=$(grep "alert.log: ALERT build_failure in step 'gcc'" .lfs-wrapper/lfs-wrapper.log | head -1)
! grep -q ';' <<<"$alert_line" || fail "the alert is ';'-joined: $alert_line"
CHECKS=$((CHECKS + 1)); grep -qE "completed \(attempt 1/2\)\. Recovery chain build_failure completed\. \(" <<<"$alert_line" || fail "the alert does not read as sentences: $alert_line"
CHECKS=$((CHECKS + 1)); [ "$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM alert_sent WHERE channel='log'")" -ge 3 ] || fail "alerts not recorded"

# recovery init on a fresh directory
mkdir other && cd other || exit 1
cp ../lfs-wrapper.yaml .
run recovery init
expect_status 0 "init"
expect_out "OK    config: lfs-wrapper.yaml is valid"
expect_out "OK    state directory: $SCRATCH/other/.lfs-wrapper (created, mode 0700)"
expect_out "OK    state database: $SCRATCH/other/.lfs-wrapper/state.db (schema version $(sqlite3 .lfs-wrapper/state.db "PRAGMA user_version"), WAL)"
expect_out "OK    store directories: $SCRATCH/other/.lfs-wrapper/store"
expect_equal "$(stat -c %a .lfs-wrapper)" "700" "(state directory mode)"
expect_equal "$(sqlite3 .lfs-wrapper/state.db 'PRAGMA journal_mode')" "wal"
run recovery init
expect_out "(exists)"
LFSW_PLUGIN_PATH=$TEST_PLUGIN_DIR run recovery init
expect_status 1 "init reports refused plugins"
expect_out "FAIL  plugins: 12 loaded, 8 refused (lfs-wrapper plugins list)"
finish
