"""The house style (CONTRIBUTING.md): the lesson writes the algorithm, the library is what the
lessons wrote, and checks that do not teach leave the reading path.

- every ``# @save course_lib.<module>`` cell defines, word for word, what that module holds;
- in house-style lessons, asserts are at most 10 % of the visible code lines, and the text has
  no build history and no instructor tips outside speaker notes;
- every cell tagged ``test`` is collapsed, skipped by the slides and prints nothing.
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest

from course_lib import build

NOTEBOOKS = build.notebooks()
HOUSE = [p for p in NOTEBOOKS if build.house_style(p)]
BUILD_HISTORY = re.compile(
    r"first version of this lesson|in our trials|\bwe tried\b|\ba prototype\b|\bprototyp",
    re.IGNORECASE,
)
INSTRUCTOR_TIP = re.compile(r"\bask the (room|class|students)\b|\bon stage\b", re.IGNORECASE)


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def saved_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, module name, source) of every ``# @save`` cell."""
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip():
            match = build.SAVE_MARK.match(cell.source.splitlines()[0])
            if match:
                found.append((k, match[1], cell.source))
    return found


def segment(source: str, node: ast.stmt) -> str:
    """The text of a top-level statement, decorators included, as ``inspect.getsource`` gives."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(source.splitlines()[first - 1 : node.end_lineno])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_cells_equal_their_library_code(path):
    for k, module_name, source in saved_cells(load(path)):
        module = importlib.import_module(module_name)
        module_source = inspect.getsource(module)
        for node in ast.parse(source).body:
            where = f"{path.name} cell {k}"
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                assert hasattr(module, node.name), f"{where}: {module_name} has no {node.name}"
                library = inspect.getsource(getattr(module, node.name)).rstrip()
                assert segment(source, node) == library, (
                    f"{where}: {node.name} differs from {module_name}.{node.name}; copy the cell"
                    " into the module (or the module into the cell) so that they match"
                )
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                text = segment(source, node)
                assert re.search(rf"^{re.escape(text)}$", module_source, re.M), (
                    f"{where}: `{text}` is not in {module_name}"
                )
            else:
                pytest.fail(f"{where}: a @save cell holds only definitions, found {ast.dump(node)}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_check_follows_every_run_of_saved_cells(path):
    """The first code cell after a run of `# @save` cells (one module) uses what they defined:
    the practice edition puts `%%practice` on that cell, so it must exercise the functions."""
    nb = load(path)
    saved = {k: (module, source) for k, module, source in saved_cells(nb)}
    run: list[str] = []
    modules: set[str] = set()
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if k in saved:
            modules.add(saved[k][0])
            run += [n.name for n in ast.parse(saved[k][1]).body if hasattr(n, "name")]
            continue
        if run:
            assert len(modules) == 1, f"{path.name} cell {k}: one run of @save cells, {modules}"
            assert any(re.search(rf"\b{n}\b", cell.source) for n in run), (
                f"{path.name} cell {k}: the cell after `# @save` cells checks one of {run}"
            )
            run, modules = [], set()
    assert not run, f"{path.name}: `# @save` cells at the end need a check after them"


@pytest.mark.parametrize("path", HOUSE, ids=[p.stem for p in HOUSE])
def test_house_style_lessons_write_their_algorithms(path):
    if path in build.lessons():
        assert saved_cells(load(path)), f"{path.name}: no `# @save course_lib.<module>` cell"


@pytest.mark.parametrize("path", HOUSE, ids=[p.stem for p in HOUSE])
def test_asserts_are_at_most_a_tenth_of_the_visible_code(path):
    row = build.style_row(path)
    assert row["share"] <= build.MAX_ASSERT_SHARE, (
        f"{path.name}: {row['asserts']} of {row['code']} visible code lines are asserts"
        f" ({row['share']:.1%}); move pins and self-tests to tests/ or to a `test` cell"
    )


@pytest.mark.parametrize("path", HOUSE, ids=[p.stem for p in HOUSE])
def test_text_has_no_build_history_and_tips_sit_in_notes(path):
    for k, cell in enumerate(load(path).cells):
        if cell.cell_type != "markdown":
            continue
        history = BUILD_HISTORY.search(cell.source)
        assert not history, f"{path.name} cell {k}: build history {history[0]!r} in the text"
        tip = INSTRUCTOR_TIP.search(cell.source)
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert not tip or slide_type == "notes", (
            f"{path.name} cell {k}: instructor tip {tip[0]!r} outside a speaker-notes cell"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_test_cells_are_collapsed_skipped_and_silent(path):
    for k, cell in enumerate(load(path).cells):
        if build.TEST_TAG not in cell.metadata.get("tags", []):
            continue
        assert cell.cell_type == "code", f"{path.name} cell {k}: a test cell holds code"
        assert cell.metadata.get("slideshow", {}).get("slide_type") == "skip", (
            f"{path.name} cell {k}: a test cell must be `skip` in the slides (make course sets it)"
        )
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name} cell {k}: a test cell must be collapsed (make course sets it)"
        )
        assert not cell.outputs, f"{path.name} cell {k}: a test cell prints nothing"


def test_assert_lines_counts_statements_and_their_lines():
    source = (
        "x = 1\n"
        "# a comment\n"
        "assert x == 1\n"
        "np.testing.assert_allclose(\n"
        "    x, 1\n"
        ")\n"
        "%timeit x\n"
        "\n"
        "y = [x, 2]\n"
    )
    assert build.assert_lines(source) == (7, 4)


def test_style_table_lists_every_notebook():
    table = build.style_table(NOTEBOOKS)
    for path in NOTEBOOKS:
        assert f"| {path.stem} |" in table


TOPIC_MODULES = [
    "tensors", "perceptron", "mlp", "backprop", "training", "cnn", "rnn", "gan", "style",
    "interpret", "transfer",
]  # fmt: skip
PRIMITIVES = {"sigmoid", "softmax", "numerical_gradient", "numeric_gradient", "relu", "fit"}


def library_files() -> list[Path]:
    return sorted((build.ROOT / "course_lib").rglob("*.py"))


@pytest.mark.parametrize("name", TOPIC_MODULES)
def test_topic_modules_read_like_lecture_notes(name):
    """At most 400 lines; torch imported at the top; classes at the top level."""
    path = build.ROOT / "course_lib" / f"{name}.py"
    source = path.read_text()
    assert len(source.splitlines()) <= 400, f"{path.name}: {len(source.splitlines())} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [n for n in ast.walk(node) if n is not node]
            imports = [n for n in inner if isinstance(n, ast.Import | ast.ImportFrom)]
            assert not imports, f"{path.name}: {node.name} imports inside its body"
            classes = [n.name for n in inner if isinstance(n, ast.ClassDef)]
            assert not classes, f"{path.name}: {node.name} defines classes {classes}"


def test_each_primitive_is_defined_once():
    """sigmoid, softmax, the numerical gradient and the training loop have one home each."""
    homes: dict[str, list[str]] = {}
    for path in library_files():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name in PRIMITIVES:
                homes.setdefault(node.name, []).append(str(path.relative_to(build.ROOT)))
    repeated = {name: files for name, files in homes.items() if len(files) > 1}
    assert not repeated, f"defined more than once: {repeated}"
    assert "numeric_gradient" not in homes, homes["numeric_gradient"]
