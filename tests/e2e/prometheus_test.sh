#!/usr/bin/env bash
# monitoring.prometheus: the textfile after a build checked by promtool; the
# daemon's /metrics scraped by Debian's real prometheus on loopback and read
# back through its HTTP API; a supervisor beside a daemon that serves the
# address; an address in use or not of this machine refused at start; a
# textfile directory that cannot be written warned about once.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "SKIP: needs prometheus and promtool (apt-get install prometheus; scripts/deps does)"
  exit 77
fi
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$SCRATCH"; }
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

METRICS_PORT=$(free_port)
mkdir -p root textfile
write_config() {
  cat >lfs-wrapper.yaml <<YAML
build:
  root: root
monitoring:
  interval: 1s
  prometheus: {textfile: ${TEXTFILE-textfile}, listen: "${LISTEN-127.0.0.1:$METRICS_PORT}"}
YAML
}
write_config
printf 'steps:\n  - name: binutils\n    run: echo ok > "$LFS/binutils"\n  - name: gcc\n    run: echo ok > "$LFS/gcc"\n' >plan.yaml
run build start --plan plan.yaml
expect_status 0
# The textfile: promtool accepts it; it says what the build did; no temporary left.
OUT=$(promtool check metrics <textfile/lfs_wrapper.prom 2>&1)
expect_status 0
CHECKS=$((CHECKS + 1)); promtool check metrics <textfile/lfs_wrapper.prom >/dev/null 2>&1 || fail "promtool: $OUT"
OUT=$(cat textfile/lfs_wrapper.prom)
expect_out "lfs_wrapper_steps_done_total 2"
expect_out 'lfs_wrapper_build_steps{state="done"} 2'
expect_out "lfs_wrapper_checkpoints 2"
expect_out "lfs_wrapper_build_running 0"
expect_out "lfs_wrapper_checkpoint_last_new_bytes "
expect_out "lfs_wrapper_checkpoint_last_duration_seconds "
expect_out "# TYPE lfs_wrapper_steps_failed_total counter"
expect_equal "$(ls -A textfile)" "lfs_wrapper.prom" "(a temporary file left in the textfile directory)"
expect_equal "$(grep -vE '^(# (HELP|TYPE) )?lfs_wrapper_' textfile/lfs_wrapper.prom)" "" "(a line without the lfs_wrapper_ prefix)"

# A backup from the command line: its size, what it added, when it ended and
# how long it took, in the textfile at once. A failed one after it.
BEFORE=$(date +%s)
run backup create --type system-state
expect_status 0
OUT=$(cat textfile/lfs_wrapper.prom)
expect_out 'lfs_wrapper_backups_total{result="done"} 1'
expect_out "lfs_wrapper_backup_last_run_success 1"
BYTES=$(sed -n 's/^lfs_wrapper_backup_last_bytes //p' textfile/lfs_wrapper.prom)
NEW=$(sed -n 's/^lfs_wrapper_backup_last_new_bytes //p' textfile/lfs_wrapper.prom)
ENDED=$(sed -n 's/^lfs_wrapper_backup_last_success_timestamp_seconds //p' textfile/lfs_wrapper.prom)
TOOK=$(sed -n 's/^lfs_wrapper_backup_last_duration_seconds //p' textfile/lfs_wrapper.prom)
# The tree holds two 3-byte files: the backup holds at least those bytes.
CHECKS=$((CHECKS + 1)); [ -n "$BYTES" ] && [ "$BYTES" -ge 6 ] || fail "backup bytes: '$BYTES'"
CHECKS=$((CHECKS + 1)); [ -n "$NEW" ] && [ "$NEW" -gt 0 ] || fail "backup new bytes: '$NEW'"
CHECKS=$((CHECKS + 1)); "$PY" -c 'import sys; b, e, t = map(float, sys.argv[1:]); sys.exit(not (b - 1 <= e <= b + 60 and 0 <= t < 60))' \
  "$BEFORE" "$ENDED" "$TOOK" || fail "backup ended at '$ENDED' (started after $BEFORE), took '$TOOK'"
mv root root.away
run backup create --type system-state
expect_status 1 "(a backup of a build root that is not there)"
mv root.away root
OUT=$(cat textfile/lfs_wrapper.prom)
expect_out 'lfs_wrapper_backups_total{result="done"} 1'
expect_out 'lfs_wrapper_backups_total{result="failed"} 1'
expect_out "lfs_wrapper_backup_last_run_success 0"
expect_out "lfs_wrapper_backup_last_success_timestamp_seconds $ENDED"
CHECKS=$((CHECKS + 1)); promtool check metrics <textfile/lfs_wrapper.prom >/dev/null 2>&1 || fail "promtool after backups"

