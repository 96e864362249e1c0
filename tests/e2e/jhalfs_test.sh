#!/usr/bin/env bash
# plan import jhalfs|scripts and plan show: a jhalfs-shaped tree becomes a
# plan with jhalfs's order, phases, users and chroot; bad trees are refused
# with the path and why, and no plan is written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/jhalfs_tree.sh"

mkdir -p root
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
make_jhalfs_tree root

run plan import jhalfs root/jhalfs --output plan.yaml
expect_status 0 "plan import jhalfs"
expect_out "wrote $SCRATCH/plan.yaml: 9 steps from 14 scripts"
expect_equal "$(head -1 plan.yaml)" "# Imported by lfs-wrapper plan import jhalfs from $SCRATCH/root/jhalfs" "(header)"
CHECKS=$((CHECKS + 1)); grep -q "^# on 20[0-9-]*T" plan.yaml || fail "the header does not say when"
CHECKS=$((CHECKS + 1)); grep -q "^  # left out: 899-stripping: stripping is off" plan.yaml || fail "stripping is not left out with its reason"
CHECKS=$((CHECKS + 1)); grep -q "^  # left out: 1003-grub: " plan.yaml || fail "grub is not left out"
CHECKS=$((CHECKS + 1)); grep -q "^  # left out: 1002-kernel: jhalfs builds the kernel only when given a kernel config" plan.yaml || fail "the kernel is not left out"

# Order, users, chroot and environment, as the supervisor will run them.
plan_json() {
  "$LFSW" plan show --plan "$1" --json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["steps"]:
    print(s["position"], s["name"], s["user"] or "root", "chroot" if s["chroot"] else "host",
          "clean" if s["clean_env"] else "inherited", s["shell"])'
}
if [ "$(id -u)" -eq 0 ]; then
  expect_equal "$(plan_json plan.yaml)" "1 402-creatingminlayout root host inherited /bin/bash
2 403-addinguser root host inherited /bin/bash
3 404-settingenvironment lfs host clean /bin/bash
4 501-binutils-pass1 lfs host clean /bin/bash
5 502-gcc-pass1 lfs host clean /bin/bash
6 701-changingowner root host inherited /bin/bash
7 704-creatingdirs root chroot inherited /bin/bash
8 801-glibc root chroot inherited /bin/bash
9 1001-fstab root chroot inherited /bin/bash" "(the imported plan: order, users, chroot, environment)"
  # jhalfs's envars: TEST_LOG in the tree's test-logs/, seen from inside the root by a chroot step
  expect_equal "$("$LFSW" plan show --plan plan.yaml --json | /usr/bin/python3 -c '
import json, sys
steps = json.load(sys.stdin)["steps"]
print(steps[3]["env"]["TEST_LOG"], steps[6]["env"]["TEST_LOG"])')" \
    "$SCRATCH/root/jhalfs/test-logs/501-binutils-pass1 /jhalfs/test-logs/704-creatingdirs" "(TEST_LOG)"
  run build start --plan plan.yaml --dry-run
  expect_status 0 "build start --dry-run"
  expect_out "dry run: nothing ran"
  expect_out "404-settingenvironment      lfs       no      /bin/bash"
  expect_no_file .lfs-wrapper/state.db
fi
# The chroot steps run the scripts by their path inside the build root.
CHECKS=$((CHECKS + 1)); grep -qF "'/jhalfs/lfs-commands/chapter07/704-creatingdirs'" plan.yaml || fail "a chroot step does not run its script from inside the root"
CHECKS=$((CHECKS + 1)); grep -qF "source ~/.bashrc && '$SCRATCH/root/jhalfs/lfs-commands/chapter05/501-binutils-pass1'" plan.yaml || fail "an LUSER step does not source ~/.bashrc first"

# A range, and a page jhalfs leaves out taken in.
run plan import jhalfs root/jhalfs --from 501-binutils-pass1 --to 704-creatingdirs --include 702-kernfs
expect_status 0 "a range"
expect_equal "$(grep -c '^  - name: ' <<<"$OUT")" "5" "(steps from 501 to 704, kernfs included)"
expect_out "  - name: 702-kernfs  # SUDO: root on the host"
expect_no_out "name: 402-creatingminlayout"
run plan import jhalfs root/jhalfs --from 999-nothing
expect_status 2 "an unknown --from"
expect_err "--from 999-nothing: no script of that name in the tree"

