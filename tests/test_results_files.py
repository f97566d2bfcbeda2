"""The committed results files: every file the notebook displays exists and has the schema that
the script writing it produces (fast checks, no training)."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from tests.notebook_code import NOTEBOOK

ROOT = NOTEBOOK.parent
RESULTS = ROOT / "results"


def load_script(name):
    """Import a benchmark script as a module (its settings only; nothing is trained on import)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_keys(record, keys, where):
    for key, kind in keys.items():
        assert key in record, f"{where}: no {key!r}"
        assert isinstance(record[key], kind), f"{where}: {key!r} should be {kind}, is {record[key]!r}"


def check_ablation(data, name="ablation.json", rows=None, load_digits_half=True):
    """The file benchmarks/ablation.py writes; `rows` are its ROWS (today's script unless given).
    Earlier rounds' files predate the load_digits column (load_digits_half=False)."""
    rows = load_script("ablation").ROWS if rows is None else rows
    check_keys(data, {"recipe": dict, "rows": dict, "runs": list, "machine": dict}, name)
    check_keys(data["recipe"], {"epochs": int, "batch_size": int, "peak_learning_rate": float,
                                "label_smoothing": float, "train_images": int, "validation_images": int},
               f"{name} recipe")
    assert data["recipe"]["train_images"] == 54_000 and data["recipe"]["validation_images"] == 6_000
    assert set(data["rows"]) == set(rows), f"{name}: rows differ from the script's ROWS"
    seen = set()
    for run in data["runs"]:
        where = f"{name} run {run.get('row')!r} seed {run.get('seed')}"
        check_keys(run, {"row": str, "seed": int, "val_accuracy": float, "val_accuracy_perturbed": float,
                         "epochs": int, "params": int, "train_cpu_seconds": float, "train_seconds": float},
                   where)
        if load_digits_half:
            check_keys(run, {"load_digits_half_accuracy": float}, where)
        assert run["row"] in rows, where
        assert (run["row"], run["seed"]) not in seen, f"{where} appears twice"
        seen.add((run["row"], run["seed"]))
        assert 0.9 < run["val_accuracy"] <= 1 and 0 < run["val_accuracy_perturbed"] <= 1, where
        # the test set is touched only by the final model's runs
        assert ("test_accuracy" in run) == (run["row"] == "final model"), where
    assert any(row == "final model" for row, _ in seen), "no run of the final model"


def check_ablation_round1(data):
    """The first round (the candidate with dropout), kept as the evidence for dropping dropout."""
    assert "dropout" in data["about"]
    check_ablation(data, "ablation_round1.json", rows=data["rows"], load_digits_half=False)
    rows = {run["row"] for run in data["runs"]}
    assert {"final model", "no dropout"} <= rows


def check_dense_tuning(data):
    script = load_script("dense_tuning")
    check_keys(data, {"runs": list, "machine": dict}, "dense_tuning.json")
    for run in data["runs"]:
        where = f"dense_tuning.json run {run}"
        check_keys(run, {"epochs": int, "peak_learning_rate": float, "seed": int, "val_accuracy": float,
                         "val_loss": float, "train_cpu_seconds": float}, where)
        assert run["epochs"] in script.EPOCHS and run["peak_learning_rate"] in script.PEAK_LEARNING_RATES
        assert "test_accuracy" not in run, "tuning never looks at the test set"
    grid = {(r["epochs"], r["peak_learning_rate"], r["seed"]) for r in data["runs"]}
    assert len(grid) == len(data["runs"]) == len(script.EPOCHS) * len(script.PEAK_LEARNING_RATES) * len(
        script.SEEDS), "every setting of the grid, every seed, once"


def check_peers(data):
    check_keys(data, {"runs": list, "machine": dict}, "peers.json")
    recipes = load_script("peers").RECIPES
    for run in data["runs"]:
        where = f"peers.json {run.get('recipe')} seed {run.get('seed')}"
        check_keys(run, {"recipe": str, "seed": int, "epochs": int, "params": int, "val_accuracy": float,
                         "test_accuracy": float, "train_seconds": float, "train_cpu_seconds": float,
                         "seconds_per_epoch": float}, where)
        assert run["recipe"] in recipes, where
        assert abs(run["seconds_per_epoch"] - run["train_seconds"] / run["epochs"]) < 0.01, where


def check_test_set_log(data):
    assert isinstance(data, list) and data, "test_set_log.json: a list of evaluations"
    for entry in data:
        check_keys(entry, {"model": str, "where": str, "when": str, "test_accuracy": float, "source": str},
                   f"test_set_log.json {entry}")
        assert entry["source"] in ("reconstructed from git history", "logged when run"), entry
        if entry["source"] == "logged when run":
            assert entry["decided_anything"] is False, f"a test-set score decided something: {entry}"


