#!/usr/bin/env python3
"""make-convolution-fixtures.py: reference outputs for the convolution engine's tests.

Writes Tests/ConvolutionTests/Fixtures/scipy-cases.json and torch-cases.json. Every expected
output comes from scipy.signal.convolve2d / correlate2d or torch.nn.functional.conv2d (boundary
rules scipy lacks, reflect101 and nearest, come from numpy.pad followed by scipy's 'valid', and
are cross-checked against OpenCV's filter2D with BORDER_REFLECT_101 / BORDER_REPLICATE).
Inputs are small random integer images; kernels are random and asymmetric, of odd and even
sizes, so a missing flip or a misaligned 'same' fails. Seeded; run with the peers' venv:

    /opt/convkit-peers/bin/python scripts/make-convolution-fixtures.py
"""
import json
import os

import cv2
import numpy as np
import scipy
import scipy.signal as signal
import torch
import torch.nn.functional as F

SEED = 20261129
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvolutionTests", "Fixtures")


def plane(array):
    array = np.asarray(array, dtype=np.float64)
    return {"rows": array.shape[0], "columns": array.shape[1], "values": [float("%.10g" % v) for v in array.ravel()]}


def case(name, source, image, kernel, expected, operation, mode, boundary, fill=0.0,
         padding=(0, 0, 0, 0), stride=(1, 1), dilation=(1, 1)):
    return {
        "name": name, "source": source, "input": plane(image), "kernel": plane(kernel), "expected": plane(expected),
        "operation": operation, "mode": mode, "boundary": boundary, "fill": fill,
        "padding": list(padding), "stride": list(stride), "dilation": list(dilation),
    }


def numpy_pad_full(image, kernel, operation, boundary):
    """Full output with a boundary rule scipy lacks: pad by K-1 on each side, then 'valid'."""
    kr, kc = kernel.shape
    mode = {"reflect101": "reflect", "nearest": "edge"}[boundary]
    padded = np.pad(image, ((kr - 1, kr - 1), (kc - 1, kc - 1)), mode=mode)
    function = signal.convolve2d if operation == "convolve" else signal.correlate2d
    return function(padded, kernel, mode="valid")


