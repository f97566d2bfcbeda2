"""Every committed model file (results/*.keras) loads with plain `keras.models.load_model` on the Keras
under test and predicts what it predicted when it was saved: the same digit for each of the 10,000
MNIST test images and the same ten probabilities to 0.0001 (results/<name>.predictions.npz, which
mnist_tools.saving.save_model writes beside the model).

CI runs these on the tested stack and on Google Colab's (constraints-colab.txt), so a model file
that Colab's Keras cannot read, or reads as a different function, fails here. Only the test images
are used, never their labels: predictions are compared, the model is not scored.
"""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
import pytest

from mnist_tools.saving import portable_config, predictions_path, save_model
from tests.notebook_code import NOTEBOOK

ROOT = NOTEBOOK.parent
MODELS = sorted((ROOT / "results").glob("*.keras"))
RESAVE = ("save it with mnist_tools.saving.save_model(model, path, reference_images=x_test) "
          "(the notebook's cell that saves the CNN does)")


@pytest.fixture(scope="module")
def test_images():
    from mnist_tools.data import load_mnist

    arrays, _ = load_mnist(ROOT / "data" / "mnist.npz")  # checksums verified
    return arrays["x_test"]


def test_the_cnn_is_committed():
    assert ROOT / "results" / "mnist_cnn.keras" in MODELS


@pytest.mark.parametrize("path", MODELS, ids=lambda path: path.name)
def test_committed_model_loads_and_predicts_as_saved(path, test_images):
    import keras

    reference = predictions_path(path)
    assert reference.is_file(), f"{reference.name} is missing: {RESAVE}"
    with np.load(reference, allow_pickle=False) as saved:
        digits, probabilities_e4, images_sha256 = (saved["digits"], saved["probabilities_e4"],
                                                   str(saved["images_sha256"]))
    assert images_sha256 == hashlib.sha256(test_images.tobytes()).hexdigest(), \
        f"{reference.name} holds predictions for other images than the MNIST test set"
    model = keras.models.load_model(path)  # plain: no custom objects
    probabilities = model.predict(test_images, batch_size=1000, verbose=0)
    changed = np.flatnonzero(probabilities.argmax(axis=1) != digits)
    assert changed.size == 0, (f"{path.name} on Keras {keras.__version__} predicts another digit than "
                               f"when it was saved for {changed.size} test images, e.g. {changed[:10]}")
    drift = np.abs(probabilities * 10_000 - probabilities_e4).max()
    assert drift <= 1, f"{path.name}: probabilities differ from the saved ones by up to {drift / 1e4:.5f}"


@pytest.mark.parametrize("path", MODELS, ids=lambda path: path.name)
def test_committed_model_holds_no_version_specific_defaults(path):
    """Saved by save_model, not model.save: an argument at its default (like the Glorot initializers'
    `input_axes=None` of Keras 3.14+) makes older Keras versions refuse the file. Checked here on any
    stack, before a Colab run would find out."""
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    found = sorted(set(left_out(config, portable_config(config))))
    assert not found, f"{path.name} holds arguments at their defaults ({', '.join(found)}): {RESAVE}"


def left_out(full, short, where=""):
    """Where the keys are that `full` holds and `short` leaves out: "Conv2D.padding", ..."""
    if isinstance(full, dict):
        where = full.get("class_name", where)
        for key, value in full.items():
            if key not in short:
                yield f"{where}.{key}"
            else:
                yield from left_out(value, short[key], where)
    elif isinstance(full, list):
        for a, b in zip(full, short):
            yield from left_out(a, b, where)


def test_save_model_writes_a_file_that_loads_and_its_predictions(tmp_path):
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), layers.Rescaling(1 / 255), layers.Reshape((28, 28, 1)),
                              layers.Conv2D(4, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    images = np.random.default_rng(0).integers(0, 256, (50, 28, 28)).astype("uint8")
    path = save_model(model, tmp_path / "tiny.keras", reference_images=images)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    conv = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Conv2D")
    assert conv["config"]["kernel_initializer"]["config"] == {}, "the initializer's defaults are left out"
    assert "padding" not in conv["config"] and conv["config"]["filters"] == 4, "defaults out, choices in"
    reloaded = keras.models.load_model(path)
    expected = model.predict(images, verbose=0)
    assert np.array_equal(reloaded.predict(images, verbose=0), expected)
    with np.load(predictions_path(path)) as saved:
        assert np.array_equal(saved["digits"], expected.argmax(axis=1))
        assert np.abs(saved["probabilities_e4"] - expected * 10_000).max() <= 0.5 + 1e-3
        assert str(saved["images_sha256"]) == hashlib.sha256(images.tobytes()).hexdigest()
