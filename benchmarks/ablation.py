"""Seeds and ablation of the notebook's final CNN, decided on the validation split.

One shared training recipe (the notebook's: same split, Adam with the one-cycle schedule,
CNN_EPOCHS epochs, batch CNN_BATCH_SIZE, label smoothing, augmentation). Starting from the final
model, each row removes one ingredient (or adds one); one more row trains the dense network of
section 4 with the very same recipe. Every row is trained with several seeds, and each run records
its *validation* accuracy (on MNIST's validation split, on a perturbed copy of it, and on the
decision half of scikit-learn's load_digits, digits from other writers), parameters and training
cost. Only the final model's runs are also scored on the test set: that is the seed-to-seed spread
of the model the notebook reports.

    python benchmarks/ablation.py            # all runs -> results/ablation.json (hours on 2 cores)
    python benchmarks/ablation.py --quick    # 1 epoch on 5,000 images per run, to check the script

Results are written after every run, and a run already in the file is skipped, so the script can
be stopped and restarted (it resumes where it stopped). Training cost is CPU seconds, which
depend less than wall-clock seconds on what else the shared machine is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import numpy as np  # noqa: E402

from mnist_tools.digits import prepare_digit  # noqa: E402
from tests.notebook_code import run_cells  # noqa: E402

RESULTS = ROOT / "results" / "ablation.json"
FINAL_SEEDS = [1, 2, 3, 4, 5]  # the final model: 5 seeds (its test spread is reported)
ABLATION_SEEDS = [1, 2, 3, 4, 5]  # every other row: 5 seeds, paired with the final model's
PAIRED_SEED = 4  # the single-seed contrast: McNemar's test on this seed's validation predictions

# row name -> (what it changes, keyword arguments for the notebook's build_cnn / compile_cnn)
ROWS = {
    "final model": ("the notebook's CNN", {}, {}),
    "with batch normalization": ("batch normalization before the ReLU in blocks 2 and 3 (the second "
                                 "round's candidate)", {"batch_norm": True}, {}),
    "no shift augmentation": ("no RandomTranslation layer", {"shift": False}, {}),
    "no rotation/zoom augmentation": ("no RandomRotation and RandomZoom layers",
                                      {"rotate_zoom": False}, {}),
    "with stroke-width augmentation": ("the notebook's RandomStrokeWidth layer, strokes up to 70 % of the "
                                       "way to a pixel thicker or thinner", {"stroke_width": 0.7}, {}),
    "no label smoothing": ("one-hot targets as they are", {}, {"label_smoothing": 0.0}),
    "with dropout 0.3": ("dropout 0.3 before and after the hidden layer (the first round's candidate)",
                         {"dropout": 0.3}, {}),
    "no hidden dense layer": ("the 1,024 features go straight to the 10 outputs", {"hidden": 0}, {}),
    "dense network, same recipe": ("section 4's 512-256 dense network with the CNN's recipe", None, {}),
    "8 epochs": ("a shorter schedule: 8 epochs instead of CNN_EPOCHS", {}, {"epochs": 8}),
    "peak learning rate 1e-3": ("a lower peak learning rate", {}, {"peak_learning_rate": 1e-3}),
    "peak learning rate 1e-2": ("a higher peak learning rate", {}, {"peak_learning_rate": 1e-2}),
}
MAIN_ROWS = ["with stroke-width augmentation", "peak learning rate 1e-2", "no rotation/zoom augmentation",
             "no shift augmentation", "dense network, same recipe", "with batch normalization",
             "no label smoothing", "no hidden dense layer"]
PERTURBED_SEED = 0  # the perturbed validation set is the same for every run


def perturbed(images, seed=PERTURBED_SEED):
    """Validation digits as a careless photo might give them: each rotated by up to 15 degrees and
    scaled by 0.85 to 1.15 about the centre, fixed once. A proxy for robustness, still no test data."""
    from scipy import ndimage
    rng = np.random.default_rng(seed)
    out = np.empty(images.shape, dtype="float32")
    for k, image in enumerate(images.astype("float32")):
        angle, scale = np.deg2rad(rng.uniform(-15, 15)), rng.uniform(0.85, 1.15)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / scale
        centre = np.array([13.5, 13.5])
        out[k] = ndimage.affine_transform(image, rotation, offset=centre - rotation @ centre, order=1)
    return out


LOAD_DIGITS_SPLIT_SEED = 0  # the notebook (section 8.6) splits load_digits the same way


def load_digits_halves(labels):
    """Two stratified halves of scikit-learn's load_digits, as index arrays (decide, held_out): the
    first is a real-world validation set that decisions may look at, the second is left alone for
    the notebook's report."""
    from sklearn.model_selection import train_test_split
    return train_test_split(np.arange(len(labels)), test_size=0.5, stratify=labels,
                            random_state=LOAD_DIGITS_SPLIT_SEED)


