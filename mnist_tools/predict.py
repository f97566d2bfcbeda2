"""Read the digit in any picture with a trained model.

    from mnist_tools.predict import predict_digit
    digit, probs, image28 = predict_digit("my_digit.jpg", model)
"""

from __future__ import annotations

import numpy as np

from mnist_tools.digits import DigitImageError, digit_views, prepare_digit  # noqa: F401 (re-exported)


def predict_digit(image, model, views=True):
    """Predict the digit in any picture: returns (digit, its 10 probabilities, the prepared 28 x 28 image).

    The model takes raw 0..255 pixels, as MNIST stores them (its first layer rescales to 0..1). With
    views=True the probabilities are the average over digit_views(image) (test-time augmentation);
    the image returned is prepare_digit's.
    """
    batch = digit_views(image) if views else prepare_digit(image)[None]
    probs = np.asarray(model.predict(batch * 255, verbose=0)).mean(axis=0)
    return int(probs.argmax()), probs, batch[0]
