#!/usr/bin/env python3
"""Fixtures for AreaResize: OpenCV's INTER_AREA on seeded float32 images, shrinking and
enlarging (both axes the same way), grey and RGB.

    /opt/convkit-peers/bin/python scripts/make-resize-fixtures.py

Writes Tests/ImageIOTests/Fixtures/resize/area.json: for each case the input size (width x
height), channels, input values (row by row, channels interleaved) and cv2.resize's output.
Seed 16; the OpenCV and NumPy versions are recorded in the file.
"""

import json
import os

import cv2
import numpy as np

# (width, height, channels, new width, new height)
CASES = [
    (8, 8, 1, 4, 4),      # integer factor 2
    (12, 9, 3, 4, 3),     # integer factor 3
    (10, 7, 1, 4, 3),     # fractional shrink
    (23, 17, 3, 16, 12),  # slight fractional shrink, RGB
    (21, 19, 3, 8, 8),    # shrink by different factors per axis
    (3, 4, 1, 7, 9),      # fractional enlarge
    (5, 5, 3, 8, 8),      # fractional enlarge, RGB
    (4, 3, 1, 8, 6),      # integer enlarge
]


def main():
    rng = np.random.default_rng(16)
    cases = []
    for width, height, channels, new_width, new_height in CASES:
        shape = (height, width) if channels == 1 else (height, width, channels)
        image = rng.random(shape, dtype=np.float32)
        resized = cv2.resize(image, (new_width, new_height), interpolation=cv2.INTER_AREA)
        cases.append({
            "width": width, "height": height, "channels": channels,
            "new_width": new_width, "new_height": new_height,
            "input": [float(f"{v:.9g}") for v in image.ravel()],
            "output": [float(f"{v:.9g}") for v in resized.ravel()],
        })
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImageIOTests", "Fixtures",
                       "resize", "area.json")
    with open(out, "w") as file:
        json.dump({"opencv": cv2.__version__, "numpy": np.__version__, "seed": 16,
                   "cases": cases}, file)
        file.write("\n")


if __name__ == "__main__":
    main()
