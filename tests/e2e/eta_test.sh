#!/usr/bin/env bash
# The ETA: unknown before anything ran; by SBU (the time of binutils pass 1
# times each step's sbu:) once that step has run; from earlier runs' times of
# the same steps after a first run; in build status, its JSON and the line
# each step starts with. A bad sbu: in the plan is refused with its line.
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
printf 'build: {root: root}\n' >lfs-wrapper.yaml
cat >plan.yaml <<'PLAN'
steps:
  - name: binutils-pass1
    run: sleep 2
  - name: gcc-pass1
    sbu: 2
    run: sleep 1
  - name: linux-headers
    run: "true"
  - name: glibc
    sbu: 1.5
    run: exit 1
PLAN
mkdir root
run build start --plan plan.yaml
expect_status 1
# linux-headers has neither an earlier run nor an sbu: the end is unknown
# until it is done; glibc is then 1.5 SBU of 2 s.
expect_out "==> [1/4] binutils-pass1
"
expect_out "==> [4/4] glibc; build ends "
expect_out "(in 3s; 1 by SBU)"
expect_no_out "==> [2/4] gcc-pass1; build ends"
run build status
expect_out "  ETA:     if resumed now, "
expect_out "(in 3s; 1 by SBU), 1 SBU = 2s"
# A second run knows every step but glibc from the first.
rm -rf root/* && run build start --plan plan.yaml
expect_out "==> [1/4] binutils-pass1; build ends "
expect_out "(in 6s; 3 steps from earlier runs, 1 by SBU)"
OUT=$("$LFSW" build status --json)
expect_equal "$(json "d['eta']['sbu_seconds'], d['eta']['seconds_left'], d['eta']['steps_by_sbu'], d['eta']['steps_unknown'], d['eta']['end'] is not None" <<<"$OUT")" "2 3 1 0 True"
# Without an SBU step or history: unknown.
mkdir other && cd other || exit 1
printf 'build: {root: root}\n' >lfs-wrapper.yaml
printf 'steps:\n  - name: a\n    sbu: 3\n    run: exit 1\n' >plan.yaml
mkdir root
run build start --plan plan.yaml
run build status
expect_out "  ETA:     if resumed now, unknown (no earlier run and no SBU yet for 1 of 1 steps left)"
printf 'steps:\n  - name: a\n    sbu: lots\n    run: "true"\n' >bad.yaml
run build start --plan bad.yaml
expect_status 2
expect_err "bad.yaml:3:10: steps.a.sbu: expected a number of SBU above 0 (the book's estimate, e.g. 4.1), found 'lots'"
finish
