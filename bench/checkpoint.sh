#!/usr/bin/env bash
# Checkpoint store benchmark, side by side with what users would otherwise use:
# restic, rsync, tar + zstd and cp -a, on a generated LFS-like tree.
# Usage: bench/checkpoint.sh [FILES] [TOTAL_MIB]   (the issue's size: 60000 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-60000}
mib=${2:-2048}
need=()
for tool in restic rsync zstd /usr/bin/python3 /usr/bin/time; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/checkpoint.sh needs: ${need[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic rsync zstd python3 time >/dev/null
fi
[ -x build/host/lfs-wrapper ] || scripts/build >/dev/null
lfsw=$(pwd)/build/host/lfs-wrapper
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'build:\n  root: %s/root\n' "$work" > lfs-wrapper.yaml
export LFSW_CONFIG=$work/lfs-wrapper.yaml RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic
/usr/bin/python3 "$OLDPWD/bench/gen_tree.py" root "$files" "$mib" 7
count=$(find root -mindepth 1 | wc -l)
restic init -q >/dev/null

results=$work/results
: > "$results"
# measure SCENARIO TOOL COMMAND...: wall, CPU and peak memory, then sync (restic fsyncs, cp does not)
measure() {
  local scenario=$1 tool=$2; shift 2
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "$tool failed: $(tail -3 "$work/err")" >&2; exit 1; }
  local start end; start=$(date +%s.%N); sync; end=$(date +%s.%N)
  read -r wall user sys peak < "$work/time"
  echo "$scenario|$tool|$(echo "$wall + $end - $start" | bc -l)|$(echo "$user + $sys" | bc -l)|$peak" >> "$results"
}
# mutate KIND SEED: the same deterministic change each time it is called with the same seed
mutate() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, random, sys
kind, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk("root") for f in fs
               if not os.path.islink(os.path.join(d, f)))
dirs = sorted(d for d, _, _ in os.walk("root"))
if kind == "append":
    for p in rng.sample(paths, max(1, len(paths) // 100)):
        with open(p, "ab") as f: f.write(b"appended %d\n" % seed)
elif kind == "replace":
    for p in rng.sample(paths, max(1, len(paths) // 100)):
        with open(p + ".new", "wb") as f: f.write(os.urandom(2000))
        os.rename(p + ".new", p)
elif kind == "adddel":
    for i in range(max(1, len(paths) // 50)):
        with open(os.path.join(rng.choice(dirs), "added%d-%d" % (seed, i)), "wb") as f: f.write(os.urandom(3000))
    for p in rng.sample(paths, max(1, len(paths) // 200)):
        os.unlink(p)
PY
}

measure first "cp -a" cp -a root copy-cp
measure first "tar+zstd -1" tar -I 'zstd -1 -T1' -cf tree.tar.zst root
measure first "rsync -a" rsync -a root/ rsync-copy/
cp -a root pristine # for the restore scenarios, not measured
measure first "restic backup" restic backup -q root
measure first "lfs-wrapper" "$lfsw" -q checkpoint create c1
rm -rf copy-cp
sleep 3 # leave the racy-timestamp window, as a build step would
n=2
for kind in append replace adddel; do
  mutate "$kind" "$n"
  sleep 3
  # the floor: a bare walk that stats every path and reads no file
  measure "incr. $kind" "find -printf (walk)" find root -printf '%s %T@\n'
  measure "incr. $kind" "rsync -a --delete" rsync -a --delete root/ rsync-copy/
  measure "incr. $kind" "restic backup" restic backup -q root
  measure "incr. $kind" "lfs-wrapper" "$lfsw" -q checkpoint create "c$n"
  n=$((n + 1))
done
# in-place restore: the same damage undone by each tool
for kind in append replace adddel; do
  mutate "$kind" 90; measure "restore ($kind)" "rsync -a --delete" rsync -a --delete pristine/ root/
  mutate "$kind" 90; measure "restore ($kind)" "lfs-wrapper" "$lfsw" -q checkpoint restore c1
done
rm -rf root restored && mkdir root restored
measure "full restore" "tar+zstd -1" tar -I zstd -xf tree.tar.zst -C restored
rm -rf restored
measure "full restore" "restic restore" restic restore -q latest --target restored
rm -rf root && mkdir root
measure "full restore" "lfs-wrapper" "$lfsw" -q checkpoint restore c1
measure verify "restic check --read-data" restic check -q --read-data
measure verify "lfs-wrapper" "$lfsw" -q verify system --all

echo "checkpoint benchmark: $count paths, $(du -sh pristine | cut -f1) ($(nproc) CPUs); wall time includes a sync"
printf '%-20s %-26s %9s %9s %9s %10s %12s\n' scenario tool "wall s" "cpu s" "peak MiB" "bytes/path" "lfsw faster"
awk -F'|' -v paths="$count" '
  { scenario[NR]=$1; tool[NR]=$2; wall[NR]=$3; cpu[NR]=$4; peak[NR]=$5; if ($2 == "lfs-wrapper") lfs[$1]=$3 }
  END { for (i = 1; i <= NR; i++)
          printf "%-20s %-26s %9.2f %9.2f %9.1f %10.0f %12s\n", scenario[i], tool[i], wall[i], cpu[i], peak[i]/1024, peak[i]*1024/paths,
                 (tool[i] == "lfs-wrapper" || !(scenario[i] in lfs)) ? "" : sprintf("%.2fx", wall[i]/lfs[scenario[i]]) }' "$results"
echo "repository sizes: restic $(du -sh restic | cut -f1), lfs-wrapper store $(du -sh "$(dirname "$LFSW_CONFIG")/.lfs-wrapper/store" | cut -f1)"
