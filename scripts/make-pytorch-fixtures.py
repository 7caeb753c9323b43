#!/usr/bin/env python3
"""make-pytorch-fixtures.py: a PyTorch model trained on MNIST for convkit's state-dict reader, and
PyTorch's outputs for a convkit model exported as a state dict.

Writes Tests/ModelExchangeTests/Fixtures/pytorch/:
  small.safetensors  the state dict (safetensors.torch.save_file) of a small nn.Sequential trained
      for one epoch: a stride-2 'same' convolution (hence nn.ZeroPad2d), max pooling, a valid
      convolution, Flatten of a 5x5x16 map (so the first Linear needs the (c,h,w) -> (h,w,c)
      permutation), Linear + ReLU, Dropout, Linear
  small-f16.safetensors, small-bf16.safetensors, small-f64.safetensors  the same state dict with
      its floating-point tensors in half, bfloat16 and double precision (tensor.to(dtype))
  expected.json      the same network in convkit's --arch text, PyTorch's logits on the first 100
      MNIST test images and its accuracy on all 10,000; for each of the other precisions,
      PyTorch's logits on the first 20 test images of the network loaded from that file and
      converted to float32 (model.float()); and for the Keras tutorial fixture
      exported by convkit (convkit export keras/tutorial.keras --layout pytorch), the state dict's
      keys and shapes, PyTorch's logits after load_state_dict(strict=True) into the equivalent
      nn.Sequential written here by hand, and their largest difference from Keras' logits
      (keras/expected.json) as a fraction of Keras' range

  linear.safetensors  the state dict of a bare nn.Linear(12, 4) (tensors named `weight` and
      `bias`, no module prefix), seeded
  linear.json        its convkit --arch ("flatten,dense:4" on a 2x2x3 input), a seeded NHWC
      input and PyTorch's output for it, flattened in PyTorch's (c, h, w) order
  bias-free.safetensors  the state dict of a seeded nn.Sequential whose modules leave tensors
      out: Conv2d(bias=False) then BatchNorm2d (default eps, 1e-5), Conv2d then
      BatchNorm2d(affine=False), Linear(bias=False); running statistics set with variances of
      1e-3 to 1e-2, so that an epsilon of 1e-3 in place of 1e-5 shows
  bias-free.json     its convkit --arch (each batchnorm without eps=), the input shape, the state
      dict's keys, seeded NHWC inputs and PyTorch's outputs for them in model.eval(), and
      its counts: numel summed over model.parameters() and over the state dict's floating-point
      tensors (the parameters and the running statistics; not num_batches_tracked)
  parts.safetensors, parts.json  the same for a model class with parts named `features` and
      `classifier` (which sort in the other order than they run)

Inputs are data/mnist scaled as convkit scales them (uint8 / 255, float32). Needs a built convkit
(swift build) for the export check. Run with the peers' venv (scripts/setup-peers.sh):
    /opt/convkit-peers/bin/python scripts/make-pytorch-fixtures.py [--convkit .build/debug/convkit]
With --only-untrained it writes the untrained fixtures alone (linear, bias-free and parts: no
training, no convkit).
"""
import argparse
import json
import pathlib
import subprocess
import tempfile

import numpy as np
import safetensors
import safetensors.torch
import torch
from torch import nn

import mnist_idx

SEED = 20261217
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/pytorch"
KERAS = ROOT / "Tests/ModelExchangeTests/Fixtures/keras"
SMALL_ARCH = "conv2d:8:3x3:s=2:same:relu,maxpool:2,conv2d:16:3x3:relu,flatten,dense:32:relu,dropout:0.25,dense:10"


def mnist(split):
    images, labels = mnist_idx.mnist(split)
    return torch.from_numpy(images[:, None]), torch.from_numpy(labels)  # NCHW


def small():
    return nn.Sequential(
        nn.ZeroPad2d((0, 1, 0, 1)),  # Keras 'same' for a 3x3 stride-2 window on 28: 0 before, 1 after
        nn.Conv2d(1, 8, 3, stride=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(400, 32),
        nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(32, 10),
    )


def tutorial():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 64), nn.Dropout(0.5), nn.Linear(64, 10),
    )


def bare_linear():
    """A state dict without module prefixes, as saving a lone nn.Linear gives."""
    torch.manual_seed(SEED)
    linear = nn.Linear(12, 4)
    safetensors.torch.save_file(linear.state_dict(), OUT / "linear.safetensors")
    image = torch.rand(1, 2, 2, 3)  # NHWC, as convkit takes it
    with torch.no_grad():
        output = linear(torch.flatten(image.permute(0, 3, 1, 2), 1))
    (OUT / "linear.json").write_text(json.dumps({
        "generator": "scripts/make-pytorch-fixtures.py",
        "seed": SEED,
        "versions": {"torch": torch.__version__, "safetensors": safetensors.__version__},
        "tensors": sorted(linear.state_dict()),
        "architecture": "flatten,dense:4",
        "input_shape": [2, 2, 3],
        "input": [float(v) for v in image.reshape(-1)],
        "output": [float(v) for v in output.reshape(-1)],
    }, indent=1) + "\n")


