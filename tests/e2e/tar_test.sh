#!/usr/bin/env bash
# A checkpoint as a standard tar: checkpoint export, extracted by GNU tar,
# and checkpoint import plus restore into an empty root of a second state
# directory, both bit-exact against the original tree (content, mode,
# owners, xattrs, hardlinks, nanosecond mtimes, sparseness); hostile or
# broken archives refused with the store unchanged. Owners, devices and
# security.capability need root: as another user those parts are skipped.
. "$(dirname "$0")/lib.sh"

# walk DIR: every path with what a tar must keep, as find and getfattr see it.
walk() {
  (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U %G %s %T@ %n %b %l\n' | sort &&
    getfattr -R -h -d -m - -e hex . 2>/dev/null | grep -v '^$' | sort)
  (cd "$1" && find . -type f -exec sha256sum {} + | sort)
}
store_state() { (cd .lfs-wrapper/store && find manifests objects -type f | sort | md5sum); }

as_root=0
[ "$(id -u)" -eq 0 ] && as_root=1
mkdir -p root/usr/bin root/usr/lib root/dev root/etc
printf 'hello\n' > root/usr/bin/tool
ln root/usr/bin/tool root/usr/bin/tool-again
ln -s tool root/usr/bin/tool-link
ln -s /proc/self/mounts root/etc/mtab
mkfifo root/usr/lib/fifo
truncate -s 64M root/usr/lib/sparse
echo data | dd of=root/usr/lib/sparse bs=1 seek=33554432 conv=notrunc status=none
head -c 300000 /dev/urandom > root/usr/lib/random
head -c 2500000 /dev/urandom > root/usr/lib/libbig.a # a file of its own in the store, read in pieces
chmod 4755 root/usr/bin/tool
setfattr -n user.origin -v lfs root/usr/bin/tool
touch -h -d '2001-02-03 04:05:06.123456789' root/usr/bin/tool root/usr/bin/tool-link
if [ "$as_root" = 1 ]; then
  mknod root/dev/console c 5 1 && chown 0:5 root/dev/console
  mknod root/dev/loop9 b 7 9
  chown 101:202 root/usr/lib/random
  chown -h 303:404 root/usr/bin/tool-link
  # cap_net_raw+ep, as setcap writes it
  setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= root/usr/lib/random
else
  echo "SKIP (part): device nodes, owners and security.capability need root"
fi
original=$(walk root)
paths=$(find root -mindepth 1 | wc -l)
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
run checkpoint create temp-tools
expect_status 0 "the checkpoint"

for name in temp-tools.tar temp-tools.tar.zst temp-tools.tar.xz temp-tools.tar.gz; do
  run checkpoint export temp-tools "$SCRATCH/$name"
  expect_status 0 "export to $name"
  expect_out "exported checkpoint temp-tools (000001) to $SCRATCH/$name: $paths paths"
  rm -rf extracted && mkdir extracted
  tar --xattrs --xattrs-include='*' -C extracted -xpf "$name"
  expect_equal "$(walk extracted)" "$original" "(GNU tar extracting $name)"
done
expect_equal "$(file -b temp-tools.tar.zst | cut -d' ' -f1)" "Zstandard" "(compressed as the name says)"
expect_equal "$(xz -dc temp-tools.tar.xz | head -c 262 | tail -c 5)" "ustar" "(a tar inside the .xz)"
# Sparse in the archive too: 64 MiB of holes take no room (2.8 MB of data).
expect_equal "$([ "$(stat -c %s temp-tools.tar)" -lt 5000000 ] && echo small)" "small" "(holes stay out of the archive)"
# Plain tar --xattrs -xpf: GNU tar restores user.* xattrs unless given
# --xattrs-include='*' (used above), which the capability needs.
rm -rf extracted && mkdir extracted
tar --xattrs -C extracted -xpf temp-tools.tar.zst
expect_equal "$(getfattr -n user.origin --only-values extracted/usr/bin/tool)" "lfs" "(tar --xattrs -xpf)"
if [ "$as_root" = 1 ]; then
  expect_equal "$(stat -c "%u:%g %t,%T" extracted/dev/console)" "0:5 5,1" "(the device and its owner, by number)"
fi
ls -a > before-failed-export
run checkpoint export temp-tools "$SCRATCH/no-such-dir/x.tar"
expect_status 1 "export into a missing directory"
expect_err "was not written"
run checkpoint export temp-tools "$SCRATCH/x.zip"
expect_status 2 "export to a name that says no tar"
expect_err "end it in .tar, .tar.zst, .tar.xz or .tar.gz"
expect_equal "$(ls -a)" "$(cat before-failed-export)" "(no partial file)"
# A damaged object (a small file's, in its pack) ends the export: no archive.
cp -a .lfs-wrapper good-state
corrupt_object "$(sha256sum root/usr/bin/tool | cut -c1-64)"
run checkpoint export temp-tools "$SCRATCH/damaged.tar.zst"
expect_status 1 "export of a checkpoint whose object is damaged"
expect_err "usr/bin/tool: corrupt object: its content does not match its hash"
expect_no_file damaged.tar.zst
expect_equal "$(ls -a | grep -c partial)" "0" "(no partial file)"
rm -rf .lfs-wrapper && mv good-state .lfs-wrapper

