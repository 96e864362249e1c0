#!/usr/bin/env bash
# Build supervision against the real binary, with real processes and signals.
. "$(dirname "$0")/lib.sh"

mkdir -p root
write_config() {
  cat > lfs-wrapper.yaml <<YAML
build:
  root: root
  stop_grace: 1s
auto_recovery:
  max_attempts: ${1:-3}
recovery_actions:
  build_failure:
    - restart_build
  build_failure:killed:
    - stop_build
YAML
}

# ---- a step that fails once is recovered automatically and the run ends done
write_config 3
cat > plan.yaml <<'YAML'
steps:
  - name: prepare
    run: |
      mkdir -p sources
      echo "jobs=$LFSW_JOBS makeflags=$MAKEFLAGS root=$LFS"
    env: {GREETING: hello}
  - name: flaky
    run: |
      if [ ! -f "$LFS/.fixed" ]; then
        touch "$LFS/.fixed"
        echo "flaky.c:3:1: error: expected ';' before '}' token"
        exit 2
      fi
      echo "fixed now, $GREETING"
    env: {GREETING: hi}
  - name: install
    workdir: sources
    run: pwd > "$LFS/installed-from"
YAML
run build start --plan plan.yaml
expect_status 0 "recovered build"
expect_out "jobs="
expect_out "makeflags=-j"
expect_out "root=$SCRATCH/root"
expect_out "==> [2/3] flaky: failed (exited with status 2: compilation failed (log line 1: flaky.c:3:1: error: expected ';' before '}' token))"
expect_out "==> [2/3] flaky (attempt 2)"
expect_out "fixed now, hi"
expect_out "build 1: done — all 3 steps done"
expect_equal "$(cat root/installed-from)" "$SCRATCH/root/sources"

run build status
expect_out "build 1: done"
CHECKS=$((CHECKS + 1)); grep -qE '^2 +flaky +done +[0-9a-z]+ +2 ' <<<"$OUT" || fail "flaky should be done after 2 attempts: $OUT"
expect_equal "$(ls .lfs-wrapper/steps/1/)" "1-prepare.1.log
2-flaky.1.log
2-flaky.2.log
3-install.1.log"
expect_equal "$(cat .lfs-wrapper/steps/1/2-flaky.1.log)" "flaky.c:3:1: error: expected ';' before '}' token"
# the attempt counter of the step was reset when it succeeded
run recovery status
expect_out "no recovery attempts counted"

# ---- max_attempts exhausted stops the build, non-zero, and the state says why
rm -rf .lfs-wrapper root; mkdir -p root
write_config 2
cat > plan.yaml <<'YAML'
steps:
  - name: broken
    run: |
      echo "broken.c:1:1: error: unknown type name 'intt'"
      exit 1
YAML
run build start --plan plan.yaml
expect_status 1 "exhausted"
expect_out "==> [1/1] broken (attempt 3)"
expect_out "build 1: failed"
expect_out "all 2 recovery attempts for build_failure in step 'broken' are used up"
run build status
expect_out "build 1: failed"
CHECKS=$((CHECKS + 1)); grep -qE '^1 +broken +failed .* 3 .*status 1 +build_failure:compile_error' <<<"$OUT" || fail "status row: $OUT"
run analyze errors
expect_out "build 1, step broken (attempt 3): build_failure:compile_error"
expect_out "line 1: broken.c:1:1: error: unknown type name 'intt'"
expect_out "recovery: build_failure -> restart_build"

# ---- a chain without restart_build leaves the build stopped; a killed step is "killed" without OOM evidence
rm -rf .lfs-wrapper root; mkdir -p root
write_config 3
cat > plan.yaml <<'YAML'
steps:
  - name: killed
    run: |
      echo "about to be killed"
      kill -KILL $$
YAML
run build start --plan plan.yaml
expect_status 1 "killed"
expect_out "killed by signal 9 (SIGKILL): no sign of the OOM killer"
expect_out "recovery chain build_failure:killed ran and left the build stopped (it has no restart_build)"
run build status
CHECKS=$((CHECKS + 1)); grep -qE 'killed +failed .*signal 9 +build_failure:killed' <<<"$OUT" || fail "status row: $OUT"

# ---- a timeout
rm -rf .lfs-wrapper root; mkdir -p root
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root, stop_grace: 1s}
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: slow
    timeout: 1s
    run: sleep 30
