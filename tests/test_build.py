"""Editions, glossary, website and tables are built from the lessons and stay in step."""

import json
import re
import subprocess

import pytest

from course_lib import build

LESSONS = build.lessons()
NOTEBOOKS = build.notebooks()


def cells_tagged(cells: list[dict], tag: str) -> list[dict]:
    return [c for c in cells if tag in c.get("metadata", {}).get("tags", [])]


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return build.edition(LESSONS, tmp_path_factory.mktemp("student"), student=True)


def test_student_edition_hides_solutions_and_notes_and_clears_exercises(student):
    for original, edition in zip(LESSONS, student, strict=True):
        before = json.loads(original.read_text())["cells"]
        after = json.loads(edition.read_text())["cells"]
        assert cells_tagged(before, "solution") and not cells_tagged(after, "solution")
        assert not [
            c for c in after if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"
        ]
        for tag in ("exercise", "check"):
            assert len(cells_tagged(after, tag)) == len(cells_tagged(before, tag))
            assert all(not c["outputs"] for c in cells_tagged(after, tag))
        kept = [c for c in after if c["cell_type"] == "code" and c["outputs"]]
        assert kept, f"{edition.name}: the lesson's other outputs must stay"


def test_instructor_edition_keeps_everything(tmp_path):
    for original, edition in zip(
        LESSONS, build.edition(LESSONS, tmp_path, student=False), strict=True
    ):
        assert json.loads(edition.read_text())["cells"] == json.loads(original.read_text())["cells"]


def test_glossary_rows_are_complete():
    for lesson in LESSONS:
        rows = build.glossary_rows(lesson)
        assert len(rows) >= 3, f"{lesson.name}: glossary has {len(rows)} rows"
        for row in rows:
            assert all(field.strip() for field in row), f"{lesson.name}: empty field in {row}"


def test_glossary_md_is_generated_from_the_lessons():
    assert (build.ROOT / "GLOSSARY.md").read_text() == build.glossary_markdown(LESSONS), (
        "GLOSSARY.md is stale: run `make glossary`"
    )


def test_readme_and_bench_list_every_lesson():
    readme = (build.ROOT / "README.md").read_text()
    bench = (build.ROOT / "BENCH.md").read_text()
    for lesson in LESSONS:
        assert f"(notebooks/{lesson.name})" in readme, f"README lacks {lesson.name}"
        assert re.search(rf"^\| {lesson.stem} \| \d+\.\d \| \d+\.\d\d \|$", bench, re.M), (
            f"BENCH lacks {lesson.stem}"
        )


def test_bench_table_keeps_course_order_and_rows_not_rerun():
    previous = {nb.stem: (10.0 + k, 0.1) for k, nb in enumerate(reversed(NOTEBOOKS))}
    first, last = NOTEBOOKS[0].stem, NOTEBOOKS[-1].stem
    table = build.bench_table({**previous, first: (1.2, 0.25)}, {"a measurement": 0.5})
    merged = build.bench_rows(table)
    assert list(merged) == [nb.stem for nb in NOTEBOOKS]  # every notebook, in course order
    assert merged[first] == (1.2, 0.25) and merged[last] == previous[last]
    assert "| a measurement | 0.500 |" in table
    assert build.bench_measurements(table) == {"a measurement": 0.5}
    with pytest.raises(
        ValueError, match=r"seconds must name notebooks in notebooks/, got \['99_x'\]"
    ):
        build.bench_table({"99_x": (1.0, 0.1)}, {})


def test_bench_test_times_make_test_and_keeps_the_other_rows(tmp_path, monkeypatch):
    rows = {nb.stem: (1.0, 0.1) for nb in NOTEBOOKS}
    bench = tmp_path / "BENCH.md"
    bench.write_text(build.bench_table(rows, {"a measurement": 0.5}))
    calls = []
    monkeypatch.setattr(build.subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    seconds = build.bench_test(bench)
    assert calls == [(["make", "test"], {"cwd": build.ROOT, "check": True})]
    assert seconds >= 0
    assert build.bench_rows(bench.read_text()) == rows
    assert build.bench_measurements(bench.read_text()) == {
        "a measurement": 0.5,
        build.TEST_ROW: pytest.approx(seconds, abs=1e-3),
    }


def test_demo_timing_cell_moves_every_control_and_reports_json(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets as w\n"
            "from course_lib.widgets import Demo\n"
            "seen = []\n"
            "def draw(fig, n, kind):\n"
            "    seen.append((n, kind))\n"
            "demo = Demo(draw, {'n': w.IntSlider(value=1, min=0, max=3),"
            " 'kind': w.Dropdown(options=['a', 'b'])})"
        )
    ]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    build.quiet_environment()
    done, _ = build.run_notebook(path, append=build.DEMO_TIMING + "\nprint(seen)")
    report, seen = done.cells[-1].outputs[-1]["text"].splitlines()
    assert set(json.loads(report)) == {"demo", "own"}
    assert seen == "[(1, 'a'), (3, 'a'), (3, 'b')]"  # first draw, slider to max, next option


