"""Save a trained model as a .keras file that every Keras 3 the requirements admit can load.

    from mnist_tools.saving import save_model
    save_model(model, "results/mnist_cnn.keras", reference_images=x_test)

`model.save(path)` writes every constructor argument of every layer into the file, including the
arguments that the saving version added with their default value. An older Keras refuses them:
Keras 3.15 writes `GlorotUniform(seed=None, input_axes=None, output_axes=None)` and
`Dense(..., quantization_config=None)`, and Keras 3.13 (Google Colab's) stops with
`TypeError: GlorotUniform.__init__() got an unexpected keyword argument 'input_axes'`.

`save_model` writes the same file as `model.save` (same format, same weights, same metadata), but
leaves out of its config.json every argument whose value is the constructor's default, in the layers
and in everything nested in them (initializers, dtype policies, ...), unless this Keras cannot rebuild
that object without it (Rescaling reads its `offset` unconditionally, so it keeps it). A loading
Keras then uses its own default for those: what the file holds is what this model chose, which every
Keras version has to honour to compute the same function. That it does is checked, not assumed (a
default could change between versions): with `reference_images`, the saved file's predictions for
them are written beside it (<name>.predictions.npz), and tests/test_model_file.py compares them on
the Keras it runs on (CI: the tested versions and Google Colab's).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import inspect
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np

CONFIG = "config.json"  # the model's architecture inside a .keras file (a zip archive)


def save_model(model, path, reference_images=None):
    """Save `model` to `path` (a .keras file) without version-specific defaults; see the module's doc.

    With `reference_images` (e.g. the 10,000 test images), also write what the saved file predicts
    for them to predictions_path(path): the digits, the probabilities in units of 0.0001 (uint16,
    to keep the file small) and the images' SHA-256.
    """
    import keras

    path = Path(path)
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "model.keras"
        model.save(full)
        with zipfile.ZipFile(full) as archive:
            entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:  # the same entries; only config.json is rewritten
        for info, data in entries:
            if info.filename == CONFIG:
                data = json.dumps(portable_config(json.loads(data))).encode()
            archive.writestr(info, data)
    if reference_images is not None:
        images = np.asarray(reference_images)
        probabilities = keras.models.load_model(path).predict(images, batch_size=1000, verbose=0)
        np.savez_compressed(predictions_path(path), digits=probabilities.argmax(axis=1).astype("uint8"),
                            probabilities_e4=np.round(probabilities * 10_000).astype("uint16"),
                            images_sha256=np.array(hashlib.sha256(images.tobytes()).hexdigest()))
    return path


def predictions_path(path):
    """Where save_model writes the reference predictions of the model file `path`."""
    path = Path(path)
    return path.with_name(f"{path.stem}.predictions.npz")


def portable_config(config):
    """A serialized Keras config without the arguments that equal their constructor's default.

    Each object's shortened config must still deserialize in this Keras (some classes read an
    argument in from_config without a fallback, e.g. Rescaling's offset); where it does not, that
    object keeps its arguments (its nested objects are still shortened).
    """
    import keras

    if isinstance(config, list):
        return [portable_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {key: portable_config(value) for key, value in config.items()}
    if isinstance(config.get("config"), dict) and "class_name" in config:  # a serialized Keras object
        defaults = constructor_defaults(config)
        short = {key: value for key, value in config["config"].items()
                 if key not in defaults or defaults[key] != value}
        if short != config["config"]:
            try:
                keras.saving.deserialize_keras_object(copy.deepcopy({**config, "config": short}))
            except Exception:  # noqa: BLE001 (any failure: keep this object's arguments)
                return config
            config["config"] = short
    return config


def constructor_defaults(serialized):
    """{argument: default} of the class a serialized object names, as JSON values; {} if unknown."""
    import keras

    name = serialized.get("registered_name")
    cls = keras.saving.get_registered_object(name) if name else None
    if cls is None and str(serialized.get("module", "")).split(".")[0] == "keras":
        try:
            cls = getattr(importlib.import_module(serialized["module"]), serialized["class_name"], None)
        except ImportError:
            cls = None
    if not inspect.isclass(cls):
        return {}
    defaults = {}
    for parameter in inspect.signature(cls).parameters.values():
        if parameter.default is inspect.Parameter.empty:
            continue
        try:  # as the file stores it: tuples become lists, and so on
            defaults[parameter.name] = json.loads(json.dumps(parameter.default))
        except (TypeError, ValueError):
            pass  # a default that JSON cannot hold is never equal to a stored value
    return defaults
