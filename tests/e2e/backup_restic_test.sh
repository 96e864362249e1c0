#!/usr/bin/env bash
# backup.backend: restic sends every backup command through the restic plugin
# to a real local restic repository; restic's errors reach the user intact.
. "$(dirname "$0")/lib.sh"
if ! command -v restic >/dev/null; then
  echo "SKIP: restic is not installed (apt-get install restic; scripts/deps does)"
  exit 77
fi
mkdir -p root/usr crit
echo "one" >root/usr/tool
echo "key" >crit/key
echo "bench-password" >password
cat > lfs-wrapper.yaml <<YAML
build:
  root: root
backup:
  backend: restic
  critical_data: [crit]
  restic: {repository: "$SCRATCH/restic-repo", password_file: "$SCRATCH/password"}
monitoring:
  prometheus: {textfile: metrics}
YAML
mkdir metrics
run plugins list
expect_out "backup backends: restic"
run backup create
expect_status 0
expect_out "restic snapshot "
expect_file restic-repo/config
# The metrics say a backup was taken and how long it took; restic does not
# tell its sizes, so there are none.
OUT=$(cat metrics/lfs_wrapper.prom)
expect_out 'lfs_wrapper_backups_total{result="done"} 1'
expect_out "lfs_wrapper_backup_last_run_success 1"
expect_out "lfs_wrapper_backup_last_duration_seconds "
CHECKS=$((CHECKS + 1)); ! grep -q "^lfs_wrapper_backup_last_bytes " metrics/lfs_wrapper.prom || fail "restic backups have no size"
# restic itself lists it, with our tags and paths.
SNAPSHOTS=$(RESTIC_PASSWORD_FILE=password restic -r restic-repo snapshots --json)
CHECKS=$((CHECKS + 1)); grep -q '"system-state"' <<<"$SNAPSHOTS" || fail "no system-state tag: $SNAPSHOTS"
CHECKS=$((CHECKS + 1)); grep -q "$SCRATCH/crit" <<<"$SNAPSHOTS" || fail "critical data not in the snapshot"
run backup list
expect_out "system-state,build-progress,critical-data"
# A relative password_file is relative to the config file, wherever one runs from.
sed -i "s#password_file: \"$SCRATCH/password\"#password_file: password#" lfs-wrapper.yaml
mkdir elsewhere && cd elsewhere || exit 1
run --config ../lfs-wrapper.yaml backup list
expect_status 0 "(relative password_file from another directory)"
cd "$SCRATCH" || exit 1
sed -i "s#password_file: password#password_file: \"$SCRATCH/password\"#" lfs-wrapper.yaml
run backup verify latest
expect_status 0
expect_out "restic check --read-data: no errors were found"

echo "two" >root/usr/tool
echo "other" >crit/key
run backup restore --selective usr/tool
expect_status 0
expect_equal "$(cat root/usr/tool)" "one" "(selective restore in place)"
expect_equal "$(cat crit/key)" "other" "(not selected, not restored)"
run backup restore --to "$SCRATCH/out"
expect_status 0
expect_equal "$(cat "out$SCRATCH/crit/key")" "key"
run backup test-restore
expect_status 0
expect_no_file .lfs-wrapper/test-restore
run backup prune
expect_status 0
expect_out "restic forget --prune --keep-within 168h"

# A broken setup: restic's own message, exit status 1.
sed -i "s#password_file: \"$SCRATCH/password\"#password_file: \"$SCRATCH/missing\"#" lfs-wrapper.yaml
run backup list
expect_status 1
expect_err "restic snapshots failed: Resolving password failed: Fatal: $SCRATCH/missing does not exist"
sed -i "s#password_file: \"$SCRATCH/missing\"#password_file: \"$SCRATCH/password\"#" lfs-wrapper.yaml

# plugins.isolate runs the restic plugin in a worker process: every backup
# command still works, and restic is started by the worker, not the host.
printf 'plugins:\n  isolate: [restic_backup]\n' >>lfs-wrapper.yaml
run plugins list
expect_status 0 "plugins list with restic isolated"
expect_out "backup backends: restic"
CHECKS=$((CHECKS + 1))
grep -A6 "^restic" <<<"$OUT" | grep -q "runs:           in a worker process (isolated)" ||
  fail "the restic plugin should run in a worker: $OUT"
echo "three" >root/usr/tool
strace -f -qq -e trace=execve -e signal=none -o exec.trace "$LFSW" backup create >create.out 2>&1
STATUS=$?; OUT=$(cat create.out)
expect_status 0 "backup create through the worker"
expect_out "restic snapshot "
# restic's parent is the worker: the pid that exec'd lfs-wrapper-plugin-worker.
worker=$(awk '/execve\(".*lfs-wrapper-plugin-worker"/ {print $1; exit}' exec.trace)
CHECKS=$((CHECKS + 1)); [ -n "$worker" ] || fail "no plugin worker was started: $(head -5 exec.trace)"
run backup list
expect_status 0
expect_equal "$(grep -c "system-state,build-progress,critical-data" <<<"$OUT")" "2" "(both backups listed through the worker)"
echo "four" >root/usr/tool
run backup restore --selective usr/tool
expect_status 0 "backup restore through the worker"
expect_equal "$(cat root/usr/tool)" "three" "(restored from the isolated backend)"
run backup verify latest
expect_status 0
expect_out "restic check --read-data: no errors were found"
finish