YAML
start=$(date +%s)
run build start --plan plan.yaml
expect_status 1 "timeout"
expect_out "timed out after 1s: the step ran past its timeout"
CHECKS=$((CHECKS + 1)); [ $(( $(date +%s) - start )) -lt 10 ] || fail "timeout took too long"
run build status
expect_out "build_failure:timeout"

# ---- build stop from another terminal ends a tree of processes, one ignoring SIGTERM
rm -rf .lfs-wrapper root; mkdir -p root
cat > plan.yaml <<'YAML'
steps:
  - name: tree
    run: |
      sh -c 'trap "" TERM; echo $$ > "$LFS/stubborn.pid"; while :; do sleep 0.2; done' &
      sh -c 'sleep 300 & echo $! > "$LFS/grandchild.pid"; wait' &
      setsid sh -c 'echo $$ > "$LFS/escaped.pid"; sleep 300' &
      echo "tree started"
      wait
  - name: never
    run: echo "must not run"
YAML
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
for _ in $(seq 50); do [ -s root/stubborn.pid ] && [ -s root/grandchild.pid ] && [ -s root/escaped.pid ] && break; sleep 0.1; done
run build start --plan plan.yaml
expect_status 1 "second supervisor refused"
expect_err "another supervisor (pid $supervisor) is running the build of $SCRATCH/.lfs-wrapper"
run build status
expect_out "running (supervisor pid $supervisor)"
run build stop
expect_status 0 "build stop"
expect_out "build 1 stopped"
wait "$supervisor"; supervisor_status=$?
CHECKS=$((CHECKS + 1)); [ "$supervisor_status" -eq 1 ] || fail "the stopped build's supervisor should exit 1, not $supervisor_status"
for f in stubborn grandchild escaped; do
  pid=$(cat "root/$f.pid")
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
  CHECKS=$((CHECKS + 1)); { [ -z "$state" ] || [ "$state" = Z ]; } || fail "$f process $pid survived build stop (state $state)"
done
CHECKS=$((CHECKS + 1)); ! grep -q "must not run" start.out || fail "the next step ran after a stop"
run build status
expect_out "build 1: stopped"
CHECKS=$((CHECKS + 1)); grep -qE '^1 +tree +stopped' <<<"$OUT" || fail "the step should be stopped: $OUT"

# ---- build resume continues from the first step not done
cat > plan.yaml <<'YAML'
steps:
  - name: tree
    run: echo "tree quickly this time"
  - name: never
    run: echo "now it runs"
YAML
run build resume
expect_status 0 "resume"
expect_out "now it runs"
expect_out "tree quickly this time"
expect_out "build 1: done"

# ---- kill -9 of the supervisor: the state stays consistent and resume re-runs the half-done step
rm -rf .lfs-wrapper root; mkdir -p root
cat > plan.yaml <<'YAML'
steps:
  - name: first
    run: echo one
  - name: install
    run: |
      echo "$(date +%s%N)" >> "$LFS/install-runs"
      touch "$LFS/partial-install"
      sleep 30
      echo done
  - name: last
    run: echo last
YAML
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
for _ in $(seq 50); do [ -f root/partial-install ] && break; sleep 0.1; done
kill -9 "$supervisor"; wait "$supervisor" 2>/dev/null
run build status
expect_out "interrupted (its supervisor, pid $supervisor, is gone)"
CHECKS=$((CHECKS + 1)); grep -qE '^2 +install +interrupted' <<<"$OUT" || fail "install should show interrupted: $OUT"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT state FROM build_step WHERE name='install'")" "running" "(recorded state is running, never done)"
run build analyze-state
expect_out "steps done: 1 of 3 (first)"
expect_out "half-done step: install was running"
expect_out "its install may have left files in $SCRATCH/root"
sed -i 's/      sleep 30/      true/' plan.yaml
run build resume
expect_status 0 "resume after kill -9"
expect_out "step install was interrupted when its supervisor died; it runs again"
expect_out "restored first (000001): 0 written, 2 removed"
expect_out "build 1: done"
# What the half-done install left was reverted before it ran again.
expect_equal "$(wc -l < root/install-runs)" "1" "(the half-done step's files were reverted, then it ran again)"
expect_equal "$(ls .lfs-wrapper/steps/1/ | grep -c '^1-first')" "1" "(a done step is not run again by resume)"
run build status
CHECKS=$((CHECKS + 1)); grep -qE '^2 +install +done .* 2 ' <<<"$OUT" || fail "install done after 2 attempts: $OUT"
run build analyze-state
expect_out "the state database is consistent"

