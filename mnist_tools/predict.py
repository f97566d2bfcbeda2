"""Read the digit in any picture with a trained model, honestly: calibrated probabilities, and a
refusal when the picture does not look like one digit.

    from mnist_tools.predict import predict_digit, NotADigitError
    digit, probs, image28 = predict_digit("my_digit.jpg", model)               # may raise NotADigitError
    digit, probs, image28 = predict_digit("letter_a.png", model, reject=False)  # the best guess anyway

What predict_digit adds to the model, for the committed CNN (results/mnist_cnn.keras):
* calibrated probabilities: temperature scaling, T fitted on MNIST's validation digits on exactly the
  probabilities this function produces (softmax(log(average of the 15 views' probabilities) / T); a
  single view has its own T);
* "not a digit": the ink checks of mnist_tools.digits (several marks, a dot, a line) and a small
  detector on the CNN's own features (five one-hidden-layer networks on its pooled convolutional
  features and its logits, trained with generated non-digits, averaged) raise NotADigitError, whose
  message gives the model's best guess.
Both are fitted by benchmarks/honest_answers.py and loaded from results/predict_digit.json and
results/predict_digit.npz (plain numbers and arrays, no pickle); until that script has been run to
the end, neither file exists and predict_digit uses the ink checks alone. They belong to one model:
for any other model predict_digit returns its raw averaged probabilities and refuses only what the
ink checks refuse (with a warning for a Keras
model; pass params=None to ask for that behaviour explicitly).
"""

from __future__ import annotations

import json
import warnings
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mnist_tools.digits import DigitImageError, digit_views, prepare_digit  # noqa: F401 (re-exported)

try:  # the ink checks' refusal (mnist_tools.digits); this module's own refusals use the same class
    from mnist_tools.digits import NotADigitError
except ImportError:  # pragma: no cover - an older digits.py
    class NotADigitError(DigitImageError):
        """The picture holds ink, but it does not look like one digit."""

PARAMS_PATH = Path(__file__).resolve().parent.parent / "results" / "predict_digit.json"
HIDDEN_LAYER, OUTPUT_LAYER = "hidden_128", "digit_probabilities"


def softmax(logits):
    """Softmax over the last axis, computed stably in float64 -> float32."""
    z = np.asarray(logits, dtype="float64")
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return (z / z.sum(axis=-1, keepdims=True)).astype("float32")


def with_temperature(probs, temperature):
    """softmax(log(probs) / T): temperature scaling of probabilities (the log is the logit up to a
    constant per picture, which softmax ignores). T > 1 softens, T < 1 sharpens; the order is kept."""
    return softmax(np.log(np.clip(np.asarray(probs, dtype="float64"), 1e-30, 1)) / temperature)


def detector_features(flat, logits, probs):
    """What the not-a-digit detector looks at, for n pictures read through v views each.

    flat: (n, 1024) the CNN's pooled convolutional features (the input of its dense layers: 4 x 4
    places x 64 patterns) averaged over the views; logits and probs: (n, v, 10) each view's logits and
    softmax probabilities. -> (n, 1024 + 6): the features (square-rooted, which tames their long tails),
    the mean and spread over the views of the top logit and of the log-sum-exp of the logits (minus
    the energy), the log of the averaged probabilities' top probability, and how much the views
    disagree (mean total-variation distance to their average).
    """
    logits = np.asarray(logits, dtype="float64")
    probs = np.asarray(probs, dtype="float64")
    top = logits.max(axis=2)
    lse = top + np.log(np.exp(logits - top[..., None]).sum(axis=2))
    average = probs.mean(axis=1)
    disagreement = 0.5 * np.abs(probs - average[:, None]).sum(axis=2).mean(axis=1)
    extra = np.column_stack([top.mean(axis=1), top.std(axis=1), lse.mean(axis=1), lse.std(axis=1),
                             np.log(average.max(axis=1)), disagreement])
    return np.column_stack([np.sqrt(np.maximum(np.asarray(flat, dtype="float64"), 0)), extra])


