#!/usr/bin/env bash
# Backup benchmark, side by side in one run on the checkpoint benchmark's
# tree: first backup and an incremental one (1% of the files changed)
# against restic backup and borg create (lz4, no encryption); full restore
# against restic restore and borg extract; repository sizes.
# Targets (issue): first >= 2x faster than restic, incremental >= 5x,
# full restore >= 1.5x, repository within 10% of restic's.
# Usage: bench/backup.sh [FILES] [TOTAL_MIB]   (the issue's size: 60000 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-60000}
mib=${2:-2048}
need=()
for tool in restic borg /usr/bin/python3 /usr/bin/time; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/backup.sh needs: ${need[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic borgbackup python3 time >/dev/null
fi
[ -x build/host/lfs-wrapper ] || scripts/build >/dev/null
lfsw=$(pwd)/build/host/lfs-wrapper
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'build:\n  root: %s/root\nbackup:\n  repository: %s/lfsw-repo\n' "$work" "$work" > lfs-wrapper.yaml
export LFSW_CONFIG=$work/lfs-wrapper.yaml RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic
export BORG_REPO=$work/borg BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes
/usr/bin/python3 "$OLDPWD/bench/gen_tree.py" root "$files" "$mib" 7
count=$(find root -mindepth 1 | wc -l)
restic init -q >/dev/null
borg init --encryption=none

results=$work/results
: > "$results"
measure() {
  local scenario=$1 tool=$2; shift 2
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "$scenario: $tool failed: $(tail -3 "$work/err") $(cat "$work/time")" >&2; exit 1; }
  local start end; start=$(date +%s.%N); sync; end=$(date +%s.%N)
  read -r wall user sys peak < "$work/time"
  echo "$scenario|$tool|$(echo "$wall + $end - $start" | bc -l)|$(echo "$user + $sys" | bc -l)|$peak" >> "$results"
}
change_one_percent() {
  /usr/bin/python3 - <<'PY'
import os, random
rng = random.Random(11)
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk("root") for f in fs
               if not os.path.islink(os.path.join(d, f)))
for p in rng.sample(paths, max(1, len(paths) // 100)):
    with open(p, "ab") as f: f.write(b"changed\n")
PY
}

measure "first backup" "restic backup" restic backup -q root
measure "first backup" "borg create (lz4)" borg create --compression lz4 ::first root
measure "first backup" "lfs-wrapper" "$lfsw" -q backup create --type system-state
sleep 3 # leave the racy-timestamp window
change_one_percent
sleep 3
measure "incremental 1%" "restic backup" restic backup -q root
measure "incremental 1%" "borg create (lz4)" borg create --compression lz4 ::second root
measure "incremental 1%" "lfs-wrapper" "$lfsw" -q backup create --type system-state
mkdir r-restic r-borg r-lfsw
measure "full restore" "restic restore" restic restore -q latest --target r-restic
measure "full restore" "borg extract" sh -c "cd r-borg && borg extract ::second"
measure "full restore" "lfs-wrapper" "$lfsw" -q backup restore latest --to "$work/r-lfsw"

echo "backup benchmark: $count paths, $(du -sh root | cut -f1) ($(nproc) CPUs); wall time includes a sync"
printf '%-16s %-20s %9s %9s %9s %12s\n' scenario tool "wall s" "cpu s" "peak MiB" "lfsw faster"
awk -F'|' '
  { scenario[NR]=$1; tool[NR]=$2; wall[NR]=$3; cpu[NR]=$4; peak[NR]=$5; if ($2 == "lfs-wrapper") lfs[$1]=$3 }
  END { for (i = 1; i <= NR; i++)
          printf "%-16s %-20s %9.2f %9.2f %9.1f %12s\n", scenario[i], tool[i], wall[i], cpu[i], peak[i]/1024,
                 (tool[i] == "lfs-wrapper" || !(scenario[i] in lfs)) ? "" : sprintf("%.2fx", wall[i]/lfs[scenario[i]]) }' "$results"
r=$(du -sk restic | cut -f1); b=$(du -sk borg | cut -f1); l=$(du -sk lfsw-repo | cut -f1)
echo "repository sizes: restic $((r / 1024)) MiB, borg (lz4) $((b / 1024)) MiB, lfs-wrapper $((l / 1024)) MiB ($(echo "scale=2; $l / $r" | bc)x restic's)"
