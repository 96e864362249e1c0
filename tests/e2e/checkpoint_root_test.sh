#!/usr/bin/env bash
# Checkpoint fidelity that needs root: owners, device nodes,
# security.capability, and a store that runs out of disk.
. "$(dirname "$0")/lib.sh"
require_root_and_mount "chown, mknod, security.capability, mounting a tmpfs"
trap 'umount -l "$SCRATCH/state" 2>/dev/null; rm -rf "$SCRATCH"' EXIT

fingerprint() {
  (cd "$1" && find . -mindepth 1 -printf '%y %m %U %G %s %T@ %n %l %D %p\n' | sort -k10 &&
    find . -type c -printf '%p ' -exec stat -c '%t:%T' {} \; | sort &&
    find . -type f -exec sha256sum {} + | sort -k2 &&
    getfattr -R -d -m - --absolute-names . 2>/dev/null | grep -v '^#' | sort)
}

printf 'build:\n  root: root\n  state_dir: state\n' > lfs-wrapper.yaml
mkdir -p root/dev root/usr/bin root/home/lfs state
mknod root/dev/null-copy c 1 3
mknod root/dev/loop-copy b 7 0
echo ping > root/usr/bin/ping
setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 root/usr/bin/ping
chown 1001:1002 root/home/lfs
echo suid > root/usr/bin/su-like && chown 0:7 root/usr/bin/su-like && chmod 6755 root/usr/bin/su-like
ln -s ping root/usr/bin/ping6 && chown -h 1001:1001 root/usr/bin/ping6
before=$(fingerprint root)
run checkpoint create owners --good
expect_status 0

chown -R 0:0 root
chmod 755 root/usr/bin/su-like
# (chown has already dropped security.capability, as the kernel does)
rm root/dev/null-copy && echo "not a device" > root/dev/null-copy
rm root/dev/loop-copy
run checkpoint restore owners
expect_status 0 "restore as root"
expect_equal "$(fingerprint root)" "$before" "(owners, setuid/setgid, capabilities and devices restored)"
expect_equal "$(stat -c %a root/usr/bin/su-like)" "6755" "(setuid and setgid survive the chown before the chmod)"

# ---- out of disk in the store: a clear error, earlier checkpoints intact, the tree untouched
mount -t tmpfs -o size=300k,mode=0700 tmpfs state  # a fresh tmpfs is 1777: refused as a state directory
run checkpoint create small
expect_status 0 "a checkpoint that fits"
head -c 2000000 /dev/urandom > root/usr/bin/big
tree_before=$(fingerprint root)
run checkpoint create too-big
expect_status 1 "out of disk"
expect_err "No space left on device"
expect_equal "$(fingerprint root)" "$tree_before" "(the tree is untouched)"
run checkpoint list
expect_out "small"
expect_no_out "too-big"
rm root/usr/bin/big
run verify system --all
expect_status 0 "the store still verifies"
run checkpoint restore small
expect_status 0 "the earlier checkpoint restores"
finish
