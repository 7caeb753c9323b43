#!/usr/bin/env python3
"""make-keras-activation-fixtures.py: a Keras model using every activation convkit reads from
Keras, with Keras' outputs and TensorFlow's gradients, for convkit's activations.

Writes Tests/ModelExchangeTests/Fixtures/activations/:
  activations.keras  a small network trained on MNIST for one epoch, saved from a second, never
      compiled instance given the trained weights (no optimizer state): Conv2D with gelu (Keras'
      exact erf form), elu and tanh, BatchNormalization, Activation('selu'), LeakyReLU(0.1),
      ELU(alpha=0.5), a 1x1 Conv2D with softmax over the channels, Dense with sigmoid,
      ReLU(negative_slope=0.05), Dense with leaky_relu (slope 0.2), Activation('tanh'),
      Dense with selu and with softmax inside the network, and a final linear Dense (logits)
  keras.json  Keras' logits on the first 100 MNIST test images; for the first 3 test images and
      their labels, the gradient of the mean sparse categorical cross-entropy of the logits
      (inference mode: batch normalization on its moving statistics) with respect to the input
      and to some of the weights, from tf.GradientTape; the versions and the seed

Inputs are data/mnist (scripts/fetch-datasets.sh) scaled as convkit scales them: uint8 / 255 in
float32. Run with the Keras peer (scripts/setup-peers.sh --keras):
    /opt/convkit-keras/bin/python scripts/make-keras-activation-fixtures.py
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

SEED = 20261203
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ModelExchangeTests/Fixtures/activations"
# The weights whose gradients are recorded: (Keras layer name, variable name) in convkit's
# naming, which follows Keras' (conv2d, batch_normalization, dense_5, ...).
GRADIENT_WEIGHTS = [("conv2d", "kernel"), ("conv2d", "bias"), ("batch_normalization", "gamma"),
                    ("batch_normalization", "beta"), ("conv2d_3", "kernel"), ("dense_3", "kernel"),
                    ("dense_4", "kernel"), ("dense_4", "bias")]


def network():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 3, activation="gelu", name="conv2d"),
        layers.Conv2D(8, 3, strides=2, padding="same", activation="elu", name="conv2d_1"),
        layers.BatchNormalization(name="batch_normalization"),
        layers.Activation("selu", name="activation"),
        layers.MaxPooling2D(2, name="max_pooling2d"),
        layers.Conv2D(8, 3, padding="same", activation="tanh", name="conv2d_2"),
        layers.LeakyReLU(negative_slope=0.1, name="leaky_re_lu"),
        layers.ELU(alpha=0.5, name="elu"),
        layers.Conv2D(4, 1, activation="softmax", name="conv2d_3"),
        layers.Flatten(name="flatten"),
        layers.Dense(24, activation="sigmoid", name="dense"),
        layers.Dense(16, name="dense_1"),
        layers.ReLU(negative_slope=0.05, name="re_lu"),
        layers.Dense(16, activation="leaky_relu", name="dense_2"),
        layers.Activation("tanh", name="activation_1"),
        layers.Dense(12, activation="selu", name="dense_3"),
        layers.Dense(12, activation="softmax", name="dense_4"),
        layers.Dense(10, name="dense_5"),
    ])


def floats(array):
    """float32 values as the shortest decimal strings that read back exactly."""
    return [float(np.format_float_positional(v, unique=True)) for v in np.asarray(array, np.float32).reshape(-1)]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    x_train, y_train = mnist_idx.mnist("train")
    x_test, y_test = mnist_idx.mnist("t10k")
    x_train, x_test = x_train[..., None], x_test[..., None]

    model = network()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=1, shuffle=True, verbose=2)
    bare = network()
    bare.set_weights(model.get_weights())
    bare.save(OUT / "activations.keras")

    logits = bare.predict(x_test[:100], batch_size=100, verbose=0)
    images = tf.constant(x_test[:3])
    labels = tf.constant(y_test[:3])
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    watched = {(layer, name): next(v for v in bare.get_layer(layer).weights if v.name == name)
               for layer, name in GRADIENT_WEIGHTS}
    with tf.GradientTape() as tape:
        tape.watch(images)
        loss = loss_function(labels, bare(images, training=False))
    gradients = tape.gradient(loss, [images] + list(watched.values()))
    expected = {
        "generator": "scripts/make-keras-activation-fixtures.py",
        "seed": SEED,
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__},
        "input_shape": [28, 28, 1],
        "parameters": int(bare.count_params()),
        "logits": floats(logits),
        "gradient_images": 3,
        "gradient_labels": [int(v) for v in y_test[:3]],
        "loss": float(loss),
        "input_gradient": floats(gradients[0]),
        "weight_gradients": {f"{layer}.{name}": floats(g)
                             for (layer, name), g in zip(watched.keys(), gradients[1:])},
    }
    (OUT / "keras.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"{expected['parameters']} parameters; loss on 3 images {expected['loss']:.4f}; "
          f"accuracy on 100: {np.mean(np.argmax(logits, 1) == y_test[:100])}")


if __name__ == "__main__":
    main()