# ---- build stop, Ctrl-C or SIGTERM mid-step: resume brings the tree back to
# the last good step before the step runs again, and analyze-state shows what
# the half-done step left
for how in stop INT TERM; do
  rm -rf .lfs-wrapper root resumed two-started; mkdir -p root
  cat > plan.yaml <<'YAML'
steps:
  - name: one
    run: echo base > "$LFS/base"
  - name: two
    run: |
      if [ -e "$LFS/half-done" ]; then echo "leftover found"; exit 1; fi
      mkdir "$LFS/two-dir"; echo partial > "$LFS/half-done"; echo changed >> "$LFS/base"
      if [ ! -e ../resumed ]; then touch ../two-started; sleep 30; fi
      echo "two finished"
YAML
  "$LFSW" build start --plan plan.yaml > start.out 2>&1 &
  supervisor=$!
  for _ in $(seq 100); do [ -f two-started ] && break; sleep 0.1; done
  if [ "$how" = stop ]; then run build stop; else kill -"$how" "$supervisor"; fi
  wait "$supervisor"
  case $how in
    stop) expect_equal "$(grep -c 'stopped by build stop during step two' start.out)" "1" "(stop message)" ;;
    INT) expect_equal "$(grep -c 'stopped by SIGINT (Ctrl-C) during step two' start.out)" "1" "(SIGINT message: $(tail -1 start.out))" ;;
    TERM) expect_equal "$(grep -c 'stopped by SIGTERM (sent by another process) during step two' start.out)" "1" "(SIGTERM message: $(tail -1 start.out))" ;;
  esac
  run build analyze-state
  expect_status 1 "analyze-state after $how with a half-done tree"
  expect_out "the build tree differs from last-good (checkpoint one, 000001) in 3 paths:"
  expect_out "+ half-done"
  expect_out "+ two-dir"
  expect_out "M base (size, mtime)"
  expect_no_out "the state database is consistent"
  touch resumed
  run build resume
  expect_status 0 "resume after $how"
  expect_out "step two did not finish (stopped): the tree goes back to checkpoint one (000001) before it runs again"
  expect_no_out "leftover found"
  expect_out "two finished"
  expect_equal "$(cat root/base)" "base
changed" "(base after resume: changed once, by the finished step)"
  run build analyze-state
  expect_status 0 "analyze-state after the resumed build"
  expect_out "the build tree matches last-good (checkpoint two"
done

# ---- a failed step too, and resume --from runs again from a step of choice
rm -rf .lfs-wrapper root resumed; mkdir -p root
cat > plan.yaml <<'YAML'
steps:
  - name: one
    run: echo base > "$LFS/base"
  - name: two
    run: |
      if [ -e "$LFS/half-done" ]; then echo "leftover found"; exit 1; fi
      echo partial > "$LFS/half-done"
      [ -e ../resumed ] || exit 3
      echo "two finished"
  - name: three
    run: echo three >> "$LFS/three"
YAML
printf 'build: {root: root}\nauto_recovery: {enabled: false}\n' > lfs-wrapper.yaml
run build start --plan plan.yaml
expect_status 1 "failing step"
touch resumed
run build resume
expect_status 0 "resume after a failure"
expect_no_out "leftover found"
expect_out "two finished"
run build resume --from tow
expect_status 2 "resume --from a misspelled step"
expect_err "has no step 'tow', did you mean 'two'?"
run build resume --from two
expect_status 0 "resume --from two"
expect_out "the tree goes back to checkpoint one (000001) before it runs again"
expect_no_out "leftover found"
expect_equal "$(cat root/three)" "three" "(three ran again on the tree of two, not on top of its own output)"
run checkpoint restore one
expect_status 0 "checkpoint restore of an earlier step"
expect_out "progress set back to after step one"
run build status
CHECKS=$((CHECKS + 1)); grep -qE '^2 +two +pending' <<<"$OUT" || fail "two should be pending after restoring one: $OUT"
run build resume
expect_status 0 "resume after restoring an earlier checkpoint"
expect_out "two finished"
run checkpoint restore tw
expect_status 1 "restore of a misspelled checkpoint"
expect_err "no checkpoint 'tw', did you mean 'two'?"
printf 'build: {root: root}\n' > lfs-wrapper.yaml

