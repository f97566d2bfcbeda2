"""How the dense model's training budget and peak learning rate were chosen: on the validation split.

A small grid over the two settings of section 5.1 (`DENSE_EPOCHS`, `DENSE_PEAK_LEARNING_RATE`), each
trained with several seeds, with the notebook's own model, schedule and split (its tagged cells are
run, nothing is copied). Only validation accuracy and loss are recorded: the test set is not touched.

    python benchmarks/dense_tuning.py        # -> results/dense_tuning.json (about 15 minutes on 2 cores)

Results are written after every run, and runs already in the file are skipped (it resumes).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from tests.notebook_code import run_cells  # noqa: E402

RESULTS = ROOT / "results" / "dense_tuning.json"
EPOCHS = [4, 7, 10, 14]
PEAK_LEARNING_RATES = [1e-3, 2e-3, 4e-3, 8e-3]
SEEDS = [1, 2]


def main():
    nb = run_cells("imports", "settings", "load-data", "scale", "one-hot", "split", "batch-size",
                   "train-helpers", "schedule", "dense-model")
    keras = nb["keras"]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "tensorflow": nb["tf"].__version__, "keras": keras.__version__}
    done = {(r["epochs"], r["peak_learning_rate"], r["seed"]) for r in results["runs"]}
    for seed in SEEDS:
        for epochs in EPOCHS:
            for rate in PEAK_LEARNING_RATES:
                if (epochs, rate, seed) in done:
                    continue
                keras.utils.set_random_seed(seed)
                model = nb["build_dense_model"]()
                model.compile(optimizer=keras.optimizers.Adam(nb["warmup_cosine"](rate, epochs)),
                              loss="categorical_crossentropy", metrics=["accuracy"])
                cpu = time.process_time()
                history = model.fit(nb["x_train"], nb["y_train"], validation_data=(nb["x_val"], nb["y_val"]),
                                    epochs=epochs, batch_size=nb["BATCH_SIZE"], verbose=0)
                run = {"epochs": epochs, "peak_learning_rate": rate, "seed": seed,
                       "val_accuracy": round(float(history.history["val_accuracy"][-1]), 5),
                       "val_loss": round(float(history.history["val_loss"][-1]), 5),
                       "train_cpu_seconds": round(time.process_time() - cpu, 1)}
                print(json.dumps(run), flush=True)
                results["runs"].append(run)
                RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
