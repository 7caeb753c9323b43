#!/usr/bin/env bash
# setup-peers.sh: installs the reference libraries that fixture scripts and benchmarks compare
# convkit against (numpy, scipy, OpenCV, Pillow, matplotlib, PyTorch CPU) into a virtual environment outside
# the repository, plus ImageMagick and libvips' command-line tools. Not needed to build or test.
# Usage: scripts/setup-peers.sh            (prints the venv's python path at the end)
set -euo pipefail

venv="${CONVKIT_PEERS:-/opt/convkit-peers}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q numpy scipy opencv-python-headless pillow matplotlib
"$venv/bin/python" -c "import torch" 2>/dev/null || "$venv/bin/pip" install -q torch==2.13.0+cpu

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if ! command -v vips >/dev/null || ! command -v convert >/dev/null; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libvips-tools imagemagick
fi
echo "$venv/bin/python"
