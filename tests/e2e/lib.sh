# Shared helpers for the end-to-end tests: each test script sources this,
# runs the real lfs-wrapper binary ($LFSW) in a scratch directory, and
# asserts on what a user would see: output, exit status, files.
set -u

: "${LFSW:?LFSW must name the lfs-wrapper binary}"
: "${TEST_PLUGIN_DIR:?TEST_PLUGIN_DIR must name the test plugins directory}"

TEST_SCRIPT=$(realpath "$0")
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-e2e-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH" || exit 1
unset LFSW_CONFIG LFSW_PLUGIN_PATH
export NO_COLOR=1

FAILURES=0
CHECKS=0

# run ARGS...: runs lfs-wrapper, keeping stdout in $OUT, stderr in $ERR, status in $STATUS.
run() {
  OUT=$("$LFSW" "$@" 2>"$SCRATCH/.stderr")
  STATUS=$?
  ERR=$(cat "$SCRATCH/.stderr")
}

fail() {
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*" >&2
  echo "  command status: ${STATUS:-?}" >&2
  echo "  stdout: ${OUT:-}" | head -20 >&2
  echo "  stderr: ${ERR:-}" | head -20 >&2
}

expect_status() { CHECKS=$((CHECKS + 1)); [ "$STATUS" -eq "$1" ] || fail "${2:-} expected exit status $1, got $STATUS"; }
expect_out() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" <<<"$OUT" || fail "stdout lacks: $1"; }
expect_err() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" <<<"$ERR" || fail "stderr lacks: $1"; }
expect_no_out() { CHECKS=$((CHECKS + 1)); ! grep -qF -- "$1" <<<"$OUT" || fail "stdout should not contain: $1"; }
expect_file() { CHECKS=$((CHECKS + 1)); [ -e "$1" ] || fail "missing file: $1"; }
expect_no_file() { CHECKS=$((CHECKS + 1)); [ ! -e "$1" ] || fail "file should not exist: $1"; }
expect_equal() { CHECKS=$((CHECKS + 1)); [ "$1" = "$2" ] || fail "expected '$2', got '$1' ${3:-}"; }

# Skips the calling test (exit 77, meson's "skipped") unless it runs as root
# on a machine that allows mounting; WHY says what the test needs root for.
# The test then runs again in a private mount namespace of its own (unshare
# -m), so that a bug cannot touch the machine's own mounts.
. "$(dirname "${BASH_SOURCE[0]}")/helpers/store_objects.sh"
require_root_and_mount() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root ($1)"
    exit 77
  fi
  if [ -z "${LFSW_TEST_MOUNT_NAMESPACE:-}" ]; then
    if ! command -v unshare >/dev/null || ! unshare -m --propagation private true 2>/dev/null; then
      echo "SKIP: cannot make a private mount namespace (unshare -m) for the mount experiments"
      exit 77
    fi
    cd / && rm -rf "$SCRATCH"
    LFSW_TEST_MOUNT_NAMESPACE=1 exec unshare -m --propagation private bash "$TEST_SCRIPT"
  fi
  mkdir "$SCRATCH/.probe"
  if ! mount -t tmpfs -o size=1M tmpfs "$SCRATCH/.probe" 2>/dev/null; then
    echo "SKIP: this machine does not allow mounting (no CAP_SYS_ADMIN?)"
    exit 77
  fi
  umount "$SCRATCH/.probe"
  rmdir "$SCRATCH/.probe"
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES of $CHECKS checks failed" >&2
    exit 1
  fi
  echo "all $CHECKS checks passed"
  exit 0
}
