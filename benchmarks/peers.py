"""Our CNN against two published recipes, over several seeds, interleaved in one process.

Peers, each trained exactly as its page says except that all three learn from the same 54,000
training images and are scored on the same 6,000 validation and 10,000 test images:
- "keras_convnet": keras.io/examples/vision/mnist_convnet ("Simple MNIST convnet"): pixels / 255,
  Conv32-Pool-Conv64-Pool-Flatten-Dropout 0.5-Dense 10, Adam, batch 128, 15 epochs;
- "tf_quickstart": tensorflow.org/tutorials/quickstart/beginner: pixels / 255,
  Flatten-Dense 128-Dropout 0.2-Dense 10 (logits), Adam, batch 32, 5 epochs;
- "ours": the notebook's CNN and recipe (its cells are run from mnist_analysis.ipynb by tag).

Protocol: for each seed the three are trained one after the other, in a rotating order (so no
recipe always runs first or last on a machine whose speed drifts); wall and CPU seconds of
`fit` are recorded. The first seed's validation and test predictions are kept, for McNemar's
test in the notebook. Every run's test evaluation is appended to results/test_set_log.json.

    python benchmarks/peers.py            # 3 seeds x 3 recipes -> results/peers.json (~40 min, 2 cores)
    python benchmarks/peers.py --quick    # 1 epoch on 5,000 images, writes nothing

Results are written after every run; a run already in the file is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from tests.notebook_code import run_cells  # noqa: E402

RESULTS = ROOT / "results" / "peers.json"
TEST_LOG = ROOT / "results" / "test_set_log.json"
SEEDS = [1, 2, 3]
RECIPES = ["keras_convnet", "ours", "tf_quickstart"]

nb = run_cells("imports", "settings", "load-data", "one-hot", "split", "batch-size", "schedule", "cnn-model",
               "cnn-build")
keras, layers, np = nb["keras"], nb["layers"], nb["np"]


def keras_convnet():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model, {"epochs": 15, "batch_size": 128, "inputs": lambda x: x[..., None].astype("float32") / 255,
                   "labels": lambda y: y}


def tf_quickstart():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10),
    ])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model, {"epochs": 5, "batch_size": 32, "inputs": lambda x: x.astype("float32") / 255,
                   "labels": lambda y: y.argmax(axis=1)}


def ours(epochs):
    model = nb["compile_cnn"](nb["build_cnn"](), epochs=epochs)
    return model, {"epochs": epochs, "batch_size": nb["CNN_BATCH_SIZE"], "inputs": lambda x: x,
                   "labels": lambda y: y}  # raw pixels: the model scales them itself


def append_test_log(entry):
    log = json.loads(TEST_LOG.read_text()) if TEST_LOG.exists() else []
    log.append(entry)
    TEST_LOG.write_text(json.dumps(log, indent=1) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 5,000 images; writes nothing")
    args = parser.parse_args()
    x_train, y_train = nb["x_train"], nb["y_train"]
    if args.quick:
        x_train, y_train = x_train[:5000], y_train[:5000]
    x_val, y_val, x_test, y_test = nb["x_val"], nb["y_val"], nb["x_test"], nb["y_test"]

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() and not args.quick else {"runs": []}
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "tensorflow": nb["tf"].__version__, "keras": keras.__version__}
    done = {(run["recipe"], run["seed"]) for run in results["runs"]}
    for k, seed in enumerate(SEEDS):
        order = RECIPES[k % 3:] + RECIPES[:k % 3]  # rotate who goes first
        for recipe in order:
            if (recipe, seed) in done:
                continue
            keras.utils.set_random_seed(seed)
            model, how = {"keras_convnet": keras_convnet, "tf_quickstart": tf_quickstart,
                          "ours": lambda: ours(nb["CNN_EPOCHS"])}[recipe]()
            epochs = 1 if args.quick else how["epochs"]
            if args.quick and recipe == "ours":
                model, how = ours(1)
            print(f"== {recipe}, seed {seed}, {epochs} epochs ==", flush=True)
            wall, cpu = time.perf_counter(), time.process_time()
            history = model.fit(how["inputs"](x_train), how["labels"](y_train), epochs=epochs,
                                batch_size=how["batch_size"], verbose=2)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            val_pred = model.predict(how["inputs"](x_val), batch_size=1000, verbose=0).argmax(axis=1)
            test_pred = model.predict(how["inputs"](x_test), batch_size=1000, verbose=0).argmax(axis=1)
            run = {
                "recipe": recipe, "seed": seed, "epochs": epochs, "batch_size": how["batch_size"],
                "params": int(model.count_params()),
                "val_accuracy": round(float(np.mean(val_pred == y_val.argmax(axis=1))), 5),
                "test_accuracy": round(float(np.mean(test_pred == y_test)), 5),
                "train_seconds": round(wall, 1), "train_cpu_seconds": round(cpu, 1),
                "seconds_per_epoch": round(wall / epochs, 2),
                "final_train_loss": round(float(history.history["loss"][-1]), 4),
            }
            if seed == SEEDS[0]:
                run["val_predictions"] = "".join(map(str, val_pred))
                run["test_predictions"] = "".join(map(str, test_pred))
            print(json.dumps({k: v for k, v in run.items() if not k.endswith("predictions")}), flush=True)
            if args.quick:
                continue
            results["runs"].append(run)
            RESULTS.write_text(json.dumps(results, indent=1) + "\n")
            append_test_log({"model": f"peer comparison: {recipe}, seed {seed}",
                             "where": "benchmarks/peers.py",
                             "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                             "test_accuracy": run["test_accuracy"], "source": "logged when run",
                             "decided_anything": False})


if __name__ == "__main__":
    main()