def check_metrics(data):
    check_keys(data, {"models": dict, "notebook_seconds": float, "versions": dict}, "metrics.json")
    for name, numbers in data["models"].items():
        check_keys(numbers, {"val_accuracy": float, "test_accuracy": float, "test_errors": int, "params": int,
                             "train_seconds": float, "epochs": int}, f"metrics.json {name}")
        low, high = numbers["test_accuracy_ci95"]  # 95 % Wilson interval, from the notebook
        assert low < numbers["test_accuracy"] < high, f"{name}: the accuracy lies inside its interval"


def check_load_digits_seeds(data):
    check_keys(data, {"digits": dict, "views": int, "runs": list, "machine": dict}, "load_digits_seeds.json")
    assert data["digits"] == {"decision_half": 898, "held_out_half": 899, "all": 1797}
    for run in data["runs"]:
        check_keys(run, {"seed": int, "prepare_digit": dict, "views": dict},
                   f"load_digits_seeds.json run {run}")
        for way in ("prepare_digit", "views"):
            assert set(run[way]) == set(data["digits"]), f"seed {run['seed']} {way}: every half and all"
            assert all(0.5 < accuracy <= 1 for accuracy in run[way].values()), run
            for half, accuracy in run[way].items():  # a whole number of digits read right, to 4 decimals
                digits = data["digits"][half]
                assert round(round(accuracy * digits) / digits, 4) == accuracy, (run["seed"], way, half)
    seeds = {run["seed"] for run in data["runs"]}
    assert set(load_script("ablation").FINAL_SEEDS) <= seeds, "every seed of the final model"


def check_honest_answers(data):
    """The file benchmarks/honest_answers.py writes; predict_digit's parameters (predict_digit.json) must
    be the ones it reports. Bars on validation pictures only (the test parts and MNIST's test: reported)."""
    check_keys(data, {"sizes": dict, "calibration": dict, "views": dict, "detector": dict,
                      "evidence": dict, "held_out": dict, "mnist_test": dict}, "honest_answers.json")
    params = json.loads((RESULTS / "predict_digit.json").read_text())
    assert params["temperature"] == data["calibration"]["temperature"], "predict_digit.json: another run"
    chosen = data["detector"]["chosen"]["views"]
    assert params["threshold"]["views"] == chosen["threshold"], "predict_digit.json is from another run"
    for name, limit in data["detector"]["limits"].items():  # the threshold keeps every budget on validation
        assert chosen[name]["rate"] <= limit, f"{name}: {chosen[name]['rate']} refused, budget {limit}"
    assert chosen["nondigit_val"]["rate"] >= data["targets"]["non_digits_refused_at_least"]
    mnist = data["calibration"]["sets"]["mnist_val"]["views"]
    assert mnist["after"]["nll"]["value"] < mnist["before"]["nll"]["value"], "the temperature fits validation"
    compared = data["views"]["sets"]
    assert {"mnist_val", "load_digits_decision", "photos_val", "drawn_val"} <= set(compared), \
        "1 view against 15 on MNIST validation, load_digits' decision half, photos and drawings"
    for name, row in compared.items():
        low, high = row["difference_ci95"]
        assert low <= row["difference"] <= high and 0 <= row["mcnemar_p"] <= 1, name


SCHEMAS = {"ablation.json": check_ablation, "honest_answers.json": check_honest_answers,
           "peers.json": check_peers, "metrics.json": check_metrics,
           "test_set_log.json": check_test_set_log,
           "dense_tuning.json": check_dense_tuning, "ablation_round1.json": check_ablation_round1,
           "load_digits_seeds.json": check_load_digits_seeds}


def files_the_notebook_reads():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return sorted(set(re.findall(r'RESULTS_DIR / "([\w.]+\.json)"\)\.read_text', code)))


def test_the_notebook_displays_committed_results_files():
    assert {"ablation.json", "ablation_round1.json", "peers.json", "dense_tuning.json", "test_set_log.json",
            "load_digits_seeds.json"} <= set(
        files_the_notebook_reads())


@pytest.mark.parametrize("name", files_the_notebook_reads())
def test_results_file_exists_and_matches_its_schema(name):
    assert name in SCHEMAS, f"the notebook reads results/{name}, which has no schema check here"
    path = RESULTS / name
    assert path.is_file(), f"results/{name} is missing: run the script in benchmarks/ that writes it"
    SCHEMAS[name](json.loads(path.read_text()))


def test_metrics_file_matches_its_schema():
    check_metrics(json.loads((RESULTS / "metrics.json").read_text()))
