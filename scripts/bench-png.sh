#!/usr/bin/env bash
# bench-png.sh: whole-process PNG in, PNG out, convkit against libvips at default settings, in
# one run, on one core and on two (taskset): `convkit filter --kernel gaussian5` against
# `vips conv` with the same integer matrix, `convkit convert` against `vips copy`, and decoding
# (`convkit convert` to .npy against `vips copy` to .v: decode plus a raw write) in ms per
# megapixel; then every --compression level's time (as a ratio to vips) and size, filter and
# convert, on both images, on one core and on two. Times from hyperfine (mean of 5 after a
# warm-up; for the level table 3, and one run without warm-up for the slow levels 7 to 9); output
# file sizes in bytes. LEVELS=0 skips the level table.
#
# The images, made here deterministically by libvips: samples/ascent.png enlarged 8x (4096x4096
# grey) and samples/face.png enlarged 4x (4096x3072 RGB), both bilinear (`vips resize`).
# Usage: scripts/bench-png.sh [CONVKIT_BINARY]
#   (default: .build/release/convkit, built with `swift build -c release --product convkit`)
set -euo pipefail
cd "$(dirname "$0")/.."
convkit="$(realpath "${1:-.build/release/convkit}")"
[ -x "$convkit" ] || { swift build -c release --product convkit >/dev/null; convkit="$(realpath .build/release/convkit)"; }
for tool in vips hyperfine taskset; do
  command -v $tool >/dev/null || { echo "bench-png: needs $tool (libvips-tools, hyperfine, util-linux)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vips resize samples/ascent.png "$work/grey.v" 8
vips copy "$work/grey.v" "$work/grey.png"
vips resize samples/face.png "$work/rgb.v" 4
vips copy "$work/rgb.v" "$work/rgb.png"
rm -f "$work"/*.v
printf '5 5 256 0\n1 4 6 4 1\n4 16 24 16 4\n6 24 36 24 6\n4 16 24 16 4\n1 4 6 4 1\n' > "$work/g5.mat"

echo "vips $(vips --version | cut -d- -f2), hyperfine $(hyperfine --version | cut -d' ' -f2), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
mean() {  # mean seconds of hyperfine's JSON export
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"
}
time_of() {  # CPUS COMMAND [RUNS [WARMUPS]]: mean seconds
  hyperfine --style none --warmup "${4:-1}" --runs "${3:-5}" --export-json "$work/h.json" \
    "taskset -c $1 $2" >/dev/null 2>&1
  mean "$work/h.json"
}
row() {  # LABEL CPUS CONVKIT_COMMAND CONVKIT_OUT VIPS_COMMAND VIPS_OUT
  c=$(time_of "$2" "$3")
  v=$(time_of "$2" "$5")
  awk -v l="$1" -v c="$c" -v v="$v" -v cs="$(stat -c %s "$4")" -v vs="$(stat -c %s "$6")" \
    'BEGIN { printf "%-34s convkit %6.3f s %10d B | vips %6.3f s %10d B | time ratio %.2f\n", l, c, cs, v, vs, c / v }'
}
for image in grey rgb; do
  in="$work/$image.png"
  mp=$(vipsheader -f width "$in" | awk -v h="$(vipsheader -f height "$in")" '{ print $1 * h / 1e6 }')
  echo "== $image.png: $(vipsheader "$in"), $(stat -c %s "$in") bytes"
  for cpus in 0 0,1; do
    n=$(echo "$cpus" | tr ',' '\n' | wc -l)
    row "filter gaussian5 / conv, $n core(s)" "$cpus" \
      "$convkit filter $in --kernel gaussian5 -o $work/c.png" "$work/c.png" \
      "vips conv $in $work/v.png $work/g5.mat --precision integer" "$work/v.png"
    row "convert / copy, $n core(s)" "$cpus" \
      "$convkit convert $in $work/c.png" "$work/c.png" "vips copy $in $work/v.png" "$work/v.png"
    c=$(time_of "$cpus" "$convkit convert $in $work/c.npy")
    v=$(time_of "$cpus" "vips copy $in $work/v.v")
    awk -v n="$n" -v c="$c" -v v="$v" -v mp="$mp" \
      'BEGIN { printf "decode (+raw write), %d core(s):      convkit %.1f ms/MP | vips %.1f ms/MP\n", n, 1000 * c / mp, 1000 * v / mp }'
  done
done
[ "${LEVELS:-1}" = 0 ] && { echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0; }
echo "== convkit --compression levels: seconds, ratio to vips (conv / copy), bytes"
for image in ${LEVEL_IMAGES:-grey rgb}; do
  in="$work/$image.png"
  for cpus in 0 0,1; do
    n=$(echo "$cpus" | tr ',' '\n' | wc -l)
    vf=$(time_of "$cpus" "vips conv $in $work/v.png $work/g5.mat --precision integer" 3)
    vfs=$(stat -c %s "$work/v.png")
    vc=$(time_of "$cpus" "vips copy $in $work/v.png" 3)
    vcs=$(stat -c %s "$work/v.png")
    printf '%s, %d core(s): vips conv %.3f s %d B, vips copy %.3f s %d B\n' "$image" "$n" "$vf" "$vfs" "$vc" "$vcs"
    for level in 0 1 2 3 4 5 6 7 8 9; do
      # 7 to 9 (libdeflate's near-optimal parsers) take several times vips' time: one run.
      runs="3 1" && [ "$level" -ge 7 ] && runs="1 0"
      f=$(time_of "$cpus" "$convkit filter $in --kernel gaussian5 -o $work/c.png --compression $level" $runs)
      fs=$(stat -c %s "$work/c.png")
      c=$(time_of "$cpus" "$convkit convert $in $work/c.png --compression $level" $runs)
      cs=$(stat -c %s "$work/c.png")
      awk -v l="$level" -v f="$f" -v fs="$fs" -v vf="$vf" -v c="$c" -v cs="$cs" -v vc="$vc" \
        'BEGIN { printf "  level %d: filter %6.3f s (%.2f) %10d B | convert %6.3f s (%.2f) %10d B\n", l, f, f / vf, fs, c, c / vc, cs }'
    done
  done
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
