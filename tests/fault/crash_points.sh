#!/usr/bin/env bash
# Crash points and I/O errors where order matters, not at random moments:
# for each command, a clean run under strace counts its mutating system calls;
# then, for every Nth call of each (all of them, or an even sample where a
# count runs high), the command runs again with strace killing it with SIGKILL
# at that call, and again with that call failing with EIO (and ENOSPC for
# writes). After a kill: the store or repository verifies, every checkpoint
# listed restores bit-exactly, and the next command completes. After an
# injected error: the command fails (exit 1, a message), or, when it says it
# succeeded, what it made is really there and whole; and the next run
# succeeds. Prints the counts: crash points tried, errors tried, lost, false
# successes.
# Usage: tests/fault/crash_points.sh [POINTS_PER_CALL]   (default 6; 0: every call)
set -u
cd "$(dirname "$0")/../.." || exit 1
LFSW=${LFSW:-$(pwd)/build/host/lfs-wrapper}
per_call=${1:-6}
command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-crash-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

calls=openat,write,pwrite64,fsync,fdatasync,syncfs,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,linkat,symlinkat,ftruncate,copy_file_range
crashes=0 errors=0 lost=0 false_successes=0

fingerprint() {
  (cd "$1" && find . -mindepth 1 -printf '%y %m %s %T@ %l %p\n' | sort -k6 &&
    find . -type f -exec sha256sum {} + | sort -k2) | sha256sum | cut -d' ' -f1
}
make_tree() {
  rm -rf root && mkdir -p root
  for d in 1 2 3; do
    mkdir -p "root/d$d"
    for f in 1 2 3 4; do echo "file $d $f" >"root/d$d/f$f"; done
    head -c 70000 /dev/urandom >"root/d$d/blob"
  done
  ln -s d1/f1 root/link
}
change_tree() {
  head -c 50000 /dev/urandom >root/d2/blob
  echo "new $RANDOM" >root/d3/new
  rm -f root/d1/f4
}
reset_state() {
  rm -rf .lfs-wrapper
  make_tree
  printf 'build: {root: root}\nbackup: {retention: 1s}\n' >lfs-wrapper.yaml
  declare -gA expected=()
}
# remember_checkpoints: the fingerprint each listed checkpoint must restore to.
checkpoint_ids() { "$LFSW" -q checkpoint list 2>/dev/null | awk 'NR > 1 {print $1}'; }

# counts CALL...: "syscall count" lines of a clean run of "$@" under strace.
counts() {
  strace -f -qq -c -o "$work/counts" -e trace="$calls" "$LFSW" -q "$@" >/dev/null 2>&1
  awk '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {print $NF, $4}' "$work/counts"
}
# points COUNT: the Ns to try, all of them or an even sample.
points() {
  local count=$1
  if [ "$per_call" -eq 0 ] || [ "$count" -le "$per_call" ]; then seq 1 "$count"; return; fi
  for i in $(seq 1 "$per_call"); do echo $(( (i * count + per_call - 1) / per_call )); done | sort -un
}

lose() { lost=$((lost + 1)); echo "LOST: $*" >&2; }
# After a fault: every checkpoint listed restores to what it held, the store
# verifies, and the tree goes back to the newest.
checkpoints_hold() {
  if [ -d .lfs-wrapper/store ]; then
    "$LFSW" -q verify system --all >/dev/null 2>&1 || { lose "$1: verify system --all fails"; return 1; }
  fi
  if [ -d .lfs-wrapper/backups/manifests ] && [ -n "$(ls .lfs-wrapper/backups/manifests)" ]; then
    "$LFSW" -q backup verify --all >/dev/null 2>&1 || { lose "$1: backup verify --all fails"; return 1; }
  fi
  if [ -f .lfs-wrapper/state.db ] && [ "$(sqlite3 .lfs-wrapper/state.db 'PRAGMA quick_check' 2>&1)" != ok ]; then
    lose "$1: the state database is damaged"; return 1
  fi
  local id
  for id in $(checkpoint_ids); do
    if ! "$LFSW" -q checkpoint restore "$id" >/dev/null 2>&1; then lose "$1: checkpoint $id does not restore"; return 1; fi
    if [ -n "${expected[$id]:-}" ] && [ "$(fingerprint root)" != "${expected[$id]}" ]; then
      lose "$1: checkpoint $id restores to another tree"; return 1
    fi
  done
  return 0
}