@dataclass(frozen=True)
class AnswerParams:
    """The temperatures and the not-a-digit detector for one model (results/predict_digit.json, with
    the detector's arrays in results/predict_digit.npz).

    temperature: {"views": T for the average of the 15 views, "single": T for one view}
    detector: {"activations": ["relu", ..., "sigmoid"], and arrays "mean", "scale" (standardisation of
        detector_features) and "weights_<k>", "bias_<k>" for each layer, with a leading axis over the
        ensemble's member networks}: small networks whose average output is the probability that the
        picture is not a digit
    threshold: {"views": ..., "single": ...}: refuse when that probability is above it
    fingerprint: the model's output layer (bias and the norm of each kernel column), to recognise it
    """

    temperature: dict
    detector: dict
    threshold: dict
    fingerprint: dict
    source: str = ""

    @classmethod
    def load(cls, path=PARAMS_PATH):
        path = Path(path)
        data = json.loads(path.read_text())
        with np.load(path.with_suffix(".npz"), allow_pickle=False) as arrays:  # plain arrays, no code
            detector = {**data["detector"], **{key: arrays[key] for key in arrays.files}}
        return cls(data["temperature"], detector, data["threshold"], data["fingerprint"], str(path))

    def matches(self, model):
        """Is `model` the one these parameters were fitted for (same output layer, to 1e-4)?"""
        try:
            kernel, bias = model.get_layer(self.fingerprint["layer"]).get_weights()
            model.get_layer(HIDDEN_LAYER)
        except (AttributeError, ValueError, KeyError):
            return False
        return (np.allclose(bias, self.fingerprint["bias"], atol=1e-4)
                and np.allclose(np.linalg.norm(kernel, axis=0), self.fingerprint["kernel_norms"], atol=1e-4))

    def not_digit_probability(self, features):
        """detector_features -> the detector's probability that each picture is not a digit: the
        average over its member networks (arrays with a leading member axis; 2-D arrays: one)."""
        x = (np.asarray(features, dtype="float64") - self.detector["mean"]) / self.detector["scale"]
        x = np.broadcast_to(x, (1, *x.shape))  # (members, pictures, features)
        for k, activation in enumerate(self.detector["activations"]):
            weights, bias = self.detector[f"weights_{k}"], self.detector[f"bias_{k}"]
            if weights.ndim == 2:  # one network
                weights, bias = weights[None], bias[None]
            x = np.einsum("mnf,mfh->mnh", x, weights) + bias[:, None, :]
            x = np.maximum(x, 0) if activation == "relu" else 1 / (1 + np.exp(-np.clip(x, -500, 500)))
        return x[..., 0].mean(axis=0)


@lru_cache(maxsize=4)
def load_params(path=PARAMS_PATH):
    """The parameters predict_digit uses by default (results/predict_digit.json), read once."""
    return AnswerParams.load(path)


@lru_cache(maxsize=1)
def default_params():
    """results/predict_digit.json, or None where it does not exist (it is written by
    benchmarks/honest_answers.py, not yet run to the end): then the model's raw averaged probabilities
    and the ink checks alone."""
    if not PARAMS_PATH.exists():
        return None
    return load_params(PARAMS_PATH)


def feature_model(model):
    """A Keras model returning `model`'s pooled convolutional features (the input of its first dense
    layer) and its hidden layer's features, for the same raw 0..255 input."""
    import keras
    hidden = model.get_layer(HIDDEN_LAYER)
    return keras.Model(model.inputs, [hidden.input, hidden.output])


_models = weakref.WeakKeyDictionary()  # model -> (matches the parameters?, its feature model)


def model_parts(model, params):
    """(does `params` belong to `model`, a Keras model returning its hidden features) for `model`."""
    key = (params.source, params.fingerprint.get("bias", [None])[0])
    try:
        known = _models.get(model, {})
    except TypeError:  # not weak-referenceable: check every time
        known = {}
    if key not in known:
        match = params.matches(model)
        features = None
        if match:
            features = feature_model(model)
        elif hasattr(model, "get_layer"):
            warnings.warn(f"predict_digit: the temperature and the not-a-digit detector in {params.source} "
                          f"were fitted for another model; this one gets its raw probabilities and only "
                          f"the ink checks refuse pictures (pass params=None to ask for this)", stacklevel=3)
        known[key] = (match, features)
        try:
            _models[model] = known
        except TypeError:
            pass
    return known[key]


