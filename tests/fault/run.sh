#!/usr/bin/env bash
# Fault injection against the real binary: kill -9 at random points of
# checkpoint create, restore and gc, backup create and prune, and of the
# supervisor during a step. After each fault the store or repository must
# verify, what was committed must still restore exactly, and the next command
# must complete. Prints "N faults injected, N recovered, 0 lost (...)".
# Usage: tests/fault/run.sh [ROUNDS_PER_KIND]   (default 35: 175 runs killed, over 100 of them mid-way)
# Then, each in a fresh directory: a full disk during checkpoint and backup
# (root: a small tmpfs), a read-only state directory, a state database locked
# by another process, a corrupted object, a truncated manifest and a
# corrupted database page; after each, health check --thorough must tell the
# truth and the next command must complete or refuse with a clear error.
set -u
cd "$(dirname "$0")/../.."
LFSW=${LFSW:-$(pwd)/build/host/lfs-wrapper}
. tests/e2e/helpers/store_objects.sh
rounds=${1:-35}
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-fault-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p root
for d in $(seq 1 30); do
  mkdir -p root/d$d
  for f in $(seq 1 40); do echo "file $d $f" >root/d$d/f$f; done
  head -c 300000 /dev/urandom >root/d$d/blob
done
printf 'build:\n  root: root\nbackup:\n  retention: 1s\n' >lfs-wrapper.yaml
"$LFSW" -q checkpoint create base >/dev/null
"$LFSW" -q backup create --type system-state >/dev/null
injected=0 runs=0 recovered=0 lost=0 faults_lost=0 counted_for=-1
# lose: a check failed; the fault it followed is lost (counted once).
lose() {
  lost=$((lost + 1))
  if [ "$counted_for" -ne "$injected" ]; then faults_lost=$((faults_lost + 1)); counted_for=$injected; fi
}

# kill_at COMMAND...: starts it, kills it with SIGKILL after 0-0.29 s.
kill_at() {
  "$LFSW" -q "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
  # Only a kill that found the command still running injected a fault.
  kill -9 $pid 2>/dev/null && injected=$((injected + 1))
  wait $pid 2>/dev/null
  runs=$((runs + 1))
}
# judge WHAT CHECK...: the check passing means recovered, else lost.
judge() {
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then recovered=$((recovered + 1)); else lose; echo "LOST after $what: $*" >&2; fi
}
base_intact() {
  "$LFSW" -q checkpoint restore base && "$LFSW" -q checkpoint diff base --live --thorough | grep -q '^0 differences$'
}
mutate() { head -c 200000 /dev/urandom >"root/d$((RANDOM % 30 + 1))/blob"; echo x >"root/new$RANDOM"; }

for i in $(seq "$rounds"); do
  mutate; kill_at checkpoint create "c$i"
  judge "checkpoint create" sh -c "'$LFSW' -q verify system --all && '$LFSW' -q checkpoint create after$i"
done
for i in $(seq "$rounds"); do
  mutate; kill_at checkpoint restore base
  judge "checkpoint restore" base_intact
done
for i in $(seq "$rounds"); do
  "$LFSW" -q checkpoint delete "after$i" >/dev/null 2>&1
  kill_at checkpoint gc
  judge "checkpoint gc" sh -c "'$LFSW' -q verify system --all"
done
for i in $(seq "$rounds"); do
  mutate
  if [ $((i % 3)) -eq 0 ]; then kill_at backup prune; else kill_at backup create --type system-state; fi
  judge "backup create/prune" sh -c "'$LFSW' -q backup verify --all && '$LFSW' -q backup create --type system-state"
done
printf 'steps:\n  - name: one\n    run: sleep 0.2; echo one\n  - name: two\n    run: sleep 0.2; echo two\n' >plan.yaml
for i in $(seq "$rounds"); do
  kill_at build start --plan plan.yaml
  judge "supervisor" sh -c "'$LFSW' -q build resume >/dev/null 2>&1; '$LFSW' build status | grep -q '^build [0-9]*: done'"
