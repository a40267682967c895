"""The notebook pipeline: every notebook follows the template, is paired with a py:percent file
that has not drifted, and is stored executed top to bottom.  (nbval runs them: see pyproject.)"""
import json
import re
from pathlib import Path

import jupytext
import pytest

_FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted([*_FOLDER.glob("[0-9][0-9]_*.ipynb"), *_FOLDER.glob("A[0-9]_*.ipynb")])   # appendices A1, A2, ...
TEMPLATE = ["## Learning goals", "## Prerequisites", "## Time", "## Summary", "## Exercises"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_pair_has_not_drifted(path):
    py = path.with_suffix(".py")
    assert py.exists(), f"{py.name} is missing: run `jupytext --sync {path.name}` in notebooks/"
    expected = jupytext.writes(jupytext.read(path), fmt="py:percent")
    assert py.read_text() == expected, (
        f"{path.name} and {py.name} differ: edit one, then run `jupytext --sync {path.name}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_template_headings(path):
    nb = json.loads(path.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    number = path.name.split("_")[0]   # "02", or "A1" for an appendix
    assert re.search(rf"^# {number} · \S", markdown, re.M), f"title must read '# {number} · Topic'"
    positions = [markdown.find(h) for h in TEMPLATE]
    missing = [h for h, p in zip(TEMPLATE, positions) if p < 0]
    assert not missing, f"missing headings: {missing}"
    assert positions == sorted(positions), "template headings are out of order"
    assert re.search(r"[Qq]uick mode", markdown[positions[2]:]), "the Time section must state quick mode"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_in_order(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        "store the notebook executed top to bottom in a fresh kernel (Restart Kernel and Run All)")
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "the stored notebook contains an error output"
    assert any("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", [])), \
        "the stored notebook has no figures"
