"""The drawing pad: draw a digit with the mouse, a pen or a finger, and a model reads it when a stroke
ends. An anywidget widget: the browser side is pad.js (with pad.css), the Python side reads the
drawing with predict_digit, exactly as an image file would be read.

    from mnist_tools.pad import DrawingPad
    DrawingPad(model)      # the last expression of a notebook cell shows it
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import anywidget
import numpy as np
import traitlets
from PIL import Image

from mnist_tools.digits import DigitImageError
from mnist_tools.predict import predict_digit

HERE = Path(__file__).resolve().parent

if "google.colab" in sys.modules:  # Colab shows third-party widgets only with its custom widget manager
    from google.colab import output

    output.enable_custom_widget_manager()


class DrawingPad(anywidget.AnyWidget):
    """A pad to draw a digit on; when a stroke ends, `predict_digit` reads it with `model`."""

    # The browser side: a JavaScript module that anywidget runs in the notebook page (no network),
    # and its style sheet; anywidget reads both files.
    _esm = HERE / "pad.js"
    _css = HERE / "pad.css"
    image = traitlets.Unicode("").tag(sync=True)  # the pad as a PNG data URL ("" when cleared)
    digit = traitlets.Int(-1).tag(sync=True)  # the predicted digit (-1: none)
    probs = traitlets.List(traitlets.Float()).tag(sync=True)  # the ten probabilities
    seen = traitlets.Unicode("").tag(sync=True)  # the 28 x 28 image the model saw, as a PNG data URL
    error = traitlets.Unicode("").tag(sync=True)  # why the drawing could not be read

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.model = model

    def __repr__(self):
        return f"DrawingPad(model={self.model.name!r})"

    @traitlets.observe("image")
    def _predict(self, change):
        answer = {"digit": -1, "probs": [], "seen": "", "error": ""}
        if change["new"]:
            png = base64.b64decode(change["new"].split(",", 1)[1])
            try:  # the same path as an image file: predict_digit -> prepare_digit -> the model
                digit, probs, image28 = predict_digit(Image.open(io.BytesIO(png)), self.model)
                answer.update(digit=digit, probs=[float(p) for p in probs], seen=png_data_url(image28))
            except DigitImageError as err:
                answer["error"] = str(err)
        with self.hold_sync():  # one message to the browser
            for name, value in answer.items():
                setattr(self, name, value)


def png_data_url(pixels):
    """A 2-D array in [0, 1] -> a PNG as a data URL, for the browser to show."""
    buffer = io.BytesIO()
    Image.fromarray((255 * np.asarray(pixels)).round().astype("uint8")).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

