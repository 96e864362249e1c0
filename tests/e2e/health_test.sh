#!/usr/bin/env bash
# health check and system check --full tell the truth about a broken setup:
# a bad config, a corrupted state database, a missing or corrupted store
# object, a supervisor that died, an old host tool.
. "$(dirname "$0")/lib.sh"

mkdir root
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
YAML
run health check
expect_status 0 "(a fresh setup has warnings, no failures)"
expect_out "OK    config: lfs-wrapper.yaml is valid"
expect_out "WARN  state database: none yet"
expect_out "WARN  daemon: not running"

echo "first" >root/a
echo "second" >root/b
run checkpoint create one
run health check
expect_status 0
expect_out "OK    store: 1 checkpoint consistent"
expect_out "OK    last checkpoint: one, taken"
expect_out "OK    state database: $SCRATCH/.lfs-wrapper/state.db (quick_check ok)"
expect_out "OK    supervisor: no build running"

# A corrupted object: only the thorough check re-hashes; a missing one shows at once.
HASH=$(sha256sum root/a | cut -c1-64)
corrupt_object "$HASH"
run health check
expect_status 0 "(quick check does not read objects)"
run health check --thorough
expect_status 1 "(corrupt object)"
expect_out "FAIL  store:"
read -r OBJECT _ < <(stored_object "$HASH")
rm -f "$OBJECT"
run health check
expect_status 1 "(missing object)"
expect_out "is missing (lfs-wrapper verify system --all)"
rm -rf .lfs-wrapper/store

# A supervisor that died while its build was marked running.
run build start -- true
sqlite3 .lfs-wrapper/state.db "UPDATE build_run SET state = 'running', supervisor_pid = 999999"
run health check
expect_status 1
expect_out "is marked running but its supervisor (pid 999999) is gone"
sqlite3 .lfs-wrapper/state.db "UPDATE build_run SET state = 'done'"

# A bad config.
printf 'build:\n  root: root\nmonitoring:\n  thresholds: {disk_usage: 190%%}\n' >lfs-wrapper.yaml
run health check
expect_status 1
expect_out "FAIL  config: 1 problem(s), the first: lfs-wrapper.yaml:4:28:"
printf 'build:\n  root: root\n' >lfs-wrapper.yaml

# A corrupted state database page.
run recovery history
for i in $(seq 300); do echo "INSERT INTO limits_adjustment (adjusted_at, jobs, memory_bytes, reason) VALUES ('x', $i, 0, '$(printf '%0500d' 0)');"; done |
  sqlite3 .lfs-wrapper/state.db
sqlite3 .lfs-wrapper/state.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
PAGES=$(sqlite3 .lfs-wrapper/state.db "PRAGMA page_count")
dd if=/dev/urandom of=.lfs-wrapper/state.db bs=4096 seek=$((PAGES - 3)) count=2 conv=notrunc 2>/dev/null
run health check --thorough
expect_status 1 "(corrupted database)"
expect_out "FAIL  state database"
rm -f .lfs-wrapper/state.db*

# system check --full: the LFS host requirements, with an old make on PATH.
mkdir stubs
printf '#!/bin/sh\necho "GNU Make 3.81"\n' >stubs/make
printf '#!/bin/sh\necho "bison (GNU Bison) 3.8.2"\n' >stubs/bison
chmod +x stubs/*
PATH="$SCRATCH/stubs:$PATH" run system check --full
expect_status 1
expect_out "FAIL  host tool make: 3.81 is older than the 4.0 LFS needs"
expect_out "OK    host tool bison: 3.8.2 (>= 2.7)"
expect_out "host tool gcc: "
CHECKS=$((CHECKS + 1)); grep -qE "^(OK  |FAIL)  /bin/sh is " <<<"$OUT" || fail "no /bin/sh check"
expect_out "build root $SCRATCH/root is on "
expect_out "errors of every build (analyze errors --comprehensive):"
finish
