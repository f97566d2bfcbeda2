"""Tests leave the checkout as they found it (issue 17): the notebook writes its figures and results
under MNIST_OUTPUT_DIR (default: the repository), and conftest.py points it at a temporary folder for
the whole test run, nbval's kernel included. (.ci/run also checks `git status` after the tests.)"""

from __future__ import annotations

import os
from pathlib import Path

import conftest
from tests.notebook_code import NOTEBOOK, run_cells

ROOT = NOTEBOOK.parent


def test_the_test_run_sends_the_notebooks_outputs_outside_the_checkout():
    output = Path(os.environ[conftest.OUTPUT_DIR]).resolve()
    if conftest._temporary_output is not None:  # not set by the user: conftest's temporary folder
        assert output.is_dir() and ROOT.resolve() not in (output, *output.parents), output


def test_the_notebook_writes_into_MNIST_OUTPUT_DIR(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_OUTPUT_DIR", str(tmp_path))
    nb = run_cells("imports", "settings")
    assert nb["IMAGES_DIR"] == tmp_path / "images" and (tmp_path / "images").is_dir()
    assert (tmp_path / "results").is_dir(), "the notebook's own results (metrics, model) go there too"


def test_ignored_files_cover_what_the_tests_and_tools_leave_behind():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", ".venv-colab/", "__pycache__/", ".pytest_cache/", ".ruff_cache/",
                  ".ipynb_checkpoints/"):
        assert entry in ignored, f".gitignore should list {entry}"
