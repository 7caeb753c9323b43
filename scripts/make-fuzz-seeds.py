#!/usr/bin/env python3
"""Builds the seed corpus of the fuzz targets in Tests/Fuzz/<target>/ (see scripts/fuzz.sh).

Valid inputs are copies of small committed fixtures (PNG, NPY, IDX, kernels) or written here by
hand from each format's specification (safetensors models, --arch texts); the slightly broken
ones are those same bytes cut short, with a field changed or a checksum damaged. Python 3 standard
library only, no randomness, so the output is the same on every run:

    python3 scripts/make-fuzz-seeds.py

Files under Tests/Fuzz/<target>/regressions/ (crash reproducers) are left alone.
"""
import gzip
import json
import os
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "Fuzz")
PNG_FIXTURES = os.path.join(ROOT, "Tests", "ImageIOTests", "Fixtures", "png")
ARRAY_FIXTURES = os.path.join(ROOT, "Tests", "ImageIOTests", "Fixtures", "arrays")
KERNEL_FIXTURES = os.path.join(ROOT, "Tests", "ConvolutionTests", "Fixtures", "kernels")
FILTERS = os.path.join(ROOT, "filters")


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_seeds():
    for name in ["gray1", "gray16", "graya16", "palette4-trns", "rgb8-trns", "rgb8-adam7", "rgba16-adam7"]:
        write("png", name + ".png", read(PNG_FIXTURES, name + ".png"))
    rgb8 = read(PNG_FIXTURES, "rgb8.png")
    write("png", "truncated-in-idat.png", rgb8[:-30])
    write("png", "truncated-in-ihdr.png", rgb8[:20])
    damaged = bytearray(rgb8)
    damaged[29] ^= 0xFF  # last byte of the IHDR CRC
    write("png", "bad-ihdr-crc.png", bytes(damaged))
    signature = b"\x89PNG\r\n\x1a\n"
    # A 3x2 grey image whose IHDR claims a size past the fuzz pixel limit.
    pixels = zlib.compress(b"\x00\x01\x02\x03" * 2)
    huge = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    write("png", "huge-header.png", signature + huge + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b""))
    # Palette image without PLTE; bit depth 16 with a palette colour type.
    no_plte = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 3, 0, 0, 0))
    write("png", "palette-without-plte.png", signature + no_plte + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b""))
    bad_depth = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 16, 3, 0, 0, 0))
    write("png", "palette-depth16.png", signature + bad_depth + png_chunk(b"IEND", b""))


def npy_header(descr, shape, fortran=False, version=1):
    shape_text = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin-1")


def npy_seeds():
    for name in ["u1-hw", "u2-hwc", "f2-hw", "f4-big-endian", "i8-hw", "version2", "fortran"]:
        write("npy", name + ".npy", read(ARRAY_FIXTURES, name + ".npy"))
    write("npy", "bool-3.npy", npy_header("|b1", [3]) + b"\x00\x01\x01")
    write("npy", "scalar-f8.npy", npy_header("<f8", []) + struct.pack("<d", 2.5))
    write("npy", "empty-0x4.npy", npy_header("<f4", [0, 4]))
    write("npy", "complex.npy", npy_header("<c8", [1]) + b"\x00" * 8)
    write("npy", "python2-shape.npy", npy_header("<u2", [2]).replace(b"(2,)", b"(2L,)") + b"\x01\x00\x02\x00")
    write("npy", "data-short.npy", npy_header("<f4", [2, 3]) + b"\x00" * 20)
    write("npy", "version3.npy", npy_header("<i4", [2], version=3) + struct.pack("<ii", -1, 7))
    write("npy", "header-cut.npy", read(ARRAY_FIXTURES, "u1-hw.npy")[:40])


def idx_seeds():
    for name in ["images-idx3-ubyte", "images-idx3-ubyte.gz", "labels-idx1-ubyte"]:
        write("idx", name, read(ARRAY_FIXTURES, name))
    write("idx", "float32-2x2", bytes([0, 0, 0x0D, 2]) + struct.pack(">II", 2, 2) + struct.pack(">4f", 1, -2, 0.5, 3))
    write("idx", "int16-3", bytes([0, 0, 0x0B, 1]) + struct.pack(">I", 3) + struct.pack(">3h", -1, 0, 300))
    write("idx", "one-byte-extra", read(ARRAY_FIXTURES, "labels-idx1-ubyte") + b"\x00")
    write("idx", "data-short", read(ARRAY_FIXTURES, "images-idx3-ubyte")[:-5])
    write("idx", "float64-gz", gzip.compress(bytes([0, 0, 0x0E, 1]) + struct.pack(">I", 2) + struct.pack(">2d", 1.5, -4), mtime=0))
    write("idx", "gzip-cut.gz", read(ARRAY_FIXTURES, "images-idx3-ubyte.gz")[:60])


