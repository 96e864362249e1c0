#!/usr/bin/env bash
# /metrics scrape time and `report --all` (time, size) on a state database of RUNS runs x STEPS steps with
# SAMPLES resource samples (the issue's sizes: 20 100 10000), side by side
# with the floor on this machine: the same HTTP round trip to a static file
# (python's http.server serving the textfile the same render wrote).
# Usage: bench/metrics.sh [RUNS] [STEPS] [SAMPLES] [SCRAPES]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
steps=${2:-100}
samples=${3:-10000}
scrapes=${4:-200}
[ -x build/host/lfs-wrapper ] || scripts/build >/dev/null
lfsw=$(pwd)/build/host/lfs-wrapper
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
cd "$work"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
static=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir root textfile
cat >lfs-wrapper.yaml <<YAML
build: {root: root}
monitoring:
  interval: 1h
  prometheus: {textfile: textfile, listen: "127.0.0.1:$port"}
YAML
"$lfsw" recovery init >/dev/null
/usr/bin/python3 - "$runs" "$steps" "$samples" <<'EOF'
import sqlite3, sys
runs, steps, samples = map(int, sys.argv[1:])
db = sqlite3.connect(".lfs-wrapper/state.db")
for run in range(1, runs + 1):
    db.execute("INSERT INTO build_run (id, plan_source, plan_text, build_root, started_at, state)"
               " VALUES (?, 'plan.yaml', '', 'root', '2026-12-01T00:00:00.000Z', 'done')", (run,))
    for position in range(steps):
        db.execute("INSERT INTO build_step (run_id, position, name, state, started_at, ended_at,"
                   " failure_class) VALUES (?, ?, ?, ?, '2026-12-01T00:00:00.000Z',"
                   " '2026-12-01T00:01:00.000Z', ?)",
                   (run, position, "step%d" % position, "failed" if position % 37 == 0 else "done",
                    "compile_error" if position % 37 == 0 else ""))
for i in range(samples // 4):
    taken = "2026-12-01T%02d:%02d:%02d.000Z" % (i // 3600 % 24, i // 60 % 60, i % 60)
    for resource, subject in (("disk", "/"), ("memory", ""), ("cpu", ""), ("pressure", "memory.some.avg10")):
        db.execute("INSERT INTO resource_sample (taken_at, resource, subject, value, threshold)"
                   " VALUES (?, ?, ?, 42.5, 90)", (taken, resource, subject))
db.commit()
EOF
"$lfsw" daemon >daemon.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/metrics" -o textfile/scrape.prom && break; sleep 0.05; done
(cd textfile && exec /usr/bin/python3 -m http.server --bind 127.0.0.1 "$static" >/dev/null 2>&1) &
pids+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$static/scrape.prom" -o /dev/null && break; sleep 0.05; done
# median of SCRAPES round trips, in milliseconds
median() {
  for _ in $(seq "$scrapes"); do curl -s -o /dev/null -w '%{time_total}\n' "$1"; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] * 1000}'
}
ours=$(median "http://127.0.0.1:$port/metrics")
floor=$(median "http://127.0.0.1:$static/scrape.prom")
bytes=$(wc -c <textfile/scrape.prom)
echo "| scrape of /metrics ($runs runs x $steps steps, $samples samples; $bytes bytes) | median ms |"
echo "|---|---|"
echo "| lfs-wrapper daemon /metrics | $ours |"
echo "| python http.server, the same bytes from a file | $floor |"
start=$(date +%s%N)
"$lfsw" report --all --output report.html >/dev/null
took=$((($(date +%s%N) - start) / 1000000))
echo
echo "| report --all ($runs runs x $steps steps, $samples samples) | ms | HTML bytes |"
echo "|---|---|---|"
echo "| lfs-wrapper report | $took | $(wc -c <report.html) |"
