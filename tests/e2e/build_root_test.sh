#!/usr/bin/env bash
# Supervision features that need root: a full tmpfs (ENOSPC), chroot steps,
# steps as another user. Skipped, with the reason, when not root or when this
# machine does not allow mounting.
. "$(dirname "$0")/lib.sh"

require_root_and_mount "mounts a tmpfs, chroots, switches users"

cleanup_mounts() {
  for m in $(awk -v s="$SCRATCH/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  rm -rf "$SCRATCH"
}
trap cleanup_mounts EXIT

# ---- a step writing to a tiny full tmpfs fails out of disk and raises resource_exhaustion
mkdir -p root/tiny
mount -t tmpfs -o size=256k tmpfs root/tiny
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
recovery_actions:
  resource_exhaustion:
    - adjust_limits
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: fill
    run: dd if=/dev/zero of="$LFS/tiny/blob" bs=64k count=100
YAML
run build start --plan plan.yaml
expect_status 1 "out of disk"
expect_out "out of disk space (ENOSPC)"
expect_out "recovering from resource_exhaustion:disk in step fill"
expect_out "adjust_limits: not-applicable (out of disk space: fewer jobs or less memory would not help; free space instead)"
run build status
expect_out "resource_exhaustion:disk"
run analyze errors
expect_out "No space left on device"
umount root/tiny

# ---- a chroot step sees the build root as / with /dev, /proc, /sys and /run, unmounted afterwards
rm -rf .lfs-wrapper
mkdir -p root/bin root/usr/bin root/lib root/lib64 root/lib/x86_64-linux-gnu
cp /bin/sh root/bin/sh
for lib in $(ldd /bin/sh | grep -o '/[^ ]*'); do mkdir -p "root$(dirname "$lib")"; cp "$lib" "root$lib"; done
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: inside
    chroot: true
    run: |
      echo "root is $(cd / && echo *)"
      [ -e /proc/self/stat ] && echo "proc mounted"
      [ -e /dev/null ] && echo "dev mounted"
      [ -d /sys/kernel ] && echo "sys mounted"
      echo marker > /run/marker && echo "run writable"
      while read -r line; do
        case "$line" in
          *" /dev/pts "*" - devpts "*mode=620*gid=5*|*" /dev/pts "*" - devpts "*gid=5*mode=620*) echo "devpts gid=5 mode=0620 mounted" ;;
          *" /dev/shm "*" - tmpfs "*) echo "shm tmpfs mounted" ;;
          *" /run "*" - tmpfs "*) echo "run tmpfs mounted" ;;
        esac
      done < /proc/self/mountinfo
      echo "home=$HOME path=$PATH makeflags=$MAKEFLAGS testsuiteflags=$TESTSUITEFLAGS"
      printf "ps1=%s\n" "$PS1"
      [ -z "${LFSW_STATE_DIR+set}" ] && echo "no LFSW_STATE_DIR inside"
      [ -z "${LFS_HOST_LEAK+set}" ] && echo "no host variable inside"
YAML
LFS_HOST_LEAK=1 run build start --plan plan.yaml
expect_status 0 "chroot step"
expect_out "proc mounted"
expect_out "dev mounted"
expect_out "sys mounted"
expect_out "run writable"
# The book's kernfs mounts and the environment of its chroot command (chapter 7)
expect_out "devpts gid=5 mode=0620 mounted"
expect_out "shm tmpfs mounted"
expect_out "run tmpfs mounted"
expect_out "home=/root path=/usr/bin:/usr/sbin makeflags=-j"
expect_out 'ps1=(lfs chroot) \u:\w\$ '
expect_out "no LFSW_STATE_DIR inside"
expect_out "no host variable inside"
expect_equal "$(awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts left after the chroot step)"

# unmounted even when the step is killed
cat > plan.yaml <<'YAML'
steps:
  - name: inside
    chroot: true
    run: |
      echo started > /run/started
      while :; do :; done
YAML
rm -rf .lfs-wrapper
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
for _ in $(seq 50); do [ -f root/run/started ] && break; sleep 0.1; done
run build stop --force
expect_status 0 "stop --force"
wait "$supervisor"
expect_equal "$(awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts left after a stopped chroot step)"

# a supervisor killed with SIGKILL leaves none either: the mounts live in the
# step's own mount namespace, and the next run ends the orphaned step
rm -rf .lfs-wrapper
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
for _ in $(seq 50); do [ -f root/run/started ] && break; sleep 0.1; done
kill -9 "$supervisor"; wait "$supervisor" 2>/dev/null
expect_equal "$(awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts seen outside the step after kill -9)"
CHECKS=$((CHECKS + 1)); pgrep -f 'while :; do :; done' >/dev/null || fail "the orphaned step should still run until resume ends it"
sed -i 's/      while :; do :; done/      true/' plan.yaml
run build resume
expect_status 0 "resume after kill -9"
expect_out "was interrupted when its supervisor died"
CHECKS=$((CHECKS + 1)); ! pgrep -f 'while :; do :; done' >/dev/null || fail "resume left the orphaned step running"
expect_equal "$(awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts after resume)"

