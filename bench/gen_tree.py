#!/usr/bin/python3
"""Generates an LFS-like tree, seeded and reproducible, for the checkpoint benchmark.

Sizes follow an installed LFS system: ~25% of files <= 1 KiB, ~63% <= 4 KiB, ~84% <= 16 KiB,
~0.4% over 1 MiB holding most of the bytes; ~4% symlinks (.so chains), a directory per ~8 files,
a few hardlinks. Usage: gen_tree.py DIR FILES TOTAL_MIB [SEED]
"""
import math
import os
import random
import sys

root, files, total_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
blob = rng.randbytes(1 << 20)  # content comes from a random megabyte, at random offsets


def size_of():
    r = rng.random()
    if r < 0.25:
        return rng.randint(0, 1024)
    if r < 0.63:
        return rng.randint(1025, 4096)
    if r < 0.84:
        return rng.randint(4097, 16384)
    if r < 0.996:
        # log-uniform, so that the many small objects hold about a quarter of the bytes
        return int(math.exp(rng.uniform(math.log(16385), math.log(128 << 10))))
    return -1  # a big file: sized below


def write(path, size):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            start = rng.randrange(0, len(blob) - 1)
            chunk = blob[start:start + min(left, len(blob) - start)]
            f.write(chunk)
            left -= len(chunk)


dirs = [root]
os.makedirs(root, exist_ok=True)
big = []
small_bytes = 0
made = 0
while made < files:
    if made % 8 == 0:
        parent = rng.choice(dirs)
        d = os.path.join(parent, "d%d" % len(dirs))
        os.makedirs(d, exist_ok=True)
        dirs.append(d)
    d = rng.choice(dirs)
    r = rng.random()
    if r < 0.04 and made > 0:
        target = "lib%d.so.1.%d" % (made, rng.randint(0, 9))
        write(os.path.join(d, target), rng.randint(1000, 9000))
        os.symlink(target, os.path.join(d, "lib%d.so" % made))
        made += 2
        continue
    size = size_of()
    path = os.path.join(d, "f%d" % made)
    if size < 0:
        big.append(path)
    else:
        write(path, size)
        small_bytes += size
    if r > 0.999 and os.path.exists(path):
        os.link(path, path + ".hardlink")
        made += 1
    made += 1
# The big files share what is left of the byte budget.
left = max(total_mib * (1 << 20) - small_bytes, len(big) * (1 << 20))
for path in big:
    write(path, max(1 << 20, left // max(1, len(big))))
print("%d files, %d directories, %d big files" % (made, len(dirs), len(big)))
