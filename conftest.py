"""pytest configuration shared by the fast checks and nbval (see pyproject.toml for the options)."""

import os
import shutil
import tempfile

from nbval.plugin import IPyNbFile

OUTPUT_DIR = "MNIST_OUTPUT_DIR"  # where the notebook writes its figures (images/) and results (results/)
_temporary_output = None


def pytest_configure(config):
    """Tests leave the checkout clean: unless MNIST_OUTPUT_DIR is set already, the notebook run by nbval
    (and the notebook cells the fast checks run) write into a temporary folder, removed at the end.
    nbval's kernel inherits this process's environment, so setting it here reaches the kernel."""
    global _temporary_output
    if not os.environ.get(OUTPUT_DIR):
        _temporary_output = tempfile.mkdtemp(prefix="mnist-output-")
        os.environ[OUTPUT_DIR] = _temporary_output


def pytest_unconfigure(config):
    global _temporary_output
    if _temporary_output is not None:
        shutil.rmtree(_temporary_output, ignore_errors=True)
        os.environ.pop(OUTPUT_DIR, None)
        _temporary_output = None


def pytest_report_header(config):
    return f"{OUTPUT_DIR}={os.environ.get(OUTPUT_DIR)} (the notebook's figures and results go there)"


def pytest_collection_modifyitems(items):
    """nbval compares the outputs of "# NBVAL_CHECK_OUTPUT" cells; never their stderr, which holds
    library warnings that differ between machines and versions, not results."""
    for item in items:
        notebook = item.parent
        if isinstance(notebook, IPyNbFile) and "stderr" not in notebook.skip_compare:
            notebook.skip_compare += ("stderr",)
