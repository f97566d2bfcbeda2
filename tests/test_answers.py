"""predict_digit's honest answers, with the committed CNN (results/mnist_cnn.keras) and the parameters
benchmarks/honest_answers.py fitted for it (results/predict_digit.json): calibrated probabilities, and
NotADigitError for pictures that are not one digit. Fast: no training.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sklearn.model_selection import train_test_split

from mnist_tools import predict
from mnist_tools.digits import DigitImageError, digit_views, prepare_digit
from mnist_tools.predict import NotADigitError, predict_digit
from tests import non_digits, photo_like
from tests.notebook_code import NOTEBOOK

ROOT = NOTEBOOK.parent
MODEL = ROOT / "results" / "mnist_cnn.keras"
PARAMS = ROOT / "results" / "predict_digit.json"
GUESS = r"the picture does not look like a digit \(.*best guess is \d, \d+ % sure"
DEJAVU = str(non_digits.matplotlib_font_dir() / "DejaVuSans.ttf")  # installed with matplotlib


@pytest.fixture(scope="module")
def cnn():
    import keras
    return keras.models.load_model(MODEL)


@pytest.fixture(scope="module")
def params():
    return json.loads(PARAMS.read_text())


@pytest.fixture(scope="module")
def validation_digits():
    """The first 20 of the notebook's 6,000 validation digits (its stratified split, seed 42)."""
    with np.load(ROOT / "data" / "mnist.npz", allow_pickle=False) as npz:
        x, y = npz["x_train"], npz["y_train"]
    _, val = train_test_split(np.arange(len(y)), test_size=6000, stratify=y, random_state=42)
    return x[val[:20]], y[val[:20]]


def pad_drawing(lines, pen=28, size=280):
    """Black round-capped strokes on white, as the drawing pad exports them (lines in pad pixels)."""
    picture = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(picture)
    for line in lines:
        draw.line(line, fill=0, width=pen, joint="curve")
        for x, y in (line[0], line[-1]):
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
    return np.asarray(picture)


def typed(text, px=90):
    mask = non_digits.text_mask(text, DEJAVU, px)
    page = np.full((mask.shape[0] + 80, mask.shape[1] + 80), 255, dtype=np.uint8)
    page[40:40 + mask.shape[0], 40:40 + mask.shape[1]] = np.round(255 * (1 - mask))
    return page


NOT_DIGITS = {
    "a dot tapped on the pad": pad_drawing([[(140, 140), (140, 140)]]),
    "a letter A drawn on the pad": pad_drawing([[(80, 230), (140, 50), (200, 230)],
                                                [(105, 165), (175, 165)]]),
    "a letter X drawn on the pad": pad_drawing([[(80, 60), (200, 220)], [(200, 60), (80, 220)]]),
    "a typed letter K": typed("K"),
    "a typed word": typed("cat"),
    "a typed symbol #": typed("#"),
    "a drawn plus sign": pad_drawing([[(140, 60), (140, 220)], [(60, 140), (220, 140)]]),
    "a typed number": typed("42"),
}


@pytest.mark.parametrize("what", NOT_DIGITS)
def test_a_picture_that_is_not_a_digit_is_refused_with_the_best_guess(cnn, what):
    with pytest.raises(NotADigitError, match=GUESS) as caught:
        predict_digit(NOT_DIGITS[what], cnn)
    assert isinstance(caught.value, DigitImageError), "callers (the pad) catch DigitImageError"
    assert "reject=False" in str(caught.value), "the message says how to get the guess anyway"


@pytest.mark.parametrize("what", ["a letter A drawn on the pad", "a typed word", "a dot tapped on the pad"])
def test_reject_false_returns_the_guess(cnn, what):
    digit, probs, image28 = predict_digit(NOT_DIGITS[what], cnn, reject=False)
    assert 0 <= digit <= 9 and probs.shape == (10,) and probs.sum() == pytest.approx(1, abs=1e-5)
    assert image28.shape == (28, 28)
    with pytest.raises(NotADigitError) as caught:
        predict_digit(NOT_DIGITS[what], cnn)
    assert f"best guess is {digit}, {100 * probs[digit]:.0f} % sure" in str(caught.value), \
        "the message quotes the same guess and probability"


