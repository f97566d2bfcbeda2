"""Fast checks (no training): the committed notebook, its results, the README, the data and its loader.

nbval re-executes the notebook itself (see pyproject.toml); these run in seconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from tests.notebook_code import NOTEBOOK, run_cells

ROOT = NOTEBOOK.parent
README = (ROOT / "README.md").read_text()
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SECTIONS = [
    r"# Handwritten digits",
    r"## 1\. Setup",
    r"## 2\. The data",
    r"### 2\.5 Scaling pixels",
    r"### 2\.7 A stratified validation split",
    r"## 3\. How a network learns",
    r"### 3\.1 A network is a function",
    r"### 3\.2 The loss",
    r"### 3\.3 Gradient descent",
    r"### 3\.4 Backpropagation",
    r"### 3\.5 Mini-batches, steps and epochs",
    r"### 3\.6 The optimizer and the learning rate",
    r"### 3\.7 .*underfitting and overfitting",
    r"## 4\. .*dense network",
    r"## 5\. Training and evaluation",
    r"## 6\. Result visualization",
    r"## 7\. Strategic layering: a convolutional network",
    r"### 7\.1 Why this design",
    r"### 7\.2 Training",
    r"### 7\.4 All models compared",
    r"### 7\.5 How sure are these numbers",
    r"## 8\. Beyond accuracy",
    r"### 8\.1 Ranked error analysis",
    r"### 8\.2 .*Calibration",
    r"### 8\.3 What the network sees",
    r"### 8\.4 The learned representation",
    r"### 8\.5 Robustness",
    r"### 8\.6 Using the model on your own digit",
    r"## 9\. Summary",
]
MODEL_KEYS = {"test_accuracy": float, "test_errors": int, "params": int,
              "train_seconds": float, "epochs": int}


@pytest.fixture(scope="module")
def notebook():
    return json.loads(NOTEBOOK.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


# --- the committed notebook -------------------------------------------------------------------

def test_notebook_was_executed_top_to_bottom_once(notebook):
    counts = [c["execution_count"] for c in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook top to bottom in a fresh kernel"


def test_notebook_has_no_errors_and_no_stderr_walls(notebook):
    for i, cell in enumerate(code_cells(notebook)):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"code cell {i} holds an error"
            if out.get("name") == "stderr":
                assert "".join(out["text"]).count("\n") <= 3, f"code cell {i} shows a wall of stderr"


def test_notebook_outputs_show_no_local_paths(notebook):
    shown = json.dumps([c["outputs"] for c in code_cells(notebook)])
    assert str(ROOT) not in shown
    assert not re.search(r"/root/|/home/[a-z]|/Users/", shown)


def test_nbval_has_deterministic_outputs_and_quality_bars_to_check(notebook):
    checked = [c for c in code_cells(notebook) if "# NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
    assert len(checked) >= 12, "nbval should compare the deterministic outputs"
    assert all(c["outputs"] for c in checked), "a checked cell without output checks nothing"
    bars = ["".join(c["source"]) for c in checked if "assert results[" in "".join(c["source"])]
    assert any('"dense"' in b and ">= 0.98" in b for b in bars)
    assert any('"cnn"' in b and ">= 0.994" in b for b in bars)


def test_notebook_tells_the_story_in_order(notebook):
    headings = [line for c in notebook["cells"] if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("#")]
    positions = []
    for pattern in SECTIONS:
        found = [i for i, h in enumerate(headings) if re.match(pattern, h)]
        assert found, f"no section heading matching {pattern!r}"
        positions.append(found[0])
    assert positions == sorted(positions), "sections are out of order"


def test_first_digits_come_early(notebook):
    """Reader first: the first digits are on screen within about 40 lines of code from the top."""
    lines = 0
    for cell in code_cells(notebook):
        source = "".join(cell["source"])
        lines += len([line for line in source.splitlines() if line.strip()])
        if "imshow(image" in source and any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            break
    assert lines <= 50, f"{lines} lines of code before the first digits are drawn"


def test_no_placeholder_prose_left(notebook):
    prose = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    prose = re.sub(r"`[^`]*`", "", prose)  # code names like `CNN_EPOCHS` are fine
    leftover = re.findall(r"\b[A-Z]+(?:_[A-Z]+)+\b", prose)
    assert not leftover, f"placeholder prose left: {leftover}"


def test_every_figure_is_saved_and_exists(notebook):
    saved = set()
    for cell in code_cells(notebook):
        saved |= set(re.findall(r'save_fig\(fig, f?"([a-z_{}]+)"\)', "".join(cell["source"])))
    images = {p.stem for p in (ROOT / "images").glob("*.png")}
    literal = {name for name in saved if "{" not in name}
    assert literal <= images, f"figures saved by the notebook but missing from images/: {literal - images}"


# --- results ----------------------------------------------------------------------------------

def test_metrics_json_schema():
    metrics = json.loads((ROOT / "results" / "metrics.json").read_text())
    assert isinstance(metrics["notebook_seconds"], float) and metrics["notebook_seconds"] > 0
    assert set(metrics["models"]) == {"logistic_regression", "dense", "cnn"}
    for name, numbers in metrics["models"].items():
        for key, kind in MODEL_KEYS.items():
            assert isinstance(numbers[key], kind), f"{name}.{key} should be {kind.__name__}"
        assert 0 < numbers["test_accuracy"] <= 1
        assert numbers["test_errors"] == round((1 - numbers["test_accuracy"]) * 10_000)


def test_committed_run_meets_the_accuracy_targets():
    models = json.loads((ROOT / "results" / "metrics.json").read_text())["models"]
    assert models["dense"]["test_accuracy"] >= 0.983
    # one run of the CNN is one draw (seeds differ by a few test digits): the 99.5 % target is judged on
    # the mean over the final model's seeds (test_final_cnn_mean_test_accuracy_over_seeds_is_at_least_99_5);
    # a single run must stay above the notebook's own quality bar
    assert models["cnn"]["test_accuracy"] >= 0.994
    assert models["logistic_regression"]["test_accuracy"] < models["dense"]["test_accuracy"] \
        < models["cnn"]["test_accuracy"]


def test_committed_run_meets_the_time_budgets():
    """Measured on the 2-core, no-GPU reference machine; seconds are wall-clock of the committed run."""
    metrics = json.loads((ROOT / "results" / "metrics.json").read_text())
    assert metrics["models"]["dense"]["train_seconds"] < 60, "the dense model should train in under a minute"
    assert metrics["notebook_seconds"] <= 600, "the whole notebook should run in at most 10 minutes"


def test_committed_benchmark_beats_the_keras_example():
    """Issue 9: at most 1.0x the Keras example's training time, measured side by side in one run,
    and a better model; the accuracy budget is judged on the mean over the final model's seeds."""
    bench = json.loads((ROOT / "results" / "benchmark.json").read_text())
    ours, example = bench["ours"], bench["keras_example"]
    assert bench["time_ratio"] == round(ours["train_seconds"] / example["train_seconds"], 3)
    assert bench["time_ratio"] <= 1.0, "our CNN must train no slower than the Keras example"
    assert ours["test_accuracy"] > example["test_accuracy"]
    assert f"{bench['time_ratio']:.2f}" in README, "the README should show the committed time ratio"


