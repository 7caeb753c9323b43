#!/usr/bin/env bash
# bench-stream.sh: streamed `convkit filter --kernel box3` against `vips conv` with the same 3x3
# box matrix, on a 32768x32768 8-bit grey PNG and a 16384x16384 16-bit RGB PNG, in one run:
# wall time and peak RSS (GNU time's %M) of each, then a check that convkit's streamed output
# equals its in-memory output (on a 4096x4096 crop of each image: the whole images would need
# about 16 GB and 13 GB in memory).
#
# The images: libvips' gaussnoise with fixed seeds (mean 128, sigma 48; 512x512 grey, seed 17;
# 256x256 per RGB band, seeds 23, 29, 31), enlarged 64x by `vips resize` (a smooth random
# texture, which compresses like a photograph rather than like noise), 16-bit by x257. Both
# tools write PNG at zlib level 6.
# Usage: scripts/bench-stream.sh [CONVKIT_BINARY] [WORK_FOLDER] [IMAGE]
#   (default: .build/release/convkit, built with `swift build -c release --product convkit`;
#   IMAGE is grey8 or rgb16 to run one image alone, default both. Without WORK_FOLDER a
#   temporary folder (about 3 GB) is used and removed; a WORK_FOLDER given is kept, with the
#   images, which a re-run reuses instead of making them again)
set -euo pipefail
cd "$(dirname "$0")/.."
convkit="${1:-.build/release/convkit}"
images="${3:-grey8 rgb16}"
case "$images" in grey8 | rgb16 | "grey8 rgb16") ;; *) echo "bench-stream: IMAGE is grey8 or rgb16, got '$images'" >&2; exit 2 ;; esac
[ -x "$convkit" ] || swift build -c release --product convkit >/dev/null
command -v vips >/dev/null || { echo "bench-stream: needs vips (libvips-tools)" >&2; exit 1; }
if [ -n "${2:-}" ]; then
  work="$2"
  mkdir -p "$work"
  trap 'rm -f "$work"/*.v "$work"/convkit.png "$work"/vips.png "$work"/crop.png "$work"/[sm].*' EXIT
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

echo "making the images (vips $(vips --version | cut -d- -f2))..."
# Small images are cast to their sample format first, so the enlarged ones stream straight to PNG.
if [[ " $images " == *" grey8 "* && ! -s "$work/grey8.png" ]]; then
  vips gaussnoise "$work/n.v" 512 512 --mean 128 --sigma 48 --seed 17
  vips cast "$work/n.v" "$work/n8.v" uchar
  vips resize "$work/n8.v" "$work/grey8.png[compression=6]" 64
fi
if [[ " $images " == *" rgb16 "* && ! -s "$work/rgb16.png" ]]; then
  for seed in 23 29 31; do vips gaussnoise "$work/b$seed.v" 256 256 --mean 128 --sigma 48 --seed $seed; done
  vips bandjoin "$work/b23.v $work/b29.v $work/b31.v" "$work/rgb.v"
  vips linear "$work/rgb.v" "$work/rgb257.v" 257 0
  vips cast "$work/rgb257.v" "$work/rgb16.v" ushort
  vips copy "$work/rgb16.v" "$work/rgb16i.v" --interpretation rgb16  # else pngsave writes 8 bits
  vips resize "$work/rgb16i.v" "$work/rgb16.png[compression=6]" 64
fi
rm -f "$work"/*.v
printf '3 3 9 0\n1 1 1\n1 1 1\n1 1 1\n' > "$work/box3.mat"

measure() {  # prints "SECONDS s, PEAK_KB KB peak RSS", after any line saying which path ran
  /usr/bin/time -f "%e s, %M KB peak RSS" "$@" 2>&1 >/dev/null | grep -E "streaming|in memory|peak RSS"
}

for image in $images; do
  echo "== $image.png: $(vipsheader "$work/$image.png"), $(stat -c %s "$work/$image.png") bytes"
  echo "vips conv (integer box3):      $(measure vips conv "$work/$image.png" "$work/vips.png[compression=6]" "$work/box3.mat" --precision integer)"
  rm -f "$work/vips.png"
  echo "convkit filter --kernel box3 (--verbose):"
  measure "$convkit" filter "$work/$image.png" --kernel box3 --verbose -o "$work/convkit.png" | sed 's/^/  /'
  rm -f "$work/convkit.png"
  # Streamed equals in-memory, on a crop that fits in memory.
  vips crop "$work/$image.png" "$work/crop.png" 1000 2000 4096 4096
  "$convkit" filter "$work/crop.png" --kernel box3 --band-rows 64 -o "$work/s.png"
  "$convkit" filter "$work/crop.png" --kernel box3 --memory 64G -o "$work/m.png"
  "$convkit" filter "$work/crop.png" --kernel box3 --band-rows 64 -o "$work/s.npy"
  "$convkit" filter "$work/crop.png" --kernel box3 --memory 64G -o "$work/m.npy"
  vips rawsave "$work/s.png" "$work/s.raw"
  vips rawsave "$work/m.png" "$work/m.raw"
  if cmp -s "$work/s.raw" "$work/m.raw" && cmp -s "$work/s.npy" "$work/m.npy"; then
    echo "streamed output equals in-memory output (4096x4096 crop, PNG pixels and NPY bytes)"
  else
    echo "MISMATCH: streamed output differs from in-memory output" >&2
    exit 1
  fi
  rm -f "$work"/crop.png "$work"/[sm].*
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
