"""Train the dense network with the CNN's recipe, for the notebook's robustness deep dive (J).

The notebook compares the CNN with section 4's dense network trained with the very same recipe
(augmentation, label smoothing, warm-up + cosine schedule, CNN_EPOCHS epochs, seed SEED): the
ablation's "dense network, same recipe" row. Training it takes about 100 s on 2 CPU cores, too long
for the notebook's 10-minute budget, so this script trains it once with the notebook's own cells
and commits the file; the notebook loads it.

    python benchmarks/robustness_model.py     # -> results/dense_same_recipe.keras (+ .predictions.npz)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import numpy as np  # noqa: E402

from mnist_tools.saving import save_model  # noqa: E402
from tests.notebook_code import run_cells  # noqa: E402

MODEL = ROOT / "results" / "dense_same_recipe.keras"


def main():
    nb = run_cells("imports", "settings", "load-data", "scale", "one-hot", "split", "batch-size",
                   "train-helpers", "schedule", "dense-model", "cnn-model", "cnn-build", "ablation-variants",
                   "without-augmentation")
    nb["keras"].utils.set_random_seed(nb["SEED"])
    model = nb["compile_cnn"](nb["dense_same_recipe"]())  # the CNN's optimizer, schedule and label smoothing
    history, seconds = nb["train"](model, nb["CNN_EPOCHS"], batch_size=nb["CNN_BATCH_SIZE"])
    save_model(nb["without_augmentation"](model), MODEL, reference_images=nb["x_test"])
    val_accuracy = float(np.mean(model.predict(nb["x_val"], batch_size=1000, verbose=0).argmax(axis=1)
                                 == nb["y_val"].argmax(axis=1)))
    summary = {"model": MODEL.name, "seed": nb["SEED"], "epochs": nb["CNN_EPOCHS"],
               "val_accuracy": round(val_accuracy, 5), "train_seconds": round(seconds, 1)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
