#!/usr/bin/env bash
# bench-fast-paths.sh: what each of LearnedFilters' fast paths earns, in seconds of one training
# epoch. Builds convkit from HEAD once as it is and once per switched-off path, each in a
# throwaway worktree, then times one epoch of the tutorial network (seed 1) with every build, on 1
# and 2 threads, alternating builds, ROUNDS rounds. Prints each build's median epoch seconds, its
# difference from HEAD's and its test accuracy. The switches (one line each, checked to apply):
#   unfused   - no ConvPool: every convolution and its max pooling run as two layers;
#   nowino    - no Winograd: 3x3 layers with 8+ channels go through im2col (ConvLowered);
#   nodirect  - no one-channel direct pass: the first layer goes through im2col;
#   portable  - no C kernels (AVX2/AVX-512): the portable SIMD loops everywhere;
#   lanes8    - no 16-lane (AVX-512) rows: the 8-lane AVX2 rows with any filter count.
# Usage: scripts/bench-fast-paths.sh [ROUNDS] [VARIANT...]   (default: 2 rounds, every variant)
# Needs MNIST in data/mnist (scripts/fetch-datasets.sh). Run on a quiet machine: only the
# differences within one run mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds="${1:-2}"
shift || true
variants=(main "${@:-unfused nowino nodirect portable lanes8}")
read -r -a variants <<<"${variants[*]}"
data="$root/data/mnist"
[ -e "$data/train-images-idx3-ubyte.gz" ] || [ -e "$data/train-images-idx3-ubyte" ] || {
  echo "bench-fast-paths: no MNIST in $data (run scripts/fetch-datasets.sh)" >&2
  exit 1
}

work=$(mktemp -d)
tree="$work/tree"
cleanup() {
  git -C "$root" worktree remove --force "$tree" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git worktree add -q --detach "$tree" HEAD

# Switches one path off in the worktree's sources; fails when the line it edits has changed.
switch_off() {
  local file pattern replacement
  case $1 in
    main) return ;;
    unfused)
      file=Sources/LearnedFilters/Model/Model.swift
      pattern='fastSteps = Model.fuse(built)'
      replacement='fastSteps = built.map { Step.layer($0) }' ;;
    nowino)
      file=Sources/LearnedFilters/Layers/Conv2D.swift
      pattern='} else if ConvWinograd.supports(geometry),'
      replacement='} else if false, ConvWinograd.supports(geometry),' ;;
    nodirect)
      file=Sources/LearnedFilters/Layers/Conv2D.swift
      pattern='if geometry.inputChannels == 1 {'
      replacement='if false, geometry.inputChannels == 1 {' ;;
    portable)
      file=Sources/LearnedFilters/FastPaths/AVX2Kernels.swift
      pattern='static let supported = ck_has_avx2_fma() != 0'
      replacement='static let supported = false' ;;
    lanes8)
      file=Sources/LearnedFilters/FastPaths/AVX2Kernels.swift
      pattern='static let wide = ck_has_avx512_skylake() != 0'
      replacement='static let wide = false' ;;
    *) echo "bench-fast-paths: unknown variant $1" >&2; exit 2 ;;
  esac
  grep -qF "$pattern" "$tree/$file" || {
    echo "bench-fast-paths: $file no longer has '$pattern'; update the switch for $1" >&2
    exit 1
  }
  PATTERN="$pattern" REPLACEMENT="$replacement" perl -0pi -e \
    's/\Q$ENV{PATTERN}\E/$ENV{REPLACEMENT}/' "$tree/$file"
}

for variant in "${variants[@]}"; do
  git -C "$tree" checkout -q -- Sources
  switch_off "$variant"
  echo "building $variant" >&2
  (cd "$tree" && swift build -c release --product convkit >"$work/build.log" 2>&1) || {
    tail -20 "$work/build.log" >&2
    exit 1
  }
  cp "$tree/.build/release/convkit" "$work/convkit-$variant"
done

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for threads in 1 2; do
    for variant in "${variants[@]}"; do
      run="$work/run"
      rm -rf "$run" && mkdir "$run"
      "$work/convkit-$variant" train -o "$run/m.safetensors" --epochs 1 --seed 1 \
        --threads "$threads" --data "$data" >"$run/out" 2>&1 || {
        tail -3 "$run/out" >&2
        exit 1
      }
      # The training log's last row: ..., test accuracy (5th field), epoch seconds (6th).
      tail -1 "$run/m.log.csv" | awk -F, -v v="$variant" -v t="$threads" \
        '{ print v, t, $6, $5 }' >>"$work/times"
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work/times" "${variants[@]}" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
variants = sys.argv[2:]
print(f"{'build':10} {'threads':>7} {'median s':>9} {'vs HEAD':>9} {'test acc':>9}  (runs)")
for threads in ("1", "2"):
    base = statistics.median(float(r[2]) for r in rows if r[0] == "main" and r[1] == threads)
    for variant in variants:
        runs = [float(r[2]) for r in rows if r[0] == variant and r[1] == threads]
        accuracy = [r[3] for r in rows if r[0] == variant and r[1] == threads][-1]
        median = statistics.median(runs)
        print(f"{variant:10} {threads:>7} {median:9.2f} {median - base:+9.2f} {accuracy:>9}  "
              + " ".join(f"{s:.2f}" for s in runs))
PY