def read_views(image, views, reject):
    """The model's input for `image`: its 15 views or prepare_digit's image alone, (v, 28, 28)."""
    return digit_views(image, reject=reject) if views else prepare_digit(image, reject=reject)[None]


def guess_text(digit, probs):
    return f"the model's best guess is {digit}, {100 * float(probs[digit]):.0f} % sure"


def predict_digit(image, model, views=True, reject=True, params="default"):
    """Predict the digit in any picture: returns (digit, its 10 probabilities, the prepared 28 x 28 image).

    The model takes raw 0..255 pixels, as MNIST stores them. views=True: the probabilities are the
    average over digit_views(image) (test-time augmentation); views=False: prepare_digit's image alone.
    The image returned is prepare_digit's.

    reject=True (the default) raises NotADigitError (a DigitImageError) for a picture that does not look
    like one digit: a dot, a line, several marks (MultipleDigitsError: a number, a word), or ink the
    detector finds unlike any digit (a letter, a symbol, a shape, a scribble). The message gives the
    model's best guess and how sure it is. reject=False returns that guess instead.

    params: "default" loads results/predict_digit.json (temperature and detector, see AnswerParams);
    an AnswerParams or a path to such a file; None for the model's raw averaged probabilities and the
    ink checks alone. The parameters are applied only to the model they were fitted for.
    """
    if params == "default":
        params = default_params()
    elif isinstance(params, (str, Path)):
        params = load_params(Path(params))
    ink_refusal = None
    try:
        batch = read_views(image, views, reject)
    except NotADigitError as err:  # the ink checks refused it: read it anyway, for the best guess
        ink_refusal = err
        batch = read_views(image, views, reject=False)
    match, features = model_parts(model, params) if params is not None else (False, None)
    if match:
        flat, hidden = (np.asarray(a, dtype="float32") for a in features([batch * 255], training=False))
        kernel, bias = model.get_layer(OUTPUT_LAYER).get_weights()
        logits = hidden @ kernel + bias
        raw = softmax(logits)
        way = "views" if views else "single"
        probs = with_temperature(raw.mean(axis=0), params.temperature[way])
        features = detector_features(flat.mean(axis=0)[None], logits[None], raw[None])
        score = params.not_digit_probability(features)[0]
    else:
        probs = np.asarray(model.predict(batch * 255, verbose=0)).mean(axis=0)
        score = None
    digit = int(probs.argmax())
    if ink_refusal is not None:
        raise type(ink_refusal)(f"{ink_refusal}; {guess_text(digit, probs)}; pass reject=False to get "
                                f"the guess anyway") from None
    if reject and score is not None and score > params.threshold[way]:
        raise NotADigitError(f"the picture does not look like a digit ({guess_text(digit, probs)}, but "
                             f"the picture is unlike the digits it was trained on): pass reject=False to "
                             f"get the guess anyway")
    return digit, probs, batch[0]


def calibrated(model, temperature=None):
    """`model` with temperature scaling built in: a Keras model with the same input (one 28 x 28
    image, raw 0..255 pixels) whose output is softmax(logits / T), the calibrated probabilities of a
    single view. Made of standard layers only, so it can be saved and loaded anywhere.

    temperature: by default the single-view T of results/predict_digit.json, which belongs to the
    committed CNN. (predict_digit's 15 views use their own T, on the averaged probabilities.)
    """
    import keras
    temperature = temperature if temperature is not None else load_params().temperature["single"]
    output = model.get_layer(OUTPUT_LAYER)
    kernel, bias = output.get_weights()
    scaled = keras.layers.Dense(kernel.shape[1], activation="softmax", name="calibrated_probabilities")
    probs = scaled(output.input)
    scaled.set_weights([kernel / temperature, bias / temperature])
    return keras.Model(model.inputs, probs, name=f"{model.name}_calibrated")
