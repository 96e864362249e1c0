#!/usr/bin/env bash
# monitor resources against thresholds (exit status for scripts, --json),
# samples kept in the state database, clean cache and clean system.
. "$(dirname "$0")/lib.sh"

mkdir root
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
monitoring:
  # Nothing here is near these (CPU may be, on a loaded machine: shown, not judged).
  thresholds: {disk_usage: 99%, memory_usage: 99%, cpu_load: 100%}
YAML
run monitor resources
CHECKS=$((CHECKS + 1))
[ "$STATUS" -eq 0 ] || grep -q "^cpu .*EXCEEDED" <<<"$OUT" || fail "exceeded without cause: $OUT"
expect_out "disk /"
expect_out "holds build root, state directory, backup repository"
expect_out "memory"
expect_out "cpu"

# A threshold of 0% is always exceeded: exit status 1, said on the line.
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
monitoring:
  thresholds: {disk_usage: 0%, memory_usage: 99%, cpu_load: 100%}
YAML
run monitor resources
expect_status 1 "(disk over a 0% threshold)"
expect_out "EXCEEDED"
run monitor resources --json
expect_status 1
J=$(/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); r=[x for x in d["resources"] if x["resource"]=="disk"][0]; print(d["exceeded"], r["threshold"], r["exceeded"], 0 < r["value"] <= 100)' <<<"$OUT")
expect_equal "$J" "True 0.0 True True"

# A resource switched off is not watched.
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
monitoring:
  resources: {disk: false, cpu: false}
  thresholds: {disk_usage: 0%}
YAML
run monitor resources
expect_status 0 "(disk not watched)"
expect_no_out "disk /"

# --watch --json prints a line per sample and stops cleanly on SIGTERM.
"$LFSW" monitor resources --watch --json >watch.out 2>&1 &
pid=$!
sleep 2.5
kill -TERM $pid
wait $pid
STATUS=$?
expect_status 0 "(watch ended by SIGTERM)"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '"resources"' watch.out)" -ge 2 ] || fail "watch printed fewer than 2 samples: $(cat watch.out)"

# A build records its samples in the state database.
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
YAML
run build start -- sleep 2.5
expect_status 0
CHECKS=$((CHECKS + 1))
[ "$(sqlite3 .lfs-wrapper/state.db "SELECT count(DISTINCT taken_at) FROM resource_sample WHERE resource = 'disk'")" -ge 2 ] ||
  fail "no disk samples recorded during the build"
run build status
expect_out "  resources: "
expect_out "memory peak "

# clean cache: empties what resources.reclaim names, refuses what it must not touch.
mkdir -p ccache/a/b dl
head -c 300000 /dev/urandom >ccache/a/b/obj
head -c 100000 /dev/urandom >dl/src.tar
ln -s "$SCRATCH/outside" link-cache
mkdir outside && echo keep >outside/precious
# a symlink in a parent of a reclaim path: outside/ccache must not be emptied
mkdir -p outside/ccache && echo keep >outside/ccache/object
ln -s "$SCRATCH/outside" link-parent
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
  scratch: [build-*]
resources:
  reclaim: [ccache, dl, /, root/.., link-cache, link-parent/ccache]
YAML
mkdir -p root/build-gcc && head -c 50000 /dev/urandom >root/build-gcc/x.o
run clean cache
expect_status 1 "(a refused path is an error)"
CHECKS=$((CHECKS + 1))
grep -qE "^  cache $SCRATCH/ccache: 3[0-9][0-9]\.[0-9] KiB$" <<<"$OUT" || fail "bytes freed from ccache not reported"
expect_out "cache /: refused: it is /"
expect_out "refused: it holds the build root or the state directory"
expect_out "cache $SCRATCH/link-cache: refused: it is a symlink"
expect_out "cache $SCRATCH/link-parent/ccache: refused: a symlink on its path"
expect_file outside/ccache/object
expect_file ccache
expect_no_file ccache/a
expect_no_file dl/src.tar
expect_file outside/precious
expect_file root/build-gcc/x.o
run clean cache --all
expect_no_file root/build-gcc
expect_out "scratch $SCRATCH/root:"

# clean system: temporary files; --deep: old runs and unused objects, never a checkpoint.
cat > lfs-wrapper.yaml <<'YAML'
build:
  root: root
YAML
echo one >root/file
run checkpoint create first
run build start -- true
run build start -- true
mkdir -p .lfs-wrapper/store/tmp && echo partial >.lfs-wrapper/store/tmp/obj.123
LATEST=$(sqlite3 .lfs-wrapper/state.db 'SELECT max(id) FROM build_run')
CHECKPOINTS=$("$LFSW" checkpoint list | grep -c '^0')
run clean system
expect_status 0
expect_no_file .lfs-wrapper/store/tmp/obj.123
expect_file .lfs-wrapper/steps/1
run clean system --deep
expect_status 0
expect_out "old run run 1"
expect_out "checkpoints kept: $CHECKPOINTS"
expect_no_file .lfs-wrapper/steps/1
expect_file .lfs-wrapper/steps/$LATEST
expect_equal "$(sqlite3 .lfs-wrapper/state.db 'SELECT count(*) FROM build_run')" "1"
expect_file root/file
run checkpoint restore first
expect_status 0 "(the checkpoint survives clean system --deep)"
finish
