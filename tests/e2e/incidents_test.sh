#!/usr/bin/env bash
# Incidents, recovery report and the recovery checklists, as a user sees
# them: a step that recovers after one restart, one that gives up, a chain
# run by hand; the report in Markdown and JSON; the pre- and post-recovery
# checklists with the user's smoke tests and required items, and run
# automatically around a chain; a state database of schema 7 upgraded with
# its attempts kept as incidents; bad input.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# No state directory yet.
run recovery report
expect_status 1
expect_err "no incidents:"
run recovery history
expect_status 0
expect_out "no recovery history"

cat >lfs-wrapper.yaml <<'YAML'
build:
  root: root
auto_recovery: {max_attempts: 2}
recovery_actions:
  build_failure: [restart_build]
  system_error:
    - run_command: {command: "true"}
YAML
# gcc fails on its first run and passes on the second.
cat >plan.yaml <<'PLAN'
steps:
  - name: binutils
    run: echo built > "$LFS/binutils"
  - name: gcc
    run: |
      if [ ! -e "$LFS/.tried" ]; then
        touch "$LFS/.tried"
        echo "gcc.c:7:1: error: expected ';' before '}' token" >&2
        exit 1
      fi
      echo built > "$LFS/gcc"
PLAN
mkdir root
run build start --plan plan.yaml
expect_status 0 "(gcc recovers after one restart)"
run recovery history
expect_status 0
CHECKS=$((CHECKS + 1))
grep -qE "^#1  [0-9T:.Z-]+  build_failure \(compile_error\) in step gcc  1 attempt  recovered in 0s$" <<<"$OUT" ||
  fail "history: the recovered incident"
expect_out "  chain build_failure  attempt 1  recovered"
OUT=$("$LFSW" recovery report 1 --format json)
expect_equal "$(json "d['outcome'], d['source'], d['step'], d['run'], d['closed_at'] is not None, d['time_to_recover_seconds'] >= 0" <<<"$OUT")" \
  "recovered automatic gcc 1 True True"
expect_equal "$(json "[a['action'] + ':' + a['result'] for a in d['attempts'][0]['actions']]" <<<"$OUT")" "['restart_build:done']"
expect_equal "$(json "d['log_tail'][-1]" <<<"$OUT")" "gcc.c:7:1: error: expected ';' before '}' token"
expect_equal "$(json "d['state_after']['run_state'], d['state_after']['run_progress']" <<<"$OUT")" "done 2 of 2 steps done"
expect_equal "$(json "d['left_to_do'][0]" <<<"$OUT")" "Nothing for recovery: the step succeeded after it."

# A chain run by hand outside a build: an incident of its own, closed with it.
run recovery run system_error
expect_status 0
OUT=$("$LFSW" recovery report latest --format json)
expect_equal "$(json "d['id'], d['condition'], d['source'], d['outcome'], d['step']" <<<"$OUT")" "2 system_error manual recovered "

# A step that never passes: two attempts, then given up, in one incident.
mkdir hopeless && cd hopeless || exit 1
cp ../lfs-wrapper.yaml .
printf 'steps:\n  - name: gcc\n    run: |\n      echo "gcc.c:7:1: error: expected expression" >&2\n      exit 1\n' >plan.yaml
mkdir root
run build start --plan plan.yaml
expect_status 1
run recovery report
expect_status 0
expect_out "# Incident 1: build_failure (compile_error) in step gcc"
expect_out "- Outcome: given_up: all 2 recovery attempts for build_failure in step 'gcc' are used up"
expect_out "- Attempts: 2"
expect_out "- exit_status: 1"
expect_out "gcc.c:7:1: error: expected expression"
expect_out "### Attempt 2: chain build_failure, recovered"
expect_out "| 1 | restart_build | done |"
expect_out "## Alerts sent"
expect_out "log: sent after 1 try — build_failure in step 'gcc': recovery given up"
expect_out "- Build run 1: failed, 0 of 1 steps done"
expect_out "Then \`lfs-wrapper recovery reset build_failure --step gcc\` and \`lfs-wrapper build resume\`."
run recovery report 99
expect_status 1
expect_err "no incident 99 (lfs-wrapper recovery history lists them)"
run recovery report first
expect_status 2
expect_err "expects an incident number or 'latest', found 'first'"
run recovery report --format html
expect_status 2
expect_err "--format expects md or json"

# The pre-recovery checklist: health, a backup of critical data, the
# failure recorded (the incident is the open one of this step, or a new
# one), an alert, recovery init.
run recovery reset build_failure --step gcc
run recovery checklist pre
expect_status 0 "(the pre-recovery checklist)"
expect_out "✔ assess system state: health check:"
expect_out "✔ back up critical data: backup create --critical-only: backup "
expect_out "✔ document current issues: incident 2 opened: build_failure (compile_error) in step gcc of run 1"
expect_out "✔ notify stakeholders: alert sent through log"
expect_out "✔ prepare recovery environment: recovery init:"
expect_out "pre-recovery checklist: 5 done, 0 failed, 0 skipped"
expect_equal "$("$LFSW" backup list | grep -c ' complete$')" "1" "(one backup taken)"
OUT=$("$LFSW" recovery report 2 --format json)
expect_equal "$(json "d['source'], d['outcome'], d['evidence']['exit_status']" <<<"$OUT")" "checklist open 1"

