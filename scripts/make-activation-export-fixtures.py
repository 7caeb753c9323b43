#!/usr/bin/env python3
"""make-activation-export-fixtures.py: convkit's PyTorch and ONNX exports of the Keras
activations model, run in PyTorch and onnxruntime.

Exports Tests/ModelExchangeTests/Fixtures/activations/activations.keras (written by
scripts/make-keras-activation-fixtures.py) with the built convkit:
  - `convkit export --layout pytorch`: loads the state dict with load_state_dict(strict=True) into
    the equivalent nn.Sequential written here by hand (GELU's erf form, ELU, SELU, LeakyReLU,
    Softmax over dim 1, BatchNorm2d with Keras' epsilon 1e-3 in eval mode), and runs it;
  - `convkit export -o .onnx`: has onnx.checker.check_model (full_check) accept it and runs it in
    onnxruntime;
both on the first 100 MNIST test images (NCHW, uint8 / 255 in float32). Writes
Tests/ModelExchangeTests/Fixtures/activations/exports.json: the state dict's keys and shapes,
PyTorch's logits, the ONNX node types, onnxruntime's logits, each one's largest difference from
Keras' logits (keras.json) as a fraction of Keras' range, and the versions. Exits 1 if a
difference exceeds 1e-5.

Run with the peers' venv after swift build:
    /opt/convkit-peers/bin/python scripts/make-activation-export-fixtures.py [--convkit .build/debug/convkit]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime
import safetensors
import safetensors.torch
import torch
from torch import nn

import mnist_idx

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDER = ROOT / "Tests/ModelExchangeTests/Fixtures/activations"


def equivalent():
    """The Keras model of make-keras-activation-fixtures.py in torch.nn."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.GELU(),
        nn.ZeroPad2d((0, 1, 0, 1)),  # Keras 'same' for a 3x3 stride-2 window on 26: 0 before, 1 after
        nn.Conv2d(6, 8, 3, stride=2), nn.ELU(alpha=1.0),
        nn.BatchNorm2d(8, eps=1e-3),  # Keras' default epsilon (PyTorch's is 1e-5)
        nn.SELU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.Tanh(),
        nn.LeakyReLU(0.1),
        nn.ELU(alpha=0.5),
        nn.Conv2d(8, 4, 1), nn.Softmax(dim=1),
        nn.Flatten(),
        nn.Linear(144, 24), nn.Sigmoid(),
        nn.Linear(24, 16),
        nn.LeakyReLU(0.05),
        nn.Linear(16, 16), nn.LeakyReLU(0.2),
        nn.Tanh(),
        nn.Linear(16, 12), nn.SELU(),
        nn.Linear(12, 12), nn.Softmax(dim=1),
        nn.Linear(12, 10),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convkit", default=str(ROOT / ".build/debug/convkit"))
    args = parser.parse_args()
    images = mnist_idx.mnist("t10k")[0][:100, None]  # NCHW
    keras_logits = np.array(json.loads((FOLDER / "keras.json").read_text())["logits"], dtype=np.float32)
    spread = float(keras_logits.max() - keras_logits.min())
    result = {
        "generator": "scripts/make-activation-export-fixtures.py",
        "versions": {"torch": torch.__version__, "safetensors": safetensors.__version__,
                     "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "numpy": np.__version__},
    }
    with tempfile.TemporaryDirectory() as folder:
        state_path = pathlib.Path(folder) / "state.safetensors"
        subprocess.run([args.convkit, "export", str(FOLDER / "activations.keras"), "--layout", "pytorch",
                        "-o", str(state_path)], check=True, stdout=subprocess.DEVNULL)
        state = safetensors.torch.load_file(state_path)
        net = equivalent()
        net.load_state_dict(state)  # strict: every key and shape must match
        net.eval()
        with torch.no_grad():
            torch_logits = net(torch.from_numpy(images)).reshape(-1).numpy()
        result["pytorch"] = {
            "state_dict": {k: list(v.shape) for k, v in state.items()},
            "logits": [float(v) for v in torch_logits],
            "largest_difference_from_keras_of_range": float(np.abs(torch_logits - keras_logits).max() / spread),
        }

        onnx_path = pathlib.Path(folder) / "activations.onnx"
        subprocess.run([args.convkit, "export", str(FOLDER / "activations.keras"), "-o", str(onnx_path)],
                       check=True, stdout=subprocess.DEVNULL)
        model = onnx.load(onnx_path)
        onnx.checker.check_model(model, full_check=True)
        session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        ort_logits = session.run(["logits"], {"input": images})[0].reshape(-1)
        result["onnx"] = {
            "checker": "accepted",
            "nodes": [node.op_type for node in model.graph.node],
            "logits": [float(v) for v in ort_logits],
            "largest_difference_from_keras_of_range": float(np.abs(ort_logits - keras_logits).max() / spread),
        }
    (FOLDER / "exports.json").write_text(json.dumps(result, indent=1) + "\n")
    failed = False
    for name in ["pytorch", "onnx"]:
        difference = result[name]["largest_difference_from_keras_of_range"]
        print(f"{name}: differs from Keras by {difference:.3g} of the range")
        failed = failed or difference > 1e-5
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
