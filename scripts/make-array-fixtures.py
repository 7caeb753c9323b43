#!/usr/bin/env python3
"""Builds the NPY and IDX fixtures for ImageIOTests with numpy, the formats' reference writer.

Every array holds value[i] = f(i) for the flat C-order index i, with f given per file in
manifest.json, so the tests check decoded values against a formula, not against convkit:

    /opt/convkit-peers/bin/python scripts/make-array-fixtures.py
"""
import gzip
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImageIOTests", "Fixtures", "arrays")


def values(shape, dtype):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    if np.dtype(dtype).kind == "f":
        return (i * 0.5 - 3.25).astype(dtype).reshape(shape)  # exact in binary floating point
    return (i * 37 % (np.iinfo(dtype).max + 1)).astype(dtype).reshape(shape)


def main():
    os.makedirs(OUT, exist_ok=True)
    files = []
    for name, shape, dtype in (
        ("u1-hw", (3, 5), "|u1"), ("u2-hwc", (2, 3, 4), "<u2"), ("f4-hw", (4, 3), "<f4"),
        ("f8-hwc", (2, 2, 3), "<f8"), ("f4-big-endian", (2, 5), ">f4"), ("u1-hwc3", (4, 6, 3), "|u1"),
    ):
        np.save(os.path.join(OUT, name + ".npy"), values(shape, dtype))
        files.append({"file": name + ".npy", "shape": list(shape), "dtype": dtype})
    # Other numeric dtypes, which convkit reads widened to float64 (kernels saved from numpy).
    widened = []
    for name, shape, dtype in (("i8-hw", (2, 3), "<i8"), ("i1-hw", (3, 3), "|i1"), ("f2-hw", (2, 2), "<f2"),
                               ("i4-big-endian", (1, 4), ">i4")):
        np.save(os.path.join(OUT, name + ".npy"), values(shape, dtype))
        widened.append({"file": name + ".npy", "shape": list(shape), "dtype": dtype})
    # Numeric dtypes whose header convkit describes (info) but whose data it does not read, with
    # numpy's name for each; and a structured dtype, with the descr numpy writes for it.
    headers_only = []
    for name, dtype in (("c8-hw", "<c8"), ("c16-hw", "<c16"), ("longdouble-hw", np.longdouble)):
        array = values((2, 3), "<f8").astype(dtype)
        np.save(os.path.join(OUT, name + ".npy"), array)
        headers_only.append({"file": name + ".npy", "shape": list(array.shape), "dtype": array.dtype.str,
                             "name": array.dtype.name})
    record = np.dtype([("a", "<f4"), ("b", "|u1")])
    np.save(os.path.join(OUT, "structured.npy"), np.zeros((3, 3), dtype=record))
    structured = {"file": "structured.npy", "descr": repr(np.lib.format.dtype_to_descr(record))}
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(values((3, 4), "<f4")))
    np.lib.format.write_array(open(os.path.join(OUT, "version2.npy"), "wb"), values((2, 3), "<f4"), version=(2, 0))
    files.append({"file": "version2.npy", "shape": [2, 3], "dtype": "<f4"})

    # IDX as MNIST stores it: magic 0x00000803 + big-endian dimensions + uint8 data.
    images = values((3, 4, 5), "u1")
    labels = np.array([7, 2, 1], dtype=np.uint8)
    idx = bytes([0, 0, 8, 3]) + np.array(images.shape, dtype=">u4").tobytes() + images.tobytes()
    open(os.path.join(OUT, "images-idx3-ubyte"), "wb").write(idx)
    with gzip.open(os.path.join(OUT, "images-idx3-ubyte.gz"), "wb") as f:
        f.write(idx)
    open(os.path.join(OUT, "labels-idx1-ubyte"), "wb").write(bytes([0, 0, 8, 1]) + np.array([3], dtype=">u4").tobytes() + labels.tobytes())

    manifest = {
        "generator": "scripts/make-array-fixtures.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__},
        "formula": "float dtypes: v[i] = 0.5*i - 3.25; integer dtypes: v[i] = (37*i) mod (max+1); i = flat C-order index",
        "npy": files, "npy_widened": widened,
        "npy_headers_only": headers_only, "npy_structured": structured, "idx_labels": labels.tolist(),
    }
    json.dump(manifest, open(os.path.join(OUT, "manifest.json"), "w"), indent=1)
    print(f"wrote {len(files)} npy files and 3 idx files to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
