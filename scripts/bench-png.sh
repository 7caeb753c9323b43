#!/usr/bin/env bash
# bench-png.sh: `convkit convert` of a 4096x4096 8-bit grey PNG to PNG at level 6 against
# `vips copy` of the same file, whole process, median of 5 runs each, run alternately in the
# same command, plus the peak memory of `convkit info` and `convkit convert` on that file.
# Usage: scripts/bench-png.sh [CONVKIT_BINARY]   (default: .build/release/convkit)
set -euo pipefail
cd "$(dirname "$0")/.."
convkit="${1:-.build/release/convkit}"
[ -x "$convkit" ] || swift build -c release >/dev/null
command -v vips >/dev/null || { echo "bench-png: needs vips (scripts/setup-peers.sh installs libvips-tools)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The test image: samples/ascent.png enlarged 8x by libvips (bilinear), 4096x4096 grey.
vips resize samples/ascent.png "$work/big.v" 8 >/dev/null
vips copy "$work/big.v" "$work/big.png"

seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

convkit_times=()
vips_times=()
for _ in 1 2 3 4 5; do
  convkit_times+=("$(seconds "$convkit" convert "$work/big.png" "$work/convkit.png" --compression 6)")
  vips_times+=("$(seconds vips copy "$work/big.png" "$work/vips.png[compression=6]")")
done
c=$(printf '%s\n' "${convkit_times[@]}" | median)
v=$(printf '%s\n' "${vips_times[@]}" | median)
echo "input: 4096x4096 8-bit grey PNG, $(stat -c %s "$work/big.png") bytes"
echo "convkit convert: median ${c}s of ${convkit_times[*]}, output $(stat -c %s "$work/convkit.png") bytes"
echo "vips copy:       median ${v}s of ${vips_times[*]}, output $(stat -c %s "$work/vips.png") bytes"
awk -v c="$c" -v v="$v" 'BEGIN { printf "ratio convkit/vips: %.2f\n", c / v }'
info_kb=$(/usr/bin/time -f "%M" "$convkit" info "$work/big.png" 2>&1 >/dev/null | tail -1)
convert_kb=$(/usr/bin/time -f "%M" "$convkit" convert "$work/big.png" "$work/convkit.png" 2>&1 >/dev/null | tail -1)
echo "peak memory: convkit info ${info_kb} KB, convkit convert ${convert_kb} KB (pixels alone: 16384 KB)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
