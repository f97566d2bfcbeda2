"""Run selected cells of the notebook outside Jupyter.

The notebook is the single source of its helpers (it must run alone on Colab), so tests and
benchmarks run the cells they need, found by cell tag, instead of keeping a second copy.
"""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parent.parent / "mnist_analysis.ipynb"


def cell_source(tag: str, notebook: Path = NOTEBOOK) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells
               if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])]
    if len(sources) != 1:
        raise LookupError(f"expected one code cell tagged {tag!r} in {notebook.name}, found {len(sources)}")
    return sources[0]


def run_cells(*tags: str, namespace: dict | None = None) -> dict:
    """Execute the cells with these tags, in order, in one namespace; return the namespace."""
    namespace = {} if namespace is None else namespace
    for tag in tags:
        exec(compile(cell_source(tag), f"<notebook cell {tag}>", "exec"), namespace)
    return namespace
