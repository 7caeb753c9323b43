#!/usr/bin/env python3
"""make-activation-table.py: PyTorch's values and derivatives of the activations convkit applies.

Writes Tests/LearnedFiltersTests/Fixtures/activation-functions.json: for each activation in
convkit's text form (relu, sigmoid, tanh, elu, elu=0.5, selu, gelu, gelu_tanh, leaky_relu,
leaky_relu=0.05, softmax), the inputs x (41 points from -8 to 8, then 0.25-spaced rows of 7 for
softmax), torch's f(x) and, from autograd, the gradient of sum(f(x) * w) with respect to x for
seeded weights w (for the element-wise functions, w * f'(x)). torch's definitions are Keras':
gelu's default is the erf form, selu's constants and elu's alpha are Keras', leaky_relu's slope is
given (Keras' default is 0.2). Computed in float64 and stored as such.

Run with the peers' venv (scripts/setup-peers.sh):
    /opt/convkit-peers/bin/python scripts/make-activation-table.py
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261203
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/LearnedFiltersTests/Fixtures/activation-functions.json"

FUNCTIONS = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "elu": lambda x: F.elu(x, alpha=1.0),
    "elu=0.5": lambda x: F.elu(x, alpha=0.5),
    "selu": F.selu,
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "leaky_relu": lambda x: F.leaky_relu(x, negative_slope=0.2),
    "leaky_relu=0.05": lambda x: F.leaky_relu(x, negative_slope=0.05),
    "softmax": lambda x: F.softmax(x, dim=-1),
}


def main():
    generator = torch.Generator().manual_seed(SEED)
    # Element-wise inputs avoid exactly 0, where relu-like derivatives are a convention.
    points = torch.linspace(-8, 8, 41, dtype=torch.float64) + 0.01
    rows = (torch.arange(35, dtype=torch.float64) * 0.25 - 4).reshape(5, 7)
    table = {
        "generator": "scripts/make-activation-table.py",
        "seed": SEED,
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "softmax_width": 7,
        "functions": {},
    }
    for name, function in FUNCTIONS.items():
        x = (rows if name == "softmax" else points).clone().requires_grad_(True)
        weights = torch.rand(x.shape, generator=generator, dtype=torch.float64) * 2 - 1
        y = function(x)
        (y * weights).sum().backward()
        table["functions"][name] = {
            "x": x.detach().reshape(-1).tolist(),
            "y": y.detach().reshape(-1).tolist(),
            "weights": weights.reshape(-1).tolist(),
            "gradient": x.grad.reshape(-1).tolist(),
        }
    OUT.write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(FUNCTIONS)} functions")


if __name__ == "__main__":
    main()
