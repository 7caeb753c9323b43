#!/usr/bin/env python3
"""bench-train.py: seconds per epoch of `convkit train` against PyTorch on the same machine, same run.

Trains the tutorial CNN (Conv2D 32 3x3 same ReLU, MaxPool 2, Conv2D 64 3x3 same ReLU, MaxPool 2,
Flatten, Dense 64, Dropout 0.5, Dense 10; glorot-uniform kernels, zero biases; Adam lr 1e-3,
eps 1e-7; batch 256; shuffled every epoch) on MNIST with:
  - convkit (a release build of the CLI, given with --convkit),
  - PyTorch, default layout (NCHW) and channels_last, torch.set_num_threads(THREADS),
  - Keras 3 on TensorFlow, in the interpreter given with --keras-python (default: the first of
    this interpreter and /opt/convkit-keras/bin/python, which `scripts/setup-peers.sh --keras`
    makes, that can import keras; skipped when neither can).
Each runs in its own process under /usr/bin/time -v for its peak memory, once per thread count
(--threads, default every count from 1 to all cores). Reports seconds per epoch (training only;
evaluation excluded), final test accuracy, peak RSS and, per thread count, the ratio of convkit's
epoch time to the faster PyTorch layout. Only ratios from one run are meaningful on a shared
machine.

With --seeds, trains convkit alone once per seed (e.g. --epochs 10 --seeds 1,2,3,4,5) and
reports each seed's test accuracy and their mean.

With --inference, times inference over the 10,000 test images instead: the whole process of
`convkit evaluate` (a model trained for one epoch with --seed first; startup, decoding the
gzipped test set, the forward passes and the report included) against PyTorch's forward pass
alone over the same images (both layouts, model in eval mode under torch.no_grad, batches of
1,000, after one untimed batch), each the best of --repeats runs, and prints the ratios per
thread count, of wall time and of CPU time (user + system; the one to read on a loaded machine).

  /opt/convkit-peers/bin/python scripts/bench-train.py --convkit .build/release/convkit [--epochs 1] [--seed 1] [--threads 1,2]
  /opt/convkit-peers/bin/python scripts/bench-train.py --epochs 10 --seeds 1,2,3,4,5
  /opt/convkit-peers/bin/python scripts/bench-train.py --inference [--threads 1,2] [--repeats 3]
"""
import argparse
import gzip
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_mnist(folder):
    import numpy as np

    def read(name):
        path = pathlib.Path(folder) / f"{name}.gz"
        data = gzip.open(path).read() if path.exists() else (pathlib.Path(folder) / name).read_bytes()
        dims = data[3]
        shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

    x = read("train-images-idx3-ubyte").astype("float32") / 255
    y = read("train-labels-idx1-ubyte").astype("int64")
    xt = read("t10k-images-idx3-ubyte").astype("float32") / 255
    yt = read("t10k-labels-idx1-ubyte").astype("int64")
    return x, y, xt, yt


