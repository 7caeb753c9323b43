#!/usr/bin/env python3
"""make-cnn-fixtures.py: PyTorch reference values for convkit's CNN layers, loss and Adam.

Writes Tests/LearnedFiltersTests/Fixtures/pytorch-layers.json: for each case the inputs, the
weights in Keras layout (conv kernels (kh, kw, cin, cout), dense kernels (in, out)), the
outputs and every gradient, all NHWC. Keras' 'same' padding is applied explicitly (TF's rule:
smaller half before) because PyTorch's padding='same' differs for strides > 1.

Run with the peers' venv: /opt/convkit-peers/bin/python scripts/make-cnn-fixtures.py
"""
import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20260101
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/LearnedFiltersTests/Fixtures/pytorch-layers.json"


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().contiguous().reshape(-1).tolist()]


def same_pads(size, k, s, d):
    out = -(-size // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def pads(h, w, kh, kw, sy, sx, dy, dx, padding):
    if padding == "valid":
        return (0, 0, 0, 0)
    top, bottom = same_pads(h, kh, sy, dy)
    left, right = same_pads(w, kw, sx, dx)
    return (left, right, top, bottom)


def conv_case(n, h, w, cin, cout, kh, kw, stride, dilation, padding, relu):
    x = torch.randn(n, h, w, cin, requires_grad=True)
    kernel = (torch.randn(kh, kw, cin, cout) * 0.5).requires_grad_()
    bias = (torch.randn(cout) * 0.1).requires_grad_()
    p = pads(h, w, kh, kw, stride[0], stride[1], dilation[0], dilation[1], padding)
    xin = F.pad(x.permute(0, 3, 1, 2), p)
    y = F.conv2d(xin, kernel.permute(3, 2, 0, 1), bias, stride=stride, dilation=dilation)
    if relu:
        y = F.relu(y)
    y = y.permute(0, 2, 3, 1)
    dy = torch.randn_like(y)
    y.backward(dy)
    spec = f"conv2d:{cout}:{kh}x{kw}:s={stride[0]}x{stride[1]}:d={dilation[0]}x{dilation[1]}:{padding}" + (":relu" if relu else "")
    return {"spec": spec, "input_shape": [n, h, w, cin], "input": flat(x), "kernel": flat(kernel), "bias": flat(bias),
            "output_shape": list(y.shape), "output": flat(y), "output_gradient": flat(dy),
            "input_gradient": flat(x.grad), "kernel_gradient": flat(kernel.grad), "bias_gradient": flat(bias.grad)}


def pool_case(n, h, w, c, pool, stride, padding):
    x = torch.randn(n, h, w, c, requires_grad=True)
    p = pads(h, w, pool[0], pool[1], stride[0], stride[1], 1, 1, padding)
    xin = F.pad(x.permute(0, 3, 1, 2), p, value=float("-inf"))
    y = F.max_pool2d(xin, pool, stride).permute(0, 2, 3, 1)
    dy = torch.randn_like(y)
    y.backward(dy)
    spec = f"maxpool:{pool[0]}x{pool[1]}:s={stride[0]}x{stride[1]}:{padding}"
    return {"spec": spec, "input_shape": [n, h, w, c], "input": flat(x), "output_shape": list(y.shape), "output": flat(y),
            "output_gradient": flat(dy), "input_gradient": flat(x.grad)}


def dense_case(n, inputs, units, relu):
    x = torch.randn(n, inputs, requires_grad=True)
    kernel = (torch.randn(inputs, units) * 0.3).requires_grad_()
    bias = (torch.randn(units) * 0.1).requires_grad_()
    y = x @ kernel + bias
    if relu:
        y = F.relu(y)
    dy = torch.randn_like(y)
    y.backward(dy)
    return {"spec": f"dense:{units}" + (":relu" if relu else ""), "input_shape": [n, inputs], "input": flat(x),
            "kernel": flat(kernel), "bias": flat(bias), "output_shape": list(y.shape), "output": flat(y),
            "output_gradient": flat(dy), "input_gradient": flat(x.grad), "kernel_gradient": flat(kernel.grad),
            "bias_gradient": flat(bias.grad)}


def network_case():
    """A small network in float32 with torch.optim.Adam (PyTorch form, eps 1e-7), 3 steps on one
    batch; the Keras form of the same 3 steps is applied with numpy to the same gradients."""
    torch.set_default_dtype(torch.float32)
    arch = "conv2d:4:3x3:same:relu,maxpool:2,conv2d:6:3x3:same:relu,maxpool:2,flatten,dense:8:relu,dense:10"
    n, size = 5, 12
    x = torch.rand(n, size, size, 1)
    labels = torch.tensor([3, 1, 4, 1, 5])
    shapes = [("conv2d.kernel", (3, 3, 1, 4)), ("conv2d.bias", (4,)), ("conv2d_1.kernel", (3, 3, 4, 6)), ("conv2d_1.bias", (6,)),
              ("dense.kernel", (54, 8)), ("dense.bias", (8,)), ("dense_1.kernel", (8, 10)), ("dense_1.bias", (10,))]
    params = {name: (torch.randn(*shape) * 0.3).requires_grad_() for name, shape in shapes}
    initial = {name: flat(p) for name, p in params.items()}

    def forward():
        h = x.permute(0, 3, 1, 2)
        h = F.relu(F.conv2d(F.pad(h, (1, 1, 1, 1)), params["conv2d.kernel"].permute(3, 2, 0, 1), params["conv2d.bias"]))
        h = F.max_pool2d(h, 2)
        h = F.relu(F.conv2d(F.pad(h, (1, 1, 1, 1)), params["conv2d_1.kernel"].permute(3, 2, 0, 1), params["conv2d_1.bias"]))
        h = F.max_pool2d(h, 2)
        h = h.permute(0, 2, 3, 1).reshape(n, -1)
        h = F.relu(h @ params["dense.kernel"] + params["dense.bias"])
        return h @ params["dense_1.kernel"] + params["dense_1.bias"]

    logits = forward()
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    gradients = {name: flat(p.grad) for name, p in params.items()}
    case = {"architecture": arch, "input_shape": [n, size, size, 1], "input": flat(x), "labels": labels.tolist(),
            "weights": initial, "logits": flat(logits), "loss": float(loss.detach()), "gradients": gradients}

    # Keras form with numpy, from the same starting point, on the same batch.
    keras = {name: np.array(initial[name], dtype=np.float64) for name in initial}
    m = {k: np.zeros_like(v) for k, v in keras.items()}
    v2 = {k: np.zeros_like(v) for k, v in keras.items()}
    optimizer = torch.optim.Adam(params.values(), lr=1e-2, betas=(0.9, 0.999), eps=1e-7)
    losses = []
    for step in range(1, 4):
        optimizer.zero_grad()
        loss = F.cross_entropy(forward(), labels)
        losses.append(float(loss.detach()))
        loss.backward()
        optimizer.step()
    case["adam_pytorch"] = {"learning_rate": 1e-2, "steps": 3, "losses": losses, "weights": {k: flat(p) for k, p in params.items()}}

    # The Keras-form trajectory needs its own gradients at its own weights: recompute with torch.
    for name, p in params.items():
        p.data = torch.tensor(initial[name], dtype=torch.float32).reshape(p.shape)
    keras_losses = []
    for step in range(1, 4):
        for p in params.values():
            p.grad = None
        loss = F.cross_entropy(forward(), labels)
        keras_losses.append(float(loss.detach()))
        loss.backward()
        with torch.no_grad():
            rate = 1e-2 * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
            for name, p in params.items():
                g = p.grad.double().numpy().reshape(-1)
                m[name] = 0.9 * m[name] + 0.1 * g
                v2[name] = 0.999 * v2[name] + 0.001 * g * g
                keras[name] = p.data.double().numpy().reshape(-1) - rate * m[name] / (np.sqrt(v2[name]) + 1e-7)
                p.data = torch.tensor(keras[name], dtype=torch.float32).reshape(p.shape)
    case["adam_keras"] = {"learning_rate": 1e-2, "steps": 3, "losses": keras_losses, "weights": {k: flat(p) for k, p in params.items()}}
    return case


def main():
    cases = {
        "generator": "scripts/make-cnn-fixtures.py",
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__},
        "seed": SEED,
        "conv": [
            conv_case(2, 7, 6, 1, 5, 3, 3, (1, 1), (1, 1), "same", True),
            conv_case(2, 7, 8, 3, 4, 3, 2, (2, 1), (1, 1), "valid", False),
            conv_case(1, 9, 7, 2, 3, 3, 3, (1, 1), (2, 2), "same", True),
            conv_case(2, 6, 7, 3, 2, 3, 3, (2, 2), (1, 1), "same", False),
            conv_case(1, 8, 8, 1, 3, 2, 3, (2, 1), (1, 2), "same", False),
        ],
        "maxpool": [
            pool_case(2, 6, 6, 3, (2, 2), (2, 2), "valid"),
            pool_case(1, 7, 7, 2, (3, 3), (2, 2), "valid"),
            pool_case(1, 5, 7, 2, (2, 2), (2, 2), "same"),
        ],
        "dense": [dense_case(3, 7, 4, False), dense_case(2, 5, 6, True)],
    }
    cases["network"] = network_case()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(cases, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes); torch {torch.__version__}, numpy {np.__version__}, seed {SEED}")


if __name__ == "__main__":
    main()