# On another machine: an empty root, a state directory of its own.
mkdir -p other/root
cd other
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
run checkpoint import "$SCRATCH/temp-tools.tar.zst"
expect_status 0 "import"
expect_out "imported $SCRATCH/temp-tools.tar.zst as checkpoint temp-tools (000001) of $SCRATCH/other/root: $paths paths"
run checkpoint restore temp-tools
expect_status 0 "restore of the imported checkpoint"
expect_equal "$(walk root)" "$original" "(import, then restore into an empty root)"
# The book's own backup: tar -cJpf of the tree, with ./ names.
(cd "$SCRATCH/root" && tar --xattrs -cJpf "$SCRATCH/lfs-temp-tools.tar.xz" .)
run checkpoint import "$SCRATCH/lfs-temp-tools.tar.xz"
expect_status 0 "import of tar -cJpf"
expect_out "as checkpoint lfs-temp-tools (000002)"
run checkpoint diff temp-tools lfs-temp-tools
expect_out "0 differences"

# Hostile and broken archives: refused whole, the store as it was.
/usr/bin/python3 - "$SCRATCH" <<'PY'
import io, os, sys, tarfile
d = sys.argv[1]
def make(name, members):
    with tarfile.open(os.path.join(d, name), "w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
def f(name, data=b"x"):
    i = tarfile.TarInfo(name); i.size = len(data); return (i, data)
def l(name, target, kind=tarfile.SYMTYPE):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; return (i, None)
make("dotdot.tar", [f("usr/ok"), f("../../etc/evil")])
make("absolute.tar", [f("/etc/evil")])
make("through-link.tar", [l("usr", "/etc"), f("usr/passwd")])
make("climbing-link.tar", [l("usr/up", "../../../etc")])
make("dangling-hardlink.tar", [l("usr/x", "etc/shadow", tarfile.LNKTYPE)])
# Legal, if odd: a name made a hardlink to its own hardlink.
make("relinked.tar", [f("a", b"x\n"), l("b", "a", tarfile.LNKTYPE), l("a", "b", tarfile.LNKTYPE)])
PY
head -c $(($(stat -c %s "$SCRATCH/temp-tools.tar") / 2)) "$SCRATCH/temp-tools.tar" > "$SCRATCH/truncated.tar"
head -c 5000 /dev/urandom > "$SCRATCH/random.tar"
before=$(store_state)
for bad in dotdot absolute through-link climbing-link dangling-hardlink truncated random; do
  run checkpoint import "$SCRATCH/$bad.tar"
  expect_status 1 "import of $bad.tar"
  expect_equal "$(store_state)" "$before" "(the store after $bad.tar)"
  expect_equal "$(ls .lfs-wrapper/store/tmp | wc -l)" "0" "(no leftovers after $bad.tar)"
done
run checkpoint import "$SCRATCH/dotdot.tar"
expect_err "entry ../../etc/evil: an absolute path or one with \"..\" would land outside the build root; nothing was imported"
run checkpoint import "$SCRATCH/through-link.tar"
expect_err "entry usr/passwd: it lies beneath usr, which the archive makes a symlink"
run checkpoint import "$SCRATCH/climbing-link.tar"
expect_err "a symlink to ../../../etc, which climbs out of the build root"
run checkpoint import "$SCRATCH/dangling-hardlink.tar"
expect_err "a hardlink to etc/shadow, which is not a file earlier in the archive"
run checkpoint import "$SCRATCH/random.tar"
expect_err "not a tar archive"
run checkpoint import "$SCRATCH/truncated.tar"
expect_err "truncated.tar"
run checkpoint list
expect_no_out "dotdot"
# Names that link to each other are one file, and the import ends.
mkdir -p "$SCRATCH/relinked/root" && cd "$SCRATCH/relinked"
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
OUT=$(timeout 30 "$LFSW" checkpoint import "$SCRATCH/relinked.tar" 2>&1); STATUS=$?
expect_status 0 "import of names linking to each other"
run checkpoint restore relinked
expect_equal "$(stat -c '%i %h' root/a)" "$(stat -c '%i %h' root/b)" "(a and b one file)"
expect_equal "$(stat -c %h root/a):$(cat root/b)" "2:x" "(two names, the content)"
cd "$SCRATCH/other"
expect_equal "$(walk root)" "$original" "(the tree untouched by the refused imports)"

finish
