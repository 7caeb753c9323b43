#!/usr/bin/env python3
"""Builds the reference kernel weights for ConvolutionTests' kernel tests, from OpenCV, scipy,
ImageMagick and libvips, so that convkit's named kernels, families and file readers are checked
against libraries that no one here wrote:

    /opt/convkit-peers/bin/python scripts/make-kernel-fixtures.py

Writes Tests/ConvolutionTests/Fixtures/kernels/: reference-kernels.json (every kernel as
rows, columns and row-major weights in correlation orientation, i.e. the weights a
cv2.filter2D / scipy.ndimage.correlate call uses, with the library call that produced it) and
the array/matrix files the readers are tested on (.npy from numpy, .mat checked with `vips conv`).
Kernels that come from a filter function rather than a kernel function are recovered as the
filter's response to a unit impulse, flipped (the response of a correlation is the kernel
rotated by 180 degrees). No randomness is used.
"""
import json
import os
import re
import subprocess
import tempfile

import cv2
import numpy as np
import scipy
import scipy.ndimage as ndi

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvolutionTests", "Fixtures", "kernels")


def correlation_kernel(filter_function, size):
    """The correlation kernel of a linear filter, from its response to a centred impulse."""
    pad = size // 2 + 2
    impulse = np.zeros((size + 2 * pad, size + 2 * pad))
    centre = impulse.shape[0] // 2
    impulse[centre, centre] = 1
    response = filter_function(impulse)
    half = size // 2
    return response[centre - half:centre + half + 1, centre - half:centre + half + 1][::-1, ::-1]


def imagemagick(spec):
    """ImageMagick's own kernels for a -morphology kernel spec, NaN (not part of it) as 0."""
    text = subprocess.run(["convert", "xc:", "-define", "morphology:showKernel=1", "-morphology", "Convolve:0", spec,
                           "null:"], capture_output=True, text=True).stderr
    kernels = []
    for block in re.split(r"Kernel (?:#\d+ )?\"", text)[1:]:
        size = re.search(r"of size (\d+)x(\d+)", block)
        width, height = int(size.group(1)), int(size.group(2))
        rows = re.findall(r"^\s*\d+:(.*)$", block, flags=re.M)[:height]
        matrix = np.array([[float(v) for v in row.split()] for row in rows])
        kernels.append(np.nan_to_num(matrix, nan=0.0).reshape(height, width))
    return kernels


def entry(matrix, reference):
    matrix = np.asarray(matrix, dtype=np.float64)
    return {"rows": matrix.shape[0], "columns": matrix.shape[1], "weights": matrix.ravel().tolist(),
            "reference": reference}


def deriv(dx, dy, ksize):
    kx, ky = cv2.getDerivKernels(dx, dy, ksize, normalize=False, ktype=cv2.CV_64F)
    return np.outer(ky.ravel(), kx.ravel())


def gaussian(size, sigma):
    g = cv2.getGaussianKernel(size, sigma, ktype=cv2.CV_64F).ravel()
    return np.outer(g, g)


