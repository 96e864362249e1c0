#!/usr/bin/env bash
# plugins.isolation: process — plugins that segfault, abort, hang and exhaust
# memory end only their worker: the host reports what happened, fails the
# action, goes on with the chain's failure handling, and skips a plugin that
# crashed until its file changes.
. "$(dirname "$0")/lib.sh"
: "${MISBEHAVING_PLUGIN_DIR:?MISBEHAVING_PLUGIN_DIR must name the misbehaving plugins}"
mkdir -p root plugins && cp "$MISBEHAVING_PLUGIN_DIR"/*.so plugins/ && chmod 755 plugins
cat >lfs-wrapper.yaml <<YAML
build:
  root: root
plugins:
  dirs: [plugins]
  isolation: process
  action_timeout: 2s
  worker_memory: 512M
auto_recovery:
  max_attempts: 10
alerts:
  methods: [log]
recovery_actions:
  system_error:
    - polite_action
    - run_command: {command: "touch after-polite"}
  build_failure:
    - segfault_now
    - run_command: {command: "touch never"}
  polite_condition:
    - abort_now
  resource_exhaustion:
    - hang_forever
  minor_corruption:
    - leak_memory
YAML
# Under scripts/test-sanitize, UBSan reports the null store and ends the
# worker (exit status 1) before the SIGSEGV, and ASan makes the runaway
# allocation slow enough to meet the timeout: both still end the worker only.
if [ -n "${ASAN_OPTIONS:-}" ]; then SEGV="(killed by signal 11 \(SIGSEGV\)|exited with status 1)"; else SEGV="killed by signal 11 \(SIGSEGV\)"; fi
expect_segv() { CHECKS=$((CHECKS + 1)); grep -qE -- "$1$SEGV" <<<"$OUT" || fail "stdout lacks: $1$SEGV"; }
workers_left() { pgrep -f "lfs-wrapper-plugin-worker.*$SCRATCH/plugins" || true; }

# Site plugins run in workers; the stock ones stay in-process.
run plugins list
expect_status 0
expect_out "file:           $SCRATCH/plugins/polite.so
  runs:           in a worker process (isolated)"
expect_out "conditions:     polite_condition"
CHECKS=$((CHECKS + 1)); grep -A1 "build_actions.so" <<<"$OUT" | grep -q "runs:           in-process" ||
  fail "stock plugins should stay in-process"

# A well-behaved isolated action: settings, the build and the log go
# through the host; the chain goes on after it.
run recovery run system_error
expect_status 0
expect_out "polite_action: done (polite in pid"
expect_out "root $SCRATCH/root, 1 alert methods"
expect_out "stop: no build is running"
expect_err "polite_action starts in worker pid"
expect_file after-polite
CHECKS=$((CHECKS + 1)); grep -q "polite_action starts in worker pid" .lfs-wrapper/lfs-wrapper.log ||
  fail "the worker's log record is not in the log file"

# A segfault: the action fails with the signal, the chain stops there like
# for any failed action, the host exits normally.
run recovery run build_failure
expect_status 1 "(segfault: not a host crash)"
expect_segv "segfault_now: failed \(action segfault_now \(plugin segfaults, isolated\): the plugin's worker ended: "
expect_no_file never
expect_equal "$(workers_left)" "" "(no worker left after the crash)"
run recovery history
expect_out "segfault_now"
expect_segv ""

# Remembered: skipped with a warning while the file is unchanged; every
# other command still works.
run recovery run build_failure
expect_status 1
expect_err "plugins/segfaults.so: plugin 'segfaults' skipped: it crashed on"
expect_out "skipped: it crashed on"
run config validate
expect_status 0 "(a skipped plugin does not break the config)"
run plugins list
expect_status 0
# A new file (rebuilt, reinstalled) gets another chance.
touch -d '1 minute ago' plugins/segfaults.so
run recovery run build_failure
expect_status 1
expect_segv ""
expect_no_out "skipped"

# abort() in a condition's chain action: SIGABRT, reported the same way.
run recovery run polite_condition
expect_status 1
expect_out "abort_now: failed (action abort_now (plugin aborts, isolated): the plugin's worker ended: killed by signal 6 (SIGABRT))"

# A hang past plugins.action_timeout: the worker is killed, the action
# fails, and the host is back in seconds.
START=$(date +%s)
run recovery run resource_exhaustion
ELAPSED=$(( $(date +%s) - START ))
expect_status 1
expect_out "hang_forever: failed (action hang_forever (plugin hangs, isolated): the plugin did not finish within 2s; its worker was killed)"
CHECKS=$((CHECKS + 1)); [ "$ELAPSED" -lt 15 ] || fail "a hanging plugin held the host ${ELAPSED}s"
expect_equal "$(workers_left)" "" "(the hanging worker is gone)"
# A hang is not remembered as a crash: the next run tries again.
run recovery run resource_exhaustion
expect_no_out "skipped"

# Memory without bound: the worker's RLIMIT_AS stops it, not the machine.
run recovery run minor_corruption
expect_status 1
expect_out "leak_memory: failed"
# RLIMIT_AS makes the allocation throw; a sanitizer build's worker is
# stopped by ASan's RSS limit instead.
CHECKS=$((CHECKS + 1)); grep -qE "std::bad_alloc|worker ended: killed by signal${ASAN_OPTIONS:+|did not finish within 2s}" <<<"$OUT" ||
  fail "the runaway allocation was not stopped: $OUT"

# A plugin that crashes while it registers is refused, and remembered.
cp "$TEST_PLUGIN_DIR/throws_at_register.so" plugins/
run plugins list
expect_out "1 plugin file was refused"
expect_err "throws_at_register.so: plugin 'throws_at_register' threw during registration"

# plugins.isolate puts a stock plugin in a worker too; it still works there.
sed -i 's/  isolation: process/  isolation: in-process\n  isolate: [build_actions]/' lfs-wrapper.yaml
cat >>lfs-wrapper.yaml <<'YAML'
  build_failure:compile_error:
    - adjust_limits
YAML
rm plugins/throws_at_register.so
run plugins list
CHECKS=$((CHECKS + 1)); grep -A1 "build_actions.so" <<<"$OUT" | grep -q "runs:           in a worker process" ||
  fail "plugins.isolate should isolate build_actions"
CHECKS=$((CHECKS + 1)); grep -A1 "polite.so" <<<"$OUT" | grep -q "runs:           in-process" ||
  fail "isolation: in-process should load polite in-process"
run recovery run build_failure --class compile_error --dry-run
expect_status 0
expect_out "adjust_limits"

# Alert channels run isolated too: the stock log channel delivers from its
# worker, and a channel that aborts fails its delivery, not the host.
cat >lfs-wrapper.yaml <<'YAML'
build: {root: root}
plugins:
  dirs: [plugins]
  isolate: [log_alert, aborts]
alerts:
  methods: [log, abort_channel]
  retries: 1
recovery_actions:
  system_error:
    - run_command: {command: "true"}
YAML
touch -d '2 minutes ago' plugins/aborts.so   # a new file: no longer skipped
run recovery run system_error
expect_status 0 "(recovery is not held up by a crashing channel)"
expect_err "ALERT system_error"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT result FROM alert_sent WHERE channel = 'log' ORDER BY id DESC LIMIT 1")" "done"
CHECKS=$((CHECKS + 1))
sqlite3 .lfs-wrapper/state.db "SELECT message FROM alert_sent WHERE channel = 'abort_channel'" | grep -qE "alert channel abort_channel \(plugin aborts, isolated\): the plugin's worker ended: killed by signal 6 \(SIGABRT\)" ||
  fail "the aborting channel's failure is not recorded: $(sqlite3 .lfs-wrapper/state.db "SELECT channel, result, message FROM alert_sent")"
finish
