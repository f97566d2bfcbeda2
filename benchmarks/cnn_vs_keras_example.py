"""Time the notebook's CNN against the Keras "Simple MNIST convnet" recipe, side by side.

Both are trained one after the other in this one process, on the same data and machine, and
the result goes to results/benchmark.json. Absolute seconds drift between runs and machines
(these are shared 2-core machines), so compare the ratio ours / keras_example.

The notebook's CNN is not copied here: its cells (tagged "cnn-model" and friends) are run
from mnist_analysis.ipynb, so the benchmark always measures what the notebook trains.

    python benchmarks/cnn_vs_keras_example.py           # both trainings -> results/benchmark.json
    python benchmarks/cnn_vs_keras_example.py --costs   # where the time goes -> results/cnn_costs.json

`--costs` trains each variant of the Keras example for a few hundred steps and reports the CPU
time per training image relative to the plain recipe: what batch normalization, augmentation,
'same' padding and batch size each cost here, and what the notebook's CNN costs.
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

from tests.notebook_code import run_cells  # noqa: E402

# Setup, data loading and preprocessing exactly as in the notebook, then the CNN definition.
nb = run_cells("imports", "settings", "data-loader", "load-data", "scale", "one-hot", "split",
               "train-helpers", "schedule", "cnn-model")
keras, layers, np = nb["keras"], nb["layers"], nb["np"]


def keras_example_model(batch_norm=False, augment=False, padding="valid"):
    """keras.io/examples/vision/mnist_convnet: Conv32-Pool-Conv64-Pool-Flatten-Dropout-Dense.

    The keyword arguments add one change each, for --costs; the defaults are the recipe itself.
    """
    def conv(filters):
        if not batch_norm:
            return [layers.Conv2D(filters, kernel_size=(3, 3), activation="relu", padding=padding)]
        return [layers.Conv2D(filters, kernel_size=(3, 3), padding=padding, use_bias=False),
                layers.BatchNormalization(), layers.Activation("relu")]

    shift = [layers.RandomTranslation(0.08, 0.08, fill_mode="constant")] if augment else []
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        *shift,
        *conv(32),
        layers.MaxPooling2D(pool_size=(2, 2)),
        *conv(64),
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


def training_cost(model, batch_size=128, steps=120, repeats=3):
    """Least CPU seconds per 1,000 training images over `repeats` passes of `steps` batches."""
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    images = nb["x_train"][: batch_size * steps].reshape(-1, *model.input_shape[1:])
    labels = nb["y_train"][: batch_size * steps]
    model.fit(images[: batch_size * 5], labels[: batch_size * 5], batch_size=batch_size, verbose=0)
    best = float("inf")
    for _ in range(repeats):
        cpu = time.process_time()
        model.fit(images, labels, batch_size=batch_size, epochs=1, verbose=0)
        best = min(best, time.process_time() - cpu)
    return 1000 * best / len(images)


def costs():
    variants = {
        "keras example (batch 128)": lambda: training_cost(keras_example_model()),
        "+ batch normalization": lambda: training_cost(keras_example_model(batch_norm=True)),
        "+ shift augmentation": lambda: training_cost(keras_example_model(augment=True)),
        "+ 'same' padding": lambda: training_cost(keras_example_model(padding="same")),
        "batch 256": lambda: training_cost(keras_example_model(), batch_size=256),
        "ours (notebook CNN)": lambda: training_cost(nb["build_cnn"](), batch_size=nb["CNN_BATCH_SIZE"]),
    }
    seconds = {}
    for name, measure in variants.items():
        keras.utils.set_random_seed(nb["SEED"])
        seconds[name] = measure()
        print(f"{name:<28} {seconds[name]:.3f} CPU s per 1,000 images", flush=True)
    base = seconds["keras example (batch 128)"]
    result = {name: {"cpu_seconds_per_1000_images": round(value, 3), "relative": round(value / base, 2)}
              for name, value in seconds.items()}
    (ROOT / "results" / "cnn_costs.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


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
        "ours": {"test_accuracy": test_accuracy(ours, nb["x_test_scaled"]),
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
    parser = argparse.ArgumentParser(description="CNN vs the Keras example, on this machine")
    parser.add_argument("--costs", action="store_true", help="measure where the training time goes")
    costs() if parser.parse_args().costs else benchmark()