# ---- the seed's build_failure chain leaves the build stopped: the journal
# says "stopped", lists the actions in the order they ran; --json for scripts
rm -rf .lfs-wrapper root; mkdir -p root
printf 'steps:\n  - name: ok\n    run: "true"\n  - name: breaks\n    run: exit 2\n' > plan.yaml
printf 'build: {root: root}\n' > lfs-wrapper.yaml
run build start --plan plan.yaml
expect_status 1 "a failed step and the default chain"
run recovery history
CHECKS=$((CHECKS + 1)); grep -q "chain build_failure  attempt 1  stopped: the chain has no restart_build" <<<"$OUT" || fail "history: $OUT"
expect_equal "$(grep -oE '^    [0-9]+\. [a-z_]+' <<<"$OUT" | tr -s ' ' | tr '\n' ';')" " 1. stop_build; 2. clean_environment; 3. restore_checkpoint;" "(the chain's actions in the order they ran)"
CHECKS=$((CHECKS + 1)); grep -q "ALERT build_failure in step 'breaks': recovery chain build_failure ran; the build is stopped (attempt 1/3)" .lfs-wrapper/lfs-wrapper.log || fail "the alert of a chain that stops the build: $(grep ALERT .lfs-wrapper/lfs-wrapper.log)"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
OUT=$("$LFSW" build status --json); expect_equal "$(json "d['run']['state'], [s['state'] for s in d['steps']], d['steps'][1]['exit_status']" <<<"$OUT")" "failed ['done', 'failed'] 2" "(build status --json)"
OUT=$("$LFSW" checkpoint list --json); expect_equal "$(json "[(c['name'], c['last_good']) for c in d]" <<<"$OUT")" "[('ok', True)]" "(checkpoint list --json)"
OUT=$("$LFSW" recovery status --json); expect_equal "$(json "d['max_attempts'], [(c['condition'], c['step'], c['attempts']) for c in d['counters']]" <<<"$OUT")" "3 [('build_failure', 'breaks', 1)]" "(recovery status --json)"
OUT=$("$LFSW" recovery history --json); expect_equal "$(json "d[0]['outcome'], d[0]['step'], [a['action'] for a in d[0]['attempts'][0]['actions']]" <<<"$OUT")" "stopped breaks ['stop_build', 'clean_environment', 'restore_checkpoint']" "(recovery history --json)"
OUT=$("$LFSW" analyze errors --json); expect_equal "$(json "[(f['step'], f['condition'], f['chain']) for f in d['failures']]" <<<"$OUT")" "[('breaks', 'build_failure', 'build_failure')]" "(analyze errors --json)"
OUT=$("$LFSW" backup list --json); expect_equal "$(json "d['backups']" <<<"$OUT")" "[]" "(backup list --json)"
OUT=$("$LFSW" health check --json); expect_equal "$(json "all(c['status'] in ('OK', 'WARN', 'FAIL') for c in d['checks']) and len(d['checks']) > 4" <<<"$OUT")" "True" "(health check --json)"

# ---- from another directory: found through LFSW_CONFIG, with the config's
# relative paths taken from the config's directory; else it says where it looked
mkdir -p elsewhere && cd elsewhere || exit 1
run build status
expect_out "no config file: LFSW_CONFIG is not set, and there is no $SCRATCH/elsewhere/lfs-wrapper.yaml"
LFSW_CONFIG=../lfs-wrapper.yaml run build status
expect_out "  root:    $SCRATCH/root"
expect_out "build 1: failed"
cd "$SCRATCH" || exit 1

