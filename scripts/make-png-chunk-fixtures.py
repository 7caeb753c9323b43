#!/usr/bin/env python3
"""Builds the fixtures of the PNG ancillary chunks convkit carries over (ImageIOTests and
CLITests): an RGB and a palette PNG written by Pillow with an ICC profile (LittleCMS's sRGB),
a resolution that differs along x and y (pHYs), tEXt and iTXt text, and gAMA and cHRM chunks
inserted before the image data; and an animated PNG (APNG) of three frames. chunks.json lists, per file, every chunk's type in file order
(read by walking the file) and what Pillow reads back: the pHYs pixels per metre, the ICC
profile's length and SHA-256, and the text; for the APNG, its frame count and its default
image's samples. Run with the peers' Python
(scripts/setup-peers.sh):

    /opt/convkit-peers/bin/python scripts/make-png-chunk-fixtures.py
"""
import hashlib
import json
import os
import struct
import zlib

import numpy as np
import PIL
from PIL import Image, ImageCms, PngImagePlugin

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImageIOTests", "Fixtures", "png-chunks")
rng = np.random.default_rng(20261205)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def walk(data):
    """Every chunk's type and data, in file order."""
    at, found = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        found.append((data[at + 4:at + 8].decode(), data[at + 8:at + 8 + length]))
        at += 12 + length
    return found


def with_colour_chunks(path):
    """Inserts gAMA (1/2.2) and cHRM (sRGB's primaries) after IHDR, where PNG puts them."""
    data = open(path, "rb").read()
    ihdr_end = 8 + 12 + 13
    gama = chunk(b"gAMA", struct.pack(">I", 45455))
    chrm = chunk(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))
    open(path, "wb").write(data[:ihdr_end] + gama + chrm + data[ihdr_end:])


def main():
    os.makedirs(OUT, exist_ok=True)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "convkit fixtures")
    text.add_itxt("Title", "Ein Bild", lang="de", tkey="Titel")
    rgb = Image.fromarray(rng.integers(0, 256, (6, 9, 3), dtype=np.uint8), "RGB")
    palette = rgb.quantize(colors=5)
    manifest = {"pillow": PIL.__version__, "files": {}}
    for name, image in [("rgb.png", rgb), ("palette.png", palette)]:
        path = os.path.join(OUT, name)
        image.save(path, pnginfo=text, icc_profile=icc, dpi=(300, 150))
        with_colour_chunks(path)
        chunks = walk(open(path, "rb").read())
        phys = next(data for kind, data in chunks if kind == "pHYs")
        read = Image.open(path)
        read.load()
        manifest["files"][name] = {
            "types": [kind for kind, _ in chunks],
            "phys": list(struct.unpack(">IIB", phys)),
            "icc_length": len(read.info["icc_profile"]),
            "icc_sha256": hashlib.sha256(read.info["icc_profile"]).hexdigest(),
            "text": {key: str(value) for key, value in read.text.items()},
            "gamma": read.info.get("gamma"),
        }
    # An animated PNG (APNG) of three frames, whose default image is its first frame: convkit
    # reads that image and counts the frames from acTL, as Pillow reports them.
    frames = [Image.fromarray(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8), "RGB") for _ in range(3)]
    path = os.path.join(OUT, "animated.png")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    read = Image.open(path)
    manifest["files"]["animated.png"] = {
        "types": [kind for kind, _ in walk(open(path, "rb").read())],
        "n_frames": read.n_frames,
        "default_image": np.asarray(read.convert("RGB")).reshape(-1).tolist(),
    }
    with open(os.path.join(OUT, "chunks.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
