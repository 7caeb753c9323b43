"""mnist_idx.py: data/mnist (scripts/fetch-datasets.sh) as numpy arrays, scaled as convkit scales
them (uint8 / 255 in float32), for the fixture scripts."""
import gzip
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def idx(path):
    """The array in an IDX file (gzip-compressed)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(split):
    """Images (N, 28, 28) in float32 0..1 and labels (N,) in int64; split is 'train' or 't10k'."""
    images = idx(ROOT / f"data/mnist/{split}-images-idx3-ubyte.gz").astype(np.float32) / np.float32(255)
    labels = idx(ROOT / f"data/mnist/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return images, labels
