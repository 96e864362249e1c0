#!/usr/bin/env bash
# Backups from the command line: typed, incremental, verified object by
# object, restored in place, selectively or elsewhere, tested, pruned,
# scheduled; damage is named by path; the repository has one writer.
. "$(dirname "$0")/lib.sh"

mkdir -p root/usr/bin root/usr/lib root/empty crit etc
echo "gcc 13" >root/usr/bin/gcc
ln -s gcc root/usr/bin/cc
head -c 3000000 /dev/urandom >root/usr/lib/libbig.so
ln root/usr/bin/gcc root/usr/bin/gcc-13
chmod 4755 root/usr/bin/gcc
echo "signing key" >crit/key.pem
echo "site config" >etc/site.conf
cat > plan.yaml <<'PLAN'
steps:
  - name: hello
    run: echo hello
PLAN
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  plan: plan.yaml
backup:
  retention: 7d
  critical_data: [crit, etc/site.conf]
YAML
run build start
run backup create
expect_status 0
expect_out "system-state, build-progress, critical-data"
ID1=$(awk '{print $2}' <<<"$OUT" | tr -d :)
run backup list
expect_out "$ID1"
expect_out "complete"
expect_out "next scheduled backup: "
expect_out '(backup.schedule "0 */4 * * *"'

# The build-progress part holds a consistent copy of the database, the plan and the config.
run backup verify latest
expect_status 0
expect_out "backup $ID1: OK"
run backup test-restore
expect_status 0
expect_out "test-restore of backup $ID1: OK"

# Incremental: unchanged files are not stored again.
sleep 1.1
echo "new tool" >root/usr/bin/ld
run backup create --type system-state
ID2=$(awk '{print $2}' <<<"$OUT" | tr -d :)
CHECKS=$((CHECKS + 1))
grep -qE "(B|KiB) new to the repository" <<<"$OUT" || fail "the second backup stored the big file again: $OUT"
run backup create --critical-only
expect_out "build-progress, critical-data"
expect_no_out "system-state"

# In-place restore of the tree, selective restore, and --to.
rm root/usr/bin/gcc-13
echo "broken" >root/usr/bin/gcc
echo "junk" >root/junk
run backup restore "$ID1"
expect_status 0
expect_equal "$(cat root/usr/bin/gcc)" "gcc 13"
expect_equal "$(stat -c %a root/usr/bin/gcc)" "4755"
expect_equal "$(stat -c %i root/usr/bin/gcc)" "$(stat -c %i root/usr/bin/gcc-13)" "(hardlink restored)"
expect_equal "$(readlink root/usr/bin/cc)" "gcc"
expect_no_file root/junk
expect_file root/empty
run verify data --restored
expect_status 0
expect_out "OK: what the restore wrote matches its backup"

