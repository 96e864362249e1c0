#!/usr/bin/env bash
# Package tracking from the checkpoints: step files says what a step did to
# the tree, files owner which step installed a path and which changed it —
# exact where timestamps are not (an old mtime, a setuid static binary).
. "$(dirname "$0")/lib.sh"

mkdir -p root/usr/bin
echo base > root/usr/bin/preexisting
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
run checkpoint create before-the-build
expect_status 0 "a checkpoint before the build"
cat > plan.yaml <<'PLAN'
steps:
  - name: install-tools
    run: |
      printf 'tool' > "$LFS/usr/bin/tool"
      touch -d 1999-01-01 "$LFS/usr/bin/tool"   # an old mtime, as tar keeps it
      cp /bin/true "$LFS/usr/bin/static" && chmod 4755 "$LFS/usr/bin/static"
      mkdir "$LFS/usr/share"
  - name: upgrade
    run: |
      printf 'tool 2' > "$LFS/usr/bin/tool"
      chmod 700 "$LFS/usr/bin/preexisting"
      printf 'x' > "$LFS/usr/bin/temporary"
  - name: cleanup
    run: rm "$LFS/usr/bin/temporary"
PLAN
run build start --plan plan.yaml
expect_status 0 "the build"

run step files install-tools
expect_status 0 "step files"
expect_out "step install-tools of run 1: checkpoint 000002 against before-the-build (000001)"
expect_out "+ usr/bin/tool  4 B"
expect_out "+ usr/bin/static"
expect_out "+ usr/share/"
expect_out "added 3 ("
run step files upgrade --json
expect_status 0 "step files --json"
expect_equal "$(/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["run"], d["checkpoint"], d["against"])
for p in d["paths"]:
    print(p["change"], p["path"], p["size"])
t = d["totals"]
print(t["added"]["paths"], t["changed"]["paths"], t["changed"]["bytes"], t["metadata"]["paths"], t["removed"]["paths"])' <<<"$OUT")" "1 000003 000002
metadata usr/bin/preexisting 5
added usr/bin/temporary 1
changed usr/bin/tool 6
1 1 6 1 0" "(what upgrade did)"
run step files cleanup
expect_out "- usr/bin/temporary  1 B"
expect_out "removed 1 (1 B)"
run step files no-such-step
expect_status 1 "an unknown step"
expect_err "no checkpoint of a step 'no-such-step'"

run files owner usr/bin/tool "$SCRATCH/root/usr/bin/static" usr/bin/preexisting usr/bin/temporary
expect_status 0 "files owner"
expect_out "usr/bin/tool
  created by step install-tools of run 1 (checkpoint 000002"
expect_out "  changed by step upgrade of run 1 (checkpoint 000003"
expect_out "usr/bin/static
  created by step install-tools of run 1"
expect_out "usr/bin/preexisting
  not installed by any step: already in the first checkpoint, before-the-build (000001)"
expect_out "  removed by step cleanup of run 1"
expect_out "  live: matches the last checkpoint, 000004 (which no longer has it)"
echo tampered > root/usr/bin/static
run files owner usr/bin/static --json
expect_equal "$(/usr/bin/python3 -c '
import json, sys
p = json.load(sys.stdin)["paths"][0]
print(p["installed_by_step"], p["created"]["step"], p["created"]["run"], p["live"])' <<<"$OUT")" "True install-tools 1 differs" "(files owner --json)"
run files owner usr/bin/nothing /etc/passwd
expect_status 1 "paths no checkpoint knows"
expect_out "usr/bin/nothing: no checkpoint of $SCRATCH/root knows this path"
expect_out "/etc/passwd: no checkpoint of $SCRATCH/root knows this path"

finish