# ---- resources.limits.memory caps the step in a memory cgroup of its own:
# the kernel OOM-kills past it, the cgroup's counter is the evidence, and
# the step's cgroup is gone afterwards
rm -rf .lfs-wrapper root && mkdir -p root
cp lfs-wrapper.yaml before-cgroup.yaml
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
resources:
  limits: {memory: 64M}
auto_recovery: {conditions: [resource_exhaustion]}
recovery_actions:
  resource_exhaustion:
    - adjust_limits
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: hog
    run: |
      if [ ! -e ../hogged ]; then touch ../hogged; /usr/bin/python3 -c 'b = b"x" * (300 << 20)'; fi
      echo fits now
YAML
rm -f hogged
run build start --plan plan.yaml
if grep -q "RLIMIT_AS per process" .lfs-wrapper/lfs-wrapper.log; then
  echo "note: no writable memory cgroup here ($(grep -o 'RLIMIT_AS per process.*' .lfs-wrapper/lfs-wrapper.log | head -1)); cgroup cap not tested"
else
  expect_status 1 "(hog over its cgroup cap)"
  expect_out "killed by the OOM killer"
  expect_out "recovering from resource_exhaustion:memory in step hog"
  run analyze errors
  expect_out "resource_exhaustion:memory"
  CHECKS=$((CHECKS + 1)); grep -qE "\(cgroup /sys/fs/cgroup/.*lfsw-step-1-1-1/memory\.(events|oom_control): oom_kill 1\)" <<<"$OUT" ||
    fail "no cgroup OOM evidence in analyze errors: $OUT"
  CHECKS=$((CHECKS + 1)); grep -q "memory cap 64 MiB: cgroup v" .lfs-wrapper/lfs-wrapper.log ||
    fail "the log does not say how the cap applied"
  CHECKS=$((CHECKS + 1)); [ -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'lfsw-step-*' 2>/dev/null)" ] ||
    fail "a step cgroup was left behind: $(find /sys/fs/cgroup -maxdepth 6 -type d -name 'lfsw-step-*')"
  run build resume
  expect_status 0 "(the step fits once it stops hogging)"
  expect_out "fits now"
fi
mv before-cgroup.yaml lfs-wrapper.yaml

# ---- a step runs as another user
rm -rf .lfs-wrapper root && mkdir -p root && chmod 777 root
cat > plan.yaml <<'YAML'
steps:
  - name: as-nobody
    user: nobody
    run: echo "running as $(id -un), HOME=$HOME"
YAML
run build start --plan plan.yaml
expect_status 0 "user step"
expect_out "running as nobody"

# ---- process stop --resource-heavy names and stops the heaviest process
rm -rf .lfs-wrapper
cat > plan.yaml <<'YAML'
steps:
  - name: heavy
    run: |
      perl -e '$x = "a" x (200 * 1024 * 1024); sleep 60' &
      heavy=$!
      sleep 60 &
      wait $heavy
YAML
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
sleep 1.5
run process stop --resource-heavy
expect_status 0 "process stop"
expect_out "(perl):"
expect_out "MiB resident"
wait "$supervisor"
run build status
CHECKS=$((CHECKS + 1)); grep -qE 'heavy +failed' <<<"$OUT" || fail "the step should have failed: $OUT"

# ---- a supervisor holding secrets cannot be read by another process of its user
# (no core dump, no ptrace, no /proc/PID/environ), while its steps stay ordinary.
mkdir -p nobody-home/root && chown -R nobody nobody-home && chmod 711 "$SCRATCH"
cat > nobody-home/plan.yaml <<'YAML'
steps:
  - name: waits
    run: touch "$LFS/started"; cat /proc/self/environ >/dev/null && echo "step environ readable"; sleep 3
YAML
printf 'build: {root: root}\n' >nobody-home/lfs-wrapper.yaml
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
(cd nobody-home && LFSW_SECRET=hunter2 as_nobody "$LFSW" build start --plan plan.yaml >start.out 2>&1) &
for _ in $(seq 50); do [ -e nobody-home/root/started ] && break; sleep 0.1; done
supervisor=$(pgrep -u nobody -x lfs-wrapper | head -1)
CHECKS=$((CHECKS + 1)); [ -n "$supervisor" ] || fail "no supervisor running as nobody"
CHECKS=$((CHECKS + 1))
if as_nobody cat "/proc/$supervisor/environ" >/dev/null 2>&1; then
  fail "another process of the supervisor's user read its environment"
fi
wait
expect_equal "$(grep -c 'step environ readable' nobody-home/start.out)" "1" "(the step itself is ordinary)"
finish
