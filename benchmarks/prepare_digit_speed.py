"""How fast is prepare_digit on a phone photo? Target: a 12-megapixel picture in under 0.5 s.

Makes a synthetic 4000 x 3000 photo of a digit (paper texture, lighting gradient, shadow, sensor
noise), saves it as JPEG and as PNG, and times the notebook's prepare_digit (run from its cell, as
the tests do) on each file path and on the decoded array: the median of several runs after one
warm-up. Writes results/prepare_digit_speed.json with the machine it ran on.

    python benchmarks/prepare_digit_speed.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import numpy as np  # noqa: E402
import PIL  # noqa: E402
import scipy  # noqa: E402
import skimage  # noqa: E402
from PIL import Image  # noqa: E402

from tests import photo_like  # noqa: E402
from tests.notebook_code import run_cells  # noqa: E402

RESULTS = ROOT / "results" / "prepare_digit_speed.json"
SIZE = (3000, 4000)  # rows, columns: 12 megapixels
RUNS = 7
TARGET_SECONDS = 0.5


def median_seconds(function, runs=RUNS):
    function()  # warm-up: first-call imports and caches are not what a reader waits for
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3), round(max(times), 3)


def main():
    nb = run_cells("digit-preprocessing")
    prepare_digit = nb["prepare_digit"]
    photo = photo_like.photo(3, SIZE, paper=0.85, ink=0.2, pen=2.5, gradient=0.3, shadow=0.25,
                             noise=0.04, scale=0.6, seed=3)
    photo = photo * np.random.default_rng(3).uniform(0.97, 1.0, photo.shape[:2])[..., None]  # paper grain
    photo = photo.round().astype(np.uint8)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for suffix, options in {"jpg": {"quality": 90}, "png": {}}.items():
            path = Path(folder) / f"photo.{suffix}"
            Image.fromarray(photo).save(path, **options)
            median, worst = median_seconds(lambda path=path: prepare_digit(path))
            results[f"{suffix} file"] = {"median_seconds": median, "max_seconds": worst,
                                         "file_megabytes": round(path.stat().st_size / 1e6, 1)}
    median, worst = median_seconds(lambda: prepare_digit(photo))
    results["uint8 RGB array"] = {"median_seconds": median, "max_seconds": worst}
    prepared = prepare_digit(photo)
    report = {
        "what": "prepare_digit on a synthetic 4000 x 3000 RGB photo of a digit, median of "
                f"{RUNS} runs after a warm-up",
        "image": {"width": SIZE[1], "height": SIZE[0], "megapixels": SIZE[0] * SIZE[1] / 1e6},
        "target_seconds": TARGET_SECONDS,
        "results": results,
        "meets_target": all(r["median_seconds"] < TARGET_SECONDS for r in results.values()),
        "output_check": {"shape": list(prepared.shape), "max_ink": round(float(prepared.max()), 3)},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(terse=True), "numpy": np.__version__,
                    "pillow": PIL.__version__, "scipy": scipy.__version__,
                    "scikit-image": skimage.__version__},
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "note": "wall-clock seconds on a shared machine; another job may have been running",
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
