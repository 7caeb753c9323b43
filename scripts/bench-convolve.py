#!/usr/bin/env python3
"""bench-convolve.py: convkit's convolution speed against OpenCV (and scipy), in the same run.

For each size (4096 and 1024 by default), input type (float32, and uint8) and thread count (2
and 1; OpenCV gets cv2.setNumThreads to match), runs `convkit bench convolve --json` (the release
binary), then times cv2.filter2D on a seeded random image of the same size and type, 'same'
mode, zero boundary, and prints medians, the ratio convkit / cv2 (below 1.0: convkit is
faster) and convkit's time as a multiple of a memory copy of the same bytes (the bandwidth
floor: 1.0 is as fast as reading the input and writing the output once). With --scipy it also
times scipy.ndimage.convolve and scipy.signal (convolve2d, or fftconvolve for the large
kernels) on float32. With --process it also times whole processes on a SIZE x SIZE 8-bit PNG
with Scharr-x: `convkit filter`, ImageMagick `convert -morphology Convolve` and `vips conv`.

What is timed on each side is the same work. float32: a float32 image in, a new float32 result
out. uint8: an 8-bit grey image in, a new float32 result out: cv2.filter2D(image, cv2.CV_32F, ...)
on the uint8 array (OpenCV converts inside the call), and convkit's engine on the 8-bit image's
samples (rows widened to float inside the call) returning a Float32 plane. Neither side clamps
or rounds to 8 bits, and both allocate their result in the timed call.

Each side runs in a fresh process per round (--rounds, default 3), convkit and OpenCV taking
turns, and a cell's figure is the median over all rounds' runs. On a virtual machine the same
call's median moves by up to 2x from one process to the next (where the memory lands, what the
host is doing), for OpenCV as for convkit, so one process per side would measure that luck as
much as the code. Each cell also prints the spread of the per-round medians of both sides.

    swift build -c release --product convkit
    /opt/convkit-peers/bin/python scripts/bench-convolve.py --binary .build/release/convkit
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
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


STATISTIC = statistics.median  # --best: min, for a machine loaded by other work


def runs_ms(function, repeat):
    """Milliseconds of `repeat` runs after a warm-up run; only the warm-up's if it was slower than SLOW_SECONDS."""
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    if first > SLOW_SECONDS:
        return [first * 1000]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(function, repeat):
    times = runs_ms(function, repeat)
    return STATISTIC(times), len(times)


