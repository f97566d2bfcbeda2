"""How well does the final CNN read somebody else's digits, over seeds? scikit-learn's load_digits.

The notebook scores its own CNN (seed 42) on the 1,797 `load_digits` digits once, after its
`prepare_digit`. One model is one draw: models of the same recipe trained with other seeds read
these out-of-domain digits quite differently, so this script scores the final CNN of every seed
that `benchmarks/ablation.py` trained and saved, and writes the per-seed accuracies to
results/load_digits_seeds.json.

    python benchmarks/ablation.py --save-models models/   # saves final_seed<N>.keras as it trains them
    python benchmarks/load_digits_seeds.py models/

The digits go through the notebook's own `prepare_digit` (its cell tagged "digit-preprocessing"),
and the models take raw 0-255 pixels, as the notebook's do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from tests.notebook_code import run_cells  # noqa: E402

RESULTS = ROOT / "results" / "load_digits_seeds.json"


def seed_of(path):
    """final_seed3.keras -> 3"""
    return int(re.fullmatch(r"final_seed(\d+)", path.stem)[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", type=Path,
                        help="folder with final_seed<N>.keras from ablation.py --save-models")
    args = parser.parse_args()
    paths = sorted(args.models.glob("final_seed*.keras"), key=seed_of)
    if not paths:
        sys.exit(f"no final_seed<N>.keras in {args.models}: "
                 f"run benchmarks/ablation.py --save-models {args.models}")

    prepare_digit = run_cells("digit-preprocessing")["prepare_digit"]
    digits = load_digits()
    images = np.stack([prepare_digit(image / 16) for image in digits.images])  # 0..16 -> 0..1
    runs = []
    for path in paths:
        model = keras.models.load_model(path)
        predicted = model.predict(255 * images, batch_size=512, verbose=0).argmax(axis=1)
        runs.append({"seed": seed_of(path),
                     "accuracy": round(float(np.mean(predicted == digits.target)), 4),
                     "errors": int(np.sum(predicted != digits.target))})
        print(json.dumps(runs[-1]), flush=True)
    result = {"digits": len(digits.target), "model": "final CNN of benchmarks/ablation.py, one per seed",
              "runs": runs, "machine": {"python": platform.python_version(), "keras": keras.__version__}}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
