#!/usr/bin/env python3
"""make-saliency-fixtures.py: Captum and pytorch-grad-cam reference maps for convkit's saliency,
gradient x input and Grad-CAM.

A small CNN of convkit's architecture
  conv2d:4:3x3:same:relu,maxpool:2,conv2d:8:3x3:same:relu,maxpool:2,flatten,dense:16,dropout:0.5,dense:10
is trained for one epoch on MNIST in PyTorch (seeded), and on test images 0, 1 and 2, each
explained for its predicted class and its runner-up, the script computes
  - Captum Saliency(abs=True): |d logit / d input|,
  - Captum InputXGradient: input * d logit / d input,
  - Captum LayerGradCam on the ReLU after the second convolution (the Keras layer's output),
    at the layer's 14x14 and upsampled by LayerAttribution.interpolate(mode="bilinear"),
  - pytorch-grad-cam's GradCAM on the same layer, run in its own venv because it pulls
    torchvision and OpenCV; it is not the raw map: per image it min-max scales the ReLU'd map
    to 0...1, resizes it to 28x28 by cv2.resize, and min-max scales the result again
    (scale_cam_image in compute_cam_per_layer, then in aggregate_multi_layers).
The weights are written in Keras layout (conv kernels (kh, kw, cin, cout), dense (in, out)),
flatten in NHWC order as convkit and Keras flatten, into
Tests/LearnedFiltersTests/Fixtures/saliency/: one .npy per parameter (named as convkit names
them), inputs.npy (6, 28, 28), targets in manifest.json, and the maps as float32 .npy files.

Run: /opt/convkit-peers/bin/python scripts/make-saliency-fixtures.py
     (needs data/mnist from scripts/fetch-datasets.sh, captum in the peers' venv and
     /opt/convkit-gradcam with grad-cam: see scripts/setup-peers.sh; CONVKIT_GRADCAM overrides)
"""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import torch
from torch import nn

SEED = 20261203
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/LearnedFiltersTests/Fixtures/saliency"
ARCH = "conv2d:4:3x3:same:relu,maxpool:2,conv2d:8:3x3:same:relu,maxpool:2,flatten,dense:16,dropout:0.5,dense:10"
IMAGES = [0, 1, 2]
GRADCAM_PYTHON = os.environ.get("CONVKIT_GRADCAM", "/opt/convkit-gradcam/bin/python")


class Net(nn.Module):
    """The architecture above; input NCHW, flatten in NHWC order."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.dense = nn.Linear(8 * 7 * 7, 16)
        self.dropout = nn.Dropout(0.5)
        self.dense_1 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.relu1(self.conv1(x)))
        x = self.pool(self.relu2(self.conv2(x)))
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return self.dense_1(self.dropout(self.dense(x)))


def keras_weights(net):
    """convkit's parameter names and Keras layouts."""
    conv = lambda w: w.detach().permute(2, 3, 1, 0).contiguous().numpy()
    dense = lambda w: w.detach().t().contiguous().numpy()
    return {
        "conv2d.kernel": conv(net.conv1.weight), "conv2d.bias": net.conv1.bias.detach().numpy(),
        "conv2d_1.kernel": conv(net.conv2.weight), "conv2d_1.bias": net.conv2.bias.detach().numpy(),
        "dense.kernel": dense(net.dense.weight), "dense.bias": net.dense.bias.detach().numpy(),
        "dense_1.kernel": dense(net.dense_1.weight), "dense_1.bias": net.dense_1.bias.detach().numpy(),
    }


def load_net():
    """The trained net back from the fixture folder (for the pytorch-grad-cam venv)."""
    net = Net()
    w = {name: torch.from_numpy(np.load(OUT / f"{name}.npy")) for name in
         ["conv2d.kernel", "conv2d.bias", "conv2d_1.kernel", "conv2d_1.bias",
          "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"]}
    with torch.no_grad():
        net.conv1.weight.copy_(w["conv2d.kernel"].permute(3, 2, 0, 1))
        net.conv1.bias.copy_(w["conv2d.bias"])
        net.conv2.weight.copy_(w["conv2d_1.kernel"].permute(3, 2, 0, 1))
        net.conv2.bias.copy_(w["conv2d_1.bias"])
        net.dense.weight.copy_(w["dense.kernel"].t())
        net.dense.bias.copy_(w["dense.bias"])
        net.dense_1.weight.copy_(w["dense_1.kernel"].t())
        net.dense_1.bias.copy_(w["dense_1.bias"])
    return net.eval()