def torch_net(layout, seed, threads):
    """The tutorial network in PyTorch, in the given layout, and that memory format."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(seed)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
            self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
            self.fc1 = nn.Linear(3136, 64)
            self.fc2 = nn.Linear(64, 10)
            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.xavier_uniform_(m.weight)
                    nn.init.zeros_(m.bias)

        def forward(self, v):
            v = F.max_pool2d(F.relu(self.conv1(v)), 2)
            v = F.max_pool2d(F.relu(self.conv2(v)), 2)
            v = v.permute(0, 2, 3, 1).reshape(v.shape[0], -1)
            v = F.dropout(self.fc1(v), 0.5, self.training)
            return self.fc2(v)

    fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    return Net().to(memory_format=fmt), fmt


def torch_worker(layout, epochs, seed, threads, data):
    import torch
    import torch.nn.functional as F

    net, fmt = torch_net(layout, seed, threads)
    x, y, xt, yt = load_mnist(data)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    images = torch.from_numpy(x).unsqueeze(1)
    labels = torch.from_numpy(y)
    epoch_seconds = []
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(labels))
        start = time.perf_counter()
        for i in range(0, len(labels), 256):
            idx = order[i:i + 256]
            batch = images[idx].contiguous(memory_format=fmt)
            opt.zero_grad()
            loss = F.cross_entropy(net(batch), labels[idx])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - start)
    net.eval()
    correct = 0
    with torch.no_grad():
        test = torch.from_numpy(xt).unsqueeze(1)
        for i in range(0, len(yt), 1000):
            correct += int((net(test[i:i + 1000].contiguous(memory_format=fmt)).argmax(1) == torch.from_numpy(yt[i:i + 1000])).sum())
    return {"epoch_seconds": epoch_seconds, "test_accuracy": correct / len(yt), "version": f"torch {torch.__version__}"}


def torch_inference_worker(layout, seed, threads, data):
    """Seconds of one eval-mode, no_grad forward pass over the test images, batches of 1,000."""
    import torch

    net, fmt = torch_net(layout, seed, threads)
    _, _, xt, yt = load_mnist(data)
    net.eval()
    test = torch.from_numpy(xt).unsqueeze(1)
    correct = 0
    with torch.no_grad():
        net(test[:1000].contiguous(memory_format=fmt))
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(yt), 1000):
            correct += int((net(test[i:i + 1000].contiguous(memory_format=fmt)).argmax(1) == torch.from_numpy(yt[i:i + 1000])).sum())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "test_accuracy": correct / len(yt), "version": f"torch {torch.__version__}"}


def keras_worker(epochs, seed, threads, data):
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(seed)
    x, y, xt, yt = load_mnist(data)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(64), keras.layers.Dropout(0.5), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x[..., None], y, batch_size=256, epochs=epochs, verbose=0, callbacks=[Timer()])
    _, accuracy = model.evaluate(xt[..., None], yt, verbose=0)
    return {"epoch_seconds": times, "test_accuracy": float(accuracy), "version": f"keras {keras.__version__}, tensorflow {tf.__version__}"}


def timed(command):
    """Runs command under /usr/bin/time -v; returns (stdout, peak RSS in MiB, wall seconds, CPU seconds)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench-train: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", result.stderr))
    return result.stdout, int(peak.group(1)) / 1024 if peak else float("nan"), wall, cpu


def run_convkit(args):
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "bench.safetensors")
        out, peak, _, _ = timed([args.convkit, "train", "-o", model, "--epochs", str(args.epochs), "--seed", str(args.seed),
                              "--threads", str(args.thread_count), "--data", args.data])
        rows = pathlib.Path(folder, "bench.log.csv").read_text().split("\n")[1:]
        records = [line.split(",") for line in rows if line]
        version = subprocess.run([args.convkit, "--version"], capture_output=True, text=True).stdout.strip()
        return {"epoch_seconds": [float(r[5]) for r in records], "test_accuracy": float(records[-1][4]),
                "peak_mib": peak, "version": f"convkit {version}"}


def run_worker(kind, args, python=sys.executable):
    command = [python, __file__, "--worker", kind, "--epochs", str(args.epochs), "--seed", str(args.seed),
               "--threads", str(args.thread_count), "--data", args.data]
    out, peak, _, _ = timed(command)
    record = json.loads(out.strip().split("\n")[-1])
    record["peak_mib"] = peak
    return record


def keras_interpreter(given):
    """The interpreter to run Keras in: the given one, or the first candidate that imports keras."""
    candidates = [given] if given else [sys.executable, "/opt/convkit-keras/bin/python"]
    for python in candidates:
        if os.path.exists(python) and subprocess.run([python, "-c", "import keras, tensorflow"], capture_output=True).returncode == 0:
            return python
    if given:
        sys.exit(f"bench-train: {given} cannot import keras and tensorflow")
    return None


def counts(text):
    """A comma-separated list of positive whole numbers."""
    values = [int(v) for v in text.split(",") if v]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive whole numbers separated by commas, got {text!r}")
    return values