def test_final_cnn_mean_test_accuracy_over_seeds_is_at_least_99_5():
    runs = json.loads((ROOT / "results" / "ablation.json").read_text())["runs"]
    final = [run["test_accuracy"] for run in runs if run["row"] == "final model"]
    assert len(final) >= 5, "the final CNN's spread needs at least 5 seeds"
    assert sum(final) / len(final) >= 0.995, final


def test_readme_results_table_matches_metrics():
    metrics = json.loads((ROOT / "results" / "metrics.json").read_text())
    for name, numbers in metrics["models"].items():
        row = next((line for line in README.splitlines() if line.startswith(f"| {name} ")), None)
        assert row, f"README results table has no row for {name}"
        assert f"{100 * numbers['test_accuracy']:.2f} %" in row
        assert f"| {numbers['test_errors']} |" in row
        assert f"| {numbers['train_seconds']:.0f} | {numbers['epochs']}" in row, "seconds and epochs"


# --- README, Colab, CI ------------------------------------------------------------------------

def test_every_image_the_readme_shows_exists():
    shown = re.findall(r"\]\(([^)\s]+\.png)\)", README)
    assert shown, "the README shows no figures"
    for ref in shown:
        assert (ROOT / ref).is_file(), f"README shows {ref}, which does not exist"


