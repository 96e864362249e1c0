#!/usr/bin/env bash
# Supervision overhead, side by side with running the same work unwrapped:
#  1. a CPU-bound C build with make -j2: wall time wrapped / unwrapped (target <= 1.02)
#  2. a step printing 1 GiB of output: wrapped (log file + console) / the same
#     command with its output sent to a file (target <= 1.05)
# Each figure is the median of RUNS runs. Usage: bench/supervision.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
lfsw=$(pwd)/build/host/lfs-wrapper
[ -x "$lfsw" ] || scripts/build >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/lfsw-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# A synthetic C project: enough translation units, each heavy enough for -O2.
mkdir -p "$work/project"
for i in $(seq 1 32); do
  {
    echo "#include <stdint.h>"
    for f in $(seq 1 60); do
      echo "uint64_t f${i}_${f}(uint64_t x) { uint64_t a = x; for (int k = 0; k < 64; ++k) { a = a * 6364136223846793005ULL + ${f}; a ^= a >> (k % 31 + 1); if (a & 1) a += x * ${i}; } return a; }"
    done
  } > "$work/project/unit$i.c"
done
printf 'OBJS = $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -O2 -c -o $@ $<\nclean:\n\trm -f *.o\n' > "$work/project/Makefile"

printf 'build:\n  root: %s/root\n' "$work" > "$work/lfs-wrapper.yaml"
export LFSW_CONFIG="$work/lfs-wrapper.yaml"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc -l; }

build_plain() { make -C "$work/project" clean >/dev/null; make -C "$work/project" -j2; }
build_wrapped() {
  make -C "$work/project" clean >/dev/null
  rm -rf "$work/state"
  "$lfsw" --state-dir "$work/state" build start -- make -C "$work/project" -j2
}
output_cmd="head -c 1073741824 /dev/zero | tr '\\\\0' 'x' | fold -w 99"
output_plain() { sh -c "$output_cmd" > "$work/output.txt"; }
output_wrapped() {
  rm -rf "$work/state"
  "$lfsw" --state-dir "$work/state" build start -- sh -c "$output_cmd"
}

# Unwrapped and wrapped runs alternate, so that drift (caches, clock speed)
# falls on both alike.
measure_pair() {
  : > "$work/a"; : > "$work/b"
  for _ in $(seq "$runs"); do
    timed "$1" >> "$work/a"
    timed "$2" >> "$work/b"
  done
  echo "$(median < "$work/a") $(median < "$work/b")"
}

echo "lfs-wrapper supervision overhead ($runs runs each, median wall time, $(nproc) CPUs)"
read -r cpu_plain cpu_wrapped < <(measure_pair build_plain build_wrapped)
read -r out_plain out_wrapped < <(measure_pair output_plain output_wrapped)
printf '%-44s %10s %10s %8s %8s\n' "workload" "unwrapped" "wrapped" "ratio" "target"
printf '%-44s %9.2fs %9.2fs %8.3f %8s\n' "C build, make -j2 (32 files)" "$cpu_plain" "$cpu_wrapped" "$(echo "$cpu_wrapped / $cpu_plain" | bc -l)" "<=1.02"
printf '%-44s %9.2fs %9.2fs %8.3f %8s\n' "1 GiB of output (vs. > file)" "$out_plain" "$out_wrapped" "$(echo "$out_wrapped / $out_plain" | bc -l)" "<=1.05"
