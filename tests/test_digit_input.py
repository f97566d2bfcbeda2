"""predict_digit's input handling: every kind of bad input gets its own clear error (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.notebook_code import NOTEBOOK, run_cells


@pytest.fixture(scope="module")
def nb():
    return run_cells("imports", "digit-preprocessing")


@pytest.fixture(scope="module")
def digit():
    with np.load(NOTEBOOK.parent / "data" / "mnist.npz", allow_pickle=False) as npz:
        return npz["x_test"][0]  # a 7


@pytest.mark.parametrize("shape", [(784,), (28, 28, 3), (1, 28, 28), ()])
def test_wrong_shape(nb, shape):
    with pytest.raises(nb["DigitImageError"], match=r"expected a 2-D greyscale image .* got an array"):
        nb["prepare_digit"](np.ones(shape))


def test_missing_file(nb, tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file at .*missing.png"):
        nb["prepare_digit"](tmp_path / "missing.png")


def test_not_an_image_file(nb, tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not pixels")
    with pytest.raises(nb["DigitImageError"], match="is not an image file Pillow can read"):
        nb["prepare_digit"](str(path))


def test_nan_pixels(nb, digit):
    image = digit.astype("float32")
    image[3, 4] = image[5, 6] = np.nan
    with pytest.raises(nb["DigitImageError"], match="contains 2 NaN pixel"):
        nb["prepare_digit"](image)


@pytest.mark.parametrize("value", [0, 255, 0.5])
def test_blank_image(nb, value):
    with pytest.raises(nb["DigitImageError"], match="the image is blank"):
        nb["prepare_digit"](np.full((28, 28), value))


@pytest.mark.parametrize("thing", [None, [[0, 1], [1, 0]], "x" * 0, np.array([["a", "b"]])])
def test_not_an_array_or_path(nb, thing):
    with pytest.raises((nb["DigitImageError"], FileNotFoundError)):
        nb["prepare_digit"](thing)


def test_mnist_digit_stays_an_mnist_digit(nb, digit):
    prepared = nb["prepare_digit"](digit)
    assert prepared.shape == (28, 28) and prepared.dtype == np.float32
    assert 0 <= prepared.min() and prepared.max() <= 1
    centre = np.array(nb["ndimage"].center_of_mass(prepared))
    assert np.allclose(centre, 13.5, atol=0.2)
    assert np.abs(prepared - digit / 255).mean() < 0.1  # re-centring moves it by at most a pixel


def test_dark_on_light_photo_is_inverted_cropped_and_centred(nb, digit, tmp_path):
    photo = np.full((300, 200), 230, dtype=np.uint8)  # light paper, off-centre dark digit, bigger
    big = np.asarray(nb["Image"].fromarray(255 - digit).resize((112, 112)))
    photo[20:132, 70:182] = np.minimum(photo[20:132, 70:182], big)
    path = tmp_path / "photo.png"
    nb["Image"].fromarray(photo).save(path)
    prepared = nb["prepare_digit"](path)
    assert prepared[0].max() < 0.05 and prepared[:, 0].max() < 0.05  # background is black again
    rows, cols = np.nonzero(prepared > 0.2)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21  # fitted into the 20 x 20 box
    assert np.allclose(nb["ndimage"].center_of_mass(prepared), 13.5, atol=0.2)