# The post-recovery checklist: verify, the user's checks (one fails), the
# report written, monitoring reviewed, procedures to update.
cat >>lfs-wrapper.yaml <<'YAML'
recovery:
  checks:
    - test -d "$LFS" && echo "toolchain sane"
    - echo "no cc in the chroot"; exit 3
YAML
run recovery checklist post
expect_status 1 "(a smoke test failed)"
expect_out "✔ verify system integrity: verify system --all: store $SCRATCH/hopeless/.lfs-wrapper/store: 0 checkpoints, every object matches its hash"
expect_out "– verify build integrity: no checkpoint of this build root"
expect_out "✔ test core functionality: test -d \"\$LFS\" && echo \"toolchain sane\": exited with status 0 (last line: toolchain sane)"
expect_out "✘ test core functionality: echo \"no cc in the chroot\"; exit 3: exited with status 3 (last line: no cc in the chroot)"
expect_out "✔ document recovery actions: incident 2 report written to $SCRATCH/hopeless/.lfs-wrapper/incidents/incident-2.md"
expect_out "✔ update procedures: review recovery_actions: build_failure in step gcc ran out of attempts 1×"
expect_out "— not passed"
expect_equal "$(stat -c %a .lfs-wrapper/incidents/incident-2.md)" "600"
CHECKS=$((CHECKS + 1)); grep -q "^# Incident 2: build_failure (compile_error) in step gcc" .lfs-wrapper/incidents/incident-2.md ||
  fail "the written report"
# A required item that cannot run fails the checklist too.
"$PY" - <<'EOF'
import re
text = open("lfs-wrapper.yaml").read()
text = text.replace('    - echo "no cc in the chroot"; exit 3\n', '  required: [monitoring]\n')
open("lfs-wrapper.yaml", "w").write(text)
EOF
run recovery checklist post --json
expect_status 1 "(a required item was skipped)"
expect_equal "$(json "[(i['id'], i['status'], i['required']) for i in d['items'] if i['id'] in ('checks', 'monitoring')]" <<<"$OUT")" \
  "[('checks', 'done', False), ('monitoring', 'skipped', True)]"
expect_equal "$(json "d['checklist'], d['passed'], d['incident']" <<<"$OUT")" "post False 2"
run recovery checklist during
expect_status 2
expect_err "expects pre or post, found 'during'"
run recovery checklist post --incident 42
expect_status 1
expect_err "no incident 42"
cd ..

# auto_recovery.checklists: both checklists around the chain of a build; the
# tree left by the failed step differs from its checkpoint, and post says so.
mkdir auto && cd auto || exit 1
sed 's/max_attempts: 2}/max_attempts: 2, checklists: true}/' ../lfs-wrapper.yaml >lfs-wrapper.yaml
cp ../plan.yaml .
mkdir root
run build start --plan plan.yaml
expect_status 0 "(the build recovers with checklists around the chain)"
expect_out "pre-recovery checklist"
expect_out "✔ document current issues: incident 1 (automatic): build_failure in step gcc"
expect_out "post-recovery checklist"
expect_out "✘ verify build integrity: verify build --thorough: build tree $SCRATCH/auto/root against checkpoint binutils"
expect_file .lfs-wrapper/incidents/incident-1.md
expect_equal "$("$LFSW" recovery report --format json | json "d['outcome']")" "recovered"
cd ..

# A state database of schema 7 (before incidents, step attempts and backup
# runs): its attempts become one incident each, and history still shows them.
mkdir old && cd old || exit 1
cp ../lfs-wrapper.yaml .
run recovery run system_error
sqlite3 .lfs-wrapper/state.db <<'SQL'
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE old_attempt (
    id INTEGER PRIMARY KEY, condition TEXT NOT NULL, failure_class TEXT NOT NULL,
    step TEXT NOT NULL, chain_key TEXT NOT NULL, attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL, ended_at TEXT, outcome TEXT NOT NULL, message TEXT NOT NULL DEFAULT '');
INSERT INTO old_attempt SELECT id, condition, failure_class, step, chain_key, attempt, started_at,
    ended_at, outcome, message FROM recovery_attempt;
DROP TABLE recovery_attempt;
ALTER TABLE old_attempt RENAME TO recovery_attempt;
DROP TABLE incident;
DROP TABLE step_attempt;
DROP TABLE backup_run;
ALTER TABLE alert_outbox DROP COLUMN incident_id;
PRAGMA user_version = 7;
COMMIT;
SQL
expect_equal "$(sqlite3 .lfs-wrapper/state.db 'PRAGMA user_version')" "7"
run recovery history
expect_status 0
expect_out "system_error outside build steps  1 attempt  recovered"
expect_out "  chain system_error  attempt 1  recovered"
expect_equal "$(sqlite3 .lfs-wrapper/state.db 'PRAGMA user_version')" "10"
OUT=$("$LFSW" recovery report 1 --format json)
expect_equal "$(json "d['source'], d['outcome']" <<<"$OUT")" "earlier version recovered"

finish
