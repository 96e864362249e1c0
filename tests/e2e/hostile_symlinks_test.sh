#!/usr/bin/env bash
# A build tree full of symlinks pointing out of it: no command writes
# through them. The victim directory outside must be byte-for-byte the same
# after checkpoints, restores, backups, cleaning and free_resources.
. "$(dirname "$0")/lib.sh"

mkdir -p victim/sub root/usr/bin root/sources cache
echo "precious" >victim/secret
echo "also precious" >victim/sub/data
echo "data" >victim/mode-victim && chmod 600 victim/mode-victim
snapshot() { (cd "$SCRATCH/victim" && find . -printf '%p %y %s %m %T@\n' | sort && cat secret sub/data) | sha256sum; }
BEFORE=$(snapshot)

echo "tool" >root/usr/bin/tool
ln -s "$SCRATCH/victim" root/escape-dir
ln -s "$SCRATCH/victim/secret" root/escape-file
ln -s / root/rootfs
ln -s "$SCRATCH/victim" root/sources/gcc-build        # matches build.scratch
ln -s "$SCRATCH/victim" cache/link                      # inside a reclaim path
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  scratch: [sources/*-build, escape-dir/sub]
resources:
  reclaim: [cache]
backup:
  critical_data: [root/usr]
YAML
run checkpoint create c1
expect_status 0
run backup create
expect_status 0

# Plant links where the checkpoint has a directory and a file, then restore.
rm -rf root/usr/bin && ln -s "$SCRATCH/victim" root/usr/bin
rm root/escape-file && echo "overwritten?" >root/escape-file.tmp && ln -s "$SCRATCH/victim/sub/data" root/escape-file
run checkpoint restore c1
expect_status 0
expect_equal "$(cat root/usr/bin/tool)" "tool" "(restored as a real directory)"
CHECKS=$((CHECKS + 1)); [ ! -L root/usr/bin ] || fail "root/usr/bin is still a link"
expect_equal "$(readlink root/escape-file)" "$SCRATCH/victim/secret" "(the link restored as a link)"

rm -rf root/usr/bin && ln -s "$SCRATCH/victim" root/usr/bin
run backup restore
expect_status 0
expect_equal "$(cat root/usr/bin/tool)" "tool"
run backup restore --selective usr/bin/tool
expect_status 0

# backup restore --to DIR, where DIR's subdirectories were made links out.
mkdir look && ln -s "$SCRATCH/victim" look/critical-data
run backup restore --to look
expect_status 1
expect_err "a directory on the way is a symlink, a mount point or not a directory; nothing was restored"
expect_equal "$(ls look)" "critical-data" "(nothing made below --to when refused)"
rm look/critical-data && ln -s "$SCRATCH/victim" look/build-progress
run backup restore --to look
expect_status 1
expect_err "a directory on the way is a symlink"
expect_equal "$(ls look)" "build-progress" "(nothing made below --to when refused)"
rm look/build-progress
run backup restore --to look
expect_status 0
expect_equal "$(cat look/critical-data/usr/bin/tool)" "tool" "(restored below --to as real directories)"

# A missing build root is made again, one directory, in a parent that exists.
mv root root.kept
run checkpoint restore c1
expect_status 0
expect_equal "$(cat root/usr/bin/tool)" "tool" "(the missing root was made again)"
rm -rf root && mv root.kept root

# A file swapped for a link to the victim while restore sets its mode: strace
# holds the chmod for 2 s at its entry, the swap happens then. The mode goes
# to the file that was looked at, never through the link.
rm -rf race && mkdir -p race/root && echo data >race/root/f && chmod 666 race/root/f
printf 'build: {root: root}\n' >race/lfs-wrapper.yaml
(cd race && "$LFSW" checkpoint create c1 >/dev/null) && chmod 644 race/root/f
(cd race && strace -f -qq -o trace.log -e trace=chmod,fchmodat -e inject=chmod,fchmodat:delay_enter=2000000 \
   "$LFSW" checkpoint restore c1 >restore.out 2>&1) &
for _ in $(seq 200); do grep -qE "chmod(at)?\(" race/trace.log 2>/dev/null && break; sleep 0.05; done
CHECKS=$((CHECKS + 1)); grep -qE "chmod(at)?\(" race/trace.log || fail "restore never set a mode: $(cat race/restore.out)"
mv race/root/f race/root/f.looked-at && ln -s "$SCRATCH/victim/mode-victim" race/root/f
wait
expect_equal "$(stat -c %a victim/mode-victim)" "600" "(the victim's mode, after a swap during restore's chmod)"
expect_equal "$(stat -c %a race/root/f.looked-at)" "666" "(the mode went to the file restore looked at)"

run clean build
run clean cache --all
run clean system --deep
printf 'recovery_actions:\n  resource_exhaustion: [free_resources]\n' >>lfs-wrapper.yaml
run recovery run resource_exhaustion
expect_status 0
run verify build --thorough

expect_equal "$(snapshot)" "$BEFORE" "(the victim outside the tree is untouched)"
expect_file victim/sub/data
finish