echo "edited" >root/usr/bin/gcc
echo "keep me" >root/unrelated
run backup restore "$ID1" --selective usr/bin/gcc
expect_status 0
expect_equal "$(cat root/usr/bin/gcc)" "gcc 13"
expect_file root/unrelated
run backup restore "$ID1" --selective usr/bin/no-such-file
expect_status 1 "(--selective that matches nothing)"
expect_err "no path of backup $ID1 matches --selective usr/bin/no-such-file"
# A repository whose manifest was edited to write elsewhere (the checksum
# made right again) is refused before anything is written.
cp -a .lfs-wrapper/backups pristine-backups
victim_manifest=$(grep -l "^root $SCRATCH/root\$" .lfs-wrapper/backups/manifests/*.manifest | tail -1)
CHECKS=$((CHECKS + 1)); [ -n "$victim_manifest" ] || fail "no backup manifest of the build root to tamper with"
mkdir -p "$SCRATCH/elsewhere"
/usr/bin/python3 - "$victim_manifest" "$SCRATCH/root" "$SCRATCH/elsewhere" <<'PY'
import hashlib, sys
path, old, new = sys.argv[1:]
text = open(path, 'rb').read()
body = text[:text.rindex(b'\nend ') + 1]
body = body.replace(b'\nroot ' + old.encode() + b'\n', b'\nroot ' + new.encode() + b'\n', 1)
open(path, 'wb').write(body + b'end ' + hashlib.sha256(body).hexdigest().encode() + b'\n')
PY
tampered_id=$(sed -n 's/^name //p' "$victim_manifest")
run backup restore "$tampered_id"
expect_status 1 "(a tampered repository naming another root)"
expect_err "would write to $SCRATCH/elsewhere, which the config does not back up"
expect_equal "$(ls "$SCRATCH/elsewhere" | wc -l)" "0" "(files written where a tampered manifest pointed)"
rm -rf .lfs-wrapper/backups && mv pristine-backups .lfs-wrapper/backups
run backup restore "$ID1" --to root/elsewhere
expect_status 1 "(--to inside the build root)"
expect_err "refusing to restore into $SCRATCH/root/elsewhere"
run backup restore "$ID1" --to "$SCRATCH/copy"
expect_status 0
expect_equal "$(cat copy/system-state/usr/bin/gcc)" "gcc 13"
expect_equal "$(cat copy/critical-data/crit/key.pem)" "signing key"

# Critical data: missing and corrupt paths are found and repaired by the chain.
rm crit/key.pem
MTIME=$(stat -c %y etc/site.conf)
echo "site conbig" >etc/site.conf
touch -d "$MTIME" etc/site.conf
run data analyze --missing
expect_out "critical-data: $SCRATCH/crit/key.pem"
expect_out "1 path(s) of critical-data missing"
run verify data --all
expect_status 1
expect_out "missing: $SCRATCH/crit/key.pem (critical-data)"
expect_out "corrupt: $SCRATCH/etc/site.conf (critical-data)"
expect_out "minor_corruption raised; recovery chain minor_corruption: recovered"
expect_equal "$(cat crit/key.pem)" "signing key"
expect_equal "$(cat etc/site.conf)" "site config"
run verify data --all
expect_status 0 "(repaired)"
# The chain's repair is journalled as backup restore is: verify data --restored checks it.
run verify data --restored
expect_status 0 "(the repair, checked against its backup)"
expect_no_out "restore of backup $ID1 "
expect_out "OK: what the restore wrote matches its backup"

# A corrupted and a lost object: verify names the paths; restore does the rest.
# Small objects live in pack files: the index line says where (HASH OFFSET
# LENGTH); garbage goes over the object's bytes, and the key's line leaves
# its index (which keeps its checksum line right), as if it had never been.
REPO=.lfs-wrapper/backups
OBJ_GCC=$(sha256sum root/usr/bin/gcc | cut -d' ' -f1)
OBJ_KEY=$(sha256sum crit/key.pem | cut -d' ' -f1)
INDEX=$(grep -l "^$OBJ_GCC " $REPO/packs/*.index | head -1)
read -r _ OFFSET _ < <(grep "^$OBJ_GCC " "$INDEX")
printf 'garbage' | dd of="${INDEX%.index}.pack" bs=1 seek="$OFFSET" conv=notrunc status=none
INDEX=$(grep -l "^$OBJ_KEY " $REPO/packs/*.index | head -1)
head -n -1 "$INDEX" | grep -v "^$OBJ_KEY " >body
{ cat body; echo "end $(sha256sum body | cut -d' ' -f1)"; } >"$INDEX"
run backup verify "$ID1"
expect_status 1
expect_out "corrupt object: system-state: $SCRATCH/root/usr/bin/gcc"
expect_out "missing object: critical-data: $SCRATCH/crit/key.pem"
echo "changed" >root/usr/lib/libbig.so
echo "changed" >root/usr/bin/gcc
echo "changed" >crit/key.pem
run backup restore "$ID1"
expect_status 1
expect_out "NOT restored (object missing or corrupt): system-state: $SCRATCH/root/usr/bin/gcc"
expect_out "NOT restored (object missing or corrupt): critical-data: $SCRATCH/crit/key.pem"
CHECKS=$((CHECKS + 1)); [ "$(stat -c %s root/usr/lib/libbig.so)" = 3000000 ] || fail "the rest was not restored"
run backup test-restore
expect_status 1 "(the latest backup uses the missing key object)"
expect_out "critical-data: $SCRATCH/crit/key.pem: object missing or corrupt"
run backup verify --all
expect_status 1

# A manifest with a path escaping the tree is refused before anything is
# written: one of format 1 (text lines, as earlier versions wrote them), its
# header the real one's, the checksum made right.
M=$(ls $REPO/manifests/*.manifest | head -1)
{ head -n 10 "$M" | sed '1s/.*/lfsw-manifest 1/; 10s/.*/entries 2/'
  printf 'd\t755\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\tusr\n'
  printf 'd\t755\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\t../escape\n'; } >body