# explore NAME SETUP COMMAND...: SETUP (a shell function) prepares the state
# before each run; the command runs clean once for its counts, then once per
# crash point and per error point.
explore() {
  local name=$1 setup=$2; shift 2
  reset_state; $setup
  local call count n status
  while read -r call count; do
    for n in $(points "$count"); do
      # a kill at the Nth call
      reset_state; $setup
      # (through sh, which reports the kill strace passes on to its own stderr)
      sh -c '"$@" >/dev/null 2>&1; :' _ strace -f -qq -o /dev/null -e trace="$calls" \
        -e inject="$call":signal=KILL:when="$n" "$LFSW" -q "$@" 2>/dev/null
      crashes=$((crashes + 1))
      checkpoints_hold "$name killed at $call #$n" || continue
      "$LFSW" -q "$@" >/dev/null 2>&1 || lose "$name after a kill at $call #$n: the next run fails"
      # an error at the Nth call
      for error in EIO $( [ "$call" = write ] || [ "$call" = pwrite64 ] && echo ENOSPC); do
        reset_state; $setup
        strace -f -qq -o /dev/null -e trace="$calls" -e inject="$call":error="$error":when="$n" \
          "$LFSW" -q "$@" >/dev/null 2>"$work/err"
        status=$?
        errors=$((errors + 1))
        if [ "$status" -eq 0 ]; then
          # It says it worked: it must have. Judged by the command's own result.
          if ! verify_success "$name" "$@"; then
            false_successes=$((false_successes + 1))
            echo "FALSE SUCCESS: $name with $call #$n failing ($error)" >&2
          fi
        elif [ ! -s "$work/err" ]; then
          lose "$name failed with $call #$n ($error) and said nothing"
        fi
        checkpoints_hold "$name with $call #$n failing ($error)" || continue
        "$LFSW" -q "$@" >/dev/null 2>&1 || lose "$name after $call #$n failed ($error): the next run fails"
      done
    done
  done < <(counts "$@")
}

# What a command that exited 0 must have done.
verify_success() {
  local name=$1; shift
  case $name in
    "checkpoint create")
      local id; id=$(checkpoint_ids | tail -1)
      [ -n "$id" ] && "$LFSW" -q verify system --all >/dev/null 2>&1 &&
        "$LFSW" -q checkpoint restore "$id" >/dev/null 2>&1 && [ "$(fingerprint root)" = "$changed" ] ;;
    "checkpoint restore")
      [ "$(fingerprint root)" = "${expected[000001]}" ] ;;
    "checkpoint gc")
      "$LFSW" -q verify system --all >/dev/null 2>&1 ;;
    "backup restore")
      [ "$(fingerprint root)" = "$base" ] ;;
    "backup create" | "backup prune")
      "$LFSW" -q backup verify --all >/dev/null 2>&1 ;;
    "build step")
      "$LFSW" -q verify build >/dev/null 2>&1 ;;
    "checkpoint import")
      local id; id=$(checkpoint_ids | tail -1)
      [ "$id" = 000002 ] && "$LFSW" -q verify system --all >/dev/null 2>&1 &&
        "$LFSW" -q checkpoint restore "$id" >/dev/null 2>&1 && [ "$(fingerprint root)" = "${expected[000001]}" ] ;;
    "checkpoint export")
      tar -tf "$work/out.tar" >/dev/null 2>&1 ;;
  esac
}

# The states each command starts from.
one_checkpoint() {
  "$LFSW" -q checkpoint create first >/dev/null 2>&1
  expected[000001]=$(fingerprint root)
  change_tree
  changed=$(fingerprint root)
}
garbage() {
  one_checkpoint
  "$LFSW" -q checkpoint create second >/dev/null 2>&1
  expected[000002]=$(fingerprint root)
  "$LFSW" -q checkpoint delete second >/dev/null 2>&1
  unset 'expected[000002]'
}
one_backup() {
  base=$(fingerprint root)
  "$LFSW" -q backup create --type system-state >/dev/null 2>&1
  change_tree
}
two_backups() {
  one_backup
  sleep 1.1
  "$LFSW" -q backup create --type system-state >/dev/null 2>&1
}
an_archive() {
  one_checkpoint
  "$LFSW" -q checkpoint export first "$work/in.tar" >/dev/null 2>&1
}
an_export() {
  one_checkpoint
  rm -f "$work/out.tar"
}
a_plan() {
  printf 'steps:\n  - name: writes\n    run: echo "$RANDOM" > "$LFS/d1/step-output"\n' >plan.yaml
}

explore "checkpoint create" one_checkpoint checkpoint create next
explore "checkpoint restore" one_checkpoint checkpoint restore first
explore "checkpoint gc" garbage checkpoint gc
explore "checkpoint import" an_archive checkpoint import "$work/in.tar" --name imported
explore "checkpoint export" an_export checkpoint export first "$work/out.tar"
explore "backup create" one_backup backup create --type system-state
explore "backup prune" two_backups backup prune
explore "backup restore" one_backup backup restore latest
explore "build step" a_plan build start --plan plan.yaml

echo "crash points tried: $crashes, I/O errors tried: $errors, lost: $lost, false successes: $false_successes"
[ "$lost" -eq 0 ] && [ "$false_successes" -eq 0 ]
