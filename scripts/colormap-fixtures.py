#!/usr/bin/env python3
"""colormap-fixtures.py: samples matplotlib's grey, viridis and RdBu_r colour maps at fixed and
seeded random positions into Tests/DrawingTests/Fixtures/colormaps.csv, the reference that
convkit's ColorMap is tested against. Run with the peers venv (scripts/setup-peers.sh):
    /opt/convkit-peers/bin/python scripts/colormap-fixtures.py
"""
import csv
import os
import sys

import matplotlib
import numpy as np
from matplotlib import colormaps

SEED = 20261129
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "DrawingTests", "Fixtures", "colormaps.csv")


def main():
    rng = np.random.default_rng(SEED)
    positions = sorted(set([0.0, 0.5, 1.0, 0.25, 0.75, 1 / 3, 0.999, 0.001] + list(rng.random(40).round(6))))
    names = {"grey": "gray", "viridis": "viridis", "diverging": "RdBu_r"}
    with open(OUT, "w", newline="") as handle:
        handle.write(f"# matplotlib {matplotlib.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}, seed {SEED}\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["map", "t", "red", "green", "blue"])
        for ours, theirs in names.items():
            cmap = colormaps[theirs]
            for t in positions:
                r, g, b, _ = cmap(float(t))
                writer.writerow([ours, repr(float(t)), f"{r:.6f}", f"{g:.6f}", f"{b:.6f}"])
    print(f"wrote {OUT} with matplotlib {matplotlib.__version__}")


if __name__ == "__main__":
    main()
