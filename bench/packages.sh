#!/usr/bin/env bash
# Package tracking and portable checkpoints, side by side with what users
# would otherwise run: checkpoint export against `tar -cf - . | zstd -1`,
# checkpoint import against `zstd -d | tar -x` (import also hashes and
# stores), and files owner on a store of many checkpoints of a big tree.
# Usage: bench/packages.sh [FILES] [TOTAL_MIB] [OWNER_CHECKPOINTS] [OWNER_PATHS] [ROUNDS]
#        (the issue's sizes: 60000 2048 100 100000; ROUNDS of each measure, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-60000}
mib=${2:-2048}
checkpoints=${3:-100}
owner_paths=${4:-100000}
rounds=${5:-3}
need=()
for tool in zstd tar /usr/bin/python3 /usr/bin/time bc; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/packages.sh needs: ${need[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zstd tar python3 time bc >/dev/null
fi
[ -x build/host/lfs-wrapper ] || scripts/build >/dev/null
lfsw=$(pwd)/build/host/lfs-wrapper
source_dir=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
results=$work/results
: > "$results"
# measure SCENARIO TOOL COMMAND...: wall (including a sync), CPU, peak memory
measure() {
  local scenario=$1 tool=$2; shift 2
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "$tool failed: $(tail -3 "$work/err")" >&2; exit 1; }
  local start end; start=$(date +%s.%N); sync; end=$(date +%s.%N)
  read -r wall user sys peak < "$work/time"
  echo "$scenario|$tool|$(echo "$wall + $end - $start" | bc -l)|$(echo "$user + $sys" | bc -l)|$peak" >> "$results"
}

# 1. Export and import of one checkpoint of an LFS-like tree (FILES 0: skipped).
count=0 sizes=none
if [ "$files" -gt 0 ]; then
mkdir a b
printf 'build:\n  root: %s/a/root\n' "$work" > a/lfs-wrapper.yaml
printf 'build:\n  root: %s/b/root\n' "$work" > b/lfs-wrapper.yaml
/usr/bin/python3 "$source_dir/bench/gen_tree.py" a/root "$files" "$mib" 7
count=$(find a/root -mindepth 1 | wc -l)
(cd a && "$lfsw" -q checkpoint create tree >/dev/null)
for round in $(seq 1 "$rounds"); do
  rm -f ref.tar.zst a/out.tar.zst
  measure export "tar+zstd -1" bash -c "cd a/root && tar -cf - . | zstd -1 -q > $work/ref.tar.zst"
  measure export "lfs-wrapper" bash -c "cd a && '$lfsw' -q checkpoint export tree $work/out.tar.zst"
  rm -rf x b/.lfs-wrapper b/root && mkdir x b/root
  measure import "zstd -d+tar -x" bash -c "zstd -dc -q $work/ref.tar.zst | tar -xf - -C x"
  measure import "lfs-wrapper" bash -c "cd b && '$lfsw' -q checkpoint import $work/out.tar.zst --name tree"
done
sizes="ref.tar.zst $(du -h ref.tar.zst | cut -f1), out.tar.zst $(du -h out.tar.zst | cut -f1)"
rm -rf a b x ref.tar.zst out.tar.zst
fi

# 2. files owner on a store of CHECKPOINTS checkpoints of OWNER_PATHS paths:
# each "step" changes 1% of the files and adds a few (CHECKPOINTS 0: skipped).
owner_count=0
if [ "$checkpoints" -gt 0 ]; then
mkdir c
printf 'build:\n  root: %s/c/root\n' "$work" > c/lfs-wrapper.yaml
/usr/bin/python3 "$source_dir/bench/gen_tree.py" c/root "$owner_paths" 256 11
owner_count=$(find c/root -mindepth 1 | wc -l)
cd c
for n in $(seq 1 "$checkpoints"); do
  /usr/bin/python3 - "$n" <<'PY'
import os, random, sys
n = int(sys.argv[1]); rng = random.Random(n)
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk("root") for f in fs
               if not os.path.islink(os.path.join(d, f)))
for p in rng.sample(paths, max(1, len(paths) // 100)):
    with open(p, "ab") as f: f.write(b"step %d\n" % n)
with open("root/step-%d" % n, "w") as f: f.write("installed by step %d\n" % n)
PY
  "$lfsw" -q checkpoint create "step-$n" >/dev/null
done
some=$(cd root && find . -type f | sed -n '1000p;20000p;50000p' | sed 's|^\./||' | tr '\n' ' ')
for round in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2086
  measure "files owner" "lfs-wrapper" "$lfsw" -q files owner $some step-1
  measure "step files" "lfs-wrapper" "$lfsw" -q step files "step-$((checkpoints / 2))"
done
cd ..
fi

echo "packages benchmark: export/import of $count paths ($mib MiB), files owner over $checkpoints checkpoints of $owner_count paths ($(nproc) CPUs); wall time includes a sync; archives: $sizes"
printf '%-14s %-20s %9s %9s %9s\n' scenario tool "wall s" "cpu s" "peak MiB"
awk -F'|' '{ printf "%-14s %-20s %9.2f %9.2f %9.1f\n", $1, $2, $3, $4, $5/1024 }' "$results"
echo "medians (lfs-wrapper against the other tool, wall):"
awk -F'|' '
  { key = $1 "|" $2; n[key]++; v[key, n[key]] = $3; if ($2 == "lfs-wrapper") ours[$1] = 1; else theirs[$1] = $2 }
  function median(key,   i, j, t, a, m) { m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((m + 1) / 2)] }
  END { for (s in ours) { o = median(s "|lfs-wrapper")
          if (s in theirs) printf "  %-12s lfs-wrapper %.2f s, %s %.2f s: %.2fx their time\n", s, o, theirs[s], median(s "|" theirs[s]), o / median(s "|" theirs[s])
          else printf "  %-12s lfs-wrapper %.2f s\n", s, o } }' "$results"
