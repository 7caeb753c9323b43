#!/usr/bin/env bash
# setup.sh: installs the Debian packages convkit builds against. Idempotent: when every
# package is already installed it changes nothing and does not touch the network.
set -euo pipefail

packages=(
  libpng-dev        # PNG reading and writing (CPNG)
  zlib1g-dev        # gzip-compressed IDX datasets
  libopenblas-dev   # sgemm for the CNN (COpenBLAS)
  libcairo2-dev     # figures: PNG, SVG and PDF surfaces (CCairo)
  fonts-dejavu-core # the figures' font, found through fontconfig
  libgif-dev        # animated diagrams (CGIF)
  libfftw3-dev      # FFT convolution for large kernels (CFFTW)
  libhdf5-dev       # Keras .keras / .weights.h5 weights (CHDF5)
  chromium          # the test that opens the report's index.html headless and checks its screenshot
  time              # GNU time: the batch load test reads convkit's peak memory from it
  pkg-config
  libdeflate-dev    # fast deflate for the PNG writers' row bands (CPNG)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} system packages are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
