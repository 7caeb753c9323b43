#!/usr/bin/env python3
"""make-onnx-fixtures.py: checks convkit's ONNX export with onnx.checker and onnxruntime.

Exports the Keras fixtures keras/tutorial.keras and keras/layers.keras with the built convkit
(convkit export MODEL -o FILE.onnx), has onnx.checker.check_model (full_check) accept each file,
runs it in onnxruntime on the first 100 MNIST test images (NCHW, uint8 / 255 in float32), and
compares the outputs with Keras' logits (keras/expected.json), which convkit's own match. Writes
Tests/ModelExchangeTests/Fixtures/onnx/expected.json: per model the checker's verdict,
onnxruntime's logits, their largest difference from Keras' as a fraction of Keras' range, and
the library versions. Exits 1 if the checker refuses a file or a difference exceeds 1e-5.

Run with the peers' venv after swift build:
    /opt/convkit-peers/bin/python scripts/make-onnx-fixtures.py [--convkit .build/debug/convkit]
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

import mnist_idx

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERAS = ROOT / "Tests/ModelExchangeTests/Fixtures/keras"
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/onnx"


def test_images(count):
    return mnist_idx.mnist("t10k")[0][:count, None]  # NCHW


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convkit", default=str(ROOT / ".build/debug/convkit"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    keras = json.loads((KERAS / "expected.json").read_text())["models"]
    images = test_images(100)
    result = {
        "generator": "scripts/make-onnx-fixtures.py",
        "versions": {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "numpy": np.__version__},
        "models": {},
    }
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for name in ["tutorial", "layers"]:
            path = pathlib.Path(folder) / f"{name}.onnx"
            subprocess.run([args.convkit, "export", str(KERAS / f"{name}.keras"), "-o", str(path)],
                           check=True, stdout=subprocess.DEVNULL)
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            logits = session.run(["logits"], {"input": images})[0].reshape(-1)
            reference = np.array(keras[name]["logits"], dtype=np.float32)
            difference = float(np.abs(logits - reference).max() / (reference.max() - reference.min()))
            failed |= difference > 1e-5
            result["models"][name] = {
                "checker": "accepted (full_check)",
                "opset": model.opset_import[0].version,
                "ops": [node.op_type for node in model.graph.node],
                "logits": [float(v) for v in logits],
                "largest_difference_from_keras_of_range": difference,
            }
            print(f"{name}: onnx.checker accepted it; onnxruntime differs from Keras by {difference:.3g} of range")
    (OUT / "expected.json").write_text(json.dumps(result, indent=1) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