# The daemon serves /metrics; a real prometheus scrapes it on loopback.
"$LFSW" daemon >daemon.out 2>&1 &
DAEMON=$!
PIDS+=($DAEMON)
wait_port "$METRICS_PORT" || fail "the daemon does not serve metrics: $(cat daemon.out)"
PROM_PORT=$(free_port)
cat >prometheus.yml <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: lfs
    static_configs: [{targets: ["127.0.0.1:$METRICS_PORT"]}]
YAML
prometheus --config.file=prometheus.yml --storage.tsdb.path="$SCRATCH/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >prometheus.log 2>&1 &
PIDS+=($!)
wait_port "$PROM_PORT" || fail "prometheus did not start: $(tail -5 prometheus.log)"
query() {
  "$PY" -c '
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?query=%s" % (sys.argv[1], urllib.parse.quote(sys.argv[2]))
result = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
print(" ".join(r["value"][1] for r in result))' "$PROM_PORT" "$1" 2>/dev/null
}
VALUE=""
for _ in $(seq 100); do
  VALUE=$(query 'lfs_wrapper_checkpoints{job="lfs"}')
  [ -n "$VALUE" ] && break
  sleep 0.2
done
expect_equal "$VALUE" "2" "(prometheus read lfs_wrapper_checkpoints through its API)"
expect_equal "$(query 'up{job="lfs"}')" "1"
expect_equal "$(query 'lfs_wrapper_steps_done_total')" "2"
expect_equal "$(query 'lfs_wrapper_backups_total{result="failed"}')" "1"
CHECKS=$((CHECKS + 1)); [ -n "$(query 'lfs_wrapper_resource_usage_ratio{resource="memory"}')" ] ||
  fail "no memory sample scraped"
# The alerting rules of the docs load.
OUT=$(promtool check rules "$(dirname "$TEST_SCRIPT")/../../examples/prometheus/lfs-wrapper-rules.yml" 2>&1)
CHECKS=$((CHECKS + 1)); grep -q "SUCCESS: 3 rules found" <<<"$OUT" || fail "the example rules: $OUT"
# Only /metrics, only GET.
expect_equal "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/")" "404"
expect_equal "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$METRICS_PORT/metrics")" "405"
expect_equal "$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$METRICS_PORT/metrics")" "text/plain; version=0.0.4; charset=utf-8"

# A build beside the daemon that serves the address: the daemon serves it.
rm -rf root/* && run build start --plan plan.yaml
expect_status 0 "(a build while the daemon serves the metrics address)"
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null

# The address in use by another program: the daemon and the build refuse to start.
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$METRICS_PORT" &
HOLDER=$!
PIDS+=($HOLDER)
wait_port "$METRICS_PORT"
RUNS_BEFORE=$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM build_run")
run build start --plan plan.yaml
expect_status 1 "(the metrics address is in use)"
expect_err "monitoring.prometheus.listen: cannot serve metrics on 127.0.0.1:$METRICS_PORT: the address is in use by another program; the build does not start"
expect_equal "$(sqlite3 .lfs-wrapper/state.db "SELECT count(*) FROM build_run")" "$RUNS_BEFORE" "(a run was started)"
timeout 10 "$LFSW" daemon >daemon2.out 2>&1
STATUS=$?
expect_status 1 "(the daemon refuses to start without its metrics)"
CHECKS=$((CHECKS + 1)); grep -q "the address is in use by another program; the daemon does not start" daemon2.out .lfs-wrapper/lfs-wrapper.log ||
  fail "the daemon's refusal: $(cat daemon2.out)"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
# An address of no interface of this machine, and one that is no address.
LISTEN=192.0.2.1:9101 write_config
run build start --plan plan.yaml
expect_status 1
expect_err "cannot serve metrics on 192.0.2.1:9101: no interface of this machine has it"
LISTEN=localhost write_config
run build start --plan plan.yaml
expect_status 1
expect_err "monitoring.prometheus.listen: 'localhost' is not ADDRESS:PORT"

# A textfile directory that cannot be written: one warning, the build goes on.
touch not-a-directory
TEXTFILE=not-a-directory LISTEN="" write_config
rm -rf root/* && run build start --plan plan.yaml
expect_status 0 "(the build goes on without its textfile)"
expect_equal "$(grep -c 'monitoring.prometheus.textfile: cannot write' .lfs-wrapper/lfs-wrapper.log)" "1" "(warned once)"
finish
