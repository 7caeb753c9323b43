#!/usr/bin/env python3
"""make-keras-edge-fixtures.py: small Keras models at the edges of what convkit can report
faithfully, with Keras' own outputs, for convkit's refusals and notes.

Writes Tests/ModelExchangeTests/Fixtures/keras/edges/ (untrained models, seeded weights):
  sigmoid.keras     Conv2D(2, 4, strides 4), Flatten, Dense(10, sigmoid): a last layer whose
      outputs are not logits
  one-output.keras  Conv2D(2, 4, strides 4), Flatten, Dense(1, sigmoid): a binary classifier
  overflow.keras    Conv2D(2, 4, strides 4) with positive weights, Flatten, Dense(10) with every
      kernel weight 3e38: its outputs overflow float32 on any image that is not nearly black
  bn-axis1.keras    Conv2D(2, 4, strides 4), BatchNormalization(axis=1), Flatten, Dense(10):
      normalises the height axis, not the channels
  softmax-flatten.keras  Conv2D(2, 4, strides 4), Flatten, Dense(10, softmax), Dropout, Flatten:
      layers after the softmax that change nothing
  conv-softmax.keras  Conv2D(2, 4, strides 4, softmax), Flatten: a softmax over each pixel's
      channels, which is not the softmax over the outputs
  no-bias.keras, no-bias.weights.h5  Conv2D(2, 4, strides 4, use_bias=False), Flatten,
      Dense(10, use_bias=False), and its weights alone, for an architecture given in convkit's
      text form, which cannot say use_bias=False
  expected.json     the input (a 28x28 ramp in [0, 1]), each model's Keras output on it, each
      model's count_params() (which leaves out the biases use_bias=False omits), and the library
      versions and seed

Run with the Keras peer (scripts/setup-peers.sh --keras):
    /opt/convkit-keras/bin/python scripts/make-keras-edge-fixtures.py
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

SEED = 20261205
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/keras/edges"


def network(*tail):
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(2, 4, strides=4),
        *tail,
    ])


def main():
    keras.utils.set_random_seed(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    image = (np.arange(28 * 28, dtype=np.float32) % 29 / 28).reshape(1, 28, 28, 1)
    overflow = network(layers.Flatten(), layers.Dense(10))
    kernel, bias = overflow.layers[0].get_weights()
    overflow.layers[0].set_weights([np.abs(kernel), np.abs(bias)])
    kernel, bias = overflow.layers[-1].get_weights()
    overflow.layers[-1].set_weights([np.full_like(kernel, 3e38), bias])
    models = {
        "sigmoid": network(layers.Flatten(), layers.Dense(10, activation="sigmoid")),
        "one-output": network(layers.Flatten(), layers.Dense(1, activation="sigmoid")),
        "overflow": overflow,
        "bn-axis1": network(layers.BatchNormalization(axis=1), layers.Flatten(), layers.Dense(10)),
    }
    models["softmax-flatten"] = network(
        layers.Flatten(), layers.Dense(10, activation="softmax"), layers.Dropout(0.5), layers.Flatten())
    models["conv-softmax"] = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(2, 4, strides=4, activation="softmax"),
        layers.Flatten(),
    ])
    models["no-bias"] = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(2, 4, strides=4, use_bias=False),
        layers.Flatten(),
        layers.Dense(10, use_bias=False),
    ])
    models["no-bias"].save_weights(OUT / "no-bias.weights.h5")
    outputs = {}
    for name, model in models.items():
        output = np.asarray(model(image, training=False), dtype=np.float64).ravel()
        outputs[name] = [float(v) if np.isfinite(v) else str(v) for v in output]
        model.save(OUT / f"{name}.keras")
    assert not np.isfinite(np.asarray(models["overflow"](image))).all()
    expected = {
        "input": image.ravel().tolist(),
        "outputs": outputs,
        "parameters": {name: int(model.count_params()) for name, model in models.items()},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__,
                     "numpy": np.__version__},
        "seed": SEED,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