def main():
    os.makedirs(OUT, exist_ok=True)
    identity = scipy.signal.unit_impulse((3, 3), "mid")
    laplace = correlation_kernel(ndi.laplace, 3)
    im_laplacian0 = imagemagick("Laplacian:0")[0]
    named = {
        "identity": entry(identity, "scipy.signal.unit_impulse((3, 3), 'mid')"),
        "box3": entry(correlation_kernel(lambda x: cv2.blur(x, (3, 3), borderType=cv2.BORDER_CONSTANT), 3),
                      "cv2.blur(ksize=(3, 3)) impulse response"),
        "box5": entry(correlation_kernel(lambda x: cv2.blur(x, (5, 5), borderType=cv2.BORDER_CONSTANT), 5),
                      "cv2.blur(ksize=(5, 5)) impulse response"),
        "gaussian3": entry(gaussian(3, 0), "outer(cv2.getGaussianKernel(3, 0))"),
        "gaussian5": entry(gaussian(5, 0), "outer(cv2.getGaussianKernel(5, 0))"),
        "sharpen": entry(identity - laplace, "unit impulse minus scipy.ndimage.laplace's kernel"),
        "unsharp": entry(2 * scipy.signal.unit_impulse((5, 5), "mid") - gaussian(5, 0),
                         "2 x unit impulse minus outer(cv2.getGaussianKernel(5, 0)) (amount 1)"),
        "emboss": entry([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], "hand copy of setosa.io/ev/image-kernels 'emboss'"),
        "edge": entry(im_laplacian0, "ImageMagick Laplacian:0"),
        "laplacian-4": entry(correlation_kernel(lambda x: cv2.Laplacian(x, cv2.CV_64F, ksize=1,
                                                                        borderType=cv2.BORDER_CONSTANT), 3),
                             "cv2.Laplacian(ksize=1) impulse response"),
        "laplacian-8": entry(-im_laplacian0, "minus ImageMagick Laplacian:0"),
        "sobel-x": entry(deriv(1, 0, 3), "outer(ky, kx) of cv2.getDerivKernels(1, 0, 3)"),
        "sobel-y": entry(deriv(0, 1, 3), "outer(ky, kx) of cv2.getDerivKernels(0, 1, 3)"),
        "scharr-x": entry(deriv(1, 0, -1), "outer(ky, kx) of cv2.getDerivKernels(1, 0, FILTER_SCHARR)"),
        "scharr-y": entry(deriv(0, 1, -1), "outer(ky, kx) of cv2.getDerivKernels(0, 1, FILTER_SCHARR)"),
        "prewitt-x": entry(correlation_kernel(lambda x: ndi.prewitt(x, axis=1, mode="constant"), 3),
                           "scipy.ndimage.prewitt(axis=1) impulse response"),
        "prewitt-y": entry(correlation_kernel(lambda x: ndi.prewitt(x, axis=0, mode="constant"), 3),
                           "scipy.ndimage.prewitt(axis=0) impulse response"),
        "roberts-x": entry([[1, 0], [0, -1]], "hand copy of scikit-image ROBERTS_PD_WEIGHTS"),
        "roberts-y": entry([[0, 1], [-1, 0]], "hand copy of scikit-image ROBERTS_ND_WEIGHTS"),
        "tutorial-horizontal": entry([[-6, -6, -6], [0, 0, 0], [6, 6, 6]], "hand copy of the tutorial's kernel"),
    }
    # scipy.ndimage.sobel must agree with OpenCV's Sobel: a check of the fixture itself.
    assert np.array_equal(correlation_kernel(lambda x: ndi.sobel(x, axis=1, mode="constant"), 3), deriv(1, 0, 3))
    kirsch_set = [entry(k, "ImageMagick Kirsch:@ (8 rotations by 45 degrees)") for k in imagemagick("Kirsch:@")]
    assert len(kirsch_set) == 8

    def log_kernel(size, sigma):
        radius = size // 2
        response = correlation_kernel(lambda x: ndi.gaussian_laplace(x, sigma, mode="constant", truncate=radius / sigma), size)
        return response - response.mean()

    families = {
        "gaussian:5,1.2": entry(gaussian(5, 1.2), "outer(cv2.getGaussianKernel(5, 1.2))"),
        "gaussian:7": entry(gaussian(7, 0), "outer(cv2.getGaussianKernel(7, 0))"),
        "gaussian:9": entry(gaussian(9, 0), "outer(cv2.getGaussianKernel(9, 0))"),
        "gaussian:11": entry(gaussian(11, 0), "outer(cv2.getGaussianKernel(11, 0))"),
        "gaussian:3,0.6": entry(gaussian(3, 0.6), "outer(cv2.getGaussianKernel(3, 0.6))"),
        "gaussian:1,2": entry(gaussian(1, 2), "outer(cv2.getGaussianKernel(1, 2))"),
        "box:4": entry(np.full((4, 4), 1 / 16), "numpy: full((4, 4), 1/16)"),
        "box:2x3": entry(imagemagick("Rectangle:2x3")[0] / 6,
                         "ImageMagick Rectangle:2x3 (2 wide, 3 high) divided by its sum"),
        "log:9,1.4": entry(log_kernel(9, 1.4), "scipy.ndimage.gaussian_laplace(sigma=1.4, radius 4) impulse response minus its mean"),
        "log:5,0.5": entry(log_kernel(5, 0.5), "scipy.ndimage.gaussian_laplace(sigma=0.5, radius 2) impulse response minus its mean"),
        "dog:9,1,2": entry(gaussian(9, 1) - gaussian(9, 2), "outer(cv2.getGaussianKernel(9, 1)) - outer(cv2.getGaussianKernel(9, 2))"),
    }
    for radius in (1, 2, 3, 5):
        disk = imagemagick(f"Disk:{radius}")[0]
        families[f"disk:{radius}"] = entry(disk / disk.sum(), f"ImageMagick Disk:{radius} divided by its sum")

    # Files for the readers: numpy writes the .npy files; vips conv (a correlation, divided by
    # the scale) applied to an impulse gives the weights a .mat file stands for.
    files = {}
    weights = np.array([[-1, 0, 2], [-3, 4, 5]])
    for dtype in ("<i8", "<i4", "<i2", "|i1", "<f4", "<f8", ">i8", "<u8"):
        name = "k-" + dtype.replace("<", "le-").replace(">", "be-").replace("|", "") + ".npy"
        values = np.abs(weights) if dtype[1] == "u" else weights
        np.save(os.path.join(OUT, name), values.astype(dtype))
        files[name] = entry(values, f"numpy.save of a {dtype} array")
    np.save(os.path.join(OUT, "k-torch-shape.npy"), weights.astype(np.float32).reshape(1, 1, 2, 3))
    files["k-torch-shape.npy"] = entry(weights, "numpy.save of a float32 (1, 1, 2, 3) array")
    # One filter of one channel as the frameworks store it: Keras (kh, kw, cin, cout), PyTorch
    # (cout, cin, kh, kw), and 3-D channels first or last. One-row and one-column kernels are
    # where the layout matters: dropping Keras' leading 1 before its trailing ones transposes them.
    row = np.array([[-1, 0, 2]])
    layouts = [
        ("k-keras-shape.npy", weights.reshape(2, 3, 1, 1), np.s_[:, :, 0, 0], "[:, :, 0, 0]"),
        ("k-keras-row.npy", row.reshape(1, 3, 1, 1), np.s_[:, :, 0, 0], "[:, :, 0, 0]"),
        ("k-keras-column.npy", row.T.reshape(3, 1, 1, 1), np.s_[:, :, 0, 0], "[:, :, 0, 0]"),
        ("k-torch-row.npy", row.reshape(1, 1, 1, 3), np.s_[0, 0], "[0, 0]"),
        ("k-torch-column.npy", row.T.reshape(1, 1, 3, 1), np.s_[0, 0], "[0, 0]"),
        ("k-chw-shape.npy", weights.reshape(1, 2, 3), np.s_[0], "[0]"),
        ("k-chw-row.npy", row.reshape(1, 1, 3), np.s_[0], "[0]"),
        ("k-hwc-shape.npy", weights.reshape(2, 3, 1), np.s_[:, :, 0], "[:, :, 0]"),
        ("k-hwc-column.npy", row.T.reshape(3, 1, 1), np.s_[:, :, 0], "[:, :, 0]"),
    ]
    for name, array, index, index_text in layouts:
        array = array.astype(np.float32)
        np.save(os.path.join(OUT, name), array)
        files[name] = entry(array[index], f"numpy.save of a float32 {array.shape} array: the kernel is array{index_text}")
    mat = "3 2 4 0\n1 2 3\n4 5 6\n"
    with open(os.path.join(OUT, "k-scaled.mat"), "w") as f:
        f.write(mat)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "impulse.mat"), "w") as f:
            f.write("7 7 1 0\n" + "\n".join(" ".join("1" if (r, c) == (3, 3) else "0" for c in range(7)) for r in range(7)) + "\n")
        with open(os.path.join(tmp, "k.mat"), "w") as f:
            f.write(mat)
        subprocess.run(["vips", "conv", os.path.join(tmp, "impulse.mat"), os.path.join(tmp, "out.mat"),
                        os.path.join(tmp, "k.mat"), "--precision", "float"], check=True)
        response = np.loadtxt(os.path.join(tmp, "out.mat"), skiprows=1)
        rows, columns = np.nonzero(response)
        crop = response[rows.min():rows.max() + 1, columns.min():columns.max() + 1][::-1, ::-1]
    files["k-scaled.mat"] = entry(crop, "vips conv (precision float) impulse response, flipped")

    vips = subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()
    magick = subprocess.run(["convert", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    document = {
        "generator": "scripts/make-kernel-fixtures.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "opencv": cv2.__version__,
                     "imagemagick": magick, "libvips": vips},
        "named": named, "sets": {"kirsch": kirsch_set}, "families": families, "files": files,
    }
    with open(os.path.join(OUT, "reference-kernels.json"), "w") as f:
        json.dump(document, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT, document["versions"])


if __name__ == "__main__":
    main()
