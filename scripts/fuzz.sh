#!/usr/bin/env bash
# File: builds one fuzz target with libFuzzer and AddressSanitizer and fuzzes it for a while.
set -euo pipefail

targets=(png npy idx kernel safetensors arch)

usage() {
    cat <<'EOF'
Usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]

Builds the fuzz target TARGET optimised, with libFuzzer and AddressSanitizer (swift build -c
release -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING, scratch path .build-fuzz-libfuzzer)
and fuzzes it for SECONDS seconds, one process. Prints the executions, the corpus size and any
crash, timeout or out-of-memory file, and exits 1 if libFuzzer found one.

Targets:
  png          PNG decoding (header and pixels, 65,536-pixel limit), re-encoded and re-read
  npy          .npy reading, exact and widened to Double, re-encoded and re-read
  idx          IDX reading, raw and gzip-compressed
  kernel       kernel specifications, .kernel text, libvips .mat and .npy kernel files
               (the first byte of an input picks the form)
  safetensors  safetensors reading and model loading from it
  arch         --arch text parsing, printing back, and building the model on a 9x7x2 input

The seeds in Tests/Fuzz/TARGET/ (regressions/ included) are copied into a working corpus in
.build-fuzz-libfuzzer/runs/TARGET/corpus, which grows from run to run; the repository's corpus is
never written. Findings go to .build-fuzz-libfuzzer/runs/TARGET/findings/, the log of the last run
to .build-fuzz-libfuzzer/runs/TARGET/last-run.log. Tests/Fuzz/dictionaries/TARGET.dict is used
when it exists. Extra flags are passed to libFuzzer (e.g. -max_len=8192, -seed=1). Inputs
slower than 30 s or using more than 2 GB are findings too (-timeout, -rss_limit_mb): the
largest valid inputs, such as a 4095x4095 Gaussian, take about 5 s under the instrumentation.

Replay a finding through the sanitized binary:
  .build-fuzz-libfuzzer/release/fuzz-TARGET FILE
or, in an ordinary build, through the replay runner: swift run fuzz-TARGET FILE...
EOF
}

case "${1:-}" in
    -h|--help) usage; exit 0 ;;
esac
if [ $# -lt 2 ]; then usage >&2; exit 2; fi
target=$1
seconds=$2
shift 2
if [[ ! " ${targets[*]} " =~ " $target " ]]; then
    echo "fuzz.sh: unknown target '$target' (one of: ${targets[*]})" >&2
    exit 2
fi
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: SECONDS must be a positive whole number, got '$seconds'" >&2
    exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scratch=.build-fuzz-libfuzzer
run="$root/$scratch/runs/$target"
binary="$root/$scratch/release/fuzz-$target"

# Optimised: overflow and bounds checks stay, and large valid inputs (a 4095x4095 kernel family)
# run in well under the timeout, which they do not in a debug build under the sanitizer.
echo "fuzz.sh: building fuzz-$target (release, libFuzzer + AddressSanitizer) in $scratch"
swift build --scratch-path "$scratch" --product "fuzz-$target" -c release -Xswiftc -g \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address 2>&1 \
    | grep -v "Cannot export local symbol" || true
[ -x "$binary" ] || { echo "fuzz.sh: the build did not produce $binary" >&2; exit 1; }

mkdir -p "$run/corpus" "$run/findings"
# Seeds (and earlier regressions) join the working corpus under their own names; copying again
# changes nothing.
find "Tests/Fuzz/$target" -type f -exec cp -f {} "$run/corpus/" \;

flags=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
       -artifact_prefix="$run/findings/")
dictionary="$root/Tests/Fuzz/dictionaries/$target.dict"
[ -f "$dictionary" ] && flags+=(-dict="$dictionary")

echo "fuzz.sh: fuzzing $target for $seconds s (log: $run/last-run.log)"
status=0
# The Swift backtracer is switched off so libFuzzer's own handler reports a crash and saves the input.
# The run starts in an empty folder, so file names in kernel specifications find nothing.
mkdir -p "$run/cwd"
touch "$run/started"
started=$(date +%s)
(cd "$run/cwd" && SWIFT_BACKTRACE=enable=no "$binary" "${flags[@]}" "$@" "$run/corpus") >"$run/last-run.log" 2>&1 || status=$?

duration=$(($(date +%s) - started))
executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/last-run.log" | tail -1)
coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$run/last-run.log" | tail -1 || true)
corpus=$(find "$run/corpus" -type f | wc -l)
echo "fuzz.sh: target $target: ${executions:-?} executions in $duration s, ${coverage:-no coverage line}, corpus $corpus files"

new_findings=$(find "$run/findings" -type f -newer "$run/started")
if [ "$status" -ne 0 ] || [ -n "$new_findings" ]; then
    grep -E "^==[0-9]+==ERROR|^SUMMARY|Fatal error|ALARM|out-of-memory|Test unit written" "$run/last-run.log" | head -20 || true
    echo "fuzz.sh: $target: libFuzzer stopped with status $status; new findings:"
    echo "${new_findings:-  (none saved)}" | sed 's/^\//  \//'
    exit 1
fi
echo "fuzz.sh: $target: no crash, timeout or out-of-memory"
