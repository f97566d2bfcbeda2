"""Read MNIST: from the repository's local copy (data/mnist.npz) or else a Keras download, with every
array checked against MNIST's SHA-256 checksums. Never returns partial or corrupted data.

    from mnist_tools.data import load_mnist
    arrays, source = load_mnist()   # {"x_train", "y_train", "x_test", "y_test"}, "local copy ..."
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

DATA_PATH = Path("data/mnist.npz")  # shipped with the repository

MNIST_SHA256 = {  # sha256 of each array's raw bytes
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}


class MNISTDataError(RuntimeError):
    """MNIST could not be loaded; the message says why and how to fix it."""


FIX_HINT = ("Fix: run the notebook from the repository root (which ships data/mnist.npz), rebuild the file "
            "with `python data/build_mnist_npz.py`, or delete it and go online so Keras can download MNIST.")


def read_mnist(path=DATA_PATH):
    """Return (arrays, source): the four MNIST arrays, from the local copy or else a Keras download."""
    path = Path(path)
    try:
        if path.exists():  # allow_pickle=False: an .npz of plain arrays never needs to run code
            with np.load(path, allow_pickle=False) as npz:
                return {key: npz[key] for key in npz.files}, f"local copy {path.as_posix()}"
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # unreadable zip, pickled objects, I/O, network, SSL, HTTP...
        problem = (f"{path} exists but is not a readable .npz file ({type(exc).__name__})" if path.exists()
                   else f"No local copy at {path} and the download failed ({type(exc).__name__}: {exc})")
        raise MNISTDataError(f"{problem}. {FIX_HINT}") from None
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return arrays, "keras.datasets.mnist download"


def verify_checksums(arrays, source):
    """Raise MNISTDataError unless `arrays` holds the four MNIST arrays, byte for byte."""
    for key, expected in MNIST_SHA256.items():
        if key not in arrays:
            raise MNISTDataError(f"{source} has no array {key!r}, so it is not MNIST. {FIX_HINT}")
        if hashlib.sha256(np.ascontiguousarray(arrays[key]).tobytes()).hexdigest() != expected:
            raise MNISTDataError(f"{source} is corrupted: the SHA-256 of {key!r} does not match MNIST. "
                                 f"{FIX_HINT}")


def load_mnist(path=DATA_PATH):
    """Return (arrays, source): the four MNIST arrays, checksum-verified."""
    arrays, source = read_mnist(path)
    verify_checksums(arrays, source)
    return arrays, source
