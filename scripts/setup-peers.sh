#!/usr/bin/env bash
# setup-peers.sh: installs the reference libraries that fixture scripts and benchmarks compare
# convkit against (numpy, scipy, OpenCV, Pillow, matplotlib, PyTorch CPU, safetensors, ONNX and
# onnxruntime) into a virtual environment outside the repository, plus ImageMagick, libvips'
# command-line tools, hyperfine and GNU parallel. Not needed to build or test.
# Usage: scripts/setup-peers.sh [--keras]   (prints the venv's python path at the end)
#   --keras  also makes a second venv, /opt/convkit-keras (CONVKIT_KERAS), with TensorFlow's CPU
#            build, Keras 3 for bench-train.py and Keras 2 (tf_keras) for the legacy .h5
#            fixtures; it is kept apart because TensorFlow pins its
#            own numpy.
set -euo pipefail

venv="${CONVKIT_PEERS:-/opt/convkit-peers}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q numpy scipy opencv-python-headless pillow matplotlib
# State dicts as PyTorch writes them, and ONNX models run by onnxruntime
# (make-pytorch-fixtures.py, make-onnx-fixtures.py, make-activation-export-fixtures.py).
"$venv/bin/pip" install -q safetensors onnx onnxruntime
"$venv/bin/python" -c "import torch" 2>/dev/null || "$venv/bin/pip" install -q torch==2.13.0+cpu
# Captum: reference saliency, gradient x input and Grad-CAM (make-saliency-fixtures.py).
"$venv/bin/python" -c "import captum" 2>/dev/null || "$venv/bin/pip" install -q captum
# pytorch-grad-cam in its own venv (CONVKIT_GRADCAM): it pulls torchvision and OpenCV, and
# PyPI's torchvision for torch 2.13 is a CUDA build (make-saliency-fixtures.py explains).
gradcam_venv="${CONVKIT_GRADCAM:-/opt/convkit-gradcam}"
[ -x "$gradcam_venv/bin/python" ] || python3 -m venv "$gradcam_venv"
"$gradcam_venv/bin/python" -c "import pytorch_grad_cam" 2>/dev/null \
  || "$gradcam_venv/bin/pip" install -q torch==2.13.0+cpu "torchvision==0.28.*" grad-cam

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
# The benchmarks' other tools: hyperfine times whole processes (bench-png.sh), GNU parallel runs
# vips over a folder (bench-many-files.sh).
if ! command -v vips >/dev/null || ! command -v convert >/dev/null || ! command -v hyperfine >/dev/null \
  || ! command -v parallel >/dev/null; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libvips-tools imagemagick hyperfine parallel
fi
if [ "${1:-}" = "--keras" ]; then
  keras_venv="${CONVKIT_KERAS:-/opt/convkit-keras}"
  [ -x "$keras_venv/bin/python" ] || python3 -m venv "$keras_venv"
  "$keras_venv/bin/python" -c "import keras, tensorflow" 2>/dev/null || "$keras_venv/bin/pip" install -q tensorflow-cpu
  # Keras 2 (tf_keras, of TensorFlow's version) writes the legacy .h5 fixtures.
  "$keras_venv/bin/python" -c "import tf_keras" 2>/dev/null ||
    "$keras_venv/bin/pip" install -q "tf-keras==$("$keras_venv/bin/python" -c 'import tensorflow; print(tensorflow.__version__)')"
  echo "$keras_venv/bin/python"
fi
echo "$venv/bin/python"