def colab_repos(text):
    return set(re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/main/"
                          r"mnist_analysis\.ipynb", text))


def test_readme_and_notebook_open_the_same_repository_in_colab():
    in_readme, in_notebook = colab_repos(README), colab_repos(NOTEBOOK.read_text())
    assert len(in_readme) == 1 and len(in_notebook) == 1, (in_readme, in_notebook)
    assert in_readme == in_notebook


def test_ci_runs_the_readme_test_command():
    command = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
               if line.strip() and not line.startswith(("#", "set ", "cd "))][-1]
    assert command in README, f"README does not show the command CI runs: {command}"


def test_ruff_passes():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", str(ROOT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- data and its loader ----------------------------------------------------------------------

def test_shipped_data_matches_mnist_checksums():
    with np.load(ROOT / "data" / "mnist.npz", allow_pickle=False) as npz:
        for key, expected in ARRAY_SHA256.items():
            assert hashlib.sha256(npz[key].tobytes()).hexdigest() == expected, key
        assert npz["x_train"].shape == (60000, 28, 28) and npz["x_test"].shape == (10000, 28, 28)


@pytest.fixture(scope="module")
def loader():
    return run_cells("imports", "data-loader", "load-data", "checksums",
                     namespace={"DATA_PATH": ROOT / "data" / "mnist.npz"})


def test_loader_reads_the_shipped_copy(loader):
    arrays, source = loader["load_mnist"](ROOT / "data" / "mnist.npz")
    assert source == "local copy " + (ROOT / "data" / "mnist.npz").as_posix()
    assert arrays["y_test"].shape == (10000,)


def assert_clear_error(loader, path, *phrases):
    with pytest.raises(loader["MNISTDataError"]) as info:
        loader["load_mnist"](path)
    message = str(info.value)
    for phrase in phrases:
        assert phrase in message, message
    assert "build_mnist_npz.py" in message, "the message should say how to fix it"
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), \
        "the reader should not get a chained traceback from inside a library"


def test_missing_file_without_network_says_what_to_do(loader, tmp_path, monkeypatch):
    def offline():
        raise OSError("network is unreachable")
    monkeypatch.setattr(loader["keras"].datasets.mnist, "load_data", offline)
    assert_clear_error(loader, tmp_path / "mnist.npz", "No local copy", "download failed",
                       "network is unreachable")


def test_unreadable_file_is_refused(loader, tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not a zip archive")
    assert_clear_error(loader, path, "not a readable .npz file")


def test_pickled_file_is_refused(loader, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.array([{"evil": 1}], dtype=object))
    assert_clear_error(loader, path, "not a readable .npz file")


def test_truncated_download_is_refused(loader, tmp_path):
    path = tmp_path / "mnist.npz"
    with np.load(ROOT / "data" / "mnist.npz") as npz:
        arrays = dict(npz)
    np.savez(path, **dict(arrays, x_train=arrays["x_train"][:59_000]))
    assert_clear_error(loader, path, "is corrupted", "'x_train'")


def test_file_without_an_array_is_refused(loader, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, y_train=np.zeros(3, dtype=np.uint8))
    assert_clear_error(loader, path, "has no array 'x_train'")
