#!/usr/bin/env bash
# config validate, show, get and set against real files.
. "$(dirname "$0")/lib.sh"

cat > lfs-wrapper.yaml <<'YAML'
# my build
backup:
  schedule: "0 */4 * * *"  # Every 4 hours
  retention: "7d"          # Keep for 7 days
  types:
    - system-state
    - build-progress
    - critical-data
monitoring:
  resources:
    disk: true
    memory: true
    cpu: true
  thresholds:
    disk_usage: 90%
    memory_usage: 85%
    cpu_load: 95%
auto_recovery:
  enabled: true
  max_attempts: 3
  conditions:
    - build_failure
    - resource_exhaustion
    - minor_corruption
YAML

run config validate
expect_status 0 "seed blocks validate"

expect_out "lfs-wrapper.yaml: valid"

# The shipped example config (the seed's YAML, complete) is valid.
EXAMPLES="$(cd "$(dirname "$0")/../../examples" && pwd)"
for example in lfs-wrapper laptop build-server ci; do
  run --config "$EXAMPLES/configs/$example.yaml" config validate
  expect_status 0 "(examples/configs/$example.yaml validates)"
done

LFSW_CONFIG=$SCRATCH/lfs-wrapper.yaml run config get backup.retention
expect_out "7d"

run config get monitoring.thresholds.cpu_load
expect_status 0
expect_equal "$OUT" "95%"

run config get alerts.methods
expect_out "[log]"

run config get backup.retension
expect_status 2 "unknown key"
expect_err "unknown config key 'backup.retension', did you mean 'backup.retention'?"

run config show
expect_status 0
expect_out "# effective configuration: lfs-wrapper.yaml, defaults filled in"
expect_out "max_attempts: 3"
expect_out "state_dir: \"\""

# set: in place, comments kept
run config set backup.retention 14d
expect_status 0 "config set"
expect_out "backup.retention = 14d"
CHECKS=$((CHECKS + 1)); grep -qF 'retention: 14d          # Keep for 7 days' lfs-wrapper.yaml || fail "comment not kept: $(cat lfs-wrapper.yaml)"
CHECKS=$((CHECKS + 1)); grep -qF '# my build' lfs-wrapper.yaml || fail "header comment lost"

# set: validated before writing; the file is untouched on error
cp lfs-wrapper.yaml before.yaml
run config set monitoring.thresholds.disk_usage 190%
expect_status 2 "invalid value refused"
expect_err "lfs-wrapper.yaml:15:17: monitoring.thresholds.disk_usage: expected a percentage"
expect_err "was not changed"
CHECKS=$((CHECKS + 1)); cmp -s lfs-wrapper.yaml before.yaml || fail "file changed by a refused set"

run config set auto_recovery.max_attempts 5
expect_status 0
run config get auto_recovery.max_attempts
expect_equal "$OUT" "5"

# every kind of error at once, with FILE:LINE:COLUMN, exit 2
cat > bad.yaml <<'YAML'
bakup:
  schedule: "0 */4 * * *"
backup:
  retention: 7
  schedule: "0 */4 * *"
monitoring:
  thresholds:
    disk_usage: ninety
auto_recovery:
  enabled: yes please
  conditions: [build_failure, disk_on_fire]
recovery_actions:
  build_failur:
    - run_comand
  build_failure:
    - run_command: {command: "make clean", timeout: later}
YAML
run --config bad.yaml config validate
expect_status 2 "bad config"
expect_err "bad.yaml:1:1: unknown key 'bakup', did you mean 'backup'?"
expect_err "bad.yaml:4:14: backup.retention: expected a duration such as 30s, 5m, 1h or 7d, found '7'"
expect_err "bad.yaml:5:13: backup.schedule: invalid cron expression: expected 5 fields"
expect_err "bad.yaml:8:17: monitoring.thresholds.disk_usage: expected a percentage from 0% to 100% such as 90%, found 'ninety'"
expect_err "bad.yaml:10:12: auto_recovery.enabled: expected true or false, found 'yes please'"
expect_err "bad.yaml:14:7: recovery_actions.build_failur: no loaded plugin provides action 'run_comand', did you mean 'run_command'?"
expect_err "bad.yaml: 9 problems"

# names are checked once the structure is right
cat > names.yaml <<'YAML'
auto_recovery:
  conditions: [build_failure, disk_on_fire]
