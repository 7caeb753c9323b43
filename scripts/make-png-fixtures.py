#!/usr/bin/env python3
"""Builds the PNG decoding fixtures for ImageIOTests.

Each case is a small PNG written by Pillow or ImageMagick (every colour type, bit depth,
palette with tRNS, grey/RGB with tRNS, Adam7), plus the samples a reference decoder reads from
it: Pillow where it decodes the case at full precision, ImageMagick (`convert ... rgba:`) for
16-bit colour, which Pillow reduces to 8 bits. The expected samples are stored raw (8-bit, or
16-bit little-endian), interleaved, after expansion to grey / grey+alpha / RGB / RGBA, and
described in manifest.json. Run with the peers' Python (scripts/setup-peers.sh):

    /opt/convkit-peers/bin/python scripts/make-png-fixtures.py
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import PIL
from PIL import Image

SEED = 20261129
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImageIOTests", "Fixtures", "png")
rng = np.random.default_rng(SEED)
W, H = 7, 5  # odd sizes, so packed rows end mid-byte


def imagemagick_version():
    return subprocess.run(["convert", "-version"], capture_output=True, text=True).stdout.splitlines()[0]


def write_raw_png(path, samples, color_type, depth):
    """A minimal non-interlaced PNG writer for the 16-bit colour cases Pillow cannot write."""
    height, width = samples.shape[:2]
    big = samples.astype(">u2") if depth == 16 else samples.astype("u1")
    rows = b"".join(b"\x00" + big[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def imagemagick_rgba16(path):
    """Decodes with ImageMagick to 16-bit RGBA (big-endian raw)."""
    raw = subprocess.run(["convert", path, "-depth", "16", "-endian", "MSB", "rgba:-"],
                         capture_output=True, check=True).stdout
    img = Image.open(path)
    return np.frombuffer(raw, dtype=">u2").reshape(img.height, img.width, 4).astype(np.uint16)


def pillow_samples(path, mode):
    with Image.open(path) as img:
        converted = img.convert(mode) if img.mode != mode else img
        array = np.asarray(converted)
    return array.reshape(array.shape[0], array.shape[1], -1)


cases = []


def record(name, expected, decoder, note):
    expected = np.ascontiguousarray(expected)
    depth = 16 if expected.dtype == np.uint16 else 8
    raw_path = os.path.join(OUT, name + ".raw")
    (expected.astype("<u2") if depth == 16 else expected.astype("u1")).tofile(raw_path)
    with Image.open(os.path.join(OUT, name + ".png")) as img:
        info = img.info
    cases.append({
        "name": name, "width": int(expected.shape[1]), "height": int(expected.shape[0]),
        "channels": int(expected.shape[2]), "bit_depth": depth, "reference": decoder, "note": note,
        "interlaced": bool(info.get("interlace", 0)),
    })


def png(name):
    return os.path.join(OUT, name + ".png")


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()

    # Grey 1 bit (Pillow mode "1": 0/255 after expansion).
    bits = rng.integers(0, 2, (H, W), dtype=np.uint8) * 255
    Image.fromarray(bits, "L").convert("1").save(png("gray1"))
    record("gray1", pillow_samples(png("gray1"), "L"), "Pillow", "1-bit grey")

    # Grey 2 and 4 bits through ImageMagick, with values representable at that depth.
    for depth in (2, 4):
        step = 255 // (2 ** depth - 1)
        values = (rng.integers(0, 2 ** depth, (H, W)) * step).astype(np.uint8)
        src = os.path.join(tmp, f"g{depth}.raw")
        values.tofile(src)
        subprocess.run(["convert", "-size", f"{W}x{H}", "-depth", "8", f"gray:{src}", "-depth", str(depth),
                        "-define", f"png:bit-depth={depth}", "-define", "png:color-type=0",
                        "-define", "png:exclude-chunks=date,time", png(f"gray{depth}")], check=True)
        record(f"gray{depth}", pillow_samples(png(f"gray{depth}"), "L"), "Pillow", f"{depth}-bit grey (ImageMagick)")

    # Grey 8 and 16, grey+alpha 8, RGB 8, RGBA 8: Pillow writes and reads them exactly.
    Image.fromarray(rng.integers(0, 256, (H, W), dtype=np.uint8), "L").save(png("gray8"))
    record("gray8", pillow_samples(png("gray8"), "L"), "Pillow", "8-bit grey")
    g16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    Image.fromarray(g16).save(png("gray16"))  # uint16 arrays become mode "I;16"
    with Image.open(png("gray16")) as img:
        record("gray16", np.asarray(img).astype(np.uint16).reshape(H, W, 1), "Pillow", "16-bit grey")
    Image.fromarray(rng.integers(0, 256, (H, W, 2), dtype=np.uint8), "LA").save(png("graya8"))
    record("graya8", pillow_samples(png("graya8"), "LA"), "Pillow", "8-bit grey+alpha")
    Image.fromarray(rng.integers(0, 256, (H, W, 3), dtype=np.uint8), "RGB").save(png("rgb8"))
    record("rgb8", pillow_samples(png("rgb8"), "RGB"), "Pillow", "8-bit RGB")
    Image.fromarray(rng.integers(0, 256, (H, W, 4), dtype=np.uint8), "RGBA").save(png("rgba8"))
    record("rgba8", pillow_samples(png("rgba8"), "RGBA"), "Pillow", "8-bit RGBA")

    # 16-bit colour types: written directly, decoded by ImageMagick (Pillow reduces them to 8 bits).
    for name, color_type, channels in (("graya16", 4, 2), ("rgb16", 2, 3), ("rgba16", 6, 4)):
        samples = rng.integers(0, 65536, (H, W, channels), dtype=np.uint16)
        write_raw_png(png(name), samples, color_type, 16)
        rgba = imagemagick_rgba16(png(name))
        expected = {2: rgba[:, :, [0, 3]], 3: rgba[:, :, :3], 4: rgba}[channels]
        record(name, expected, "ImageMagick", f"16-bit colour type {color_type}")

    # Palettes of 1, 2, 4 and 8 bits, expanded to RGB; one with tRNS (expanded to RGBA).
    for depth in (1, 2, 4, 8):
        entries = 2 ** depth
        palette = rng.integers(0, 256, entries * 3, dtype=np.uint8)
        indices = rng.integers(0, entries, (H, W), dtype=np.uint8)
        img = Image.fromarray(indices, "P")
        img.putpalette(palette.tolist())
        img.save(png(f"palette{depth}"), bits=depth)
        record(f"palette{depth}", pillow_samples(png(f"palette{depth}"), "RGB"), "Pillow", f"{depth}-bit palette")
    palette = rng.integers(0, 256, 16 * 3, dtype=np.uint8)
    img = Image.fromarray(rng.integers(0, 16, (H, W), dtype=np.uint8), "P")
    img.putpalette(palette.tolist())
    img.save(png("palette4-trns"), bits=4, transparency=bytes(rng.integers(0, 256, 16, dtype=np.uint8).tolist()))
    record("palette4-trns", pillow_samples(png("palette4-trns"), "RGBA"), "Pillow", "4-bit palette with tRNS")

    # tRNS on grey and RGB: one colour becomes transparent.
    grey = rng.integers(0, 4, (H, W), dtype=np.uint8) * 60
    Image.fromarray(grey, "L").save(png("gray8-trns"), transparency=60)
    record("gray8-trns", pillow_samples(png("gray8-trns"), "LA"), "Pillow", "8-bit grey with tRNS")
    rgb = (rng.integers(0, 3, (H, W, 3), dtype=np.uint8) * 100)
    Image.fromarray(rgb, "RGB").save(png("rgb8-trns"), transparency=(100, 0, 200))
    record("rgb8-trns", pillow_samples(png("rgb8-trns"), "RGBA"), "Pillow", "8-bit RGB with tRNS")

    # Adam7: sizes that leave some passes short or empty.
    for name, mode, channels in (("rgb8-adam7", "RGB", 3), ("gray8-adam7", "L", 1)):
        shape = (11, 13, channels) if channels > 1 else (11, 13)
        src = os.path.join(tmp, name + ".png")
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(src)
        color_type = "2" if channels == 3 else "0"
        subprocess.run(["convert", src, "-interlace", "PNG", "-define", f"png:color-type={color_type}",
                        "-define", "png:exclude-chunks=date,time", png(name)], check=True)
        record(name, pillow_samples(png(name), mode), "Pillow", "Adam7 interlaced (ImageMagick)")
    src = os.path.join(tmp, "rgba16.png")
    write_raw_png(src, rng.integers(0, 65536, (9, 10, 4), dtype=np.uint16), 6, 16)
    subprocess.run(["convert", src, "-interlace", "PNG", "-depth", "16", "-define", "png:exclude-chunks=date,time", png("rgba16-adam7")], check=True)
    record("rgba16-adam7", imagemagick_rgba16(png("rgba16-adam7")), "ImageMagick", "Adam7 interlaced 16-bit RGBA")

    manifest = {
        "generator": "scripts/make-png-fixtures.py", "seed": SEED,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "Pillow": PIL.__version__,
                     "ImageMagick": imagemagick_version()},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
