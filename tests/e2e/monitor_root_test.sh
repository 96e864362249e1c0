#!/usr/bin/env bash
# A step filling a small tmpfs crosses disk_usage: the supervisor's monitor
# stops it, raises resource_exhaustion, and the seed's chain
# free_resources -> adjust_limits -> restart_build frees the cache and the
# step succeeds on its second attempt.
. "$(dirname "$0")/lib.sh"
require_root_and_mount "mounts a small tmpfs as the build root"

mkdir root
mount -t tmpfs -o size=8M tmpfs root
trap 'umount "$SCRATCH/root" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
mkdir root/ccache
head -c 3000000 /dev/zero >root/ccache/junk
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  state_dir: state
resources:
  reclaim: [root/ccache]
monitoring:
  thresholds: {disk_usage: 60%}
auto_recovery:
  conditions: [resource_exhaustion]
recovery_actions:
  resource_exhaustion: [free_resources, adjust_limits, restart_build]
YAML
cat > plan.yaml <<'PLAN'
steps:
  - name: fill
    run: |
      for i in 1 2 3 4 5 6 7 8 9 10; do
        head -c 262144 /dev/zero > "$LFS/part$i"
        sleep 0.3
      done
      echo filled
PLAN
run build start --plan plan.yaml
expect_status 0 "(recovered by the chain)"
expect_out "is over its threshold of 60.0%"
expect_out "stopping the step"
expect_out "free_resources: done (freed 2.9 MiB"
expect_out "adjust_limits: not-applicable"
expect_out "fill (attempt 2)"
expect_out "its 1 step done"
expect_no_file root/ccache/junk
expect_file root/ccache
expect_equal "$(sqlite3 state/state.db "SELECT condition || ':' || failure_class || ':' || outcome FROM recovery_attempt")" \
  "resource_exhaustion:disk:recovered"
CHECKS=$((CHECKS + 1))
sqlite3 state/state.db "SELECT message FROM build_step" | grep -q "^" || fail "no step message"
run build status
expect_out "done"
finish
