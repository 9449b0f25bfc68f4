"""`make grade`: a folder of submissions of lesson 03, one of each kind a teacher meets."""

import csv

import nbformat
import pytest

from course_lib import build, editions, grade
from tests.test_editions import FLIPPED, LESSON_03, filled

LIMIT_S = 40  # a submission of lesson 03 runs in about 6 s; the endless one waits it out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    nbformat.write(filled(LESSON_03), folder / "alice.ipynb")
    nbformat.write(filled(LESSON_03, FLIPPED), folder / "bob.ipynb")
    nbformat.write(filled(LESSON_03, "\nimport os\nos._exit(1)\n", where=1), folder / "carol.ipynb")
    endless = "\nimport time\nwhile True:\n    time.sleep(1)\n"
    nbformat.write(filled(LESSON_03, endless, where=1), folder / "dave.ipynb")
    lesson_01 = build.NOTEBOOKS / "01_perceptron.ipynb"
    nbformat.write(editions.make_edition(lesson_01, "student"), folder / "erin.ipynb")
    (folder / "frank.txt").write_text("my answers are in my head")
    (folder / "gina.ipynb").write_text("{not json")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = grade.grade(folder, timeout=LIMIT_S)
    with open(out / "grades.csv", encoding="utf-8") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    return folder, before, out, rows


def test_one_row_per_submission_and_nothing_overwritten(graded):
    folder, before, out, rows = graded
    assert set(rows) == set(before)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert out.parent == build.BUILD / "grades" and out.name.startswith(LESSON_03.stem)
    assert (out / "grades.html").read_text().count("<tr>") == len(before) + 1


def test_each_kind_of_submission_gets_its_verdict(graded):
    _, _, _, rows = graded
    columns = [c for c in rows["alice.ipynb"] if c.startswith(("write:", "check_"))]
    assert columns[0] == "write: softmax, forward_333" and len(columns) >= 6
    assert rows["alice.ipynb"]["outcome"] == "ran"
    assert all(rows["alice.ipynb"][c] == "correct" for c in columns if c.startswith("write:"))
    assert rows["bob.ipynb"]["write: softmax, forward_333"] == "wrong"
    assert rows["bob.ipynb"]["write: backward_333"] == "correct"
    assert rows["carol.ipynb"]["outcome"] == "crashed"
    assert rows["carol.ipynb"]["write: softmax, forward_333"] == "correct"
    assert rows["carol.ipynb"]["write: backward_333"] == "not run"
    assert rows["dave.ipynb"]["outcome"] == f"timed out after {LIMIT_S} s"
    assert rows["dave.ipynb"]["write: softmax, forward_333"] == "correct"
    assert rows["erin.ipynb"]["outcome"] == "a notebook of 01_perceptron"
    assert rows["frank.txt"]["outcome"] == rows["gina.ipynb"]["outcome"] == "not a notebook"
    assert int(rows["alice.ipynb"]["correct"]) > int(rows["bob.ipynb"]["correct"])


def test_statuses_and_lessons_are_read_from_a_notebook():
    nb = editions.make_edition(LESSON_03, "practice")
    assert grade.lesson_of(nb) == LESSON_03.stem
    nb.metadata.pop("course")
    assert grade.lesson_of(nb) == LESSON_03.stem  # from its title cell
    columns = grade.check_columns(nb)
    assert all(status == "not run" for status in grade.statuses(nb).values())
    assert len(columns) == len(grade.statuses(nb))
    assert grade.read_submission(LESSON_03) is not None


def test_write_tables_writes_csv_and_html(tmp_path):
    results = [grade.Result("x.ipynb", "ran", {"check_a": "correct", "check_b": "wrong"})]
    grade.write_tables(tmp_path, "01_perceptron", ["check_a", "check_b"], results)
    assert (tmp_path / "grades.csv").read_text().splitlines()[1] == "x.ipynb,ran,correct,wrong,1"
    assert "#c8f7c5" in (tmp_path / "grades.html").read_text()
