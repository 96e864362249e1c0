#!/usr/bin/env bash
# The monitor's cost and reaction time, with monit's default cycle (30 s) as
# the figure users would otherwise live with:
#  1. CPU per sample and an idle daemon's share of a core: `lfs-wrapper daemon`
#     sampling every second (and recording each sample in SQLite) for SECONDS
#     seconds; utime + stime from /proc (targets: <= 1 ms a sample, < 0.5%)
#  2. threshold crossed -> first action of its chain started, at the default
#     1 s interval (target <= 2 s): a file written to a 16 MiB tmpfs build root
#     pushes disk usage over 50%; the chain's run_command writes the time it
#     started. Needs root for the tmpfs; skipped otherwise.
# Usage: bench/monitor.sh [SECONDS] [CROSSINGS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
crossings=${2:-5}
lfsw=$(pwd)/build/host/lfs-wrapper
[ -x "$lfsw" ] || scripts/build >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  mountpoint -q "$work/root" && umount "$work/root"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/root"
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

printf 'build:\n  root: %s/root\n' "$work" >"$work/lfs-wrapper.yaml"
"$lfsw" --config "$work/lfs-wrapper.yaml" -q daemon &
daemon=$!
sleep 2 # start-up (plugin loading) is not the idle cost
before=$(cpu_ticks "$daemon")
samples_before=$(sqlite3 "$work/.lfs-wrapper/state.db" "SELECT count(DISTINCT taken_at) FROM resource_sample")
sleep "$seconds"
after=$(cpu_ticks "$daemon")
samples_after=$(sqlite3 "$work/.lfs-wrapper/state.db" "SELECT count(DISTINCT taken_at) FROM resource_sample")
kill "$daemon"; wait "$daemon" || true; daemon=
samples=$((samples_after - samples_before))
echo "idle daemon: $((after - before)) ticks of $ticks/s over ${seconds}s, $samples samples"
awk -v t=$((after - before)) -v hz="$ticks" -v s="$seconds" -v n="$samples" 'BEGIN {
  cpu = t / hz
  printf "  CPU per sample: %.3f ms (target <= 1 ms)\n", 1000 * cpu / n
  printf "  idle daemon: %.3f%% of a core (target < 0.5%%)\n", 100 * cpu / s
}'

if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=16M tmpfs "$work/root" 2>/dev/null; then
  echo "reaction time: skipped (needs root to mount a tmpfs)"
  exit 0
fi
rm -rf "$work/.lfs-wrapper"
cat >"$work/lfs-wrapper.yaml" <<YAML
build:
  root: $work/root
monitoring:
  thresholds: {disk_usage: 50%}
auto_recovery:
  conditions: [resource_exhaustion]
alerts:
  methods: []
recovery_actions:
  resource_exhaustion:
    - run_command: {command: "date +%s.%N >> $work/started"}
YAML
"$lfsw" --config "$work/lfs-wrapper.yaml" -q daemon &
daemon=$!
sleep 2
: >"$work/started"
latencies=()
for i in $(seq "$crossings"); do
  # A random phase against the daemon's 1 s cycle.
  sleep "0.$((RANDOM % 10))"
  t0=$(date +%s.%N)
  head -c 10000000 /dev/zero >"$work/root/fill"
  for _ in $(seq 100); do [ "$(wc -l <"$work/started")" -ge "$i" ] && break; sleep 0.05; done
  t1=$(tail -1 "$work/started")
  latencies+=("$(echo "$t1 - $t0" | bc)")
  rm -f "$work/root/fill"
  sleep 1.5 # the value clears below threshold - margin
  "$lfsw" --config "$work/lfs-wrapper.yaml" -q recovery reset resource_exhaustion >/dev/null
done
printf '%s\n' "${latencies[@]}" | sort -n | awk '{a[NR]=$1} END {
  printf "threshold crossed -> first action started: median %.2f s, worst %.2f s over %d crossings (target <= 2 s; monit cycle 30 s)\n", a[int((NR+1)/2)], a[NR], NR }'