def untrained(name, model, architecture, input_shape):
    """Writes NAME.safetensors, the state dict of `model` (seeded, in eval mode), and NAME.json
    with its --arch, its tensors' names, seeded NHWC inputs and PyTorch's outputs for them."""
    model.eval()
    safetensors.torch.save_file(model.state_dict(), OUT / f"{name}.safetensors")
    images = torch.rand(3, *input_shape)  # NHWC, as convkit takes it
    with torch.no_grad():
        output = model(images.permute(0, 3, 1, 2))
    (OUT / f"{name}.json").write_text(json.dumps({
        "generator": "scripts/make-pytorch-fixtures.py",
        "seed": SEED,
        "versions": {"torch": torch.__version__, "safetensors": safetensors.__version__},
        "tensors": sorted(model.state_dict()),
        "parameters_numel": sum(p.numel() for p in model.parameters()),
        "state_dict_float_numel": sum(
            v.numel() for v in model.state_dict().values() if v.is_floating_point()),
        "architecture": architecture,
        "input_shape": input_shape,
        "input": [float(v) for v in images.reshape(-1)],
        "output": [float(v) for v in output.reshape(-1)],
    }, indent=1) + "\n")


def bias_free():
    """A state dict whose modules were built without biases or without an affine batch norm."""
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 3, 3), nn.BatchNorm2d(3, affine=False), nn.ReLU(),
        nn.Flatten(), nn.Linear(3 * 3 * 5, 5, bias=False),
    )
    with torch.no_grad():
        for norm in (model[1], model[4]):
            norm.running_mean.uniform_(-0.5, 0.5)
            norm.running_var.uniform_(1e-3, 1e-2)
        model[1].weight.uniform_(0.5, 1.5)
        model[1].bias.uniform_(-0.5, 0.5)
    untrained("bias-free", model,
              "conv2d:4:3x3,batchnorm,relu,conv2d:3:3x3,batchnorm,relu,flatten,dense:5", [7, 9, 2])


class Parts(nn.Module):
    """A model class with named parts, as written by hand: `features` runs before
    `classifier`, though its name sorts after."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(4 * 3 * 4, 6), nn.ReLU(), nn.Linear(6, 3))

    def forward(self, x):
        return self.classifier(self.features(x))


def named_parts():
    torch.manual_seed(SEED)
    untrained("parts", Parts(), "conv2d:4:3x3:relu,maxpool:2,flatten,dense:6:relu,dense:3", [8, 10, 1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convkit", default=str(ROOT / ".build/debug/convkit"))
    parser.add_argument("--only-untrained", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    bare_linear()
    bias_free()
    named_parts()
    if args.only_untrained:
        return
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    x_train, y_train = mnist("train")
    x_test, y_test = mnist("t10k")

    model = small()
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    order = torch.randperm(len(y_train))
    model.train()
    for start in range(0, len(order), 128):
        batch = order[start:start + 128]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
    safetensors.torch.save_file(model.state_dict(), OUT / "small.safetensors")
    predicted = logits.argmax(1)
    precisions = {}
    for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)]:
        path = OUT / f"small-{name}.safetensors"
        safetensors.torch.save_file(
            {k: v.to(dtype) if v.is_floating_point() else v for k, v in model.state_dict().items()}, path)
        converted = small()
        converted.load_state_dict({k: v.float() if v.is_floating_point() else v
                                   for k, v in safetensors.torch.load_file(path).items()})
        converted.eval()
        with torch.no_grad():
            precisions[name] = [float(v) for v in converted(x_test[:20]).reshape(-1)]
    expected = {
        "generator": "scripts/make-pytorch-fixtures.py",
        "seed": SEED,
        "versions": {"torch": torch.__version__, "safetensors": safetensors.__version__, "numpy": np.__version__},
        "small": {
            "architecture": SMALL_ARCH,
            "input_shape": [28, 28, 1],
            "logits": [float(v) for v in logits[:100].reshape(-1)],
            "test_correct": int((predicted == y_test).sum()),
            "precisions": precisions,
        },
    }

    with tempfile.TemporaryDirectory() as folder:
        exported = pathlib.Path(folder) / "tutorial.safetensors"
        subprocess.run([args.convkit, "export", str(KERAS / "tutorial.keras"), "--layout", "pytorch",
                        "-o", str(exported)], check=True, stdout=subprocess.DEVNULL)
        state = safetensors.torch.load_file(exported)
        net = tutorial()
        net.load_state_dict(state)  # strict: every key and shape must match
        net.eval()
        with torch.no_grad():
            torch_logits = net(x_test[:100]).reshape(-1).numpy()
    keras_logits = np.array(json.loads((KERAS / "expected.json").read_text())["models"]["tutorial"]["logits"],
                            dtype=np.float32)
    spread = float(keras_logits.max() - keras_logits.min())
    expected["exported_tutorial"] = {
        "state_dict": {k: list(v.shape) for k, v in net.state_dict().items()},
        "logits": [float(v) for v in torch_logits],
        "largest_difference_from_keras_of_range": float(np.abs(torch_logits - keras_logits).max() / spread),
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"small: accuracy {expected['small']['test_correct'] / len(y_test)}; exported tutorial in PyTorch "
          f"differs from Keras by {expected['exported_tutorial']['largest_difference_from_keras_of_range']:.3g} of range")


if __name__ == "__main__":
    main()