# ---- a build root that does not exist is refused, before anything is made,
# unless build.create_root says to make it; 128+N is explained as signal N
rm -rf .lfs-wrapper
printf 'build: {root: no-such-root}\n' > lfs-wrapper.yaml
printf 'steps:\n  - name: killed-child\n    run: sh -c "kill -9 \\$\\$"\n' > plan.yaml
run build start --plan plan.yaml
expect_status 1 "a build root that does not exist"
expect_err "the build root $SCRATCH/no-such-root does not exist; create it (mkdir -p $SCRATCH/no-such-root), or set build.create_root: true"
expect_no_file no-such-root
expect_no_file .lfs-wrapper
printf 'build: {root: no-such-root, create_root: true}\nauto_recovery: {enabled: false}\n' > lfs-wrapper.yaml
run build start --plan plan.yaml
expect_status 1 "a step whose command was killed"
expect_file no-such-root
if [ "$(stat -c %d /)" = "$(stat -c %d no-such-root)" ]; then
  expect_err "is on the same file system as /"
else
  expect_no_out "is on the same file system as /"
fi
expect_out "exited with status 137 (a command was killed by SIGKILL): no recognised error in its log"
rm -rf no-such-root .lfs-wrapper
printf 'build: {root: root}\n' > lfs-wrapper.yaml

# ---- a process that left the step's group and session ends with the step
rm -rf .lfs-wrapper root; mkdir -p root
cat > plan.yaml <<'YAML'
steps:
  - name: daemonizes
    run: |
      setsid sleep 3171 > /dev/null 2>&1 < /dev/null &
      echo $! > ../escaped.pid