def kernel_seeds():
    """The first byte picks the form: 0 a --kernel specification, 1 .kernel text, 2 .mat, 3 .npy."""
    specs = {
        "inline-sized": "3x3: -1,0,1,-2,0,2,-1,0,1",
        "inline-rows-columns": "2x3: 1 2 3 4 5 6",
        "inline-nested": "[[1,2],[3,4]]",
        "inline-matlab": "[1 2 1; 2 4 2]",
        "inline-unsized": "1/16,2/16,1/16,2/16,4/16,2/16,1/16,2/16,1/16",
        "inline-typeset-minus": "[\u22121 0 1]",
        "family-gaussian": "gaussian:5,1.2",
        "family-box": "box:3x5",
        "family-log": "log:5,1",
        "family-dog": "dog:5,1,2",
        "family-disk": "disk:2.5",
        "named": "sobel-x",
        "named-member": "kirsch-ne",
        "bad-entry": "3x3: 1,2,x",
        "bad-rows": "[[1,2],[3]]",
    }
    for name, spec in specs.items():
        write("kernel", name, b"\x00" + spec.encode())
    for name in ["gaussian3", "kirsch", "unsharp"]:
        write("kernel", "file-" + name, b"\x01" + read(FILTERS, name + ".kernel"))
    write("kernel", "file-bad-divisor", b"\x01divisor: 0\n1 2\n3 4\n")
    write("kernel", "mat-scaled", b"\x02" + read(KERNEL_FIXTURES, "k-scaled.mat"))
    write("kernel", "mat-offset", b"\x02" + b"2 2 1 3\n1 2\n3 4\n")
    for name in ["k-torch-shape", "k-be-i8", "k-i1"]:
        write("kernel", "npy-" + name, b"\x03" + read(KERNEL_FIXTURES, name + ".npy"))


def safetensors(tensors, metadata):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset, data = 0, b""
    for name, shape, values in tensors:
        size = 4 * len(values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        data += struct.pack(f"<{len(values)}f", *values)
        offset += size
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    def ramp(count, scale=0.05):
        return [((i * 7) % 11 - 5) * scale for i in range(count)]

    conv = {"format": "convkit-sequential", "architecture": "conv2d:2:3x3:relu,maxpool:2,flatten,dense:3",
            "input_shape": "6,6,1", "class_names": "a,b,c"}
    conv_tensors = [("conv2d.kernel", [3, 3, 1, 2], ramp(18)), ("conv2d.bias", [2], [0.1, -0.1]),
                    ("dense.kernel", [8, 3], ramp(24)), ("dense.bias", [3], [0, 0, 0])]
    write("safetensors", "conv-model.safetensors", safetensors(conv_tensors, conv))
    dense = {"format": "convkit-sequential", "architecture": "dense:4:relu,dropout:0.5,dense:2", "input_shape": "3"}
    dense_tensors = [("dense.kernel", [3, 4], ramp(12)), ("dense.bias", [4], ramp(4)),
                     ("dense_1.kernel", [4, 2], ramp(8)), ("dense_1.bias", [2], [0, 0])]
    write("safetensors", "dense-model.safetensors", safetensors(dense_tensors, dense))
    checkpoint = dict(dense, epoch="1", adam_step="3", adam_form="keras", learning_rate="0.001", seed="7", batch_size="2")
    moments = [(f"optimizer.{m}.{n}", s, [0.0] * len(v)) for m in ["m", "v"] for n, s, v in dense_tensors]
    write("safetensors", "checkpoint.safetensors", safetensors(dense_tensors + moments, checkpoint))
    write("safetensors", "plain-tensors.safetensors", safetensors([("x", [2, 2], [1, 2, 3, 4]), ("scalar", [], [5])], {}))
    broken = safetensors(conv_tensors, conv)
    write("safetensors", "truncated.safetensors", broken[:-16])
    write("safetensors", "header-too-long.safetensors", struct.pack("<Q", 1 << 40) + broken[8:])
    write("safetensors", "not-json.safetensors", struct.pack("<Q", 8) + b"{\"a\":[1," + b"\x00" * 4)
    f16 = safetensors([("x", [2], [1, 2])], {}).replace(b"F32", b"F16")
    write("safetensors", "f16.safetensors", f16)
    missing = safetensors(conv_tensors[:2], conv)
    write("safetensors", "missing-tensor.safetensors", missing)
    wrong_shape = dict(conv, input_shape="8,8,1")
    write("safetensors", "wrong-input-shape.safetensors", safetensors(conv_tensors, wrong_shape))


def arch_seeds():
    texts = {
        "tutorial": "conv2d:32:3x3:same:relu,maxpool:2,conv2d:64:3x3:same:relu,maxpool:2,flatten,dense:64,dropout:0.5,dense:10",
        "strided": "conv2d:8:5x5:s=2:same:relu,flatten,dense:10",
        "dilated": "conv2d:4:3x3:d=2:same,maxpool:2x1:s=1:same,relu,flatten,dropout:0.25,dense:5:relu,dense:3",
        "keras-pool-name": "max_pooling2d:2,flatten,dense:2",
        "rectangular": "conv2d:3:1x4:s=1x2:valid,conv2d:2:2x1:d=2x1:same:relu,flatten,dense:4",
        "zero-filters": "conv2d:0:3x3,flatten,dense:2",
        "dense-first": "dense:10",
        "three-sided-kernel": "conv2d:4:3x3x3,flatten,dense:2",
        "dropout-one": "flatten,dropout:1.0,dense:2",
        "flatten-option": "flatten:x,dense:2",
        "kernel-too-big": "conv2d:2:11x11,flatten,dense:2",
        "empty": " , ",
    }
    for name, text in texts.items():
        write("arch", name, text)


if __name__ == "__main__":
    png_seeds()
    npy_seeds()
    idx_seeds()
    kernel_seeds()
    safetensors_seeds()
    arch_seeds()
