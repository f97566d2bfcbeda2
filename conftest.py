"""pytest configuration shared by the fast checks and nbval (see pyproject.toml for the options)."""

from nbval.plugin import IPyNbFile


def pytest_collection_modifyitems(items):
    """nbval compares the outputs of "# NBVAL_CHECK_OUTPUT" cells; never their stderr, which holds
    library warnings that differ between machines and versions, not results."""
    for item in items:
        notebook = item.parent
        if isinstance(notebook, IPyNbFile) and "stderr" not in notebook.skip_compare:
            notebook.skip_compare += ("stderr",)