YAML
run build start --plan plan.yaml
expect_status 0 "a step that leaves a daemon behind"
pid=$(cat escaped.pid)
for _ in $(seq 50); do [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break; sleep 0.1; done
CHECKS=$((CHECKS + 1)); { [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]; } || fail "setsid sleep $pid outlived its step"

# ---- build stop never signals a process that reused a dead supervisor's pid
sleep 300 & victim=$!
sqlite3 .lfs-wrapper/state.db "UPDATE build_run SET state = 'running', supervisor_pid = $victim WHERE id = (SELECT max(id) FROM build_run)"
run build status
expect_out "interrupted (its supervisor, pid $victim, is gone)"
run build stop
expect_status 0 "build stop of a run whose supervisor pid was reused"
expect_out "the supervisor had died"
CHECKS=$((CHECKS + 1)); kill -0 "$victim" 2>/dev/null || fail "build stop killed pid $victim, which is not the supervisor"
kill "$victim"; wait "$victim" 2>/dev/null

# ---- a step gets a documented environment: never the host's secrets or the
# ones the config names, and its log is readable by its owner only
rm -rf .lfs-wrapper root; mkdir -p root
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
alerts:
  email: {server: localhost, username: me, password_env: LFSW_SMTP_PASSWORD}
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: env
    env: {CFLAGS: -O2}
    run: "env | sort | sed 's/^/env: /'"
YAML
AWS_SECRET_ACCESS_KEY=cloud-key LFSW_SMTP_PASSWORD=smtp-secret GITHUB_TOKEN=gh run build start --plan plan.yaml
expect_status 0 "env step"
expect_out "env: CFLAGS=-O2"
expect_out "env: LFS=$SCRATCH/root"
expect_out "env: LFSW_STEP=env"
expect_out "env: PATH="
expect_no_out "cloud-key"
expect_no_out "smtp-secret"
expect_no_out "GITHUB_TOKEN"
CHECKS=$((CHECKS + 1)); ! grep -rq "smtp-secret\|cloud-key" .lfs-wrapper/steps || fail "a secret reached a step log"
expect_equal "$(stat -c %a .lfs-wrapper/steps/1/1-env.1.log)" "600" "(step log mode)"
expect_equal "$(stat -c %a .lfs-wrapper/steps .lfs-wrapper/steps/1 | sort -u)" "700" "(step log directories' mode)"
expect_equal "$(stat -c %a .lfs-wrapper)" "700" "(state directory mode)"
chmod 0777 .lfs-wrapper
run build status
expect_status 1 "a world-writable state directory"
expect_err "the state directory $SCRATCH/.lfs-wrapper is writable by group or others; refusing to use it"
chmod 0700 .lfs-wrapper
printf 'build: {root: root}\n' > lfs-wrapper.yaml

# ---- out of memory raises resource_exhaustion; adjust_limits halves the jobs and caps memory
rm -rf .lfs-wrapper root; mkdir -p root
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
resources:
  limits: {jobs: 4, auto_adjust: true}
recovery_actions:
  resource_exhaustion:
    - adjust_limits: {memory: 512M}
    - restart_build
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: big-link
    run: |
      # Too many parallel jobs for this machine: the allocation fails.
      if [ "$LFSW_JOBS" -gt 2 ]; then perl -e '$x = "a" x (64 * 1024**4)'; fi
      echo "linked with $LFSW_JOBS jobs ($MAKEFLAGS), memory limit ${LFSW_MEMORY_LIMIT:-none}, address space limit $(ulimit -v) KiB"
YAML
run build start --plan plan.yaml
expect_status 0 "recovered from out of memory"
expect_out "out of memory (log line 1: Out of memory!)"
expect_out "recovering from resource_exhaustion:memory in step big-link"
expect_out "adjust_limits: done (out of memory in step big-link: jobs 4 -> 2, memory cap none -> 512 MiB (a memory cgroup of the step where one is writable, else RLIMIT_AS))"
expect_out "linked with 2 jobs (-j2), memory limit 536870912"
# The cap is the step's cgroup where this machine offers one (root), else RLIMIT_AS.
if grep -q "memory cap 512 MiB: cgroup v" .lfs-wrapper/lfs-wrapper.log; then
  expect_out "address space limit unlimited KiB"
else
  expect_out "address space limit 524288 KiB"
fi
run build status
expect_out "limits chosen by adjust_limits: 2 jobs, memory cap 512 MiB"

# without auto_adjust the limits wait for build resume --resource-optimized
rm -rf .lfs-wrapper root; mkdir -p root
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
resources:
  limits: {jobs: 4}
recovery_actions:
  resource_exhaustion:
    - adjust_limits: {memory: 1G}
YAML
run build start --plan plan.yaml
expect_status 1 "stopped after adjusting"
run build status
expect_out "limits chosen by adjust_limits: 2 jobs, memory cap 1024 MiB"
expect_out "applied by build resume --resource-optimized"
run build resume
expect_status 1 "plain resume keeps the configured jobs"
run build resume --resource-optimized
expect_status 0 "resource-optimized resume"
expect_out "resource-optimized: 2 jobs, memory cap 1024 MiB"
expect_out "linked with 2 jobs (-j2), memory limit 1073741824"

# ---- a plain command is a one-step plan; bad plans are refused with positions
rm -rf .lfs-wrapper
run build start -- sh -c 'echo "a one-step plan: $0"' "it's quoted"
expect_status 0 "command plan"
expect_out "a one-step plan: it's quoted"
cat > bad-plan.yaml <<'YAML'
steps:
  - name: a
    run: echo a
    timout: 5m
  - name: a
    run: echo again
  - run: echo nameless
    user: no-such-user-here
YAML
run build start --plan bad-plan.yaml
expect_status 2 "bad plan"
expect_err "bad-plan.yaml:4:5: unknown key 'steps[0].timout', did you mean 'timeout'?"
run build start
expect_status 2 "no plan"
expect_err "build start needs a plan"

# ---- shell: bash runs the book's bash lines as written (dash would make one
# directory named "{etc,var}"); clean_env starts from nothing, as env -i
rm -rf .lfs-wrapper
write_config
cat > plan.yaml <<'YAML'
steps:
  - name: braces
    shell: bash
    checkpoint: false
    run: mkdir -p "$LFS"/shelltest/{etc,var}
  - name: clean
    clean_env: true
    checkpoint: false
    run: |
      echo "path=$PATH"
      [ "$LFS" = "$(pwd)" ] && echo "LFS is the build root"
      [ -z "${HOST_ONLY+set}" ] && echo "no host variable"
      [ -z "${LFSW_STATE_DIR+set}" ] && echo "no state directory"
      echo "makeflags=$MAKEFLAGS"
YAML
HOST_ONLY=1 run build start --plan plan.yaml
expect_status 0 "shell and clean_env steps"
expect_file root/shelltest/etc
expect_file root/shelltest/var
expect_out "path=/usr/bin:/bin"
expect_out "LFS is the build root"
expect_out "no host variable"
expect_out "no state directory"
expect_out "makeflags=-j"
cat > plan.yaml <<'YAML'
steps:
  - name: nosuch
    shell: no-such-shell
    run: "true"
YAML
run build start --plan plan.yaml
expect_status 2 "a shell that is not there"
expect_err "plan.yaml:3:12: steps.nosuch.shell: /bin/no-such-shell is not an executable on this system"

finish
