#!/usr/bin/env bash
# As root, over a tree that build steps write: a chroot step's mounts never
# reach the host's, a mount point planted as a symlink is refused, and
# restore and clean never cross into a file system mounted inside the root.
# Runs in a private mount namespace whose / is made shared, as on every
# systemd host, so that a mount that propagates would show.
. "$(dirname "$0")/lib.sh"

require_root_and_mount "mounts and chroots"
mount --make-rshared /

mkdir -p root/bin root/usr/bin root/lib root/lib64 outside
cp /bin/sh /bin/sleep root/bin/
# The book's chroot PATH is /usr/bin:/usr/sbin (an LFS /bin links to usr/bin).
cp /bin/sleep root/usr/bin/
for lib in $( (ldd /bin/sh; ldd /bin/sleep) | grep -o '/[^ ]*' | sort -u); do mkdir -p "root$(dirname "$lib")"; cp "$lib" "root$lib"; done
cat > lfs-wrapper.yaml <<'YAML'
build: {root: root, scratch: [scratch]}
YAML
mounts_below_root() { awk -v s="$SCRATCH/root/" 'index($5, s) == 1' /proc/self/mountinfo | wc -l; }

# ---- a chroot step leaves the host's /dev, /dev/pts and /dev/shm mounted
before=$(findmnt -R -n -o TARGET /dev | sort)
cat > plan.yaml <<'YAML'
steps:
  - name: inside
    chroot: true
    checkpoint: false
    run: |
      [ -e /dev/null ] && echo "dev mounted"
      [ -e /proc/self/stat ] && echo "proc mounted"
      echo started > /run/started
      echo started > /step-started
      while [ ! -e /go-on ]; do sleep 0.1; done
YAML
"$LFSW" build start --plan plan.yaml > start.out 2>&1 &
supervisor=$!
for _ in $(seq 100); do [ -f root/step-started ] && break; sleep 0.1; done
expect_file root/step-started
# While the step runs, its mounts are its own: the host sees none of them.
expect_equal "$(mounts_below_root)" "0" "(the chroot's mounts seen from the host while the step runs)"
expect_no_file root/run/started
touch root/go-on
wait "$supervisor"; STATUS=$?; OUT=$(cat start.out); ERR=
expect_status 0 "chroot step"
expect_out "dev mounted"
expect_out "proc mounted"
expect_equal "$(findmnt -R -n -o TARGET /dev | sort)" "$before" "(the host's /dev mounts after the chroot step)"
CHECKS=$((CHECKS + 1)); findmnt -n /dev/pts >/dev/null || fail "the host's /dev/pts is gone"
expect_equal "$(mounts_below_root)" "0" "(mounts left below the root)"

# ---- mount points an earlier step made symlinks are refused, and nothing is
# mounted where they point
rm -rf .lfs-wrapper root/go-on root/step-started
rmdir root/run root/dev
mkdir -p outside/run outside/dev
echo mine > outside/dev/keep
cat > plan.yaml <<YAML
steps:
  - name: plant
    checkpoint: false
    run: ln -s "$SCRATCH/outside/run" "\$LFS/run" && ln -s "$SCRATCH/outside/dev" "\$LFS/dev"
  - name: inside
    chroot: true
    checkpoint: false
    run: echo "ran inside"
YAML
run build start --plan plan.yaml
expect_status 1 "chroot step over planted symlinks"
expect_out "refusing to mount over $SCRATCH/root/dev: it is not a plain directory"
expect_no_out "ran inside"
expect_equal "$(ls outside/run | wc -l)" "0" "(something appeared where the planted run link points)"
expect_equal "$(ls outside/dev)" "keep" "(outside/dev after the refused step)"
expect_equal "$(awk -v s="$SCRATCH/outside" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)" "0" "(mounts on the link targets)"
rm -f root/run root/dev

# ---- checkpoint restore never deletes or writes through a bind mount
rm -rf .lfs-wrapper
mkdir -p root/srv root/data
echo one > root/data/file
run checkpoint create before-mount
expect_status 0 "checkpoint create"
mkdir -p outside/precious outside/other
echo keep > outside/precious/a
echo keep > outside/precious/b
echo theirs > outside/other/file
mkdir root/mnt
mount --bind outside/precious root/mnt
# data/ exists in the checkpoint; what is mounted on it now is not the tree's
mount --bind outside/other root/data
echo extra > root/srv/extra
run checkpoint restore before-mount
expect_status 1 "restore with mount points inside the root"
expect_err "left alone 2 mount points inside the build root"
expect_err "$SCRATCH/root/mnt"
expect_err "$SCRATCH/root/data"
expect_equal "$(cat outside/precious/a outside/precious/b)" "keep
keep" "(files on the bind mount after restore)"
expect_equal "$(cat outside/other/file)" "theirs" "(a file on a mount over a checkpointed directory)"
expect_no_file root/srv/extra
# the rest of the tree was restored
expect_file root/bin/sh

# ---- clean build and backups never cross it either
mkdir -p root/scratch
mount --bind outside/precious root/scratch
run clean build
expect_status 1 "clean build with a mount point as scratch"
expect_out "left alone 1 mount point"
expect_equal "$(ls outside/precious | wc -l)" "2" "(files on the bind mount after clean build)"
umount root/scratch root/mnt root/data
rmdir root/mnt root/scratch

run checkpoint restore before-mount
expect_status 0 "restore once the mounts are gone"
expect_equal "$(cat root/data/file)" "one" "(restored file)"

finish
