#!/usr/bin/env bash
# Checkpoints against the real binary: fidelity, in-place restore, hostile
# symlinks, incremental checkpoints, gc, verification, crashes, a store of
# the layout before packs.
. "$(dirname "$0")/lib.sh"

# An independent description of a tree: type, mode, owner, size, mtime (ns),
# link target, content hash, hardlink count, xattrs, for every path.
fingerprint() {
  (cd "$1" && find . -mindepth 1 -printf '%y %m %U %G %s %T@ %n %l %p\n' | sort -k9 &&
    find . -type f -exec sha256sum {} + | sort -k2 &&
    getfattr -R -d -m - --absolute-names . 2>/dev/null | grep -v '^#' | sort)
}

# ---- with no state yet, reading commands say so and create nothing
run checkpoint restore last-good
expect_status 1 "restore without a store"
expect_err "no checkpoints yet ($SCRATCH/.lfs-wrapper/store does not exist)"
run verify system --all
expect_status 1
expect_no_file .lfs-wrapper

cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  scratch: [sources/*-build]
checkpoint:
  exclude: ["*.tmp-exclude"]
YAML
mkdir -p root/usr/bin root/usr/lib root/empty/deeper root/sources/pkg-build outside
echo "#!/bin/sh" > root/usr/bin/tool
chmod 4755 root/usr/bin/tool
echo library > root/usr/lib/libx.so.1.2
ln -s libx.so.1.2 root/usr/lib/libx.so.1
ln -s libx.so.1 root/usr/lib/libx.so
ln root/usr/bin/tool root/usr/bin/tool-hardlink
truncate -s 64M root/usr/lib/sparse.img
printf 'data' | dd of=root/usr/lib/sparse.img bs=1 seek=30000000 conv=notrunc status=none
mkfifo root/usr/lib/fifo
setfattr -n user.origin -v "lfs chapter 5" root/usr/lib/libx.so.1.2
echo scratch > root/sources/pkg-build/object.o
echo ignored > root/notes.tmp-exclude
touch -d '2001-02-03 04:05:06.123456789' root/usr/lib/libx.so.1.2
before=$(fingerprint root | grep -v tmp-exclude)

run checkpoint create base --good
expect_status 0 "create"
expect_out "checkpoint base (000001):"
run checkpoint show base
expect_out "usr/lib/libx.so -> libx.so.1"
expect_out "usr/bin/tool-hardlink (hardlink of usr/bin/tool)"
expect_no_out "tmp-exclude"
# Every file's and directory's mode as stat shows it, not only the first one's.
modes_checked=0
while read -r type mode _ _ path; do
  case $type in f | d) ;; *) continue ;; esac
  [ -e "root/$path" ] || continue
  modes_checked=$((modes_checked + 1))
  [ "$(stat -c %04a "root/$path")" = "$mode" ] || fail "checkpoint show gives $path mode $mode, stat $(stat -c %04a "root/$path")"
done < <(sed '1,/^$/d' <<<"$OUT" | grep -v -- ' -> \|(hardlink of ')
CHECKS=$((CHECKS + 1)); [ "$modes_checked" -gt 5 ] || fail "checkpoint show listed only $modes_checked files and directories"
CHECKS=$((CHECKS + 1)); [ "$(du -sk .lfs-wrapper/store/objects | cut -f1)" -lt 2000 ] || fail "the sparse file was stored densely"

# ---- wreck the tree: every kind of change, and planted symlinks pointing outside
echo "modified" >> root/usr/bin/tool
rm root/usr/lib/libx.so
ln -sfn /etc root/usr/lib/libx.so.1
chmod 700 root/usr/lib/libx.so.1.2
setfattr -x user.origin root/usr/lib/libx.so.1.2
setfattr -n user.added -v x root/usr/bin/tool
rm -rf root/empty && echo "now a file" > root/empty
echo new > root/usr/lib/new-file
mv root/usr/bin root/usr/bin.real && ln -s "$SCRATCH/outside" root/usr/bin
echo "still ignored" > root/notes.tmp-exclude
run checkpoint diff base --live --thorough
expect_out "M usr/lib/libx.so.1 (mtime, target)"
expect_out "- usr/lib/libx.so"
expect_out "+ usr/lib/new-file"
expect_out "M empty (type"
run verify build
expect_status 1 "verify build sees differences"

run checkpoint restore last-good
expect_status 0 "restore"
expect_out "restored base (000001)"
after=$(fingerprint root | grep -v tmp-exclude)
expect_equal "$after" "$before" "(the tree after restore)"
expect_equal "$(ls -A outside)" "" "(nothing was written through the planted symlink)"
expect_equal "$(cat root/notes.tmp-exclude)" "still ignored" "(excluded paths are left alone)"
CHECKS=$((CHECKS + 1)); [ "$(du -k root/usr/lib/sparse.img | cut -f1)" -lt 1000 ] || fail "the sparse file is no longer sparse"
expect_equal "$(stat -c %i root/usr/bin/tool)" "$(stat -c %i root/usr/bin/tool-hardlink)" "(hardlinks restored as hardlinks)"
run verify build --thorough
expect_status 0 "verify build after restore"
expect_out "identical"

# restoring again changes nothing
run checkpoint restore base
expect_out "0 written, 0 removed, 0 metadata fixed"

# ---- incremental: only the changed file is new to the store
sleep 3  # out of the racy window
echo "appended" >> root/usr/lib/libx.so.1.2
run checkpoint create second
expect_out "checkpoint second (000002)"
expect_out "17 B new to the store"
run checkpoint diff base second
expect_out "M usr/lib/libx.so.1.2 (size, content, mtime)"
expect_out "1 difference"
run checkpoint list
expect_out "000001  base"
expect_out "000002  second"
CHECKS=$((CHECKS + 1)); grep -q "base .*last-good" <<<"$OUT" || fail "base should be last-good: $OUT"

# ---- delete and gc; verify the store
run checkpoint delete second
expect_status 0
run checkpoint gc
expect_out "gc: freed 17 B"
run verify system --all
expect_status 0 "verify system"
expect_out "every object matches its hash"

# ---- a corrupted object is named with the checkpoints and paths that use it
# (a small file: its object is part of a pack)
victim=sources/pkg-build/object.o
hash=$(sha256sum "root/$victim" | cut -c1-64)
read -r object offset _ < <(stored_object "$hash")
CHECKS=$((CHECKS + 1)); [ "${object%.pack}" != "$object" ] || fail "a small file's object is not packed: $object"
corrupt_object "$hash"
run verify system --all
expect_status 1 "corrupt object"
expect_out "FAIL $SCRATCH/$object at byte $offset: corrupt object"
expect_out "used by checkpoint base (000001):"
# restore never writes a corrupt object into the tree: it refuses, naming the path
rm -f "root/$victim"
run checkpoint restore base
expect_status 1 "restore from a corrupt object"
expect_err "$victim: corrupt object: its content does not match its hash"
expect_no_file "root/$victim"
rm -rf .lfs-wrapper root/sources/pkg-build

# ---- a manifest edited to hold ../x is refused: one of format 1 (text lines,
# as earlier versions wrote them) whose checksum is made to match; the unit
# tests refuse the same in format 2
run checkpoint create edited
manifest=.lfs-wrapper/store/manifests/000001.manifest
body=$(head -n 10 "$manifest" | sed '1s/.*/lfsw-manifest 1/; 10s/.*/entries 1/'; printf 'd\t755\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\t../escape')
{ printf '%s\n' "$body"; printf 'end %s\n' "$(printf '%s\n' "$body" | sha256sum | cut -d' ' -f1)"; } > "$manifest"
run checkpoint restore edited
expect_status 1 "edited manifest"
expect_err "000001.manifest: line 11: refused path '../escape': manifest paths must be relative, without '.' or '..'"
run checkpoint list
expect_status 1 "list reports the unreadable manifest"

# ---- clean build removes the scratch directories and keeps the store
rm -rf .lfs-wrapper && mkdir -p root/sources/pkg-build root/sources/pkg-1.0
echo o > root/sources/pkg-build/a.o
ln -s "$SCRATCH/outside" root/sources/evil-build
run checkpoint create keep
run clean build --preserve-checkpoint
expect_out "removed 2 scratch paths"
expect_out "checkpoints kept: 1"
CHECKS=$((CHECKS + 1)); [ ! -e root/sources/pkg-build ] && [ -d root/sources/pkg-1.0 ] && [ -d outside ] || fail "clean build removed the wrong things"

# ---- the seed's build_failure chain leaves the tree exactly as after the last good step
rm -rf .lfs-wrapper root outside && mkdir -p outside root
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  scratch: [sources/*-build]
YAML
cat > plan.yaml <<'YAML'
steps:
  - name: toolchain
    run: |
      mkdir -p usr/bin sources
      echo "cc v1" > usr/bin/cc
      ln -sf cc usr/bin/gcc
  - name: package
    run: |
      mkdir -p sources/pkg-build usr/lib
      echo "half-installed" > usr/lib/libpkg.so
      echo "overwritten" > usr/bin/cc
      rm usr/bin/gcc
      echo "pkg.c:10:5: error: 'size_t' undeclared"
      exit 2
YAML
run build start --plan plan.yaml
expect_status 1 "the build stops on a compile error"
expect_out "checkpoint toolchain (000001)"
expect_out "recovering from build_failure:compile_error in step package"
expect_out "stop_build: done"
expect_out "clean_environment: done (removed 1 scratch path)"
expect_out "restore_checkpoint: done (restored toolchain (000001):"
expect_equal "$(cat root/usr/bin/cc)" "cc v1"
expect_equal "$(readlink root/usr/bin/gcc)" "cc"
CHECKS=$((CHECKS + 1)); [ ! -e root/usr/lib/libpkg.so ] && [ ! -e root/sources/pkg-build ] || fail "the failed step's files were not reverted"
run verify build --thorough
expect_status 0 "the tree is exactly the toolchain checkpoint"

# ---- build restore --last-known-good sets the progress back
run build restore --last-known-good
expect_status 0
expect_out "progress set back to after step toolchain"
run build status
expect_out "build 1: stopped"

# ---- a baseline step: system restore baseline and build system --from-baseline
rm -rf .lfs-wrapper root; mkdir -p root
cat > plan.yaml <<'YAML'
steps:
  - name: temp-tools
    baseline: true
    run: mkdir -p tools && echo tools > tools/ready
  - name: system
    run: echo "built on $(cat tools/ready)" > system-built
YAML
run build start --plan plan.yaml
expect_status 0
expect_out "checkpoint temp-tools (000001) tagged baseline"
run system restore baseline
expect_status 0 "system restore baseline"
CHECKS=$((CHECKS + 1)); [ ! -e root/system-built ] && [ -e root/tools/ready ] || fail "the tree is not the baseline"
run build system --from-baseline
expect_status 0 "build system --from-baseline"
expect_out "progress set back to after step temp-tools"
expect_out "==> [2/2] system"
expect_no_out "==> [1/2] temp-tools"
expect_equal "$(cat root/system-built)" "built on tools"

# ---- a progress bar on a terminal, nothing of it otherwise
rm -rf .lfs-wrapper && mkdir -p root/big
for i in $(seq 1 300); do head -c 300000 /dev/zero | tr '\0' "$((i % 10))" > "root/big/f$i"; done
script -qec "$LFSW checkpoint create on-a-terminal" /dev/null > tty.out 2>&1
CHECKS=$((CHECKS + 1)); grep -qa 'checkpoint on-a-terminal \[' tty.out && grep -qa 'files, .* ETA' tty.out || fail "no progress bar on a terminal: $(cat -v tty.out | head -5)"
run checkpoint create not-a-terminal
CHECKS=$((CHECKS + 1)); ! grep -q 'ETA' <<<"$OUT$ERR" || fail "progress bar drawn when not on a terminal"

# ---- kill -9 at random moments of create, restore and gc: nothing listed is lost
rm -rf .lfs-wrapper root && mkdir -p root
for d in $(seq 1 40); do
  mkdir -p "root/dir$d"
  for f in $(seq 1 50); do head -c $(( (d * 37 + f * 101) % 9000 )) /dev/urandom > "root/dir$d/f$f"; done
done
declare -A expected
kills=0
# Until at least 24 kills have landed (a faster machine needs more rounds), at most 80 rounds.
for i in $(seq 1 80); do
  [ "$kills" -ge 24 ] && break
  # change some files and a big one (so that the checkpoint takes a while),
  # then checkpoint, killed after a random delay
  for f in $(seq 1 5); do head -c 700 /dev/urandom >> "root/dir$(( (i * 7 + f) % 40 + 1 ))/f$f"; done
  head -c 40000000 /dev/urandom > root/big.bin
  state=$(fingerprint root)
  "$LFSW" -q checkpoint create "c$i" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%02d' $(( RANDOM % 30 )))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
  id=$("$LFSW" checkpoint list 2>/dev/null | awk -v n="c$i" '$2 == n {print $1}')
  [ -n "$id" ] && expected[$id]=$state
  case $((i % 3)) in
    1) "$LFSW" -q checkpoint gc >/dev/null 2>&1 & pid=$! ;;
    2) last=$("$LFSW" checkpoint list 2>/dev/null | awk 'NR > 1 {id = $1} END {print id}')
       [ -n "$last" ] || continue
       "$LFSW" -q checkpoint restore "$last" >/dev/null 2>&1 & pid=$! ;;
    *) continue ;;
  esac
  sleep "$(printf '0.%02d' $(( RANDOM % 8 )))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
  # an interrupted restore, run again, completes
  if [ $((i % 3)) -eq 2 ]; then
    run checkpoint restore "$last"
    expect_status 0 "restore after a killed restore"
    expect_equal "$(fingerprint root)" "${expected[$last]}" "(checkpoint $last after a killed restore)"
  fi
done
echo "kill -9 delivered $kills times"
CHECKS=$((CHECKS + 1)); [ "$kills" -ge 20 ] || fail "only $kills kills landed"
run verify system --all
expect_status 0 "the store verifies after the kills"
for id in "${!expected[@]}"; do
  run checkpoint restore "$id"
  expect_status 0 "restore $id"
  expect_equal "$(fingerprint root)" "${expected[$id]}" "(checkpoint $id restored bit-exactly)"
done
# ---- an I/O error on a sync is a failure the user sees, never a success,
# and what is listed agrees with what the command said
rm -rf .lfs-wrapper root && mkdir -p root/usr && echo one > root/usr/file
printf 'build: {root: root}\n' > lfs-wrapper.yaml
run checkpoint create first
expect_status 0 "checkpoint before the sync faults"
echo two > root/usr/file
OUT=$(strace -f -qq -o /dev/null -e inject=syncfs:error=EIO "$LFSW" checkpoint restore first 2>"$SCRATCH/.stderr"); STATUS=$?; ERR=$(cat "$SCRATCH/.stderr")
expect_status 1 "restore whose syncfs fails"
expect_err "cannot sync the restored tree to disk: Input/output error"
run checkpoint restore first
expect_status 0 "restore again once the disk is well"
expect_equal "$(cat root/usr/file)" "one" "(restored after the failed sync)"
# the last fsync of a checkpoint is the manifests directory's: fail just that one
syncs=$(strace -f -qq -c -e trace=fsync -o "$SCRATCH/syncs" "$LFSW" checkpoint create counted >/dev/null 2>&1; awk '$NF == "fsync" {print $4}' "$SCRATCH/syncs")
CHECKS=$((CHECKS + 1)); [ "${syncs:-0}" -gt 0 ] || fail "could not count the fsyncs of checkpoint create"
echo three > root/usr/file
OUT=$(strace -f -qq -o /dev/null -e inject=fsync:error=EIO:when="$syncs" "$LFSW" checkpoint create doomed 2>"$SCRATCH/.stderr"); STATUS=$?; ERR=$(cat "$SCRATCH/.stderr")
expect_status 1 "checkpoint create whose manifest directory cannot be synced"
expect_err "Input/output error"
run checkpoint list
expect_no_out "doomed"
run checkpoint create doomed
expect_status 0 "checkpoint create again once the disk is well"
# config set: the old file stays when its new content cannot be synced
cp lfs-wrapper.yaml config-before
OUT=$(strace -f -qq -o /dev/null -e inject=fsync:error=EIO "$LFSW" config set auto_recovery.max_attempts 9 2>"$SCRATCH/.stderr"); STATUS=$?; ERR=$(cat "$SCRATCH/.stderr")
expect_status 1 "config set whose fsync fails"
expect_err "cannot sync"
expect_equal "$(cat lfs-wrapper.yaml)" "$(cat config-before)" "(the config after a failed config set)"
# ---- a store of the layout before packs (every object a file of its own)
# restores as it is; the next checkpoint adds packs beside it; gc frees both
rm -rf .lfs-wrapper root && mkdir -p root/usr/lib root/big
for i in $(seq 1 30); do echo "library $i" > "root/usr/lib/lib$i.so"; done
head -c 700000 /dev/urandom > root/big/archive.tar
ln root/usr/lib/lib1.so root/usr/lib/lib1-hardlink.so
run checkpoint create old-layout
expect_status 0
packs=(.lfs-wrapper/store/packs/*.pack)
CHECKS=$((CHECKS + 1)); [ -f "${packs[0]}" ] || fail "small files were not packed"
# what an earlier version wrote: each object as objects/ab/HASH, no packs,
# and the manifest in text lines (format 1), written here from the tree
/usr/bin/python3 - .lfs-wrapper/store root <<'PY'
import hashlib, os, stat, sys
store, root = sys.argv[1], sys.argv[2]
manifest = os.path.join(store, "manifests", "000001.manifest")
header = open(manifest, "rb").read().split(b"\n")[:9]
header[0] = b"lfsw-manifest 1"
paths = sorted(os.path.relpath(os.path.join(d, n), root).encode()
               for d, ds, fs in os.walk(root) for n in ds + fs)
lines, leaders = [], {}
for path in paths:
    full = os.path.join(root.encode(), path)
    st = os.lstat(full)
    kind = "f" if stat.S_ISREG(st.st_mode) else "d" if stat.S_ISDIR(st.st_mode) else "l"
    digest = hashlib.sha256(open(full, "rb").read()).hexdigest() if kind == "f" else "-"
    target = os.readlink(full).encode() if kind == "l" else b"-"
    group = b"-"
    if kind == "f":
        group = leaders.setdefault(st.st_ino, path)
        group = b"-" if group == path else group
    fields = [kind.encode(), b"%o" % stat.S_IMODE(st.st_mode), b"%d" % st.st_uid, b"%d" % st.st_gid,
              b"%d" % (st.st_size if kind == "f" else 0), b"%d" % st.st_mtime_ns, b"%d" % st.st_ctime_ns,
              b"%d" % st.st_ino, b"0", digest.encode(), target, group, b"-", path]
    lines.append(b"\t".join(fields))
body = b"\n".join(header + [b"entries %d" % len(lines)] + lines) + b"\n"
open(manifest, "wb").write(body + b"end " + hashlib.sha256(body).hexdigest().encode() + b"\n")
packs = os.path.join(store, "packs")
for name in os.listdir(packs):
    if not name.endswith(".index"):
        continue
    data = open(os.path.join(packs, name[:-6] + ".pack"), "rb").read()
    for line in open(os.path.join(packs, name)).read().splitlines()[1:]:
        parts = line.split()
        if parts[0] == "end":
            continue
        digest, offset, length = parts[0], int(parts[1]), int(parts[2])
        os.makedirs(os.path.join(store, "objects", digest[:2]), exist_ok=True)
        with open(os.path.join(store, "objects", digest[:2], digest), "wb") as f:
            f.write(data[offset:offset + length])
for name in os.listdir(packs):
    os.unlink(os.path.join(packs, name))
PY
expect_equal "$(ls -A .lfs-wrapper/store/packs)" "" "(the packs were turned into loose objects)"
expect_equal "$(head -n 1 .lfs-wrapper/store/manifests/000001.manifest)" "lfsw-manifest 1"
cp -a root old-copy
rm -rf root/usr && echo changed > root/big/archive.tar
run checkpoint restore old-layout
expect_status 0 "restore from a store of loose objects"
CHECKS=$((CHECKS + 1)); diff -r --no-dereference root old-copy >/dev/null || fail "the tree restored from loose objects differs"
expect_equal "$(stat -c %i root/usr/lib/lib1.so)" "$(stat -c %i root/usr/lib/lib1-hardlink.so)" "(hardlink restored)"
run verify system --all
expect_status 0 "verify a store of loose objects"
sleep 3 # out of the racy window
echo "newer" > root/usr/lib/lib2.so && echo "added" > root/usr/lib/new.so
run checkpoint create newer
expect_status 0
packs=(.lfs-wrapper/store/packs/*.pack)
CHECKS=$((CHECKS + 1)); [ -f "${packs[0]}" ] || fail "the new checkpoint's small objects are not in a pack"
run checkpoint delete old-layout
run checkpoint gc
expect_status 0
CHECKS=$((CHECKS + 1)); [ ! -e ".lfs-wrapper/store/objects/$(sha256sum old-copy/usr/lib/lib2.so | cut -c1-2)/$(sha256sum old-copy/usr/lib/lib2.so | cut -c1-64)" ] ||
  fail "gc kept a loose object no checkpoint uses"
rm -rf root/usr
run checkpoint restore newer
expect_status 0 "restore from loose objects and packs together"
expect_equal "$(cat root/usr/lib/lib2.so)" "newer"
expect_equal "$(cat root/usr/lib/lib3.so)" "library 3"
run verify system --all
expect_status 0 "verify after gc of a mixed store"
rm -rf old-copy

# ---- restore trusts an inode whose ctime has not moved since the checkpoint
# (nothing of its owner, mode or xattrs can have changed), and still finds
# every change that moves it: an xattr, a mode, an owner
rm -rf .lfs-wrapper root && mkdir -p root/etc
for f in a b c d; do echo "$f" > "root/etc/$f"; done
setfattr -n user.origin -v book root/etc/a
sleep 3 # out of the racy window: the checkpoint records the ctimes
run checkpoint create settled
setfattr -n user.origin -v changed root/etc/a
chmod 600 root/etc/b
setfattr -n user.extra -v planted root/etc/c
run checkpoint restore settled
expect_status 0
expect_out "0 written, 0 removed, 3 metadata fixed, 2 unchanged"
expect_equal "$(getfattr -n user.origin --only-values root/etc/a)" "book"
expect_equal "$(stat -c %a root/etc/b)" "644"
expect_equal "$(getfattr -d root/etc/c 2>/dev/null | grep -c extra)" "0" "(the planted xattr removed)"
finish
