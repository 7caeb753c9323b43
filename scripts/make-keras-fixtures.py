#!/usr/bin/env python3
"""make-keras-fixtures.py: Keras models trained on MNIST, saved as Keras saves them, with Keras'
own outputs, for convkit's Keras reader.

Writes Tests/ModelExchangeTests/Fixtures/keras/:
  tutorial.keras, tutorial.weights.h5, tutorial.json   the tutorial's CNN (conv2d:32:3x3:same:relu,
      maxpool:2, conv2d:64:3x3:same:relu, maxpool:2, flatten, dense:64, dropout:0.5, dense:10),
      one epoch, saved from a second, never compiled instance given the trained weights (so
      without the optimizer's state): model.save, model.save_weights and model.to_json()
  layers.keras    a small network with the other supported layer types (BatchNormalization,
      ReLU, Activation, AveragePooling2D, strided and dilated convolutions, GlobalAveragePooling2D,
      Dense with a ReLU, a final Softmax layer), one epoch, saved as trained (optimizer included)
  no-weights.h5   a valid HDF5 file without any Keras weights (one dataset 'x'), for the error
  expected.json   per model: Keras' logits (the output before a final softmax) on the first 100
      MNIST test images, its predicted classes and accuracy on all 10,000, the smallest gap
      between the two largest logits over the test set, and the library versions and seed

Inputs are data/mnist (scripts/fetch-datasets.sh) scaled as convkit scales them: uint8 / 255 in
float32. Run with the Keras peer (scripts/setup-peers.sh --keras):
    /opt/convkit-keras/bin/python scripts/make-keras-fixtures.py
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

import mnist_idx  # noqa: E402

SEED = 20261216
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/keras"


def mnist(split):
    images, labels = mnist_idx.mnist(split)
    return images[..., None], labels  # NHWC


def tutorial():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64),
        layers.Dropout(0.5),
        layers.Dense(10),
    ])


def other_layers():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, 3, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Conv2D(16, (5, 3), strides=2, padding="same"),
        layers.Activation("relu"),
        layers.AveragePooling2D(3, strides=2, padding="same"),
        layers.Conv2D(24, 3, dilation_rate=2, padding="same", activation="relu"),
        layers.MaxPooling2D(3, strides=2, padding="same"),
        layers.BatchNormalization(center=False),
        layers.GlobalAveragePooling2D(),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10),
        layers.Softmax(),
    ])


def train(model, from_logits, x, y):
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=1, shuffle=True, verbose=2)


def expectations(model, logits_model, x, y):
    logits = logits_model.predict(x, batch_size=1000, verbose=0)
    predicted = np.argmax(logits, axis=1)
    ordered = np.sort(logits, axis=1)
    gap = float(np.min(ordered[:, -1] - ordered[:, -2]))
    _, keras_accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)
    correct = int(np.sum(predicted == y))
    return {
        "input_shape": [28, 28, 1],
        "logits_shape": [100, 10],
        "logits": [float(v) for v in logits[:100].reshape(-1)],
        "predicted_first_100": [int(v) for v in predicted[:100]],
        "test_samples": int(len(y)),
        "test_correct": correct,
        "test_accuracy": correct / len(y),
        "keras_evaluate_accuracy": float(keras_accuracy),
        "smallest_top2_logit_gap": gap,
        "parameters": int(model.count_params()),
    }


def no_weights():
    import h5py
    with h5py.File(OUT / "no-weights.h5", "w") as f:
        f["x"] = np.arange(6, dtype=np.float32).reshape(2, 3)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    no_weights()
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    x_train, y_train = mnist("train")
    x_test, y_test = mnist("t10k")
    expected = {
        "generator": "scripts/make-keras-fixtures.py",
        "seed": SEED,
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__},
        "models": {},
    }

    model = tutorial()
    train(model, True, x_train, y_train)
    expected["models"]["tutorial"] = expectations(model, model, x_test, y_test)
    # A second, never compiled instance holds the trained weights without the optimizer's
    # state, so the files stay small. Keras names its layers conv2d_2, ..., dense_3.
    bare = tutorial()
    bare.set_weights(model.get_weights())
    bare.save_weights(OUT / "tutorial.weights.h5")
    (OUT / "tutorial.json").write_text(bare.to_json() + "\n")
    bare.save(OUT / "tutorial.keras")

    model = other_layers()
    train(model, False, x_train, y_train)
    logits_model = keras.Model(model.inputs, model.layers[-2].output)
    expected["models"]["layers"] = expectations(model, logits_model, x_test, y_test)
    model.save(OUT / "layers.keras")

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    for name, values in expected["models"].items():
        print(f"{name}: {values['parameters']} parameters, accuracy {values['test_accuracy']}, "
              f"smallest top-2 gap {values['smallest_top2_logit_gap']:.3g}")


if __name__ == "__main__":
    main()
