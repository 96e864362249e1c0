#!/usr/bin/env bash
# lfs-wrapper report: a build with a step that fails once and recovers, with
# resource samples; the HTML rendered by a real headless Chromium: the
# elements a person sees (--dump-dom) and a screenshot that is not blank.
# --all, and bad input: no run, a run that does not exist, an output that
# cannot be written (no partial file).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

run report
expect_status 1 "(no state directory)"
expect_err "report: no build has run"

cat >lfs-wrapper.yaml <<'YAML'
build:
  root: root
monitoring: {interval: 1s}
auto_recovery: {max_attempts: 2}
recovery_actions:
  build_failure: [restart_build]
YAML
cat >plan.yaml <<'PLAN'
steps:
  - name: binutils-pass1
    run: sleep 1.5; echo ok > "$LFS/binutils"
  - name: gcc-pass1
    sbu: 2
    run: |
      if [ ! -e "$LFS/.tried" ]; then
        touch "$LFS/.tried"
        echo "gcc.c:7:1: error: expected ';' before '}' token" >&2
        exit 1
      fi
      sleep 1.5
      head -c 300000 /dev/urandom > "$LFS/gcc"
PLAN
mkdir root
run build start --plan plan.yaml
expect_status 0
run report --output report.html
expect_status 0
expect_out "report of 1 run written to report.html"
expect_file report.html
CHECKS=$((CHECKS + 1)); ! grep -qiE '<script|https?://|src=' report.html || fail "the report fetches or runs something"
OUT=$(cat report.html)
expect_out "<h2>Build 1: <span class=\"state-done\">done</span></h2>"
expect_out "failed: compile_error"
expect_out "gcc-pass1: attempt 1, failed, compile_error"
expect_out "Incident 1: build_failure (compile_error) in step gcc-pass1 — recovered"
expect_out "1 SBU = "

if [ -z "$CHROMIUM" ]; then
  echo "note: no chromium (apt-get install chromium; scripts/deps does): the rendering is not checked"
else
  # Chromium as root needs --no-sandbox; its profile stays in the scratch directory.
  browser() { HOME="$SCRATCH" timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$SCRATCH/chromium" --no-first-run "$@" 2>/dev/null; }
  browser --dump-dom "file://$SCRATCH/report.html" >dom.html
  count() { "$PY" -c '
import sys
from html.parser import HTMLParser
tag, cls = sys.argv[1], sys.argv[2]
class P(HTMLParser):
    n = 0
    def handle_starttag(self, t, attrs):
        if t == tag and cls in dict(attrs).get("class", "").split():
            P.n += 1
p = P(); p.feed(open("dom.html").read()); print(P.n)' "$1" "$2"; }
  expect_equal "$(count rect attempt)" "3" "(a bar per attempt in the rendered timeline)"
  expect_equal "$(count rect attempt-failed)" "1" "(the failed attempt)"
  expect_equal "$(count path recovery)" "1" "(the recovery attempt's mark)"
  expect_equal "$(count line checkpoint)" "2" "(a mark per checkpoint)"
  CHECKS=$((CHECKS + 1)); [ "$(count polyline series)" -ge 3 ] || fail "resource curves: $(count polyline series)"
  CHECKS=$((CHECKS + 1)); [ "$(count line threshold)" -ge 2 ] || fail "threshold lines"
  expect_equal "$(count table steps)" "1"
  expect_equal "$(count table journal)" "1"
  browser --screenshot="$SCRATCH/shot.png" --window-size=1200,1400 "file://$SCRATCH/report.html" >/dev/null
  expect_file shot.png
  # Not blank: the decoded pixels take many values, not one.
  expect_equal "$("$PY" -c '
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
at, idat, width = 8, b"", 0
while at < len(data):
    length, kind = struct.unpack(">I4s", data[at:at + 8])
    if kind == b"IHDR":
        width = struct.unpack(">I", data[at + 8:at + 12])[0]
    if kind == b"IDAT":
        idat += data[at + 8:at + 8 + length]
    at += 12 + length
pixels = zlib.decompress(idat)
print(width >= 1000 and len(set(pixels)) > 50)' shot.png)" "True" "(the screenshot is blank)"
fi

# --all: every run, one after the other.
rm -rf root/* && run build start --plan plan.yaml
run report --all --output all.html
expect_status 0
expect_out "report of 2 runs written to all.html"
expect_equal "$(grep -c '<section class="run"' all.html)" "2"
run report --run 1
expect_status 0
expect_equal "$(grep -c '<section class="run"' <<<"$OUT")" "1"

# Bad input: one clear error, no partial file.
run report --run 7
expect_status 1
expect_err "report: no build run 7 (runs kept: 1 to 2)"
run report --run 1 --all
expect_status 2
mkdir locked
run report --output missing-dir/report.html
expect_status 1
expect_err "report: cannot write missing-dir/report.html: No such file or directory"
expect_no_file missing-dir
if [ "$(id -u)" -ne 0 ]; then
  chmod 500 locked
  run report --output locked/report.html
  expect_status 1
  expect_equal "$(ls -A locked)" "" "(a partial file)"
fi
finish