def same_slice(full, image_shape, kernel_shape, operation):
    """scipy's 'same' as a slice of 'full' (checked against scipy itself below)."""
    rows, columns = image_shape
    starts = []
    for k in kernel_shape:
        starts.append((k - 1) // 2 if operation == "convolve" else k // 2)
    return full[starts[0]:starts[0] + rows, starts[1]:starts[1] + columns]


def scipy_cases(rng):
    cases = []
    shapes = [(3, 3), (4, 4), (2, 5), (5, 2), (1, 4)]
    images = [rng.integers(0, 256, size=(7, 9)).astype(np.float64), rng.integers(0, 256, size=(6, 5)).astype(np.float64)]
    for index, shape in enumerate(shapes):
        kernel = np.round(rng.uniform(-2, 2, size=shape), 3)
        image = images[index % 2]
        for operation in ("convolve", "correlate"):
            function = signal.convolve2d if operation == "convolve" else signal.correlate2d
            for boundary, fill in (("fill", 0.0), ("fill", 7.5), ("wrap", 0.0), ("symm", 0.0)):
                for mode in ("full", "same", "valid"):
                    expected = function(image, kernel, mode=mode, boundary=boundary, fillvalue=fill)
                    name = f"{operation} {mode} {boundary}{'=' + str(fill) if fill else ''} {shape[0]}x{shape[1]} on {image.shape[0]}x{image.shape[1]}"
                    cases.append(case(name, f"scipy.signal.{function.__name__}", image, kernel, expected, operation, mode, boundary, fill))
            # The 'same' slice rule must reproduce scipy exactly before it is used for other boundaries.
            full = function(image, kernel, mode="full")
            assert np.array_equal(same_slice(full, image.shape, kernel.shape, operation), function(image, kernel, mode="same"))
            for boundary in ("reflect101", "nearest"):
                full = numpy_pad_full(image, kernel, operation, boundary)
                outputs = {"full": full, "same": same_slice(full, image.shape, kernel.shape, operation),
                           "valid": function(image, kernel, mode="valid")}
                if shape[0] % 2 == 1 and shape[1] % 2 == 1:
                    border = cv2.BORDER_REFLECT_101 if boundary == "reflect101" else cv2.BORDER_REPLICATE
                    cv_kernel = kernel[::-1, ::-1] if operation == "convolve" else kernel
                    opencv = cv2.filter2D(image, cv2.CV_64F, np.ascontiguousarray(cv_kernel), borderType=border)
                    assert np.allclose(opencv, outputs["same"]), f"OpenCV disagrees on {boundary} {shape}"
                for mode, expected in outputs.items():
                    name = f"{operation} {mode} {boundary} {shape[0]}x{shape[1]} on {image.shape[0]}x{image.shape[1]}"
                    cases.append(case(name, f"numpy.pad(mode) + scipy.signal.{function.__name__} valid",
                                      image, kernel, expected, operation, mode, boundary))
    # A kernel wider than the image: extensions repeat the rule, as scipy does.
    image = rng.integers(0, 256, size=(3, 4)).astype(np.float64)
    kernel = np.round(rng.uniform(-2, 2, size=(4, 9)), 3)
    for boundary in ("fill", "wrap", "symm"):
        for operation in ("convolve", "correlate"):
            function = signal.convolve2d if operation == "convolve" else signal.correlate2d
            for mode in ("full", "same"):
                expected = function(image, kernel, mode=mode, boundary=boundary)
                cases.append(case(f"{operation} {mode} {boundary} 4x9 on 3x4", f"scipy.signal.{function.__name__}",
                                  image, kernel, expected, operation, mode, boundary))
    return cases


def torch_cases(rng):
    cases = []
    image = rng.integers(0, 256, size=(11, 13)).astype(np.float64)
    configs = [
        # (kernel shape, stride, padding (t, b, l, r), dilation, torch pad mode)
        ((3, 3), (2, 2), (1, 1, 1, 1), (1, 1), "constant"),
        ((3, 3), (2, 1), (1, 1, 1, 1), (1, 1), "constant"),
        ((4, 4), (2, 2), (0, 1, 0, 1), (1, 1), "constant"),   # Keras 'same' for stride 2, even kernel
        ((3, 3), (2, 2), (0, 1, 0, 1), (1, 1), "constant"),   # Keras 'same' for stride 2 on odd sizes
        ((3, 2), (1, 1), (2, 2, 1, 1), (2, 3), "constant"),
        ((5, 5), (3, 2), (2, 2, 2, 2), (1, 1), "constant"),
        ((3, 3), (1, 1), (0, 0, 0, 0), (2, 2), "constant"),
        ((3, 3), (2, 2), (1, 1, 1, 1), (1, 1), "reflect"),
        ((2, 3), (1, 2), (1, 2, 2, 1), (1, 1), "replicate"),
        ((3, 3), (2, 2), (2, 1, 1, 2), (1, 2), "circular"),
    ]
    boundaries = {"constant": "fill", "reflect": "reflect101", "replicate": "nearest", "circular": "wrap"}
    for shape, stride, padding, dilation, pad_mode in configs:
        kernel = np.round(rng.uniform(-2, 2, size=shape), 3)
        x = torch.tensor(image, dtype=torch.float64)[None, None]
        k = torch.tensor(kernel, dtype=torch.float64)[None, None]
        top, bottom, left, right = padding
        padded = F.pad(x, (left, right, top, bottom), mode=pad_mode)
        expected = F.conv2d(padded, k, stride=stride, dilation=dilation)[0, 0].numpy()
        if pad_mode == "constant" and top == bottom and left == right:
            direct = F.conv2d(x, k, stride=stride, padding=(top, left), dilation=dilation)[0, 0].numpy()
            assert np.array_equal(direct, expected)
        name = f"conv2d {shape[0]}x{shape[1]} stride {stride} padding {padding} dilation {dilation} {pad_mode}"
        cases.append(case(name, f"torch.nn.functional.conv2d after F.pad(mode='{pad_mode}')", image, kernel, expected,
                          "correlate", "valid", boundaries[pad_mode], 0.0, padding, stride, dilation))
    return cases


def main():
    rng = np.random.default_rng(SEED)
    versions = {"numpy": np.__version__, "scipy": scipy.__version__, "torch": torch.__version__,
                "opencv": cv2.__version__, "seed": SEED}
    os.makedirs(OUT, exist_ok=True)
    for filename, cases in (("scipy-cases.json", scipy_cases(rng)), ("torch-cases.json", torch_cases(rng))):
        path = os.path.join(OUT, filename)
        with open(path, "w") as f:
            json.dump({"generator": "scripts/make-convolution-fixtures.py", "versions": versions, "cases": cases}, f,
                      separators=(",", ":"))
        print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")
    print("versions:", versions)


if __name__ == "__main__":
    main()
