"""The log of every evaluation on MNIST's test set: results/test_set_log.json.

A test set stays an honest estimate only if no decision looks at it, so every score on it is
written down: which model, where, when. Scripts that score the test set append their own entries
when they run (benchmarks/peers.py, benchmarks/ablation.py for the final model's seeds; the
notebook refreshes its three models' entries at every run). The entries from before the log existed
are reconstructed here from the repository's history: every committed version of
results/metrics.json (the notebook's models), results/benchmark.json (the earlier Keras-example
comparison) and results/ablation*.json (the final model's seeds), each distinct score once.

    python benchmarks/test_set_log.py      # rebuild the reconstructed part, keep the logged entries
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "results" / "test_set_log.json"
RECONSTRUCTED = "reconstructed from git history"
LOGGED = "logged when run"


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def versions(path):
    """(commit, ISO date, parsed JSON) of every committed version of `path`, oldest first."""
    out = []
    for line in reversed(git("log", "--format=%h %cI", "--", path).splitlines()):
        commit, date = line.split()
        try:
            data = json.loads(git("show", f"{commit}:{path}"))
            out.append((commit, date[:16].replace("T", " ") + " UTC", data))
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            continue  # deleted in that commit
    return out


def reconstruct():
    entries, seen = [], set()

    def add(model, where, commit, when, accuracy):
        key = (model, where, accuracy)
        if key not in seen:  # the same model re-run gives the same score: one entry
            seen.add(key)
            entries.append({"model": model, "where": where, "when": when, "commit": commit,
                            "test_accuracy": accuracy, "source": RECONSTRUCTED})

    for commit, when, data in versions("results/metrics.json"):
        for name, m in data.get("models", {}).items():
            add(f"notebook: {name} ({m['params']:,} parameters, {m['epochs']} epochs)",
                "mnist_analysis.ipynb", commit, when, m["test_accuracy"])
    for commit, when, data in versions("results/benchmark.json"):
        for name in ("keras_example", "ours"):
            if name in data:
                add(f"Keras-example comparison: {name} ({data[name]['params']:,} parameters)",
                    "benchmarks/cnn_vs_keras_example.py", commit, when, data[name]["test_accuracy"])
    for path in ("results/ablation_round1.json", "results/ablation.json"):
        for commit, when, data in versions(path):
            for run in data.get("runs", []):
                if "test_accuracy" in run:
                    add(f"ablation {Path(path).stem}: {run['row']} ({run['params']:,} parameters), "
                        f"seed {run['seed']}", "benchmarks/ablation.py", commit, when, run["test_accuracy"])
    return entries


def main():
    old = json.loads(LOG.read_text()) if LOG.exists() else []
    logged = [entry for entry in old if entry.get("source") != RECONSTRUCTED]
    for entry in logged:
        entry.setdefault("source", LOGGED)
        entry.setdefault("decided_anything", False)
    entries = reconstruct() + logged
    LOG.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(entries)} entries ({len(entries) - len(logged)} reconstructed) -> {LOG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