def load_digits_decision_half(prepare_digit):
    """The decision half of load_digits (digits of other writers, 8 x 8) through the notebook's
    prepare_digit, as raw 0-255 pixels; every run is scored on it."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    decide, _ = load_digits_halves(digits.target)
    images = np.stack([prepare_digit(image / 16) for image in digits.images[decide]])  # 0..16 -> 0..1
    return 255 * images, digits.target[decide]


def plan():
    """(row, seed) pairs in an order that makes a partial file useful: every seed of the final
    model first (its spread), then the rows that test the current round's changes and the model's
    main ingredients seed by seed, then the rows an earlier round already settled."""
    order = [("final model", seed) for seed in FINAL_SEEDS]
    for rows in (MAIN_ROWS, [row for row in ROWS if row not in MAIN_ROWS and row != "final model"]):
        for seed in ABLATION_SEEDS:
            order += [(row, seed) for row in rows]
    return order


def encode_predictions(predicted):
    """Validation predictions (digits 0-9) as one string, '3804...': 6,000 characters per run."""
    return "".join(map(str, np.asarray(predicted, dtype=int)))


def decode_predictions(text):
    return np.frombuffer(text.encode(), dtype=np.uint8) - ord("0")


def load_results(quick):
    if RESULTS.exists() and not quick:
        return json.loads(RESULTS.read_text())
    return {"recipe": {}, "rows": {row: what for row, (what, _, _) in ROWS.items()}, "runs": []}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 5,000 images; writes nothing")
    parser.add_argument("--save-models", type=Path, metavar="DIR", help="also save each final-model run here")
    args = parser.parse_args()

    nb = run_cells("imports", "settings", "load-data", "scale", "one-hot", "split", "batch-size",
                   "train-helpers", "schedule", "dense-model", "cnn-model", "cnn-build", "ablation-variants",
                   "without-augmentation")
    keras = nb["keras"]
    epochs = 1 if args.quick else nb["CNN_EPOCHS"]
    x_val_perturbed = perturbed(nb["x_val"])
    x_digits, y_digits = load_digits_decision_half(prepare_digit)
    if args.quick:  # the helpers read these names from the namespace
        nb["x_train"], nb["y_train"] = nb["x_train"][:5000], nb["y_train"][:5000]

    results = load_results(args.quick)
    results["recipe"] = {
        "epochs": epochs, "batch_size": nb["CNN_BATCH_SIZE"],
        "peak_learning_rate": nb["CNN_PEAK_LEARNING_RATE"], "label_smoothing": nb["CNN_LABEL_SMOOTHING"],
        "train_images": len(nb["x_train"]), "validation_images": len(nb["x_val"]),
        "schedule": "warm-up + cosine decay (section 5.1)",
    }
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "tensorflow": nb["tf"].__version__, "keras": keras.__version__}
    done = {(run["row"], run["seed"]) for run in results["runs"]}
    # The paired seed's final-model run is repeated if its validation predictions were not kept
    # (runs before McNemar's test was added); training is deterministic, so the repeat must give
    # the same validation accuracy, and it does not look at the test set again.
    redo = [run for run in results["runs"] if run["row"] == "final model" and run["seed"] == PAIRED_SEED
            and "val_predictions" not in run and not args.quick]

    for row, seed in [("final model", PAIRED_SEED)] * bool(redo) + plan():
        if (row, seed) in done and not (redo and (row, seed) == ("final model", PAIRED_SEED)):
            continue
        _, build_kwargs, compile_kwargs = ROWS[row]
        keras.utils.set_random_seed(seed)
        model = nb["dense_same_recipe"]() if build_kwargs is None else nb["build_cnn"](**build_kwargs)
        run_epochs = 1 if args.quick else compile_kwargs.get("epochs", epochs)
        nb["compile_cnn"](model, **{**compile_kwargs, "epochs": run_epochs})
        print(f"== {row}, seed {seed} ==", flush=True)
        wall, cpu = time.perf_counter(), time.process_time()
        history = model.fit(nb["x_train"], nb["y_train"], validation_data=(nb["x_val"], nb["y_val"]),
                            epochs=run_epochs, batch_size=nb["CNN_BATCH_SIZE"], verbose=2)
        val_pred = model.predict(nb["x_val"], batch_size=1000, verbose=0).argmax(axis=1)
        perturbed_pred = model.predict(x_val_perturbed, batch_size=1000, verbose=0).argmax(axis=1)
        digits_pred = model.predict(x_digits, batch_size=1000, verbose=0).argmax(axis=1)
        run = {
            "row": row, "seed": seed,
            "val_accuracy": round(float(history.history["val_accuracy"][-1]), 5),
            "val_accuracy_perturbed": round(float(np.mean(perturbed_pred == nb["y_val"].argmax(axis=1))), 5),
            "load_digits_half_accuracy": round(float(np.mean(digits_pred == y_digits)), 5),
            "epochs": run_epochs,
            "params": int(model.count_params()),
            "train_cpu_seconds": round(time.process_time() - cpu, 1),
            "train_seconds": round(time.perf_counter() - wall, 1),
            "val_predictions": encode_predictions(val_pred),
        }
        if redo and (row, seed) == ("final model", PAIRED_SEED):
            old = redo.pop()
            if abs(old["val_accuracy"] - run["val_accuracy"]) > 1e-9:
                raise SystemExit(f"the repeat of {row} seed {seed} is not deterministic: "
                                 f"{old['val_accuracy']} then {run['val_accuracy']}")
            old["val_predictions"] = run["val_predictions"]
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")
            if args.save_models:
                args.save_models.mkdir(parents=True, exist_ok=True)
                nb["without_augmentation"](model).save(args.save_models / f"final_seed{seed}.keras")
            continue
        if row == "dense network, same recipe" and args.save_models:
            args.save_models.mkdir(parents=True, exist_ok=True)
            model.save(args.save_models / f"dense_same_recipe_seed{seed}.keras")
        if row == "final model":  # the final model only: its seed-to-seed spread on the test set
            probs = model.predict(nb["x_test"], batch_size=1000, verbose=0)
            run["test_accuracy"] = round(float(np.mean(probs.argmax(axis=1) == nb["y_test"])), 5)
            if args.save_models:
                args.save_models.mkdir(parents=True, exist_ok=True)
                nb["without_augmentation"](model).save(args.save_models / f"final_seed{seed}.keras")
        print(json.dumps(run), flush=True)
        if args.quick:
            continue
        results["runs"].append(run)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # after every run: nothing is lost


if __name__ == "__main__":
    main()
