"""``make grade SUBMISSIONS=dir``: run every student's notebook headless and tabulate its checks.

Each submission (a practice or student edition of one lesson, as ``make practice`` /
``make student`` wrote it, filled in by a student) runs in a process and a kernel of its own,
with a time limit and no network (``tests/offline``), so code that crashes, loops or reaches for
the network costs only that submission. The result, in a new folder
``build/grades/<lesson>-<time>/`` (nothing is ever overwritten):

- ``grades.csv`` and ``grades.html``: one row per submission (its file name), one column per
  check of the lesson (``write: predict, update`` for a practice blank, the checker's name for
  an exercise), each ``correct``, ``wrong``, ``unsolved`` or ``not run``, then the number correct;
- ``executed/``: each submission as it ran, with its outputs.

A file that is not a notebook, or a notebook of another lesson, gets a row that says so.

    python -m course_lib.grade SUBMISSIONS [--lesson 01] [--timeout 300] [--jobs 2]
"""

import argparse
import collections
import csv
import html
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_lib import build, editions

TIMEOUT_S = 300
ICON_STATUS = {"✅": "correct", "❌": "wrong", "⏳": "unsolved"}
CHECKER_CALL = re.compile(r"\b(check_\w+)\s*\(")
TITLE = re.compile(r"^# Lesson (\d\d):", re.M)


@dataclass
class Result:
    """One submission's row: who, how it ran, and each check's status."""

    student: str
    outcome: str
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(status == "correct" for status in self.checks.values())


def check_columns(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, column name) of every check cell: practice blanks and exercise checkers."""
    columns = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if "practice" in cell.metadata:
            columns.append((k, "write: " + ", ".join(cell.metadata["practice"]["names"])))
        elif "check" in cell.metadata.get("tags", []) and (
            call := CHECKER_CALL.search(cell.source)
        ):
            columns.append((k, call[1]))
    return columns


def statuses(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Column name -> status, read from the outputs of an executed notebook's check cells."""
    found = {}
    for k, name in check_columns(nb):
        texts = [
            "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            for out in nb.cells[k].get("outputs", [])
        ]
        icons = [ICON_STATUS[t.strip()[0]] for t in texts if t.strip()[:1] in ICON_STATUS]
        found[name] = icons[0] if icons else "not run"
    return found


def lesson_of(nb: nbformat.NotebookNode) -> str | None:
    """The lesson stem a notebook belongs to: its edition metadata, else its title cell."""
    if lesson := nb.metadata.get("course", {}).get("lesson"):
        return lesson
    title = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    number = TITLE.search(title)
    stems = {p.name[:2]: p.stem for p in build.lessons()}
    return stems.get(number[1]) if number else None


def read_submission(path: Path) -> nbformat.NotebookNode | None:
    """The notebook at ``path``, or None when it is not one."""
    if path.suffix != ".ipynb":
        return None
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, KeyError, json.JSONDecodeError, nbformat.reader.NotJSONError):
        return None


def execute(source: Path, target: Path, timeout: int) -> str:
    """Run one submission in a child process (own kernel, no network); write it to ``target``.

    Returns the outcome: "ran", "ran with errors", "crashed" or "timed out after N s".
    """
    command = [str(build.ROOT / "tests" / "offline"), sys.executable, "-m", "course_lib.grade",
               "--execute", str(source), str(target)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s"
    return done.stdout.strip().splitlines()[-1] if done.returncode == 0 else "crashed"


def _execute_here(source: Path, target: Path) -> None:
    """The child's side of ``execute``: every cell, errors allowed, the kernel's death survived.

    The notebook is written after every cell, so a time-out keeps the checks that ran.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    build.quiet_environment()
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=build.KERNEL_NAME,
        allow_errors=True,
        timeout=build.CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(build.NOTEBOOKS)}},
        on_cell_executed=lambda **_: nbformat.write(nb, target),  # what ran survives a time-out
    )
    outcome = "ran"
    try:
        client.execute()
    except DeadKernelError:
        outcome = "crashed"
    errors = any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    nbformat.write(nb, target)
    print("ran with errors" if outcome == "ran" and errors else outcome)


def grade(folder: Path, lesson: str | None = None, *, timeout: int = TIMEOUT_S, jobs: int = 2):
    """Grade every file in ``folder``; returns the results folder (see the module doc)."""
    paths = sorted(p for p in Path(folder).iterdir() if p.is_file())
    notebooks = {p: read_submission(p) for p in paths}
    lessons = {p: lesson_of(nb) for p, nb in notebooks.items() if nb is not None}
    if lesson is None:
        counted = collections.Counter(v for v in lessons.values() if v)
        if not counted:
            raise ValueError(f"folder {folder} holds no notebook of a course lesson")
        lesson = counted.most_common(1)[0][0]
    lesson = next((p.stem for p in build.lessons() if p.stem.startswith(lesson)), lesson)
    out = build.BUILD / "grades" / f"{lesson}-{time.strftime('%Y%m%d-%H%M%S')}"
    while out.exists():
        out = out.with_name(out.name + "+")
    (out / "executed").mkdir(parents=True)
    reference = editions.make_edition(build.NOTEBOOKS / f"{lesson}.ipynb", "practice")
    columns = [name for _, name in check_columns(reference)]

    def one(path: Path) -> Result:
        nb = notebooks[path]
        if nb is None:
            return Result(path.name, "not a notebook")
        if lessons[path] != lesson:
            return Result(path.name, f"a notebook of {lessons[path] or 'no course lesson'}")
        target = out / "executed" / path.name
        outcome = execute(path, target, timeout)
        ran = nbformat.read(target, as_version=4) if target.is_file() else nb
        found = statuses(ran) if target.is_file() else {}
        return Result(path.name, outcome, {c: found.get(c, "not run") for c in columns})

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, paths))
    write_tables(out, lesson, columns, results)
    return out


def write_tables(out: Path, lesson: str, columns: list[str], results: list[Result]) -> None:
    """``grades.csv`` and ``grades.html`` in ``out``."""
    header = ["submission", "outcome", *columns, "correct"]
    rows = [[r.student, r.outcome, *(r.checks.get(c, "") for c in columns), r.score]
            for r in results]  # fmt: skip
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    colour = {"correct": "#c8f7c5", "wrong": "#f7c5c5", "unsolved": "#f7ecc5"}
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="background:{colour.get(str(v), "#fff")}">{html.escape(str(v))}</td>'
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    (out / "grades.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>Grades: {lesson}</title>"
        f"<style>td,th{{border:1px solid #999;padding:4px 8px;font-family:sans-serif}}"
        f"table{{border-collapse:collapse}}</style><h1>Grades: {html.escape(lesson)}</h1>"
        f"<table><tr>{cells}</tr>{body}</table>\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grade",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("submissions", type=Path, nargs="?", help="folder of submissions")
    parser.add_argument("--lesson", help="e.g. 01 (default: the lesson most submissions are)")
    parser.add_argument("--timeout", type=int, default=TIMEOUT_S, help="seconds a submission")
    parser.add_argument("--jobs", type=int, default=2, help="submissions run at a time")
    parser.add_argument("--execute", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute:
        _execute_here(*args.execute)
        return 0
    if args.submissions is None or not args.submissions.is_dir():
        parser.error(f"SUBMISSIONS must be a folder, got {args.submissions}")
    out = grade(args.submissions, args.lesson, timeout=args.timeout, jobs=args.jobs)
    print(out / "grades.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
