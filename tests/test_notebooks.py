"""Lint of every lesson notebook: the lesson pattern, clean execution, slideshow metadata, size."""

import json
import re
from pathlib import Path

import pytest

from course_lib.build import KERNEL_NAME, appendices, lessons, notebooks

LESSONS = lessons()
NOTEBOOKS = notebooks()  # lessons and their appendices
MAX_BYTES = 3_000_000
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
REQUIRED_HEADINGS = ["Where this comes from", "Exercises", "Summary", "Glossary"]
GLOSSARY_HEADER = re.compile(
    r"^\|\s*English\s*\|\s*Turkish\s*\|\s*Hungarian\s*\|\s*Meaning\s*\|", re.M
)
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/home/|/root/|/work/|/tmp/|/Users/|/usr/|[A-Z]:\\\\)")
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}|\b0x[0-9a-fA-F]{8,}\b")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text_of(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and text_of(c).strip()]


def output_texts(cell: dict) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]))
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                texts.append(value if isinstance(value, str) else "".join(value))
        if out.get("output_type") == "error":
            texts.append("\n".join(out.get("traceback", [])))
    return texts


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def test_there_are_lessons():
    assert NOTEBOOKS, "no lesson notebooks found in notebooks/"


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request) -> tuple[Path, dict]:
    return request.param, load(request.param)


@pytest.fixture(params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request) -> tuple[Path, dict]:
    """A lesson (not an appendix): it follows the whole lesson pattern."""
    return request.param, load(request.param)


def test_file_name_and_size(notebook):
    path, _ = notebook
    assert re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+\.ipynb", path.name), (
        f"{path.name}: use NN_snake_case (NNb_snake_case for an appendix)"
    )
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_kernel_is_the_course_kernel(notebook):
    path, nb = notebook
    assert nb["metadata"].get("kernelspec", {}).get("name") == KERNEL_NAME, path.name


def test_title_cell(lesson):
    path, nb = lesson
    first = nb["cells"][0]
    number = path.name[:2]
    assert first["cell_type"] == "markdown", f"{path.name}: first cell must be the title"
    text = text_of(first)
    assert re.match(rf"# Lesson {number}: \S", text), f"{path.name}: title '# Lesson {number}: ...'"
    for word in ("Goals", "Prerequisites", "Time to run"):
        assert word in text, f"{path.name}: title cell lacks '{word}'"


@pytest.mark.parametrize("path", appendices(), ids=[p.stem for p in appendices()])
def test_appendix_title_names_its_lesson(path):
    first = load(path)["cells"][0]
    text = text_of(first)
    assert re.match(rf"# Appendix {path.name[:3]}: \S", text), (
        f"{path.name}: title '# Appendix {path.name[:3]}: ...'"
    )
    lesson = next(p for p in LESSONS if p.name[:2] == path.name[:2])
    assert f"]({lesson.name})" in text, f"{path.name}: the title cell links to {lesson.name}"


def test_lesson_sections(lesson):
    path, nb = lesson
    headings = [
        line.lstrip("#").strip().lower()
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in text_of(cell).splitlines()
        if line.startswith("#")
    ]
    for required in REQUIRED_HEADINGS:
        assert any(h.startswith(required.lower()) for h in headings), (
            f"{path.name}: no heading starting with '{required}'"
        )


def test_glossary_is_last_cell_and_a_table(lesson):
    path, nb = lesson
    last = nb["cells"][-1]
    assert last["cell_type"] == "markdown" and "Glossary" in text_of(last), path.name
    assert GLOSSARY_HEADER.search(text_of(last)), (
        f"{path.name}: glossary must be a table '| English | Turkish | Hungarian | Meaning |'"
    )


def test_first_code_cell_sets_up_reproducibility(notebook):
    path, nb = notebook
    assert "repro.setup(" in text_of(code_cells(nb)[0]), f"{path.name}: call repro.setup() first"


def test_exercises_have_stub_solution_and_check(lesson):
    path, nb = lesson
    counts = {t: sum(t in tags(c) for c in nb["cells"]) for t in ("exercise", "solution", "check")}
    assert counts["check"] >= 3, f"{path.name}: at least 3 exercises with checks, got {counts}"
    assert counts["exercise"] >= counts["check"] and counts["solution"] >= counts["check"], (
        f"{path.name}: every check needs an exercise stub and a solution cell, got {counts}"
    )


def test_executed_in_order_from_fresh_kernel(notebook):
    path, nb = notebook
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts}"


def test_no_errors_and_no_stderr(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name} cell {k}: error output"
            assert out.get("name") != "stderr", f"{path.name} cell {k}: stderr output"


def test_every_cell_has_slideshow_metadata(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb["cells"]):
        slide_type = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"{path.name} cell {k}: slide_type {slide_type!r}"


def test_outputs_have_no_paths_or_addresses(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb["cells"]):
        for text in output_texts(cell):
            assert not ABSOLUTE_PATH.search(text), f"{path.name} cell {k}: absolute path in output"
            assert not MEMORY_ADDRESS.search(text), f"{path.name} cell {k}: memory address"


def test_has_a_live_demo(lesson):
    path, nb = lesson
    assert any("interactive in JupyterLab" in t for c in nb["cells"] for t in output_texts(c)), (
        f"{path.name}: no course_lib.widgets demo displayed"
    )


def test_instructor_edition_passes_every_checker(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb["cells"]):
        if "check" in tags(cell):
            texts = output_texts(cell)
            assert texts and all(t.startswith("✅ Correct") for t in texts), (
                f"{path.name} cell {k}: the solution does not pass its checker: {texts}"
            )


def test_hints_are_collapsed_and_reach_the_student_edition(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb["cells"]):
        if "hint" in tags(cell):
            slide_type = cell["metadata"].get("slideshow", {}).get("slide_type")
            assert slide_type != "notes", (
                f"{path.name} cell {k}: a hint on 'notes' is cut from students"
            )
            assert "<details>" in text_of(cell), f"{path.name} cell {k}: hint must start collapsed"


def test_no_saved_widget_state_or_pairing_metadata(notebook):
    path, nb = notebook
    extra = set(nb["metadata"]) - {"kernelspec", "language_info"}
    assert not extra, f"{path.name}: drop notebook metadata {sorted(extra)} (make course does)"
