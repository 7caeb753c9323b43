#!/usr/bin/env bash
# bench-many-files.sh: many small files, whole batch, in one run: `convkit filter DIR/ -o OUT/`
# against `parallel -j2 vips conv` and ImageMagick `mogrify` over the same folder of 512x512 RGB
# PNGs, with the same 5x5 Gaussian (1 4 6 4 1 outer product / 256; mogrify normalises by the
# sum with convolve:scale=!). Prints files per second
# of each, the ratios, the output sizes and the load average.
# Usage: scripts/bench-many-files.sh [CONVKIT_BINARY] [FILES]
#   (default: .build/release/convkit, 2000 files)
# The folder is deterministic: file i is the 512x512 crop of samples/face.png at x = 37 i mod
# 512, y = 53 i mod 256, mirrored left-right when i is odd, written by Pillow at level 6.
set -euo pipefail
cd "$(dirname "$0")/.."
convkit="${1:-.build/release/convkit}"
count="${2:-2000}"
python="${PYTHON:-/opt/convkit-peers/bin/python}"
[ -x "$convkit" ] || swift build -c release --product convkit >/dev/null
for tool in vips parallel mogrify; do
  command -v "$tool" >/dev/null || { echo "bench-many-files: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/in"
"$python" - "$work/in" "$count" <<'PY'
import sys
from PIL import Image, ImageOps
folder, count = sys.argv[1], int(sys.argv[2])
face = Image.open("samples/face.png").convert("RGB")
for i in range(count):
    x, y = 37 * i % 512, 53 * i % 256
    tile = face.crop((x, y, x + 512, y + 512))
    if i % 2:
        tile = ImageOps.mirror(tile)
    tile.save(f"{folder}/{i:05d}.png", compress_level=6)
PY
printf '5 5 256 0\n1 4 6 4 1\n4 16 24 16 4\n6 24 36 24 6\n4 16 24 16 4\n1 4 6 4 1\n' >"$work/gauss.mat"
magick_kernel='5x5: 1,4,6,4,1 4,16,24,16,4 6,24,36,24,6 4,16,24,16,4 1,4,6,4,1'

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
fresh() { rm -rf "$work/$1"; mkdir "$work/$1"; }

fresh convkit
c=$(seconds "$convkit" filter "$work/in/" --kernel gaussian5 -o "$work/convkit/")
fresh vips
v=$(seconds sh -c "ls '$work/in' | parallel -j2 vips conv '$work/in/{}' '$work/vips/{}' '$work/gauss.mat' --precision integer")
fresh magick
m=$(seconds mogrify -path "$work/magick" -define 'convolve:scale=!' -morphology Convolve "$magick_kernel" "$work/in/*.png")

size() { du -sb "$work/$1" | cut -f1; }
echo "$count 512x512 RGB PNGs ($(size in) bytes), 5x5 Gaussian, whole batch, one run each:"
printf '  %-24s %6.2f s  %7.1f files/s  output %s bytes\n' "convkit filter" "$c" "$(echo "$count / $c" | bc -l)" "$(size convkit)"
printf '  %-24s %6.2f s  %7.1f files/s  output %s bytes\n' "parallel -j2 vips conv" "$v" "$(echo "$count / $v" | bc -l)" "$(size vips)"
printf '  %-24s %6.2f s  %7.1f files/s  output %s bytes\n' "mogrify -morphology" "$m" "$(echo "$count / $m" | bc -l)" "$(size magick)"
awk -v c="$c" -v v="$v" -v m="$m" 'BEGIN { printf "  time ratio convkit/vips %.2f, convkit/mogrify %.2f\n", c / v, c / m }'
echo "  convkit $("$convkit" --version 2>/dev/null || echo '?'), $(vips --version), $(convert -version | head -1 | cut -d' ' -f2-3)"
echo "  load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
