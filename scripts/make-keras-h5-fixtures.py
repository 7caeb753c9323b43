#!/usr/bin/env python3
"""make-keras-h5-fixtures.py: legacy Keras HDF5 models (`model.save('model.h5')`), which hold
the architecture (the root's model_config attribute) and the weights (model_weights/LAYER/...,
named by each layer's weight_names attribute), with Keras' own outputs.

Writes Tests/ModelExchangeTests/Fixtures/keras/h5/ (untrained models, seeded weights and
BatchNormalization statistics):
  keras2.h5     written by Keras 2 (tf_keras): Conv2D(3, 3, relu) given input_shape (no
      InputLayer), BatchNormalization, MaxPooling2D, Flatten, Dense(10, softmax)
  keras3.h5     written by Keras 3's legacy HDF5 saving: the same layers after an Input, and a
      linear Dense(10)
  keras2-bn-axis1.h5, keras3-bn-axis1.h5  written by Keras 2 and by Keras 3's legacy HDF5
      saving: Input(6, 5, 1), Conv2D(6, 1), BatchNormalization(axis=1) (the rows, not the
      channels), Flatten, Dense(4); legacy files record no input shape per layer
  keras2-flat-bn.h5  written by Keras 2: Input(4, 4, 1), Conv2D(2, 3), Flatten,
      BatchNormalization(axis=1) (the last axis of the flattened vector), Dense(3)
  keras2-functional.h5  written by Keras 2 as a Functional model (inbound_nodes in Keras 2's
      list form) whose layers form a chain: Input, Conv2D(2, 4, strides 4, relu), Flatten,
      Dense(10, softmax)
  keras2-shared.h5  a Keras 2 Functional model that is not a chain: Input(4, 4, 1), Flatten and
      one Dense(16) called twice
  expected.json the input (a 28x28 ramp in [0, 1]), each model's Keras output on it (Keras 2's
      softmax probabilities, Keras 3's logits), the 4x4 input of keras2-flat-bn.h5 and its
      Keras output, and the library versions and seed

Run with the Keras peer (scripts/setup-peers.sh --keras):
    /opt/convkit-keras/bin/python scripts/make-keras-h5-fixtures.py
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

SEED = 20261205
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/keras/h5"


def seeded(model, rng):
    """Replaces every weight with seeded values; BatchNormalization's variances stay positive."""
    model.set_weights([
        (rng.random(w.shape) + 0.5 if "variance" in v.name else rng.normal(0, 0.3, w.shape)).astype("float32")
        for v, w in zip(model.weights, model.get_weights())
    ])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    x = (np.arange(28 * 28, dtype="float32") / (28 * 28 - 1)).reshape(1, 28, 28, 1)
    k2 = tf_keras.Sequential([
        tf_keras.layers.Conv2D(3, 3, activation="relu", input_shape=(28, 28, 1)),
        tf_keras.layers.BatchNormalization(),
        tf_keras.layers.MaxPooling2D(),
        tf_keras.layers.Flatten(),
        tf_keras.layers.Dense(10, activation="softmax"),
    ])
    seeded(k2, rng)
    k2.save(OUT / "keras2.h5")
    k3 = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(3, 3, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
    ])
    seeded(k3, rng)
    k3.save(OUT / "keras3.h5")

    def bn_axis1(library):
        return library.Sequential([
            library.Input(shape=(6, 5, 1)),
            library.layers.Conv2D(6, 1),
            library.layers.BatchNormalization(axis=1),
            library.layers.Flatten(),
            library.layers.Dense(4),
        ])
    tf_keras_bn, keras_bn = bn_axis1(tf_keras), bn_axis1(keras)
    seeded(tf_keras_bn, rng)
    seeded(keras_bn, rng)
    tf_keras_bn.save(OUT / "keras2-bn-axis1.h5")
    keras_bn.save(OUT / "keras3-bn-axis1.h5")

    flat_bn = tf_keras.Sequential([
        tf_keras.Input(shape=(4, 4, 1)),
        tf_keras.layers.Conv2D(2, 3),
        tf_keras.layers.Flatten(),
        tf_keras.layers.BatchNormalization(axis=1),
        tf_keras.layers.Dense(3),
    ])
    seeded(flat_bn, rng)
    flat_bn.save(OUT / "keras2-flat-bn.h5")
    small = rng.random((1, 4, 4, 1)).astype("float32")

    inputs = tf_keras.Input(shape=(28, 28, 1))
    hidden = tf_keras.layers.Conv2D(2, 4, strides=4, activation="relu")(inputs)
    hidden = tf_keras.layers.Flatten()(hidden)
    functional = tf_keras.Model(inputs, tf_keras.layers.Dense(10, activation="softmax")(hidden))
    seeded(functional, rng)
    functional.save(OUT / "keras2-functional.h5")

    inputs = tf_keras.Input(shape=(4, 4, 1))
    shared = tf_keras.layers.Dense(16, name="shared")
    flat = tf_keras.layers.Flatten(name="flatten")(inputs)
    tf_keras.Model(inputs, shared(shared(flat))).save(OUT / "keras2-shared.h5")

    expected = {
        "seed": SEED,
        "versions": {"keras": keras.__version__, "tf_keras": tf_keras.__version__,
                     "tensorflow": tf.__version__},
        "input": x.reshape(-1).tolist(),
        "outputs": {
            "keras2": k2.predict(x, verbose=0)[0].tolist(),
            "keras3": k3.predict(x, verbose=0)[0].tolist(),
            "keras2-flat-bn": flat_bn.predict(small, verbose=0)[0].tolist(),
            "keras2-functional": functional.predict(x, verbose=0)[0].tolist(),
        },
        "small_input": small.reshape(-1).tolist(),
    }
    with open(OUT / "expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
