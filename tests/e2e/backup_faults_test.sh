#!/usr/bin/env bash
# kill -9 at random points of backup create and backup prune, in a loop:
# afterwards the repository verifies, and every listed backup restores.
. "$(dirname "$0")/lib.sh"

mkdir -p root crit
for d in $(seq 1 20); do
  mkdir -p root/dir$d
  for f in $(seq 1 60); do echo "file $d/$f $RANDOM" >root/dir$d/f$f; done
  head -c 400000 /dev/urandom >root/dir$d/blob
done
echo "key" >crit/key
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
backup:
  retention: 1s
  critical_data: [crit]
YAML
run backup create
expect_status 0 "(a first, complete backup)"

KILLS=0
for i in $(seq 1 12); do
  # Change something, so every create has work to do.
  head -c 200000 /dev/urandom >root/dir$((i % 20 + 1))/blob
  if [ $((i % 3)) -eq 0 ]; then
    "$LFSW" backup prune >/dev/null 2>&1 &
  else
    "$LFSW" backup create >/dev/null 2>&1 &
  fi
  pid=$!
  sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null && KILLS=$((KILLS + 1))
  wait $pid 2>/dev/null
  run backup verify --all
  expect_status 0 "(verify after kill $i)"
done
echo "killed $KILLS of 12 runs mid-way"

run backup list
expect_status 0
IDS=$(grep -oE '^[0-9]{8}T[0-9]{6}Z(-[0-9]+)?' <<<"$OUT")
CHECKS=$((CHECKS + 1)); [ -n "$IDS" ] || fail "no backups listed"
for id in $IDS; do
  run backup restore "$id" --to "$SCRATCH/restored-$id"
  expect_status 0 "(restore of listed backup $id)"
done
# The newest complete one restores bit-exactly.
run backup create
run backup test-restore
expect_status 0
run backup prune
expect_status 0
run backup verify --all
expect_status 0

# A state database damaged past opening: health check names it and the way
# back; backup restore replaces the file with the backup's copy.
run backup create --type build-progress
/usr/bin/python3 -c '
import os
f = open(".lfs-wrapper/state.db", "r+b")
for page in range(1, os.path.getsize(".lfs-wrapper/state.db") // 4096):
    f.seek(page * 4096 + 100); f.write(b"CORRUPTED PAGE " * 50)'
run health check
expect_status 1
expect_out "FAIL  state database:"
expect_out "(lfs-wrapper backup restore puts back the latest backup's copy)"
run backup restore
expect_status 0 "(restore over a damaged database)"
expect_out "the state database cannot be used"
run health check --thorough
expect_out "OK    state database:"
run backup list
expect_status 0
finish
