"""Student versions: built from the teachers' notebooks by one command, up to date, answers out."""
import json

from comgan_lite import student


def _nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code(src, tags=(), outputs=()):
    return {"cell_type": "code", "source": src, "metadata": {"tags": list(tags)},
            "execution_count": 3, "outputs": list(outputs), "id": "x"}


def test_solutions_go_and_exercises_expect_the_not_answered_message():
    nb = _nb({"cell_type": "markdown", "source": "# 09 · T", "metadata": {}},
             _code("answer_1 = None\ncheck(answer_1)", ["exercise"], [{"output_type": "stream"}]),
             _code("answer_1 = 42\nverify(...)", ["solution"]),
             _code("x = 1", outputs=[{"output_type": "stream"}]))
    out = student.student_notebook(nb)
    assert [c["source"] for c in out["cells"]][1:] == ["answer_1 = None\ncheck(answer_1)", "x = 1"]
    exercise, plain = out["cells"][1:]
    assert "nbval-check-output" in exercise["metadata"]["tags"]
    assert exercise["outputs"][0]["text"] == [student.NOT_ANSWERED]
    assert plain["outputs"] == [] and plain["execution_count"] is None
    assert "42" not in json.dumps(out)
    assert nb["cells"][2]["metadata"]["tags"] == ["solution"]  # the teachers' copy is untouched


def test_the_not_answered_message_is_the_checkers():
    import contextlib
    import io

    from comgan_lite import exercises
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        exercises.check_sigmoid_peak(None)
    assert said.getvalue() == student.NOT_ANSWERED


def test_the_student_versions_and_answer_key_are_up_to_date():
    stale = [p.name for p, text in student.expected_files().items()
             if not p.exists() or p.read_text() != text]
    assert not stale, f"{stale} are out of date: run `python -m comgan_lite student`"


def test_every_teachers_exercise_has_a_tested_reference_answer():
    for path in sorted(student.NOTEBOOKS.glob("[0-9A]*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        exercises = [c for c in cells if "exercise" in c["metadata"].get("tags", [])]
        solutions = [c for c in cells if c["cell_type"] == "code"
                     and "solution" in c["metadata"].get("tags", [])]
        assert exercises, f"{path.name}: no cell tagged 'exercise'"
        assert len(solutions) == len(exercises), f"{path.name}: one solution cell per exercise"
        assert all("exercises.verify(" in "".join(c["source"]) for c in solutions), path.name
        answers = [c for c in cells if c["cell_type"] == "markdown"
                   and "solution" in c["metadata"].get("tags", [])]
        assert any("Check yourself" in "".join(c["source"]) for c in answers), (
            f"{path.name}: the 'Check yourself' answers are missing")
