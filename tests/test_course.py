"""The series reads as a course: the verdict first, prose within its length, claims checked by
code, an appendix for the research, no project bookkeeping in what students read."""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
MAIN = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
APPENDIX = sorted(NOTEBOOKS.glob("A[0-9]_*.ipynb"))
WORD_LIMIT = {"01": 3000, "02": 3000, "03": 3000, "04": 3000, "05": 3500, "06": 3000}   # 05: two studies in one story
VERDICT = "## The result at our scale"


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _text(cell):
    return "".join(cell["source"])


def _student_markdown(path):
    """Markdown a student reads: solution cells (the teachers' answers) excluded."""
    return [_text(c) for c in _cells(path) if c["cell_type"] == "markdown"
            and "solution" not in c["metadata"].get("tags", [])]


def words(path) -> int:
    prose = "\n".join(_student_markdown(path))
    prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|```.*?```", " ", prose, flags=re.S)   # equations, code
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", prose))


@pytest.mark.parametrize("path", MAIN, ids=lambda p: p.name)
def test_prose_stays_within_its_length(path):
    limit = WORD_LIMIT[path.name[:2]]
    assert words(path) <= limit, f"{path.name}: {words(path)} words of prose, more than {limit}"


@pytest.mark.parametrize("path", [p for p in MAIN if p.name[:2] != "01"], ids=lambda p: p.name)
def test_the_verdict_comes_right_after_the_time_section(path):
    markdown = "\n".join(_student_markdown(path))
    headings = re.findall(r"^## .*$", markdown, re.M)
    assert VERDICT in headings, f"{path.name} has no '{VERDICT}' section"
    assert headings[headings.index(VERDICT) - 1] == "## Time", headings
    section = markdown.split(VERDICT, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.strip().splitlines() if line.strip()]
    assert len(lines) <= 8, f"{path.name}: the verdict takes {len(lines)} lines, at most 8"


@pytest.mark.parametrize("path", MAIN, ids=lambda p: p.name)
def test_claims_in_prose_are_checked_by_code(path):
    code = "\n".join(_text(c) for c in _cells(path) if c["cell_type"] == "code")
    assert len(re.findall(r"claims\.(check|about|between|holds)\(", code)) >= 3, path.name


@pytest.mark.parametrize("path", MAIN + APPENDIX, ids=lambda p: p.name)
def test_no_project_bookkeeping_in_student_text(path):
    prose = "\n".join(_student_markdown(path)).lower()
    for word in ("issue", "target", "shipped before", "we fixed", "corrected"):
        assert not re.search(rf"\b{word}", prose), f"{path.name} speaks of '{word}'"


def test_there_is_an_appendix_and_main_notebooks_link_to_it():
    assert APPENDIX, "no notebooks/A*_ appendix notebook"
    linked = "\n".join("\n".join(_student_markdown(p)) for p in MAIN)
    for path in APPENDIX:
        assert path.name in linked, f"no main notebook links to {path.name}"
