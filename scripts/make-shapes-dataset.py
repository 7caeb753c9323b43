#!/usr/bin/env python3
"""Makes a small labelled dataset of coloured shapes as PNG files, for `convkit train --data`.

    python3 scripts/make-shapes-dataset.py OUT [--per-class 1000] [--seed 1] [--size 32]
                                               [--test-fraction 0.2] [--flat]

Writes OUT/train/CLASS/NNNN.png and OUT/test/CLASS/NNNN.png (or OUT/CLASS/NNNN.png with
--flat, for --validation-split), CLASS one of circle, square, triangle: one shape of a random
bright colour, size, position and rotation on a random dark background, 8-bit RGB.
Python's standard library only (random, zlib, struct), so CI needs nothing more; the same seed
gives the same files on every machine (random.Random is specified to be reproducible for a
seed). 3,000 images take about a second.
"""

import argparse
import math
import os
import random
import struct
import zlib

CLASSES = ["circle", "square", "triangle"]


def png_bytes(width, height, rgb):
    """An 8-bit RGB PNG of `rgb` (rows top to bottom, 3 bytes a pixel), unfiltered."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    stride = width * 3
    raw = b"".join(b"\x00" + bytes(rgb[y * stride:(y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def distinct_colours(rng):
    """A dark background and a bright shape colour (one channel at least 160 above the
    background's brightest), so every class is a bright shape on a darker ground."""
    background = [rng.randrange(80) for _ in range(3)]
    while True:
        ink = [rng.randrange(256) for _ in range(3)]
        if max(ink) - max(background) >= 160:
            return background, ink


def inside(shape, x, y, radius, angle):
    """Whether the point (x, y), relative to the shape's centre, is inside the shape."""
    if shape == "circle":
        return x * x + y * y <= radius * radius
    c, s = math.cos(angle), math.sin(angle)
    u, v = c * x + s * y, -s * x + c * y
    if shape == "square":
        half = radius * 0.8
        return abs(u) <= half and abs(v) <= half
    # An equilateral triangle with circumradius `radius`, pointing up before rotation.
    corners = [(radius * math.sin(t), -radius * math.cos(t))
               for t in (0, 2 * math.pi / 3, 4 * math.pi / 3)]
    signs = []
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
        signs.append((bx - ax) * (v - ay) - (by - ay) * (u - ax) >= 0)
    return all(signs) or not any(signs)


def image(shape, size, rng):
    background, ink = distinct_colours(rng)
    radius = rng.uniform(size * 0.25, size * 0.42)
    cx = rng.uniform(radius, size - radius)
    cy = rng.uniform(radius, size - radius)
    angle = rng.uniform(0, 2 * math.pi)
    pixels = bytearray(bytes(background) * (size * size))
    for y in range(max(0, int(cy - radius) - 1), min(size, int(cy + radius) + 2)):
        for x in range(max(0, int(cx - radius) - 1), min(size, int(cx + radius) + 2)):
            if inside(shape, x + 0.5 - cx, y + 0.5 - cy, radius, angle):
                pixels[(y * size + x) * 3:(y * size + x) * 3 + 3] = bytes(ink)
    return png_bytes(size, size, pixels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--flat", action="store_true",
                        help="one folder per class, no train/ and test/")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tests = round(args.per_class * args.test_fraction)
    for shape in CLASSES:
        for index in range(args.per_class):
            part = "" if args.flat else ("test" if index < tests else "train")
            folder = os.path.join(args.out, part, shape)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{index:04d}.png"), "wb") as file:
                file.write(image(shape, args.size, rng))


if __name__ == "__main__":
    main()
