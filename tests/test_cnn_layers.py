"""The CNN's own augmentation layer and the model the notebook saves (fast: no training)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.notebook_code import run_cells


@pytest.fixture(scope="module")
def nb():
    return run_cells("imports", "settings", "cnn-model", "cnn-build", "ablation-variants",
                     "without-augmentation")


def bar_digit(width=2, copies=64):
    """A vertical bar `width` pixels wide in a 28 x 28 frame, as a batch of identical images."""
    image = np.zeros((28, 28, 1), dtype="float32")
    image[4:24, 14 - width // 2:14 - width // 2 + width] = 255
    return np.repeat(image[None], copies, axis=0)


def test_random_stroke_width_does_nothing_at_inference(nb):
    images = bar_digit()
    layer = nb["RandomStrokeWidth"](0.7, seed=1)
    assert np.array_equal(np.asarray(layer(images, training=False)), images)


def test_random_stroke_width_makes_strokes_both_thicker_and_thinner_in_training(nb):
    images = bar_digit()
    out = np.asarray(nb["RandomStrokeWidth"](0.7, seed=1)(images, training=True))
    ink = out.sum(axis=(1, 2, 3)) / images[0].sum()
    assert ink.max() > 1.5 and ink.min() < 0.5, ink  # a 2-pixel bar gains or loses up to 0.7 px a side
    assert out.min() >= 0 and out.max() <= 255, "a blend of the image, its dilation and its erosion"
    assert len(np.unique(ink.round(3))) > 32, "a different amount for each image"
    centre = out[:, 4:24, 13:15, 0]
    assert (centre > 0).all(), "thinning never erases a 2-pixel stroke"


def test_saved_model_has_only_built_in_layers(nb, tmp_path):
    keras = nb["keras"]
    keras.utils.set_random_seed(0)
    model = nb["build_cnn"](stroke_width=0.7)  # with this notebook's own layer too
    assert "augment_stroke" in [layer.name for layer in model.layers]
    deployable = nb["without_augmentation"](model)
    names = [layer.name for layer in deployable.layers]
    assert not [name for name in names if name.startswith("augment_")], names
    assert deployable.count_params() == model.count_params()
    deployable.save(tmp_path / "cnn.keras")
    reloaded = keras.models.load_model(tmp_path / "cnn.keras")  # no custom_objects needed
    images = np.random.default_rng(0).integers(0, 256, (8, 28, 28)).astype("uint8")
    assert np.allclose(reloaded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)