if grep -q '\.\./escape' body; then
  { cat body; echo "end $(sha256sum body | cut -d' ' -f1)"; } >"$M"
  echo "before" >root/usr/lib/libbig.so
  run backup restore "$ID1"
  expect_status 1
  expect_err "refused path '../escape': manifest paths must be relative"
  expect_err "refused, nothing restored"
  expect_no_file escape
  expect_equal "$(cat root/usr/lib/libbig.so)" "before" "(nothing half-done)"
  # The unreadable manifest's header names its backup: another one restores
  # (all but the object damaged above).
  run backup restore "$ID2" --to "$SCRATCH/other"
  CHECKS=$((CHECKS + 1)); ! grep -q "refused" <<<"$ERR" || fail "a backup the damaged manifest is not part of was refused"
  expect_out "restored "
  expect_equal "$(stat -c %s "$SCRATCH/other/system-state/usr/lib/libbig.so")" 3000000 "(the other backup's file)"
else
  fail "test setup: no ../escape line in the manifest written over $M"
fi

# One writer: a second backup command while the lock is held is refused.
rm -rf .lfs-wrapper/backups
run backup create --type critical-data
flock .lfs-wrapper/backups/writer.lock sleep 2 &
sleep 0.3
run backup create --type critical-data
expect_status 1
expect_err "is writing the repository"
wait

# Retention: everything older than it goes, the newest always stays.
sed -i 's/retention: 7d/retention: 1s/' lfs-wrapper.yaml
run backup create --type critical-data
sleep 2.2
run backup prune
expect_status 0
expect_out "kept 1 backups"
expect_out "removed backup"
run backup verify --all
expect_status 0
run backup prune
expect_out "kept 1 backups (backup.retention 1s, and always the newest)"

# Small objects live in packs: prune drops a pack nothing uses, rewrites one
# mostly unused (what is still used first goes into a new pack), and keeps
# one mostly in use. Every file of the newest backup comes back intact.
rm -rf .lfs-wrapper/backups
mkdir -p root/many
for n in $(seq 1 20); do head -c 3000 /dev/urandom >root/many/f$n; done
run backup create --type system-state
FIRST_PACK=$(basename "$(ls .lfs-wrapper/backups/packs/*.pack)")
sleep 3.2 # past the racy-timestamp window, so unchanged files are not read again
for n in $(seq 1 15); do head -c 3000 /dev/urandom >root/many/f$n; done
run backup create --type system-state
expect_equal "$(ls .lfs-wrapper/backups/packs/*.pack | wc -l)" 2 "(one pack per backup)"
sleep 1.2
run backup prune
expect_status 0
expect_out "removed backup"
CHECKS=$((CHECKS + 1)); [ ! -e ".lfs-wrapper/backups/packs/$FIRST_PACK" ] || fail "the mostly unused pack is still there"
expect_equal "$(ls .lfs-wrapper/backups/packs/*.pack | wc -l)" 2 "(the rewritten pack and the second one)"
expect_equal "$(ls .lfs-wrapper/backups/packs/*.index | wc -l)" 2 "(an index for each)"
run backup verify --all
expect_status 0
run backup restore latest --to "$SCRATCH/packed"
expect_status 0
for n in 1 16 20; do
  expect_equal "$(sha256sum <"$SCRATCH/packed/system-state/many/f$n")" "$(sha256sum <root/many/f$n)" "(f$n)"
done

# An incremental backup opens no file that did not change, also where the
# walk's order is not the plain byte order of the paths ("a/b/x" is walked
# before "a.b", which sorts first as bytes). A file changed just before the
# backup before it (racily clean, as git says: a second change in the same
# clock tick would not have shown) is read once more.
if command -v strace >/dev/null; then
  mkdir -p "root/order/a/b" "root/order/a-c" "root/order/z é"
  for f in a/b/in-a-b a.b a-c/in-a-c ab "a b" "z é/in-z" changed-one; do echo "$f" >"root/order/$f"; done
  sleep 4.2 # past the racy-timestamp window (3 s before the start, counted in whole seconds)
  echo "just before" >root/order/racy-one
  run backup create --type system-state
  sleep 4.2
  echo more >>root/order/changed-one
  strace -f -qq -e trace=open,openat,openat2 -o "$SCRATCH/opens" "$LFSW" backup create --type system-state >/dev/null 2>&1
  STATUS=$?
  expect_status 0 "(incremental backup under strace)"
  for f in changed-one racy-one; do
    CHECKS=$((CHECKS + 1)); grep -q "\"$f\"" "$SCRATCH/opens" || fail "$f was not read"
  done
  for f in in-a-b a.b in-a-c ab "a b" in-z; do
    CHECKS=$((CHECKS + 1))
    ! grep -qF "\"$f\"" "$SCRATCH/opens" || fail "unchanged file '$f' was opened: $(grep -F "\"$f\"" "$SCRATCH/opens" | head -2)"
  done
  strace -f -qq -e trace=open,openat,openat2 -o "$SCRATCH/opens" "$LFSW" backup create --type system-state >/dev/null 2>&1
  CHECKS=$((CHECKS + 1)); ! grep -q '"racy-one"' "$SCRATCH/opens" || fail "racy-one was read a third time"