def test_readme_run_times_come_from_bench():
    seconds = build.bench_seconds((build.ROOT / "BENCH.md").read_text())
    readme = (build.ROOT / "README.md").read_text()
    assert build.readme_with_run_times(readme, seconds) == readme, "README is stale: make bench"
    row = "| 01 | [The perceptron](notebooks/01_perceptron.ipynb) | 000, 004 | old |"
    assert build.readme_with_run_times(row, {"01_perceptron": 4.6}).endswith("| 5 s |")


def test_title_cells_state_the_measured_run_time(tmp_path):
    import nbformat

    seconds = build.bench_seconds((build.ROOT / "BENCH.md").read_text())
    for lesson in LESSONS:
        title = nbformat.read(lesson, as_version=4).cells[0].source
        match = build.TITLE_RUN_TIME.search(title)
        assert match, f"{lesson.name}: title lacks '**Time to run.** About N s'"
        measured = f"bout {seconds[lesson.stem]:.0f} s"
        assert measured in title, f"{lesson.name}: title time is not BENCH.md's: run make bench"
    copy = tmp_path / LESSONS[0].name
    copy.write_bytes(LESSONS[0].read_bytes())
    build.write_title_run_time(copy, 123.4)
    assert "bout 123 s" in nbformat.read(copy, as_version=4).cells[0].source


def test_site_builds_without_warnings(tmp_path):
    try:
        out = build.site(LESSONS, src=tmp_path / "src", out=tmp_path / "site")
    except subprocess.CalledProcessError as error:
        pytest.fail(f"sphinx reported warnings or errors:\n{error.stderr[-4000:]}")
    for lesson in LESSONS:
        page = out / "notebooks" / f"{lesson.stem}.html"
        assert page.is_file(), f"no page for {lesson.name}"
        remote = re.findall(
            r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://[^"']+""", page.read_text()
        )
        assert not remote, f"{page.name} loads from the network: {remote}"
    assert (out / "GLOSSARY.html").is_file() and (out / "index.html").is_file()


def test_speaker_notes_preprocessor_removes_only_notes():
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "say this", metadata={"slideshow": {"slide_type": "notes"}}
            ),
            nbformat.v4.new_markdown_cell(
                "show this", metadata={"slideshow": {"slide_type": "slide"}}
            ),
        ]
    )
    nb, _ = build.RemoveSpeakerNotes().preprocess(nb, {})
    assert [c.source for c in nb.cells] == ["show this"]


def test_run_notebook_executes_from_a_fresh_kernel_with_the_course_kernelspec(tmp_path):
    import nbformat

    path = tmp_path / "tiny.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), path
    )
    executed, seconds = build.run_notebook(path)
    assert executed.cells[0].outputs[0].text == "42\n" and seconds > 0
    build.execute([path], jobs=1)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == "42\n" and nb.cells[0].execution_count == 1
    assert nb.metadata.kernelspec.name == build.KERNEL_NAME


def test_lessons_are_in_course_order():
    assert [p.name[:2] for p in LESSONS] == sorted(p.name[:2] for p in LESSONS)


def test_quiet_environment_silences_bars_and_pins_blas(monkeypatch):
    monkeypatch.setenv("FULL", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    build.quiet_environment()
    import os

    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert "FULL" not in os.environ


def test_static_widget_pictures_prefers_the_png():
    import nbformat

    output = nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBO", "application/vnd.jupyter.widget-view+json": {"model_id": "x"}},
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("demo", outputs=[output])])
    nb, _ = build.StaticWidgetPictures().preprocess(nb, {})
    assert list(nb.cells[0].outputs[0].data) == ["image/png"]


def test_npm_files_and_vendor_slide_assets_skip_what_is_there(tmp_path, monkeypatch):
    for part in ("dist/reveal.js", "plugin/notes/notes.js"):
        (tmp_path / "reveal.js" / part).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "reveal.js" / part).write_text("")
    (tmp_path / "mathjax" / build.MATHJAX_SCRIPT).parent.mkdir(parents=True)
    (tmp_path / "mathjax" / build.MATHJAX_SCRIPT).write_text("")
    monkeypatch.setattr(build.subprocess, "run", lambda *a, **k: pytest.fail("npm was called"))
    build.vendor_slide_assets(tmp_path)
    build.npm_files("mathjax", build.MATHJAX_VERSION, [build.MATHJAX_SCRIPT], tmp_path / "mathjax")


def test_main_writes_the_student_edition(capsys):
    assert build.main(["student", str(LESSONS[0])]) == 0
    assert f"build/student/{LESSONS[0].name}" in capsys.readouterr().out


def test_style_step_seconds_measures_a_positive_time():
    assert 0 < build.style_step_seconds(32) < 5
    assert set(build.MEASUREMENTS) >= {
        "08_style_transfer: one optimisation step at 128 x 128 px",
        "08_style_transfer: one optimisation step at 256 x 256 px (FULL=1)",
    }


def test_lab_settings_merge_into_the_environment_overrides(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}')
    assert build.write_lab_settings(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification == {"checkForUpdates": False, "fetchNews": "false"}
