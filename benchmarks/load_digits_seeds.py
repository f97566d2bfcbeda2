"""How well does the final CNN read somebody else's digits, over seeds? scikit-learn's load_digits.

The notebook scores its own CNN (seed 42) on the 1,797 `load_digits` digits once. One model is one
draw: models of the same recipe trained with other seeds read these out-of-domain digits quite
differently, so this script scores the final CNN of every seed that `benchmarks/ablation.py`
trained and saved, in the two ways the notebook's section 8.6 compares:

* `prepare_digit`: the model reads the prepared 28 x 28 digit once;
* `views`: the model reads the 15 `digit_views` (strokes as prepared, thinner and thicker, each
  also moved by one pixel) and averages its probabilities, as `predict_digit` does.

Each is scored on the two halves of `ablation.py`'s split: the decision half (on which the choice
of `views` was made) and the held-out half (which no decision looked at), and on all digits.

    python benchmarks/ablation.py --save-models models/   # saves final_seed<N>.keras as it trains them
    python benchmarks/load_digits_seeds.py models/        # -> results/load_digits_seeds.json

The digits go through the notebook's own code (mnist_tools.digits), and the
models take raw 0-255 pixels, as the notebook's do.
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

from benchmarks.ablation import load_digits_halves  # noqa: E402
from mnist_tools.digits import digit_views  # noqa: E402

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

    digits = load_digits()
    views = np.stack([digit_views(image / 16) for image in digits.images])  # 0..16 -> 0..1; (n, 15, 28, 28)
    halves = dict(zip(("decision_half", "held_out_half"), load_digits_halves(digits.target)))
    halves["all"] = np.arange(len(digits.target))
    runs = []
    for path in paths:
        model = keras.models.load_model(path)
        probs = model.predict(255 * views.reshape(-1, 28, 28), batch_size=2000, verbose=0)
        probs = probs.reshape(len(views), views.shape[1], 10)
        predicted = {"prepare_digit": probs[:, 0].argmax(axis=1), "views": probs.mean(axis=1).argmax(axis=1)}
        run = {"seed": seed_of(path)}
        for way, pred in predicted.items():
            run[way] = {half: round(float(np.mean(pred[index] == digits.target[index])), 4)
                        for half, index in halves.items()}
        runs.append(run)
        print(json.dumps(run), flush=True)
    result = {"digits": {half: len(index) for half, index in halves.items()}, "views": views.shape[1],
              "model": "final CNN of benchmarks/ablation.py, one per seed", "runs": runs,
              "machine": {"python": platform.python_version(), "keras": keras.__version__}}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
