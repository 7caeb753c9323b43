#!/usr/bin/env python3
"""make-range-fixtures.py: reference samples for filter's --range mappings of float results.

Writes Tests/ConvolutionTests/Fixtures/output-ranges.json. "cases": float32 and float64 arrays at the
edges of their formats (spans wider than the largest finite value, spans so narrow that
255/span overflows, subnormals, float64 values beyond Float32's range or closer together than
Float32 can tell, values a hair below a half), each with the 8- or 16-bit samples that
--range clamp, abs, offset or normalize must give. The samples are computed in exact rational
arithmetic (fractions.Fraction on the arrays' exact binary values), rounding half away from
zero as convkit documents, and cross-checked with numpy in float64 wherever float64 does not
overflow. "imageCases": 8-bit grey images filtered with --float64 by kernels whose float64
results differ by less than Float32 can tell (200 + 1e-6 * v), one kernel or a chain, each
result from scipy.signal.correlate2d in float64 and mapped by the same exact rule.
"float32Rounding": numbers written near Float32's largest value, and whether numpy's
float32() of each is finite (3.4028235e38, as numpy prints that value, is).
No expected sample sits within 1e-3 of a rounding tie, so a correct computation in
the array's own precision gives it; the one exception, float64 values 1e-9 from a tie (which
Float32 rounds onto it), stays over 1e-10 away, a million times float64's error there. Run
with the peers' venv:

    /opt/convkit-peers/bin/python scripts/make-range-fixtures.py
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import scipy
import scipy.signal as signal

SEED = 20261205
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvolutionTests", "Fixtures")


def exact_samples(values, output_range, top):
    """The samples for `values` by the exact rule, and each one's distance from a tie."""
    exact = [Fraction(float(v)) for v in values]
    if output_range == "normalize":
        low, high = min(exact), max(exact)
        ts = [(v - low) * top / (high - low) if high > low else Fraction(0) for v in exact]
    elif output_range == "clamp":
        ts = exact
    elif output_range == "abs":
        ts = [abs(v) for v in exact]
    elif output_range == "offset":
        ts = [v + (top + 1) // 2 for v in exact]
    clamped = [min(max(t, Fraction(0)), Fraction(top)) for t in ts]
    samples = [math.floor(t + Fraction(1, 2)) for t in clamped]
    ties = [abs((t - math.floor(t)) - Fraction(1, 2)) for t in clamped if 0 < t < top]
    return samples, min(ties, default=Fraction(1))


def numpy_samples(values, output_range, top):
    """The same rule in numpy's float64, for the cases float64 can hold."""
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(over="raise", invalid="raise"):
        if output_range == "normalize":
            t = (x - x.min()) / (x.max() - x.min()) * top
        elif output_range == "clamp":
            t = x
        elif output_range == "abs":
            t = np.abs(x)
        else:
            t = x + (top + 1) // 2
    return [int(s) for s in np.floor(np.clip(t, 0, top) + 0.5)]


def case(name, array, output_range, bit_depth, margin):
    top = 65535 if bit_depth == 16 else 255
    flat = array.ravel()
    samples, tie = exact_samples(flat, output_range, top)
    assert tie > margin, f"{name}: a sample sits within {float(tie)} of a tie"
    try:
        assert numpy_samples(flat, output_range, top) == samples, name
    except FloatingPointError:
        pass  # float64 overflows here; the exact arithmetic does not
    return {
        "name": name, "dtype": str(array.dtype), "rows": array.shape[0], "columns": array.shape[1],
        "values": [float(v) for v in flat], "range": output_range, "bitDepth": bit_depth,
        "expected": samples,
    }


def image_case(name, image, kernels, output_range, bit_depth):
    """`image` (uint8) correlated in 'valid' mode with each of `kernels` in turn, in float64."""
    top = 65535 if bit_depth == 16 else 255
    result = image.astype(np.float64)
    for kernel in kernels:
        result = signal.correlate2d(result, kernel, mode="valid")
    samples, tie = exact_samples(result.ravel(), output_range, top)
    assert tie > Fraction(1, 1000), f"{name}: a sample sits within {float(tie)} of a tie"
    assert numpy_samples(result.ravel(), output_range, top) == samples, name
    return {
        "name": name, "rows": image.shape[0], "columns": image.shape[1],
        "values": [int(v) for v in image.ravel()],
        "kernels": [{"rows": k.shape[0], "columns": k.shape[1], "weights": [float(w) for w in k.ravel()]}
                    for k in kernels],
        "range": output_range, "bitDepth": bit_depth, "expected": samples,
    }


def image_cases():
    rng = np.random.default_rng(SEED)
    image = np.empty((2, 40), dtype=np.uint8)
    image[0] = 200
    image[1] = rng.integers(0, 256, 40)
    tiny = np.array([[1.0], [1e-6]])
    difference = np.array([[1.0, -1.0]])
    cases = []
    for bit_depth in (8, 16):
        cases.append(image_case(f"200 + 1e-6 * v, normalize, {bit_depth}-bit", image, [tiny],
                                "normalize", bit_depth))
        cases.append(image_case(f"200 + 1e-6 * v then a difference, normalize, {bit_depth}-bit",
                                image, [tiny, difference], "normalize", bit_depth))
    return cases


def float32_rounding():
    texts = ["3.4028235e38", "-3.4028235e38", "3.4028234663852886e38", "3.40282356e38",
             "3.4028236e38", "-3.4028236e38", "3.5e38", "1e39"]
    with np.errstate(over="ignore"):
        return [{"text": text, "finite": bool(np.isfinite(np.float32(float(text))))} for text in texts]


def main():
    ramp = np.arange(12, dtype=np.float64)
    near_ties = np.array(
        [0.499999999, 1.499999999, 254.499999999, 2.500000001, -0.499999999, 3.2, -7.25,
         255.499999999, 127.499999999, 300.1, -300.1, 65535.499999999])
    arrays = [
        ("float32 from -3e38 to 3e38", np.linspace(-3e38, 3e38, 12).astype(np.float32)),
        ("float32 spanning 1.1e-35", (ramp * 1e-36).astype(np.float32)),
        ("float32 subnormals", (ramp * 1.4e-45).astype(np.float32)),
        ("float64 up to 1.1e301", ramp * 1e300),
        ("float64 from -1.7e308 to 1.7e308", 1.7e308 * ((2 * ramp - 11) / 11)),
        ("float64 steps of 1e-12 at 1", 1 + ramp * 1e-12),
        ("float64 subnormals", ramp * 1e-320),
        ("float64 beside Float32's roundings", near_ties),
        ("float32 values on the sample scale", np.linspace(-300.3, 70000.7, 12).astype(np.float32)),
    ]
    cases = []
    for label, values in arrays:
        array = np.asarray(values).reshape(3, 4)
        margin = Fraction(1, 10**10) if values is near_ties else Fraction(1, 1000)
        for output_range in ("normalize", "clamp", "abs", "offset"):
            for bit_depth in (8, 16):
                cases.append(case(f"{label}, {output_range}, {bit_depth}-bit", array, output_range,
                                  bit_depth, margin))
    document = {
        "generator": "scripts/make-range-fixtures.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "seed": SEED,
        "rule": "sample = floor(clamp(t, 0, top) + 1/2) in exact arithmetic; t = (v - min) * top / "
                "(max - min) for normalize, v for clamp, |v| for abs, v + (top + 1) // 2 for offset",
        "cases": cases,
        "imageCases": image_cases(),
        "float32Rounding": float32_rounding(),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "output-ranges.json"), "w") as file:
        json.dump(document, file, indent=1)
        file.write("\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