def stand_in_for_torchvision():
    """pytorch-grad-cam imports torchvision at package level, but GradCAM and scale_cam_image
    never call it. PyPI's torchvision wheels for torch 2.13 are CUDA builds whose import fails
    next to the CPU torch ("operator torchvision::nms does not exist"), and the CPU wheels live
    on download.pytorch.org only. When the real import fails, the names pytorch-grad-cam imports
    are bound to functions that raise if called, so the reference maps come from
    pytorch-grad-cam's own code and OpenCV, untouched."""
    import types

    def unavailable(*args, **kwargs):
        raise RuntimeError("torchvision is not available in this venv")

    root = types.ModuleType("torchvision")
    transforms = types.ModuleType("torchvision.transforms")
    functional = types.ModuleType("torchvision.transforms.functional")
    transforms.Compose = transforms.Normalize = transforms.ToTensor = unavailable
    functional.resize = unavailable
    root.transforms = transforms
    transforms.functional = functional
    sys.modules.update({"torchvision": root, "torchvision.transforms": transforms,
                        "torchvision.transforms.functional": functional})
    return "stand-in (real import failed: CUDA build)"


def grad_cam_part():
    """Runs in the pytorch-grad-cam venv: GradCAM on relu2 for the manifest's targets."""
    try:
        import torchvision
        torchvision_version = torchvision.__version__
    except (ImportError, RuntimeError, OSError):
        torchvision_version = stand_in_for_torchvision()
    import importlib.metadata

    import cv2
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    manifest = json.loads((OUT / "manifest.json").read_text())
    net = load_net()
    x = torch.from_numpy(np.load(OUT / "inputs.npy"))[:, None]
    with GradCAM(model=net, target_layers=[net.relu2]) as cam:
        maps = cam(input_tensor=x, targets=[ClassifierOutputTarget(t) for t in manifest["targets"]])
    np.save(OUT / "pytorch_grad_cam.npy", maps.astype(np.float32))
    print(json.dumps({"grad-cam": importlib.metadata.version("grad-cam"),
                      "torch (grad-cam venv)": torch.__version__, "opencv (grad-cam venv)": cv2.__version__,
                      "torchvision (grad-cam venv)": torchvision_version}))


def main():
    sys.path.insert(0, str(ROOT / "scripts"))
    from mnist_idx import mnist
    import captum
    from captum.attr import InputXGradient, LayerAttribution, LayerGradCam, Saliency

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    x_train, y_train = mnist("train")
    x_test, y_test = mnist("t10k")
    x_train = torch.from_numpy(x_train)[:, None]
    y_train = torch.from_numpy(y_train)
    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    order = torch.randperm(len(y_train))
    net.train()
    for start in range(0, len(order), 128):
        batch = order[start:start + 128]
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x_train[batch]), y_train[batch]).backward()
        optimizer.step()
    net.eval()

    images = np.stack([x_test[i] for i in IMAGES for _ in range(2)]).astype(np.float32)
    x = torch.from_numpy(images)[:, None]
    with torch.no_grad():
        logits = net(x)
    ranked = logits.argsort(dim=1, descending=True)
    targets = [int(ranked[row, row % 2]) for row in range(len(images))]

    OUT.mkdir(parents=True, exist_ok=True)
    for name, value in keras_weights(net).items():
        np.save(OUT / f"{name}.npy", value.astype(np.float32))
    np.save(OUT / "inputs.npy", images)
    np.save(OUT / "logits.npy", logits.numpy().astype(np.float32))
    np.save(OUT / "saliency.npy", Saliency(net).attribute(x, target=targets, abs=True)[:, 0].detach().numpy())
    np.save(OUT / "input_x_gradient.npy", InputXGradient(net).attribute(x, target=targets)[:, 0].detach().numpy())
    layer = LayerGradCam(net, net.relu2).attribute(x, target=targets, relu_attributions=True)
    np.save(OUT / "gradcam_layer.npy", layer[:, 0].detach().numpy())
    upsampled = LayerAttribution.interpolate(layer, (28, 28), interpolate_mode="bilinear")
    np.save(OUT / "gradcam.npy", upsampled[:, 0].detach().numpy())
    manifest = {
        "generator": "scripts/make-saliency-fixtures.py", "seed": SEED, "architecture": ARCH,
        "test_images": [i for i in IMAGES for _ in range(2)],
        "labels": [int(y_test[i]) for i in IMAGES for _ in range(2)],
        "targets": targets,
        "test_accuracy": float((net(torch.from_numpy(x_test)[:, None]).argmax(1).numpy() == y_test).mean()),
        "versions": {"torch": torch.__version__, "captum": captum.__version__, "numpy": np.__version__},
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    result = subprocess.run([GRADCAM_PYTHON, __file__, "--grad-cam"], check=True, capture_output=True, text=True)
    manifest["versions"].update(json.loads(result.stdout.strip().splitlines()[-1]))
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    grad_cam_part() if sys.argv[1:] == ["--grad-cam"] else main()
