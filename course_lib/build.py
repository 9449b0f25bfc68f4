"""Course maintenance, run by the Makefile: ``python -m course_lib.build COMMAND [NOTEBOOK ...]``.

Commands:
  execute   run lessons from a fresh kernel and save them with their outputs (``make course``)
  bench     time every lesson from a fresh kernel and write BENCH.md (``make bench``)
"""

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "dl-course"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python (dl-course)", "language": "python"}
CELL_TIMEOUT_S = 600


def lessons() -> list[Path]:
    """Every lesson notebook, in course order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def quiet_environment() -> None:
    """Environment inherited by the kernels: no progress bars, no coloured tracebacks."""
    os.environ["TQDM_DISABLE"] = "1"
    os.environ.pop("FULL", None)


def run_notebook(path: Path, kernel_name: str = KERNEL_NAME):
    """Execute the notebook at ``path`` from a fresh kernel; returns (notebook, seconds)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def execute(paths: list[Path], jobs: int = 2) -> None:
    """Execute each notebook in place (``jobs`` at a time) so it is committed with fresh outputs."""
    import nbformat

    quiet_environment()

    def one(path: Path) -> str:
        nb, seconds = run_notebook(path)
        nbformat.write(nb, path)
        return f"{path.name}: executed in {seconds:.1f} s"

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for line in pool.map(one, paths):
            print(line, flush=True)


def bench(paths: list[Path], out: Path = ROOT / "BENCH.md") -> None:
    """Time each lesson alone, from a fresh kernel, and write the table to ``out``."""
    quiet_environment()
    rows = []
    for path in paths:
        _, seconds = run_notebook(path)
        rows.append(f"| {path.stem} | {seconds:.1f} |")
        print(rows[-1], flush=True)
    import torch

    header = [
        "# Lesson run times",
        "",
        "Written by `make bench`: each lesson executed alone from a fresh kernel (`torch` on one",
        "thread, as every lesson sets). Budgets: 60 s a lesson (style transfer 90 s), 10 min for",
        "`make test`.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()},"
        f" Python {platform.python_version()}, torch {torch.__version__},"
        f" {time.strftime('%Y-%m-%d')}.",
        "",
        "| notebook | seconds |",
        "|---|---:|",
    ]
    out.write_text("\n".join([*header, *rows, ""]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["execute", "bench"])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lessons()
    if args.command == "execute":
        execute(paths)
    else:
        bench(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
