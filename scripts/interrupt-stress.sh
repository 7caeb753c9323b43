#!/usr/bin/env bash
# interrupt-stress.sh: many more random SIGINT/SIGKILL interruptions of `convkit filter` (a batch
# of 60 PNGs over an output folder with existing files) and `convkit train` (stopped twice, then
# resumed) than the test suite runs, with the checks of Tests/CLITests/InterruptionTests.swift
# after each: every output whole and correct or absent, existing files unchanged or validly
# replaced, no temporary file after SIGINT, SIGKILL leftovers removed by the next run, and the
# resumed training byte-identical to an uninterrupted one. Prints the totals, for example
# "files lost or corrupted: 0".
# Usage: scripts/interrupt-stress.sh [RUNS [TRAIN_RUNS]]   (default: 100 filter runs, RUNS/3 train runs)
# Environment: SCRATCH_PATH (swift build folder, default .build); CONVKIT_INTERRUPT_SEED replays
# the schedule printed by an earlier run. Training needs data/mnist (scripts/fetch-datasets.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-100}"
train_runs="${2:-$(( (runs + 2) / 3 ))}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
CONVKIT_INTERRUPT_RUNS="$runs" CONVKIT_INTERRUPT_TRAIN_RUNS="$train_runs" \
    swift test --scratch-path "${SCRATCH_PATH:-.build}" \
    --filter 'InterruptionTests/(filterBatchLeavesEveryOutputWholeOrAbsent|trainLeavesValidFilesAndResumesExactly)' \
    >"$log" 2>&1 || status=$?
grep -E -A1 'recorded an issue' "$log" || true
grep -E 'interruption runs tried' "$log" || true
grep -E '^(✔|✘) Test run' "$log" || tail -20 "$log"
exit "$status"