done
# health check --thorough tells the truth at the end: everything consistent.
if ! "$LFSW" health check --thorough >health.out 2>&1; then
  echo "health check --thorough fails at the end:" >&2
  grep FAIL health.out >&2
  lose
fi
kills=$injected

# fresh NAME: a new directory with a small tree, a config, a base
# checkpoint and a backup; cd into it.
fresh() {
  mkdir -p "$work/$1/root" && cd "$work/$1" || exit 1
  for f in $(seq 1 20); do echo "file $f" >root/f$f; done
  head -c 100000 /dev/urandom >root/blob
  printf 'build:\n  root: root\n' >lfs-wrapper.yaml
  "$LFSW" -q checkpoint create base >/dev/null && "$LFSW" -q backup create >/dev/null
}
# refused WHAT PATTERN COMMAND...: the command fails with an error that
# matches PATTERN, and was not killed by a signal (no crash, no abort).
refused() {
  local what=$1 pattern=$2; shift 2
  local out status
  out=$("$LFSW" "$@" 2>&1); status=$?
  if [ "$status" -ne 0 ] && [ "$status" -lt 128 ] && grep -qiE -- "$pattern" <<<"$out"; then
    recovered=$((recovered + 1))
  else
    lose; echo "LOST after $what: '$*' exited $status: $(tail -3 <<<"$out")" >&2
  fi
}
# health_says WHAT PATTERN: health check --thorough reports the fault.
health_says() {
  if "$LFSW" health check --thorough 2>&1 | grep -qE -- "$2"; then recovered=$((recovered + 1))
  else lose; echo "LOST after $1: health check --thorough does not report /$2/" >&2; fi
}
healthy() { "$LFSW" health check --thorough 2>&1 | grep -E '^FAIL' | grep -vE 'disk|memory|cpu' | grep -q . && return 1; return 0; }
exact() { "$LFSW" -q checkpoint restore "$1" && "$LFSW" -q checkpoint diff "$1" --live --thorough | grep -q '^0 differences$'; }

if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/probe" && mount -t tmpfs -o size=1M tmpfs "$work/probe" 2>/dev/null; then
  umount "$work/probe"
  # A full disk while a checkpoint is written: the store on a 1.5 MiB tmpfs.
  fresh enospc-checkpoint
  mkdir small && mount -t tmpfs -o size=1536k tmpfs small && cp -a .lfs-wrapper/. small/ &&
    printf 'build:\n  root: root\n  state_dir: small\n' >lfs-wrapper.yaml
  head -c 3000000 /dev/urandom >root/big; injected=$((injected + 1))
  refused "ENOSPC in checkpoint create" "no space left" checkpoint create big
  judge "ENOSPC in checkpoint create" "$LFSW" -q verify system --all
  rm root/big
  judge "ENOSPC in checkpoint create" exact base
  judge "ENOSPC in checkpoint create" "$LFSW" -q checkpoint create after
  cd "$work" && umount "$work/enospc-checkpoint/small"
  # A full disk while a backup is written: the repository on a small tmpfs.
  fresh enospc-backup
  mkdir repo && mount -t tmpfs -o size=1536k tmpfs repo &&
    printf 'build:\n  root: root\nbackup:\n  repository: repo\n' >lfs-wrapper.yaml
  "$LFSW" -q backup create --type system-state >/dev/null
  head -c 3000000 /dev/urandom >root/big; injected=$((injected + 1))
  refused "ENOSPC in backup create" "no space left" backup create --type system-state
  judge "ENOSPC in backup create" "$LFSW" -q backup verify --all
  judge "ENOSPC in backup create" sh -c "'$LFSW' -q backup restore --to '$work/enospc-backup/out' && cmp root/blob out/*/blob"
  cd "$work" && umount "$work/enospc-backup/repo"
  # A read-only state directory: commands that write refuse clearly; once
  # it is writable again, nothing is missing.
  fresh read-only
  mkdir ro && mount -t tmpfs tmpfs ro && cp -a .lfs-wrapper/. ro/ &&
    printf 'build:\n  root: root\n  state_dir: ro\n' >lfs-wrapper.yaml
  mount -o remount,ro ro; injected=$((injected + 1))
  refused "read-only state directory" "read-only" checkpoint create after
  refused "read-only state directory" "read-only|readonly" build start -- true
  mount -o remount,rw ro
  judge "read-only state directory" "$LFSW" -q verify system --all
  judge "read-only state directory" exact base
  judge "read-only state directory" "$LFSW" -q build start -- true
  cd "$work" && umount "$work/read-only/ro"
