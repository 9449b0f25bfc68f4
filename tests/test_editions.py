"""The student, practice and live editions, and what a student meets in the practice edition.

Every lesson with `# @save` cells runs its practice edition up to its last check, in one
kernel, twice at each check: first with the blanks left empty (the check says "not yet solved"),
then with every blank filled by the library's own code (the check says correct). Of the other
cells it runs those the checks need (tests/needed_cells.py); nbval runs every cell. Lesson 03 runs
with a typical mistake planted in one function: its check names that mistake.
"""

import copy
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from needed_cells import practice_run

from course_lib import build, editions


def saved_sources(path: Path) -> list[str]:
    """The source of every `# @save` cell of the notebook at ``path``."""
    cells = nbformat.read(path, as_version=4).cells
    return [c.source for c in cells if editions.save_target(c)]


SAVED = [p for p in build.notebooks() if saved_sources(p)]
LESSON_03 = build.NOTEBOOKS / "03_backprop_333.ipynb"


def filled(path: Path, plant: str = "", where: int = 0) -> nbformat.NotebookNode:
    """The practice edition of ``path`` with every blank filled by the lesson's own cell.

    plant: code appended to blank number ``where``, e.g. a wrapper that flips a sign.
    """
    nb = editions.make_edition(path, "practice")
    blanks = [c for c in nb.cells if "practice-blank" in c.metadata.get("tags", [])]
    for cell, source in zip(blanks, saved_sources(path), strict=True):
        cell.source = source
    blanks[where].source += plant
    return nb


def up_to_the_last_check(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` cut after its last %%practice cell: what the checks need, not the whole lesson."""
    checks = [k for k, c in enumerate(nb.cells) if "practice-check" in c.metadata.get("tags", [])]
    nb.cells = nb.cells[: checks[-1] + 1]
    return nb


def run(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    build.quiet_environment()
    NotebookClient(
        nb, kernel_name=build.KERNEL_NAME, timeout=build.CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(build.NOTEBOOKS)}},
    ).execute()  # fmt: skip
    return nb


def check_texts(nb: nbformat.NotebookNode) -> list[str]:
    """The first line of the feedback of every %%practice cell."""
    texts = []
    for cell in nb.cells:
        if "practice-check" in cell.metadata.get("tags", []):
            outs = ["".join(o.get("data", {}).get("text/plain", "")) for o in cell.outputs]
            texts.append(next((t for t in outs if t and t[0] in "✅❌⏳"), f"no feedback: {outs}"))
    return texts


def test_some_lessons_have_saved_cells():
    assert LESSON_03 in SAVED


def test_editions_of_lesson_03():
    source = nbformat.read(LESSON_03, as_version=4)
    saves = [c for c in source.cells if editions.save_target(c)]
    student = editions.make_edition(LESSON_03, "student")
    practice = editions.make_edition(LESSON_03, "practice")
    live = editions.make_edition(LESSON_03, "live")
    assert student.metadata["course"] == {"lesson": LESSON_03.stem, "edition": "student"}
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    blanks = [c for c in practice.cells if "practice-blank" in c.metadata.get("tags", [])]
    checks = [c for c in practice.cells if "practice-check" in c.metadata.get("tags", [])]
    assert len(blanks) == len(checks) == len(saves)
    names = editions.saved_names(saves[0].source)
    assert checks[0].source.startswith(f"%%practice course_lib.backprop {' '.join(names)}\n")
    assert all("..." in c.source and c.outputs == [] for c in blanks)
    notes = [c for c in live.cells if c.metadata.get("slideshow", {}).get("slide_type") == "notes"]
    assert any(f"def {names[0]}(" in c.source and "usual mistake" in c.source for c in notes)
    with pytest.raises(ValueError, match="kind must be one of"):
        editions.make_edition(LESSON_03, "teacher")


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
def test_the_live_edition_names_the_usual_mistake_of_every_saved_function(path):
    for source in saved_sources(path):
        module = build.SAVE_MARK.match(source.splitlines()[0])[1]
        for name in editions.saved_names(source):
            assert f"{module}.{name}" in editions.MISTAKES, f"editions.MISTAKES lacks {name}"


def test_write_editions_writes_one_notebook_per_lesson(tmp_path):
    written = editions.write_editions([LESSON_03], "practice", tmp_path)
    assert written == [tmp_path / LESSON_03.name]
    assert nbformat.read(written[0], as_version=4).metadata["course"]["edition"] == "practice"


def empty_then_filled(path: Path) -> nbformat.NotebookNode:
    """``path``'s practice edition up to its last check, each check run twice: after its blanks
    as a student first meets them, then after the same blanks filled with the lesson's cells.
    Cells that no blank or check needs are left out."""
    nb = editions.make_edition(path, "practice")
    sources = iter(saved_sources(path))
    cells, blanks = [], []
    for cell in up_to_the_last_check(nb).cells:
        tags = cell.metadata.get("tags", [])
        cells.append(cell)
        if "practice-blank" in tags:
            blanks.append(cell)
        elif "practice-check" in tags:
            for blank in blanks:
                cells.append(copy.deepcopy(blank))
                cells[-1].source = next(sources)
            cells.append(copy.deepcopy(cell))
            blanks = []
    nb.cells = cells
    return practice_run(nb, len(cells) - 1)


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
def test_every_blank_says_not_yet_solved_then_filled_with_the_library_passes(path):
    texts = check_texts(run(empty_then_filled(path)))
    empty, full = texts[0::2], texts[1::2]
    assert empty and all(t.startswith("⏳ Not yet solved") for t in empty), empty
    assert len(full) == len(empty) and all(t.startswith("✅ Correct") for t in full), full


FLIPPED = "\n_softmax = softmax\nsoftmax = lambda h: -_softmax(h)\n"
TRANSPOSED = """
_prop_backward = prop_backward
def prop_backward(*args):
    dws, dbs = _prop_backward(*args)
    return [dw.T for dw in dws], dbs
"""


@pytest.mark.parametrize(
    ("plant", "where", "message"),
    [(FLIPPED, 0, "has the wrong sign"), (TRANSPOSED, 2, "is transposed")],
)
def test_a_planted_mistake_gets_its_own_message(plant, where, message):
    texts = check_texts(run(up_to_the_last_check(filled(LESSON_03, plant, where))))
    assert texts[where].startswith("❌ Not quite") and message in texts[where], texts[where]
    others = texts[:where] + texts[where + 1 :]
    assert all(t.startswith("✅ Correct") for t in others), texts