def opencv(image, kernel):
    flipped = np.ascontiguousarray(kernel[::-1, ::-1])
    anchor = (kernel.shape[1] - 1 - kernel.shape[1] // 2, kernel.shape[0] - 1 - kernel.shape[0] // 2)
    return lambda: cv2.filter2D(image, cv2.CV_32F, flipped, anchor=anchor, borderType=cv2.BORDER_CONSTANT)


def scipy_peers(image, kernel, large):
    result = [("ndimage.convolve", lambda: ndimage.convolve(image, kernel, mode="constant"))]
    if large:
        result.append(("signal.fftconvolve", lambda: signal.fftconvolve(image, kernel, mode="same")))
    else:
        result.append(("signal.convolve2d", lambda: signal.convolve2d(image, kernel, mode="same")))
    return result


def run_convkit(binary, size, repeat, dtype, threads):
    output = subprocess.run([binary, "bench", "convolve", "--json", "--size", str(size), "--repeat", str(repeat),
                             "--dtype", dtype, "--threads", str(threads)],
                            check=True, capture_output=True, text=True).stdout
    document = json.loads(output)
    return document["copy_runs_ms"], {record["kernel"]: record for record in document["results"]}


def opencv_runs(size, repeat, dtype, threads):
    """Runs of cv2.filter2D per kernel, in milliseconds, timed in a fresh process (--cv2-worker)."""
    output = subprocess.run([sys.executable, __file__, "--cv2-worker", "--sizes", str(size), "--dtypes", dtype,
                             "--threads", str(threads), "--repeat", str(repeat)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def cv2_worker(size, repeat, dtype, threads):
    cv2.setNumThreads(threads)
    image = image_of(size, dtype)
    print(json.dumps({name: runs_ms(opencv(image, kernel), repeat) for name, kernel in kernels()}))


def image_of(size, dtype):
    values = np.random.default_rng(SEED).random((size, size), dtype=np.float32)
    return values if dtype == "float32" else (values * 256).astype(np.uint8)


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
    parser.add_argument("--sizes", default="4096,1024")
    parser.add_argument("--dtypes", default="float32,uint8")
    parser.add_argument("--threads", default="2,1")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--best", action="store_true",
                        help="report the fastest run of each instead of the median (on a loaded machine)")
    parser.add_argument("--scipy", action="store_true", help="also time scipy on float32")
    parser.add_argument("--process", action="store_true", help="also time whole processes on a PNG")
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh processes per side, taking turns; each cell pools their runs (default 3)")
    parser.add_argument("--cv2-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cv2_worker:
        cv2_worker(int(args.sizes), args.repeat, args.dtypes, int(args.threads))
        return
    global STATISTIC
    STATISTIC = min if args.best else statistics.median
    print(f"statistic: {'fastest' if args.best else 'median'} run over {args.rounds} rounds of {args.repeat} runs; "
          f"numpy {np.__version__}, scipy {scipy.__version__}, opencv {cv2.__version__}, seed {SEED}, "
          f"same mode, zero boundary; load average {os.getloadavg()[0]:.2f}")
    print(f"{'size':>5s} {'input':7s} {'thr':>3s} {'kernel':9s} {'path':>9s} {'convkit ms':>10s} {'cv2 ms':>8s} "
          f"{'ratio':>6s} {'x copy':>6s}  per-round medians, convkit / cv2")
    ratios = []
    for size in [int(x) for x in args.sizes.split(",")]:
        for dtype in args.dtypes.split(","):
            image = image_of(size, dtype) if args.scipy and dtype == "float32" else None
            for threads in [int(x) for x in args.threads.split(",")]:
                copy_runs, ours, theirs = [], [], []
                for _ in range(args.rounds):
                    copy_round, ours_round = run_convkit(args.binary, size, args.repeat, dtype, threads)
                    copy_runs += copy_round
                    ours.append(ours_round)
                    theirs.append(opencv_runs(size, args.repeat, dtype, threads))
                copy_ms = STATISTIC(copy_runs)
                for name, kernel in kernels():
                    mine_runs = [run for rounds in ours for run in rounds[name]["runs_ms"]]
                    their_runs = [run for rounds in theirs for run in rounds[name]]
                    mine_ms, ms = STATISTIC(mine_runs), STATISTIC(their_runs)
                    ratio = mine_ms / ms
                    ratios.append(ratio)
                    spread = (f"{min(STATISTIC(r[name]['runs_ms']) for r in ours):.1f}-"
                              f"{max(STATISTIC(r[name]['runs_ms']) for r in ours):.1f} / "
                              f"{min(STATISTIC(r[name]) for r in theirs):.1f}-{max(STATISTIC(r[name]) for r in theirs):.1f}")
                    cells = ""
                    if image is not None:
                        for peer, function in scipy_peers(image, kernel, kernel.shape[0] > 5):
                            peer_ms, runs = median_ms(function, args.repeat)
                            cells += f"   {peer} {peer_ms:.0f}{'*' if runs == 1 else ''} ({mine_ms / peer_ms:.2f})"
                    print(f"{size:5d} {dtype:7s} {threads:3d} {name:9s} {ours[0][name]['path']:>9s} {mine_ms:10.1f} "
                          f"{ms:8.1f} {ratio:6.2f} {mine_ms / copy_ms:6.2f}  {spread}{cells}")
                print(f"{'':19s} (memory copy of the same bytes: {copy_ms:.1f} ms)")
    print(f"worst ratio convkit / cv2: {max(ratios):.2f}; load average {os.getloadavg()[0]:.2f}")
    if args.scipy:
        print("(* slower than %.0f s, run once)" % SLOW_SECONDS)
    if args.process:
        whole_process(args.binary, int(args.sizes.split(",")[0]), args.repeat)


if __name__ == "__main__":
    main()