else
  echo "skipped: ENOSPC and read-only state directory faults (they need root and a tmpfs mount)" >&2
fi

# The state database locked by another process: a command waits for it,
# and refuses with a clear error when it stays locked past the busy timeout.
fresh locked
"$LFSW" -q build start -- true >/dev/null
/usr/bin/python3 -c 'import sqlite3,time; c=sqlite3.connect(".lfs-wrapper/state.db", isolation_level=None); c.execute("BEGIN EXCLUSIVE"); time.sleep(2)' &
sleep 0.5; injected=$((injected + 1))
judge "database locked for 2s" "$LFSW" -q build start -- true
wait
/usr/bin/python3 -c 'import sqlite3,time; c=sqlite3.connect(".lfs-wrapper/state.db", isolation_level=None); c.execute("BEGIN EXCLUSIVE"); time.sleep(14)' &
sleep 0.5; injected=$((injected + 1))
refused "database locked for 14s" "locked" build start -- true
wait
judge "database locked" sh -c "'$LFSW' build status | grep -q '^build [0-9]*: done'"
judge "database locked" "$LFSW" -q build start -- true

# A corrupted object: verify names it with the checkpoints that use it;
# health check says so; a checkpoint that does not use it still restores.
fresh corrupt-object
echo changed >root/f1 && "$LFSW" -q checkpoint create second >/dev/null
corrupt_object "$(sha256sum root/blob | cut -c1-64)"; injected=$((injected + 1))
refused "corrupted object" "base.*blob|blob.*base" verify system --all
health_says "corrupted object" "^FAIL +store"
rm root/blob
refused "corrupted object" "blob" checkpoint restore base
# A truncated manifest: listed as a problem, the others still restore.
fresh truncated-manifest
echo changed >root/f1 && "$LFSW" -q checkpoint create second >/dev/null
truncate -s 60 .lfs-wrapper/store/manifests/000001.manifest; injected=$((injected + 1))
refused "truncated manifest" "000001.manifest.*truncated" verify system --all
health_says "truncated manifest" "^FAIL +store.*truncated"
refused "truncated manifest" "gc refused" checkpoint gc
judge "truncated manifest" exact second
# A corrupted page of the state database: health check --thorough finds it,
# and the latest backup brings the database back.
fresh corrupt-database
"$LFSW" -q build start -- true >/dev/null && "$LFSW" -q backup create --type build-progress >/dev/null
/usr/bin/python3 -c '
import os
f = open(".lfs-wrapper/state.db", "r+b"); size = os.path.getsize(".lfs-wrapper/state.db")
for page in range(1, size // 4096): f.seek(page * 4096 + 100); f.write(b"CORRUPTED PAGE " * 50)'
injected=$((injected + 1))
health_says "corrupted database page" "^FAIL +state database.*malformed"
judge "corrupted database page" "$LFSW" -q backup restore
judge "corrupted database page" healthy
judge "corrupted database page" sh -c "'$LFSW' build status | grep -q '^build [0-9]*: done'"
cd "$work"

# A fault counts as recovered when none of the checks after it failed.
echo "$injected faults injected, $((injected - faults_lost)) recovered, $lost lost ($kills kill -9 of $runs runs at random points, the others had finished; $((injected - kills)) disk, permission, lock and corruption faults; $recovered checks passed)"
[ "$lost" -eq 0 ]
