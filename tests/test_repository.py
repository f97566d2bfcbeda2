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

from tests.notebook_code import NOTEBOOK

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
    r"### 2\.3 Scaling pixels",
    r"### 2\.5 A stratified validation split",
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
    r"## 7\. A convolutional network",
    r"### 7\.2 Training",
    r"### 7\.4 All models compared",
    r"## Part II — Deep dives",
    r"### A\. How sure are these numbers",
    r"### B\. How the CNN's design was chosen",
    r"### C\. Our CNN against published recipes",
    r"### D\. Tuning the dense model",
    r"### E\. The data up close: checksums",
    r"### F\. Which digits fail",
    r"### G\. .*Calibration",
    r"### H\. What the network sees",
    r"### I\. The learned representation",
    r"### J\. Robustness",
    r"### K\. Your own digit",
    r"### L\. Knowing when not to answer",
    r"## Summary",
]
MODEL_KEYS = {"val_accuracy": float, "test_accuracy": float, "test_accuracy_ci95": list, "test_errors": int,
              "params": int, "train_seconds": float, "epochs": int}


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
    assert len(checked) >= 10, "nbval should compare the deterministic outputs"
    assert all(c["outputs"] for c in checked), "a checked cell without output checks nothing"
    bars = ["".join(c["source"]) for c in checked]
    assert any('check_validation("dense", minimum=0.98)' in b for b in bars)
    assert any('check_validation("cnn", minimum=0.993)' in b for b in bars)


def test_no_quality_gate_on_test_data(notebook):
    """Gates use validation accuracy only: a gate on the test set turns it into a tuning target."""
    gate = re.compile(r"test_acc[^\n]*?(>=|<=|>|<)\s*\d*\.\d|\d\.\d+\s*(>=|<=|>|<)[^\n]*test_acc")
    sources = {f"notebook cell {i}": "".join(c["source"]) for i, c in enumerate(code_cells(notebook))}
    sources.update({path.name: path.read_text() for path in (ROOT / "tests").glob("*.py")
                    if path.name != "test_repository.py"})
    for where, source in sources.items():
        for line in source.splitlines():
            assert not gate.search(line), f"{where} gates on test accuracy: {line.strip()}"



def test_colab_fetches_every_committed_file_the_notebook_reads(notebook):
    """Opened on Colab with only the notebook, the first cell fetches mnist_tools.FILES and RESULT_FILES:
    every results/ file the notebook (or predict_digit) reads must be in that list, and committed."""
    from mnist_tools import FILES, RESULT_FILES
    code = "\n".join("".join(c["source"]) for c in code_cells(notebook))
    read = set(re.findall(r'RESULTS_DIR / "([^"]+)"', code))
    assert read, "the notebook reads no committed results?"
    assert read <= set(RESULT_FILES), f"not fetched on Colab: {sorted(read - set(RESULT_FILES))}"
    for name in RESULT_FILES:
        assert (ROOT / "results" / name).exists(), f"RESULT_FILES names results/{name}: not committed"
    modules = {path.name for path in (ROOT / "mnist_tools").iterdir()
               if path.suffix in {".py", ".js", ".css"}}
    assert modules == set(FILES), f"mnist_tools files not fetched on Colab: {sorted(modules - set(FILES))}"
    assert "RESULT_FILES" in code and "FILES" in code


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
    """Reader first: the first digits are on screen within about 70 lines of code from the top."""
    lines = 0
    for cell in code_cells(notebook):
        source = "".join(cell["source"])
        lines += len([line for line in source.splitlines() if line.strip()])
        if "show_digit(" in source and any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            break
    assert lines <= 70, f"{lines} lines of code before the first digits are drawn"


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
        assert 0 < numbers["test_accuracy"] <= 1 and 0 < numbers["val_accuracy"] <= 1
        low, high = numbers["test_accuracy_ci95"]
        assert low < numbers["test_accuracy"] < high
        assert numbers["test_errors"] == round((1 - numbers["test_accuracy"]) * 10_000)


def test_committed_run_meets_the_validation_bars():
    models = json.loads((ROOT / "results" / "metrics.json").read_text())["models"]
    assert models["dense"]["val_accuracy"] >= 0.98 and models["cnn"]["val_accuracy"] >= 0.993
    assert models["logistic_regression"]["val_accuracy"] < models["dense"]["val_accuracy"] \
        < models["cnn"]["val_accuracy"]


