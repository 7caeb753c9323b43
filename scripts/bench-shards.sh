#!/usr/bin/env bash
# bench-shards.sh: throughput (files/s) of `convkit filter` over a folder of small PNGs run as
# 1, 2 and 4 concurrent shards on this machine (--shard K/N, every shard a separate process).
#
# Usage: scripts/bench-shards.sh [FILES] [SIZE]   (default 2000 grey PNGs of 64x64, seed 17)
# Environment: CONVKIT (the binary; default: a release build in .build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-2000}"
size="${2:-64}"
convkit="${CONVKIT:-.build-release/release/convkit}"
[ -x "$convkit" ] || swift build -c release --product convkit --scratch-path .build-release >/dev/null
work="$(mktemp -d /tmp/convkit-shards.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 - "$work/in" "$files" "$size" <<'PY'
import os, random, struct, sys, zlib
root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(root)
rng = random.Random(17)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
for index in range(count):
    rows = b"".join(b"\0" + rng.randbytes(size) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    with open(os.path.join(root, "img%05d.png" % index), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
echo "bench-shards: $files grey PNGs of ${size}x$size, gaussian:5,1.2, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for shards in 1 2 4; do
  rm -rf "$work/out"
  start=$(date +%s.%N)
  for ((k = 0; k < shards; k++)); do
    "$convkit" filter "$work/in" --kernel gaussian:5,1.2 -o "$work/out/" --shard "$k/$shards" &
  done
  wait
  end=$(date +%s.%N)
  written=$(find "$work/out" -name '*.png' | wc -l)
  [ "$written" -eq "$files" ] || { echo "bench-shards: $written outputs, expected $files" >&2; exit 1; }
  awk -v n="$files" -v s="$shards" -v a="$start" -v b="$end" \
    'BEGIN { printf "bench-shards: %d shard(s): %.2f s, %.0f files/s\n", s, b - a, n / (b - a) }'
done
