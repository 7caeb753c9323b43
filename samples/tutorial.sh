#!/usr/bin/env bash
# tutorial.sh: the convolution tutorial from the shell, into one folder: the two filtered ascent
# images, the CNN trained on MNIST, its evaluation, its filters and feature maps, and the report.
#
#   bash samples/tutorial.sh [OUT]            # OUT defaults to tutorial-out
#
# Environment: CONVKIT (the binary; default: convkit on PATH, else .build/release/convkit),
# EPOCHS (default 10, as the tutorial), DATA (default data/mnist, from scripts/fetch-datasets.sh),
# TRAIN_LIMIT (train on the first N images only, for a quick check).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-tutorial-out}
epochs=${EPOCHS:-10}
data=${DATA:-$root/data/mnist}
if [[ -n ${CONVKIT:-} ]]; then convkit=$CONVKIT
elif command -v convkit >/dev/null; then convkit=$(command -v convkit)
else convkit=$root/.build/release/convkit; fi
if [[ ! -x $convkit ]]; then
    echo "tutorial.sh: no convkit binary at $convkit: run 'swift build -c release' or set CONVKIT" >&2
    exit 1
fi
if [[ ! -e $data/train-images-idx3-ubyte.gz && ! -e $data/train-images-idx3-ubyte ]]; then
    echo "tutorial.sh: no MNIST in $data: run 'bash scripts/fetch-datasets.sh'" >&2
    exit 1
fi
limit=()
if [[ -n ${TRAIN_LIMIT:-} ]]; then limit=(--train-limit "$TRAIN_LIMIT"); fi
mkdir -p "$out"
step() { printf '\n== %s\n' "$*"; }

step "1. Convolution by hand: the ascent image through a Scharr x kernel and the tutorial's horizontal kernel"
"$convkit" kernels show scharr-x
"$convkit" filter "$root/samples/ascent.png" --kernel scharr-x -o "$out/ascent-scharr-x.png"
"$convkit" kernels show tutorial-horizontal
"$convkit" filter "$root/samples/ascent.png" --kernel tutorial-horizontal -o "$out/ascent-horizontal.png"

step "2. Training the CNN for $epochs epochs (writes model.log.csv beside the model)"
"$convkit" train -o "$out/model.safetensors" --epochs "$epochs" --data "$data" "${limit[@]}"

step "3. Evaluation on the 10,000 test images"
"$convkit" evaluate "$out/model.safetensors" --data "$data" | tee "$out/evaluation.txt"

step "4. What the network learned: filters of both convolution layers"
"$convkit" visualize filters "$out/model.safetensors" -o "$out/filters-conv1.png"
"$convkit" visualize filters "$out/model.safetensors" --layer conv2 -o "$out/filters-conv2.png"
"$convkit" visualize filters "$out/model.safetensors" --layer conv2 --reduce mean -o "$out/filters-conv2-mean.png"

step "5. Feature maps of every layer for the first test digit"
"$convkit" visualize activations "$out/model.safetensors" --test-index 0 --data "$data" -o "$out/activations"

step "6. Report: confusion matrix, errors per class, misclassified digits, training curves"
"$convkit" report "$out/model.safetensors" --data "$data" -o "$out"

step "Done: open $out/index.html"