else
  echo "SKIP: the files an incremental backup opens (strace is not installed)"
fi

# A tree big enough to be scanned and restored on several threads (2,000
# paths and more) comes back bit for bit, modes, links and hardlinks too,
# after an incremental backup that changed some of it.
mkdir -p root/wide
/usr/bin/python3 - <<'PY'
import os, random
rng = random.Random(5)
for d in range(60):
    os.makedirs("root/wide/d%d" % d, exist_ok=True)
    for f in range(45):
        with open("root/wide/d%d/f%d" % (d, f), "wb") as out:
            out.write(rng.randbytes(rng.choice([0, 10, 700, 5000, 70000])))
    os.chmod("root/wide/d%d/f0" % d, 0o751)
    os.symlink("f1", "root/wide/d%d/link" % d)
os.link("root/wide/d0/f2", "root/wide/d1/hardlink")
PY
run backup create --type system-state
expect_status 0
sleep 1.1
/usr/bin/python3 -c '
for d in range(0, 60, 7):
    open("root/wide/d%d/f3" % d, "ab").write(b"changed")'
rm root/wide/d5/f4
run backup create --type system-state
expect_status 0
run backup restore latest --to "$SCRATCH/wide"
expect_status 0
CHECKS=$((CHECKS + 1))
diff -r --no-dereference root/wide "$SCRATCH/wide/system-state/wide" >/dev/null || fail "the restored wide tree differs"
expect_equal "$(stat -c %a "$SCRATCH/wide/system-state/wide/d9/f0")" 751 "(mode)"
expect_equal "$(readlink "$SCRATCH/wide/system-state/wide/d9/link")" f1 "(symlink)"
expect_equal "$(stat -c %i "$SCRATCH/wide/system-state/wide/d0/f2")" "$(stat -c %i "$SCRATCH/wide/system-state/wide/d1/hardlink")" "(hardlink)"
expect_no_file "$SCRATCH/wide/system-state/wide/d5/f4"

run health check
expect_out "OK    last backup: "

# The daemon takes scheduled backups; one missed while it was down runs once
# when it starts (as systemd's Persistent=).
mkdir -p daemon-test/root && cd daemon-test || exit 1
echo data >root/file
printf 'build:\n  root: root\nbackup:\n  schedule: "0 */4 * * *"\n  types: [system-state]\n' >lfs-wrapper.yaml
run recovery init
FIVE_HOURS_AGO=$(date -u -d '5 hours ago' +%Y-%m-%dT%H:%M:%S.000Z)
sqlite3 .lfs-wrapper/state.db "INSERT INTO daemon_job (name, last_run_at) VALUES ('backup', '$FIVE_HOURS_AGO')"
"$LFSW" daemon >daemon.out 2>&1 &
DAEMON=$!
for _ in $(seq 60); do grep -q "scheduled backup" daemon.out && break; sleep 0.1; done
sleep 1.5
kill -TERM $DAEMON
wait $DAEMON
expect_equal "$(grep -c 'scheduled backup done: backup .* new to the repository' daemon.out)" "1" "(the missed run, once)"
run backup list
expect_out "system-state"
LAST=$(sqlite3 .lfs-wrapper/state.db "SELECT last_run_at FROM daemon_job WHERE name = 'backup'")
CHECKS=$((CHECKS + 1)); [[ "$LAST" > "$FIVE_HOURS_AGO" ]] || fail "the job's last run was not recorded"
cd "$SCRATCH" || exit 1

# The schedule, as systemd-analyze calendar prints a timer's.
printf 'build:\n  root: root\nbackup:\n  schedule: "30 2 * * mon-fri"\n' >lfs-wrapper.yaml
TZ=UTC run backup schedule --from 2026-11-27T03:00 --count 3
expect_equal "$OUT" "2026-11-30T02:30:00+00:00
2026-12-01T02:30:00+00:00
2026-12-02T02:30:00+00:00"
run backup schedule --from 2500-01-01T00:00
expect_status 2 "(past what the clock holds: refused, not overflowed)"
run backup schedule --from tomorrow
expect_status 2
expect_err "--from expects a local time such as 2026-11-25T21:30"
finish
