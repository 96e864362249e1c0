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
YAML
run plugins list
expect_out "backup backends: restic"
run backup create
expect_status 0
expect_out "restic snapshot "
expect_file restic-repo/config
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
finish