recovery_actions:
  build_failur:
    - run_comand
  build_failure:
    - run_command: {command: "make clean", timeout: later}
YAML
run --config names.yaml config validate
expect_status 2 "unresolved names"
expect_err "names.yaml:2:31: auto_recovery.conditions: no loaded plugin provides condition 'disk_on_fire'"
expect_err "names.yaml:4:3: recovery_actions: no loaded plugin raises condition 'build_failur', did you mean 'build_failure'?"
expect_err "names.yaml:5:7: recovery_actions.build_failur: no loaded plugin provides action 'run_comand', did you mean 'run_command'?"
expect_err "names.yaml:7:53: recovery_actions.build_failure.run_command.timeout: expected a duration such as 30s or 5m, found 'later'"

# a command that needs the config refuses to run with it broken
run --config names.yaml recovery run build_failure
expect_status 2 "commands refuse a broken config"
expect_err "did not run"
expect_no_file .lfs-wrapper

# without any config file: the built-in defaults
mkdir empty && cd empty || exit 1
run config validate
expect_status 0
expect_out "<built-in defaults>: valid"
cd "$SCRATCH" || exit 1

# config set without a file creates ./lfs-wrapper.yaml
mkdir fresh && cd fresh || exit 1
run config set auto_recovery.max_attempts 4
expect_status 0
expect_file lfs-wrapper.yaml
run config get auto_recovery.max_attempts
expect_equal "$OUT" "4"

# ---- secrets: masked at any depth, a URL path token too; config set keeps a
# 0600 file 0600 and never writes through a link planted at its temporary name
cd "$SCRATCH" && mkdir secrets && cd secrets || exit 1
cat > lfs-wrapper.yaml <<'YAML'
alerts:
  webhook:
    url: https://hooks.example.org/services/T000/B000/path-token-secret?key=query-secret
    headers: {Authorization: "Bearer header-secret"}
backup:
  restic: {repository: "rest:https://user:restic-secret@backup.example.org/repo"}
YAML
chmod 600 lfs-wrapper.yaml
for key in alerts.webhook.headers.Authorization alerts.webhook.headers alerts.webhook alerts \
           alerts.webhook.url backup.restic.repository; do
  run config get "$key"
  expect_status 0 "config get $key"
  for secret in header-secret path-token-secret query-secret restic-secret; do
    expect_no_out "$secret"
  done
done
run config get alerts.webhook.headers.Authorization
expect_equal "$OUT" "********"
run config show
for secret in header-secret path-token-secret query-secret restic-secret; do expect_no_out "$secret"; done
expect_out "https://hooks.example.org/********?********"
expect_out "rest:https://user:********@backup.example.org/repo"
echo untouched > ../victim
ln -s "$SCRATCH/victim" .lfs-wrapper.yaml.tmp
run config set auto_recovery.max_attempts 5
expect_status 0 "config set with a planted link at the temporary name"
expect_equal "$(cat ../victim)" "untouched" "(the file a planted link points to)"
expect_equal "$(stat -c %a lfs-wrapper.yaml)" "600" "(mode of a 0600 config after config set)"
CHECKS=$((CHECKS + 1)); grep -q "header-secret" lfs-wrapper.yaml || fail "config set lost the header"
cd "$SCRATCH" || exit 1

# ---- config validate reports every problem in one pass, the plan's too
cd "$SCRATCH" && mkdir onepass && cd onepass || exit 1
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root, plan: plan.yaml}
auto_recovery: {max_attempts: many}
backup: {types: [critical-data], retention: 7d}
recovery_actions:
  build_failure:
    - stop_biuld
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: one
    run: "true"
    timeout: soon
  - name: one
    run: "true"
YAML
run config validate
expect_status 2 "config validate with problems in the config and the plan"
expect_err "lfs-wrapper.yaml:2:31"
expect_err "stop_biuld"
expect_err "did you mean 'stop_build'"
expect_err "plan.yaml:4:14"
expect_err "duplicate step name 'one' (first on line 2)"
printf 'backup: {types: [critical-data]}\n' > lfs-wrapper.yaml
run config validate
expect_status 0 "a valid config that backs up no critical data"
expect_err "warning: backup.types has critical-data but backup.critical_data names no path"
cd "$SCRATCH" || exit 1

finish