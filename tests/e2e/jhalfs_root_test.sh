#!/usr/bin/env bash
# An imported jhalfs tree built for real, as root: SETUP as root, LUSER as an
# lfs user the test creates (through the book's addinguser page) and removes,
# a failure in chapter 5 rolled back and resumed, SUDO as root, CHROOT inside
# a minimal root (busybox and bash) with the book's mounts and environment.
# Nothing is written to /mnt/lfs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/jhalfs_tree.sh"

require_root_and_mount "creates the lfs user, chroots and mounts"
if getent passwd lfs >/dev/null || getent group lfs >/dev/null; then
  echo "SKIP: this machine has an lfs user or group already; the test makes and removes its own"
  exit 77
fi
command -v busybox >/dev/null || { echo "SKIP: needs busybox (busybox-static) for the chroot"; exit 77; }
trap 'userdel -r lfs >/dev/null 2>&1; groupdel lfs >/dev/null 2>&1' EXIT
mnt_before=$(ls -la /mnt/lfs 2>&1)

# The lfs user reaches the build root as in the book ($LFS is 755).
chmod 755 "$SCRATCH"
mkdir -p root/usr/bin root/bin root/lib root/lib64
# A minimal root for the CHROOT phase: bash for the scripts, busybox for the rest.
cp /bin/bash root/bin/bash
cp "$(command -v busybox)" root/usr/bin/busybox
for applet in mkdir cat echo ls; do ln -s busybox "root/usr/bin/$applet"; done
for lib in $(ldd /bin/bash | grep -o '/[^ ]*'); do mkdir -p "root$(dirname "$lib")"; cp "$lib" "root$lib"; done
make_jhalfs_tree root
mkdir -p root/sources
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root}
recovery_actions:
  build_failure:
    - stop_build
    - clean_environment
    - restore_checkpoint
YAML
run plan import jhalfs root/jhalfs --output plan.yaml
expect_status 0 "plan import"

run build start --plan plan.yaml
expect_status 1 "the build stops at 502-gcc-pass1"
expect_out "binutils pass 1 as lfs into $SCRATCH/root for x86_64-lfs-linux-gnu, HOME=/home/lfs"
expect_out "step 502-gcc-pass1 failed"
expect_out "restore_checkpoint: done"
# The half-install is rolled back; what 501 made is kept.
expect_no_file root/tools/gcc-half-installed
expect_file root/tools/binutils
expect_equal "$(stat -c %U root/tools/binutils)" "lfs" "(501 ran as lfs)"
expect_equal "$(stat -c %a root/sources)" "1777" "(the sources directory is the lfs user's to write, as in the book)"
# The book's ~/.bashrc names /mnt/lfs: it names the build root now.
CHECKS=$((CHECKS + 1)); grep -qx "LFS=$SCRATCH/root" /home/lfs/.bashrc || fail "~lfs/.bashrc does not name the build root: $(grep LFS= /home/lfs/.bashrc)"

touch gcc-fixed
run build resume
expect_status 0 "resumed after the fix"
expect_file root/tools/gcc
expect_equal "$(stat -c %U root/tools/gcc)" "root" "(701-changingowner ran as root)"
# CHROOT: inside the build root with the book's mounts and environment.
expect_out "inside: HOME=/root PATH=/usr/bin:/usr/sbin"
expect_out "inside: /proc is proc"
expect_out "inside: /sys is sysfs"
expect_out "inside: /dev/pts is devpts"
expect_out "inside: /run is tmpfs"
expect_file root/boot
expect_file root/jhalfs/test-logs/704-creatingdirs
# and a copy beside the step's own log in the state directory
CHECKS=$((CHECKS + 1)); grep -q "creatingdirs: nothing to test" .lfs-wrapper/steps/*/*-704-creatingdirs.1.test.log || fail "the test log is not kept beside the step log"
expect_file root/etc/fstab
# and gone afterwards
expect_equal "$(awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts left after the chroot steps)"
run build status
expect_out "1001-fstab"
expect_equal "$(ls -la /mnt/lfs 2>&1)" "$mnt_before" "(/mnt/lfs is untouched)"

finish
