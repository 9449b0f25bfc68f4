"""The practice and live-coding editions, made from the lessons' ``# @save`` cells.

- ``make practice`` writes ``build/practice/``: the student edition (no solutions, no speaker
  notes, no ``test`` cells) in which every ``# @save`` cell is emptied down to signatures,
  docstrings and ``...`` bodies (``practice.blank``), and the check cell after it starts with
  ``%%practice <module> <names>`` (``practice.PracticeMagics``): one sentence per attempt, and
  the library's version for the rest of the lesson until the student's is right.
- ``make live`` writes ``build/live/`` for the instructor: the same blanks and checks, the
  speaker notes kept, and after each blank a notes cell with what to type and the mistake
  students usually make (``MISTAKES``), for presenting with RISE and typing on stage.

Each edition's notebook metadata says which lesson and edition it is (``course``), which is how
``course_lib.grade`` recognises a submission.
"""

import ast
import importlib
import inspect
from pathlib import Path

import nbformat

from course_lib import build, practice

EDITIONS = ("student", "practice", "live")
MISTAKES: dict[str, str] = {
    "course_lib.backprop.softmax": "summing over the batch axis instead of the last one, or "
    "leaving out the max subtraction and overflowing on large scores.",
    "course_lib.backprop.forward_333": "taking the log of the scores instead of the softmax "
    "outputs in the loss, or multiplying in the order W @ x (the slides' rows are inputs).",
    "course_lib.backprop.backward_333": "sending each output's error back through its own "
    "softmax input only: the softmax couples them, and p - y already sums every path.",
    "course_lib.backprop.prop_forward": "keeping only the activations and forgetting H_j, "
    "which the backward pass needs for g'(H_j).",
    "course_lib.backprop.prop_backward": "using W_j instead of its transpose to send the error "
    "back, or updating dz before computing dW_j with the old one.",
    "course_lib.transfer.AutoEncoder": "ending the decoder without the sigmoid, so that the "
    "reconstruction leaves [0, 1], or not reshaping its 784 outputs back to (n, 1, 28, 28).",
    "course_lib.transfer.corrupt": "adding the noise to the target too, so that the network "
    "learns to copy the noise instead of removing it.",
    "course_lib.transfer.fit_early_stopping": "keeping the last epoch's weights instead of "
    "putting the best ones back, or making a new optimiser every epoch, which resets Adam.",
    "course_lib.transfer.greedy_pretrain": "training every layer on the raw pixels instead of on "
    "the output of the frozen layers below it.",
    "course_lib.transfer.stacked_classifier": "putting the pretrained layers themselves into the "
    "classifier instead of copies, so that training it changes them everywhere.",
    "course_lib.transfer.transfer_model": "freezing the source network itself instead of a copy, "
    "so that every later use of the source finds it frozen.",
    "course_lib.transfer.fine_tuning_groups": "leaving requires_grad False on the base, so that "
    "its small learning rate never moves a weight.",
}
"""``module.name`` -> the mistake students usually make when they write it (live edition)."""


def saved_names(source: str) -> list[str]:
    """Names of the functions and classes a ``# @save`` cell defines, in order."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    ]


def save_target(cell: nbformat.NotebookNode) -> str | None:
    """The module a code cell is saved to (``course_lib.x``), or None for other cells."""
    if cell.cell_type != "code" or not cell.source.strip():
        return None
    match = build.SAVE_MARK.match(cell.source.splitlines()[0])
    return match[1] if match else None


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.setdefault("tags", [])


def _notes(module_name: str, names: list[str]) -> nbformat.NotebookNode:
    module = importlib.import_module(module_name)
    parts = ["**Type on stage** (the reference in `" + module_name + "`):", "", "```python"]
    parts += [inspect.getsource(getattr(module, name)).rstrip() + "\n" for name in names]
    parts += ["```", ""]
    for name in names:
        parts.append(f"- **`{name}`, the usual mistake:** {MISTAKES[f'{module_name}.{name}']}")
    cell = nbformat.v4.new_markdown_cell("\n".join(parts))
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


def make_edition(path: Path, kind: str) -> nbformat.NotebookNode:
    """The ``kind`` edition ("student", "practice" or "live") of the lesson at ``path``."""
    if kind not in EDITIONS:
        raise ValueError(f"kind must be one of {EDITIONS}, got {kind!r}")
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & {"solution", build.TEST_TAG}:
            continue
        if kind != "live" and cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            continue
        if tags & {"exercise", "check"} and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if kind != "student":
        cells = _blanks_and_checks(cells, live=kind == "live")
    nb.cells = cells
    nb.metadata["course"] = {"lesson": path.stem, "edition": kind}
    return nb


def _blanks_and_checks(cells: list, *, live: bool) -> list:
    """Empty every ``# @save`` cell and turn the next code cell into its ``%%practice`` check."""
    out: list = []
    pending: tuple[str, list[str]] | None = None
    loaded = False
    for cell in cells:
        target = save_target(cell)
        if cell.cell_type == "code" and not loaded and "repro.setup(" in cell.source:
            cell.source = cell.source.rstrip() + "\n%load_ext course_lib.practice"
            loaded = True
        if target:
            names = saved_names(cell.source)
            cell.source = practice.blank(cell.source)
            cell.outputs, cell.execution_count = [], None
            _tags(cell).append("practice-blank")
            out.append(cell)
            if live:
                out.append(_notes(target, names))
            pending = (target, names)
            continue
        if pending and cell.cell_type == "code":
            module_name, names = pending
            cell.source = f"%%practice {module_name} {' '.join(names)}\n{cell.source}"
            cell.outputs, cell.execution_count = [], None
            _tags(cell).append("practice-check")
            cell.metadata["practice"] = {"module": module_name, "names": names}
            pending = None
        out.append(cell)
    return out


def write_editions(paths: list[Path], kind: str, out_dir: Path) -> list[Path]:
    """Write the ``kind`` edition of every notebook in ``paths`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out_dir / path.name
        nbformat.write(make_edition(path, kind), target)
        written.append(target)
    return written
