"""Student versions of the notebooks, and the instructors' answer key.

The notebooks in ``notebooks/`` are the teachers' versions: after each exercise's checking cell
comes a cell tagged ``solution`` that sets the reference answer and asks the checker to accept it
(and to reject a wrong one), and after each "Check yourself" list a markdown cell tagged
``solution`` answers it.  ``python -m comgan_lite student`` writes

- ``notebooks/student/``: the same notebooks without the ``solution`` cells and without outputs;
  each exercise cell (tagged ``exercise``) stores the "Not answered yet" message as its expected
  output, which the test suite checks (nbval's ``nbval-check-output`` tag);
- ``notebooks/answer_key.md``: every ``solution`` cell, notebook by notebook.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

SOLUTION, EXERCISE, CHECK_OUTPUT = "solution", "exercise", "nbval-check-output"
NOT_ANSWERED = "Not answered yet: replace None with your answer and run this cell again.\n"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def student_notebook(nb: dict) -> dict:
    """The student version of notebook ``nb`` (a parsed .ipynb): no solutions, no outputs."""
    out = copy.deepcopy(nb)
    out["cells"] = [c for c in out["cells"] if SOLUTION not in _tags(c)]
    for cell in out["cells"]:
        cell.pop("id", None)
        if cell["cell_type"] != "code":
            continue
        cell["execution_count"], cell["outputs"] = None, []
        if EXERCISE in _tags(cell):
            cell["metadata"]["tags"] = [*_tags(cell), CHECK_OUTPUT]
            cell["execution_count"] = 1   # nbval compares only the outputs of run cells
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": [NOT_ANSWERED]}]
    out["nbformat_minor"] = 4  # no cell ids: the student files do not churn between builds
    return out


def answer_key(notebooks: list[Path]) -> str:
    """Markdown with every ``solution`` cell of ``notebooks``, under each notebook's title."""
    parts = ["# Answer key\n\nThe reference answers of every exercise and the answers to the "
             "\"Check yourself\" questions, as they stand in the teachers' notebooks (cells tagged "
             "`solution`). Written by `python -m comgan_lite student`; do not edit by hand.\n"]
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        title = next((_source(c).splitlines()[0].lstrip("# ") for c in cells
                      if c["cell_type"] == "markdown" and _source(c).startswith("# ")), path.stem)
        parts.append(f"\n## {title}\n")
        for cell in cells:
            if SOLUTION in _tags(cell):
                text = _source(cell).strip()
                parts.append(f"```python\n{text}\n```\n" if cell["cell_type"] == "code" else text + "\n")
    return "\n".join(parts)


def _dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def expected_files(src: Path = NOTEBOOKS) -> dict[Path, str]:
    """Every file the build writes, with its text: the student notebooks and the answer key."""
    teachers = sorted(p for p in src.glob("*.ipynb") if p.name[0].isdigit() or p.name[0] == "A")
    files = {src / "student" / p.name: _dumps(student_notebook(json.loads(p.read_text())))
             for p in teachers}
    files[src / "answer_key.md"] = answer_key(teachers)
    return files


def build(src: Path = NOTEBOOKS) -> list[Path]:
    """Write the student notebooks and the answer key; remove student files with no teacher."""
    files = expected_files(src)
    (src / "student").mkdir(exist_ok=True)
    for stale in set((src / "student").glob("*.ipynb")) - set(files):
        stale.unlink()
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return sorted(files)
