"""Time the notebook's CNN against the Keras "Simple MNIST convnet" recipe, side by side.

Both are trained one after the other in this one process, on the same data and machine, and
the result goes to results/benchmark.json. Absolute seconds drift between runs and machines
(these are shared 2-core machines), so compare the ratio ours / keras_example.

The notebook's CNN is not copied here: its cells (tagged "cnn-model" and friends) are run
from mnist_analysis.ipynb, so the benchmark always measures what the notebook trains.

    python benchmarks/cnn_vs_keras_example.py           # both trainings -> results/benchmark.json

What each ingredient of our CNN costs, and buys, is measured by benchmarks/ablation.py.
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

# Setup, data loading and preprocessing exactly as in the notebook, then the CNN definition.
nb = run_cells("imports", "settings", "data-loader", "load-data", "checksums", "scale", "one-hot",
               "split", "train-helpers", "schedule", "cnn-model")
keras, layers, np = nb["keras"], nb["layers"], nb["np"]


def keras_example_model():
    """keras.io/examples/vision/mnist_convnet: Conv32-Pool-Conv64-Pool-Flatten-Dropout-Dense."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def test_accuracy(model, images):
    probs = model.predict(images, batch_size=1000, verbose=0)
    return round(float(np.mean(probs.argmax(axis=1) == nb["y_test"])), 4)


def timed(fit):
    wall, cpu = time.perf_counter(), time.process_time()
    fit()
    return round(time.perf_counter() - wall, 1), round(time.process_time() - cpu, 1)


def benchmark():
    print("== Keras example: batch 128, 15 epochs, 10 % validation split ==", flush=True)
    keras.utils.set_random_seed(nb["SEED"])
    example = keras_example_model()
    example.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    example_seconds, example_cpu = timed(lambda: example.fit(
        nb["x_train_scaled"][..., None], nb["y_train_onehot"], batch_size=128, epochs=15,
        validation_split=0.1, verbose=2))

    print(f"== ours: the notebook's CNN, {nb['CNN_EPOCHS']} epochs ==", flush=True)
    keras.utils.set_random_seed(nb["SEED"])
    ours = nb["compile_cnn"](nb["build_cnn"]())
    ours_seconds, ours_cpu = timed(
        lambda: nb["train"](ours, nb["CNN_EPOCHS"], batch_size=nb["CNN_BATCH_SIZE"]))

    result = {
        "keras_example": {"test_accuracy": test_accuracy(example, nb["x_test_scaled"][..., None]),
                          "train_seconds": example_seconds, "train_cpu_seconds": example_cpu,
                          "epochs": 15, "params": example.count_params()},
        "ours": {"test_accuracy": test_accuracy(ours, nb["x_test"]),  # raw pixels: it scales them itself
                 "train_seconds": ours_seconds, "train_cpu_seconds": ours_cpu,
                 "epochs": nb["CNN_EPOCHS"], "params": ours.count_params()},
        "time_ratio": round(ours_seconds / example_seconds, 3),
        "cpu_time_ratio": round(ours_cpu / example_cpu, 3),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "tensorflow": nb["tf"].__version__, "keras": keras.__version__},
    }
    (ROOT / "results" / "benchmark.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    benchmark()
