#!/usr/bin/env python3
"""bench-convolve.py: convkit's convolution speed against OpenCV and scipy, in the same run.

Runs `convkit bench convolve --json` (the release binary), then times cv2.filter2D,
scipy.ndimage.convolve and scipy.signal.convolve2d (scipy.signal.fftconvolve for the large
kernels, where convolve2d would take minutes) on a seeded random float32 image of the same
size, 'same' mode, and prints medians and the ratios convkit / peer (below 1.0: convkit is
faster). With --process it also times whole processes on a SIZE x SIZE 8-bit PNG with Scharr-x:
`convkit filter`, ImageMagick `convert -morphology Convolve` and `vips conv`.

    swift build -c release --scratch-path .build-conv
    /opt/convkit-peers/bin/python scripts/bench-convolve.py --binary .build-conv/release/convkit --process
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import cv2
import numpy as np
import scipy
import scipy.ndimage as ndimage
import scipy.signal as signal

SEED = 20261129
SLOW_SECONDS = 3.0  # a peer slower than this on its first run is run only once


def kernels():
    rng = np.random.default_rng(31)
    gauss = np.array([1, 4, 6, 4, 1], np.float32) / 16
    return [
        ("scharr-x", np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], np.float32)),
        ("gaussian5", np.outer(gauss, gauss).astype(np.float32)),
        ("box:15", np.full((15, 15), 1 / 225, np.float32)),
        ("box:31", np.full((31, 31), 1 / 961, np.float32)),
        ("random31", rng.uniform(-1, 1, (31, 31)).astype(np.float32)),
    ]


def median_ms(function, repeat):
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    if first > SLOW_SECONDS:
        return first * 1000, 1
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, repeat


def peers(image, kernel, large):
    flipped = np.ascontiguousarray(kernel[::-1, ::-1])
    anchor = (kernel.shape[1] - 1 - kernel.shape[1] // 2, kernel.shape[0] - 1 - kernel.shape[0] // 2)
    result = [
        ("cv2.filter2D", lambda: cv2.filter2D(image, -1, flipped, anchor=anchor, borderType=cv2.BORDER_CONSTANT)),
        ("ndimage.convolve", lambda: ndimage.convolve(image, kernel, mode="constant")),
    ]
    if large:
        result.append(("signal.fftconvolve", lambda: signal.fftconvolve(image, kernel, mode="same")))
    else:
        result.append(("signal.convolve2d", lambda: signal.convolve2d(image, kernel, mode="same")))
    return result


def run_convkit(binary, size, repeat):
    output = subprocess.run([binary, "bench", "convolve", "--json", "--size", str(size), "--repeat", str(repeat)],
                            check=True, capture_output=True, text=True).stdout
    return {record["kernel"]: record for record in json.loads(output)["results"]}


def whole_process(binary, size, repeat):
    folder = tempfile.mkdtemp(prefix="bench-convolve-")
    try:
        ascent = cv2.imread(os.path.join(os.path.dirname(__file__), "..", "samples", "ascent.png"), cv2.IMREAD_GRAYSCALE)
        big = cv2.resize(ascent, (size, size), interpolation=cv2.INTER_CUBIC)
        source = os.path.join(folder, "big.png")
        cv2.imwrite(source, big)
        matrix = os.path.join(folder, "scharr.mat")
        with open(matrix, "w") as f:
            f.write("3 3 1 0\n-3 0 3\n-10 0 10\n-3 0 3\n")
        commands = [
            ("convkit filter", [binary, "filter", source, "--kernel", "scharr-x", "-o", os.path.join(folder, "a.png")]),
            ("convert -morphology", ["convert", source, "-morphology", "Convolve", "3x3: -3,0,3 -10,0,10 -3,0,3",
                                     os.path.join(folder, "b.png")]),
            ("vips conv", ["vips", "conv", source, os.path.join(folder, "c.png"), matrix, "--precision", "integer"]),
        ]
        print(f"\nwhole process, {size}x{size} 8-bit grey PNG, Scharr-x, median of {repeat}:")
        base = None
        for name, command in commands:
            if shutil.which(command[0]) is None and not os.path.exists(command[0]):
                print(f"  {name:22s} not installed")
                continue
            seconds = median_ms(lambda: subprocess.run(command, check=True, capture_output=True), repeat)[0] / 1000
            base = base or seconds
            print(f"  {name:22s} {seconds:7.2f} s   convkit / this = {base / seconds:5.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/release/convkit")
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--process", action="store_true", help="also time whole processes on a PNG")
    args = parser.parse_args()
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, opencv {cv2.__version__} ({cv2.getNumThreads()} threads), "
          f"seed {SEED}, {args.size}x{args.size} float32, same mode, zero boundary, median of {args.repeat}")
    ours = run_convkit(args.binary, args.size, args.repeat)
    image = np.random.default_rng(SEED).random((args.size, args.size), dtype=np.float32)
    print(f"{'kernel':10s} {'convkit ms':>11s} {'path':>9s}   peer ms (convkit / peer)")
    for name, kernel in kernels():
        mine = ours[name]
        cells = []
        for peer, function in peers(image, kernel, kernel.shape[0] > 5):
            ms, runs = median_ms(function, args.repeat)
            cells.append(f"{peer} {ms:.0f}{'*' if runs == 1 else ''} ({mine['median_ms'] / ms:.2f})")
        print(f"{name:10s} {mine['median_ms']:11.1f} {mine['path']:>9s}   " + "   ".join(cells))
    print("(* slower than %.0f s, run once)" % SLOW_SECONDS)
    if args.process:
        whole_process(args.binary, args.size, args.repeat)


if __name__ == "__main__":
    main()