def compare(args, skip):
    """Every run at every thread count, then one table."""
    results = {}
    keras_python = None if "keras" in skip else keras_interpreter(args.keras_python)
    if "keras" not in skip and not keras_python:
        print("bench-train: no interpreter with keras found (scripts/setup-peers.sh --keras installs one); skipped")
    for threads in args.threads:
        args.thread_count = threads
        runs = [] if "convkit" in skip else [("convkit", lambda: run_convkit(args))]
        runs += [(f"pytorch {layout}", lambda layout=layout: run_worker(layout, args))
                 for layout in ["default", "channels_last"] if layout not in skip]
        if keras_python:
            runs.append(("keras", lambda: run_worker("keras", args, keras_python)))
        for name, run in runs:
            record = run()
            results[(name, threads)] = record
            print(f"  {name}, {threads} thread(s): {record['epoch_seconds']} s, peak {record['peak_mib']:.0f} MiB", flush=True)
    print(f"{'run':24} {'threads':>7} {'s/epoch':>8} {'test acc':>9} {'peak MiB':>9}  version")
    for (name, threads), record in results.items():
        seconds = sum(record["epoch_seconds"]) / len(record["epoch_seconds"])
        record["mean_epoch_seconds"] = seconds
        print(f"{name:24} {threads:7} {seconds:8.2f} {record['test_accuracy']:9.4f} {record['peak_mib']:9.0f}  {record['version']}")
    for threads in args.threads:
        torch_runs = [results[(k, threads)]["mean_epoch_seconds"] for k in ("pytorch default", "pytorch channels_last")
                      if (k, threads) in results]
        if ("convkit", threads) in results and torch_runs:
            ratio = results[("convkit", threads)]["mean_epoch_seconds"] / min(torch_runs)
            print(f"convkit / faster PyTorch layout, {threads} thread(s): {ratio:.3f}x")


def inference(args):
    """convkit evaluate, whole process, against PyTorch's forward pass alone, best of --repeats."""
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "bench.safetensors")
        timed([args.convkit, "train", "-o", model, "--epochs", "1", "--seed", str(args.seed), "--data", args.data])
        for threads in args.threads:
            args.thread_count = threads
            runs = [timed([args.convkit, "evaluate", model, "--threads", str(threads), "--data", args.data])[2:]
                    for _ in range(args.repeats)]
            best = {"convkit evaluate (whole process)": (min(r[0] for r in runs), min(r[1] for r in runs))}
            for layout in ["default", "channels_last"]:
                records = [run_worker(f"infer-{layout}", args) for _ in range(args.repeats)]
                best[f"pytorch {layout} (forward only)"] = (min(r["seconds"] for r in records),
                                                            min(r["cpu_seconds"] for r in records))
            for name, (wall, cpu) in best.items():
                print(f"{name:36} {threads} thread(s): {wall:.3f} s wall, {cpu:.3f} s CPU", flush=True)
            convkit = best["convkit evaluate (whole process)"]
            for index, kind in enumerate(["wall", "CPU"]):
                faster = min(v[index] for k, v in best.items() if k.startswith("pytorch"))
                print(f"convkit evaluate / faster PyTorch forward, {threads} thread(s), {kind}: "
                      f"{convkit[index] / faster:.3f}x", flush=True)


def accuracy(args, seeds):
    """convkit alone, once per seed, with its final test accuracy."""
    args.thread_count = args.threads[-1]
    found = []
    for seed in seeds:
        args.seed = seed
        record = run_convkit(args)
        found.append(record["test_accuracy"])
        print(f"seed {seed}: test accuracy {record['test_accuracy']:.4f} after {args.epochs} epoch(s), "
              f"{sum(record['epoch_seconds']) / len(record['epoch_seconds']):.2f} s/epoch", flush=True)
    print(f"mean test accuracy over {len(found)} seeds: {sum(found) / len(found):.4f} (lowest {min(found):.4f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--convkit", default=str(ROOT / ".build/release/convkit"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=counts, default=list(range(1, (os.cpu_count() or 1) + 1)),
                        help="comma-separated thread counts (default: 1 to every core)")
    parser.add_argument("--seeds", type=counts, help="accuracy mode: convkit alone, once per seed")
    parser.add_argument("--data", default=str(ROOT / "data/mnist"))
    parser.add_argument("--keras-python", help="interpreter with keras and tensorflow (default: see above)")
    parser.add_argument("--skip", default="", help="comma-separated runs to skip: convkit,default,channels_last,keras")
    parser.add_argument("--inference", action="store_true",
                        help="time convkit evaluate against PyTorch's forward pass over the test images")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure in --inference mode (best kept)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        threads = args.threads[0]
        if args.worker.startswith("infer-"):
            record = torch_inference_worker(args.worker[len("infer-"):], args.seed, threads, args.data)
        elif args.worker == "keras":
            record = keras_worker(args.epochs, args.seed, threads, args.data)
        else:
            record = torch_worker(args.worker, args.epochs, args.seed, threads, args.data)
        print(json.dumps(record))
        return

    print(f"bench-train: {args.epochs} epoch(s), seed {args.seed}, threads {','.join(map(str, args.threads))}, "
          f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if args.inference:
        inference(args)
    elif args.seeds:
        accuracy(args, args.seeds)
    else:
        compare(args, set(filter(None, args.skip.split(","))))
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