# ---- bad trees: one clear error each, exit 2, no plan written
bad() { # WHAT EXPECTED-ERROR [ARGS]
  rm -f bad-plan.yaml
  run plan import jhalfs "${3:-bad}" --output bad-plan.yaml
  expect_status 2 "$1"
  expect_err "$2"
  expect_no_file bad-plan.yaml
}
mkdir -p bad
bad "no lfs-commands" "bad: no lfs-commands/ directory (plan import jhalfs takes the jhalfs directory, usually \$LFS/jhalfs)"
make_jhalfs_tree bad-tree && mv bad-tree/jhalfs/lfs-commands bad/ && rm -rf bad-tree
chmod -x bad/lfs-commands/chapter05/501-binutils-pass1
bad "not executable" "$SCRATCH/bad/lfs-commands/chapter05/501-binutils-pass1: not executable"
chmod +x bad/lfs-commands/chapter05/501-binutils-pass1
mkdir -p outside && printf '#!/bin/bash\n' > outside/evil && chmod +x outside/evil
ln -s "$SCRATCH/outside/evil" bad/lfs-commands/chapter08/802-evil
bad "a symlink out of the tree" "$SCRATCH/bad/lfs-commands/chapter08/802-evil: a symlink out of the tree (to $SCRATCH/outside/evil)"
rm bad/lfs-commands/chapter08/802-evil
cp bad/lfs-commands/chapter08/801-glibc bad/lfs-commands/chapter08/801-glibc-again
bad "two scripts with one number" "the same number as"
rm bad/lfs-commands/chapter08/801-glibc-again
cp bad/lfs-commands/chapter08/801-glibc "bad/lfs-commands/chapter08/805-two words"
bad "a space in a name" "805-two words: a script's name becomes its step's name, which cannot hold a space"
rm "bad/lfs-commands/chapter08/805-two words"
mkdir bad/lfs-commands/chapter08/806-directory
bad "not a regular file" "806-directory: not a regular file"
rmdir bad/lfs-commands/chapter08/806-directory
# Repaired, but outside the build root: its chroot steps could not reach their scripts.
bad "a tree outside the build root" "704-creatingdirs: a chroot step runs inside the build root $SCRATCH/root, where this script is not"
rm -rf bad
mkdir -p root/jhalfs2 && make_jhalfs_tree root/jhalfs2
run plan import jhalfs root/jhalfs2/jhalfs
expect_status 0 "a tree anywhere inside the build root"
expect_out "'/jhalfs2/jhalfs/lfs-commands/chapter08/801-glibc'"

# ---- plan import scripts: numbered scripts, root on the host unless the header says otherwise
mkdir -p mine
printf '#!/bin/bash\necho two\n' > mine/20-second
printf '#!/bin/bash\n# lfs-wrapper: user=nobody clean_env\necho one\n' > mine/10-first
chmod +x mine/*
run plan import scripts mine
expect_status 0 "plan import scripts"
expect_equal "$(grep '^  - name: ' <<<"$OUT")" "  - name: 10-first
  - name: 20-second" "(numeric order)"
expect_out "    user: nobody"
printf 'not numbered\n' > mine/README
run plan import scripts mine
expect_status 2 "a file that is not a numbered script"
expect_err "$SCRATCH/mine/README: not a numbered script (expected NNN-name"

# ---- the plan of a running build is not replaced under it, unless --force
"$LFSW" build start -- sleep 30 > running.out 2>&1 &
supervisor=$!
for _ in $(seq 50); do "$LFSW" build status 2>/dev/null | grep -q running && break; sleep 0.1; done
cp plan.yaml plan-before.yaml
run plan import jhalfs root/jhalfs --output plan.yaml --from 501-binutils-pass1
expect_status 1 "replacing the plan under a running build"
expect_err "a build is running; replacing $SCRATCH/plan.yaml under it is refused"
expect_equal "$(cmp plan.yaml plan-before.yaml && echo same)" "same" "(the plan is unchanged)"
run plan import jhalfs root/jhalfs --output plan.yaml --from 501-binutils-pass1 --force
expect_status 0 "--force"
"$LFSW" build stop --force >/dev/null 2>&1
wait "$supervisor"
rm -rf .lfs-wrapper

# ---- plan show validates first
printf 'steps:\n  - name: a\n    run: "true"\n    shell: "not a shell"\n' > broken.yaml
run plan show --plan broken.yaml
expect_status 2 "plan show of an invalid plan"
expect_err "broken.yaml:4:12: steps.a.shell: expected a shell's name (bash) or absolute path, found 'not a shell'"

finish