def test_committed_run_meets_the_time_budgets():
    """Measured on the 2-core, no-GPU reference machine; seconds are wall-clock of the committed run."""
    metrics = json.loads((ROOT / "results" / "metrics.json").read_text())
    assert metrics["models"]["dense"]["train_seconds"] < 60, "the dense model should train in under a minute"
    assert metrics["notebook_seconds"] <= 600, "the whole notebook should run in at most 10 minutes"


def test_peer_comparison_follows_its_protocol():
    """Issue 19: at least 3 seeds per recipe, one machine, predictions kept for McNemar's test."""
    peers = json.loads((ROOT / "results" / "peers.json").read_text())
    runs = peers["runs"]
    for recipe in ("keras_convnet", "ours", "tf_quickstart"):
        seeds = [run for run in runs if run["recipe"] == recipe]
        assert len(seeds) >= 3, f"{recipe}: {len(seeds)} seeds"
        first = min(seeds, key=lambda run: run["seed"])
        assert len(first["test_predictions"]) == 10_000 and len(first["val_predictions"]) == 6_000


def test_final_cnn_has_five_seeds_and_clears_the_validation_bar():
    runs = json.loads((ROOT / "results" / "ablation.json").read_text())["runs"]
    final = [run["val_accuracy"] for run in runs if run["row"] == "final model"]
    assert len(final) >= 5, "the final CNN's spread needs at least 5 seeds"
    assert sum(final) / len(final) >= 0.993, final


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


def ci_commands(constraints):
    return [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
            if f"-c {constraints} && python -m pytest" in line]


def test_ci_runs_the_readme_test_command():
    commands = ci_commands("constraints.txt")
    assert len(commands) == 1, ".ci/run should run the README's test command once"
    assert commands[0] in README, f"README does not show the command CI runs: {commands[0]}"


def test_ci_runs_the_fast_checks_on_colabs_versions_too():
    """Issue 17: "runs unchanged on Colab" is tested: the fast checks (tests/, which include loading the
    committed model and the drawing pad) on Colab's pinned versions in a Python 3.13 venv."""
    run = (ROOT / ".ci" / "run").read_text()
    commands = ci_commands("constraints-colab.txt")
    assert len(commands) == 1 and commands[0].endswith("python -m pytest tests -v"), commands
    assert "versions/3.13.0/bin/python3.13" in run and '"$PYTHON_COLAB" -m venv .venv-colab' in commands[0]
    assert "git status --porcelain" in run, "CI checks that the tests leave the checkout clean"
    colab = (ROOT / "constraints-colab.txt").read_text()
    assert "keras==3.13.2" in colab and "tensorflow==2.20.0" in colab


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
    from mnist_tools import data

    return vars(data)


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
    import keras

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
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


# --- two layers: a main path a newcomer finishes in an hour, then deep dives (issue 18) ---------

def split_at_deep_dives(notebook):
    cells = notebook["cells"]
    start = next(i for i, c in enumerate(cells)
                 if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Part II"))
    return cells[:start], cells[start:]


def words(cells):
    return sum(len("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")


def code_lines(cell):
    return len([line for line in "".join(cell["source"]).splitlines() if line.strip()])


def test_main_path_and_deep_dives_keep_their_budgets(notebook):
    main, deep = split_at_deep_dives(notebook)
    assert words(main) <= 6_000, f"main path: {words(main)} words of prose"
    assert words(main) + words(deep) <= 10_000, f"notebook: {words(main) + words(deep)} words of prose"
    long_main = [code_lines(c) for c in main if c["cell_type"] == "code" and code_lines(c) > 40]
    assert not long_main, f"main-path code cells over 40 lines: {long_main}"
    longest = max(code_lines(c) for c in code_cells(notebook))
    assert longest <= 60, f"a code cell of {longest} lines"
    total = sum(code_lines(c) for c in code_cells(notebook))  # 1,495 when the main path was split off;
    assert total <= 1_100, f"{total} lines of code in the notebook"  # 1,000 before deep dive L's analysis


def test_roadmap_says_what_can_be_skipped(notebook):
    roadmap = "".join(notebook["cells"][0]["source"])
    assert "can be run without being read" in roadmap
    assert "minutes" in roadmap and "Deep dives" in roadmap