def test_mnist_validation_digits_are_accepted_and_read(cnn, validation_digits):
    images, labels = validation_digits
    read = [predict_digit(image, cnn)[0] for image in images]
    assert np.mean(np.array(read) == labels) >= 0.95


@pytest.mark.parametrize("digit", [0, 3, 4, 7, 8])
def test_photos_and_pad_drawings_of_digits_are_accepted(cnn, digit):
    photo = photo_like.photo(digit, (360, 480), gradient=0.3, noise=0.02, tilt=8, seed=digit)
    assert predict_digit(photo, cnn)[0] == digit
    drawing = non_digits.drawn_digit(digit, np.random.default_rng(digit), style="pad")
    assert predict_digit(drawing, cnn)[0] == digit


def test_a_small_typed_digit_is_accepted(cnn):
    assert predict_digit(typed("5"), cnn)[0] == 5


# --- calibration ---------------------------------------------------------------------------------------

def raw_softmax(cnn, views):
    return np.asarray(cnn.predict(255 * views, verbose=0), dtype="float64")


def test_the_fitted_temperatures_are_sane(params):
    temperature = params["temperature"]
    # the label-smoothed CNN is under-confident (section 8.2): T < 1 sharpens its probabilities
    assert 0.2 < temperature["views"] < 1 and 0.2 < temperature["single"] < 1
    assert 0 < params["threshold"]["views"] < 1 and 0 < params["threshold"]["single"] < 1


@pytest.mark.parametrize("views", [True, False])
def test_predict_digit_applies_the_temperature_to_the_averaged_views(cnn, params, validation_digits, views):
    image = validation_digits[0][0]
    batch = digit_views(image) if views else prepare_digit(image)[None]
    raw = raw_softmax(cnn, batch).mean(axis=0)
    temperature = params["temperature"]["views" if views else "single"]
    digit, probs, _ = predict_digit(image, cnn, views=views)
    logits = np.log(raw) / temperature
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert np.allclose(probs, expected, atol=2e-5), "softmax(log(average probabilities) / T)"
    assert not np.allclose(probs, raw, atol=1e-2), "not the raw averaged softmax"
    assert digit == raw.argmax() and probs.max() > raw.max(), "same digit, sharper (T < 1)"


def test_calibrated_wrapper_is_a_plain_keras_model(cnn, params, validation_digits, tmp_path):
    import keras
    model = predict.calibrated(cnn)
    images = validation_digits[0][:5].astype("float32")
    expected = predict.with_temperature(cnn.predict(images, verbose=0), params["temperature"]["single"])
    assert np.allclose(model.predict(images, verbose=0), expected, atol=1e-5)
    model.save(tmp_path / "calibrated.keras")  # standard layers only: loads without custom objects
    again = keras.models.load_model(tmp_path / "calibrated.keras")
    assert np.allclose(again.predict(images, verbose=0), expected, atol=1e-5)


def test_parameters_are_plain_files_and_belong_to_the_committed_model(cnn, params):
    assert set(params) >= {"temperature", "threshold", "detector", "fingerprint"}
    with np.load(PARAMS.with_suffix(".npz"), allow_pickle=False) as arrays:  # no pickled objects
        assert {"mean", "scale", "weights_0", "bias_0"} <= set(arrays.files)
    assert predict.AnswerParams.load(PARAMS).matches(cnn)


def test_another_model_gets_raw_probabilities_and_a_warning(cnn, validation_digits):
    import keras
    other = keras.models.clone_model(cnn)  # same layers, fresh random weights
    image = validation_digits[0][0]
    with pytest.warns(UserWarning, match="fitted for another model"):
        _, probs, _ = predict_digit(image, other)
    assert np.allclose(probs, raw_softmax(other, digit_views(image)).mean(axis=0), atol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, probs_none, _ = predict_digit(image, other, params=None)
    assert np.allclose(probs_none, probs, atol=1e-6)
