"""Slides and widgets in a real browser: headless Chromium driven by playwright.

1. Every lesson's static deck, opened from disk with the network blocked: no console errors,
   enough slides, every equation rendered; in house-style lessons no slide is taller than the
   1280x720 frame.
2. Every lesson's practice edition (the student edition with every `# @save` cell left blank),
   opened in a real JupyterLab and run down to its first live demo with a slider (every blank
   and check on the way, and the other cells they and the demo need: tests/needed_cells.py):
   no cell errs, every `%%practice` check on the way says "not yet solved" (the lesson runs on
   with the library's functions); then the slider is moved and the demo's picture must change.
   (nbval runs every lesson to its end twice, and tests/test_editions.py runs every check empty
   and filled; tests/test_widgets_*.py move every control of every demo.) A function typed into
   a blank passes its check. Every lesson's live-coding edition presents in RISE. Screenshots go
   to build/screenshots/.

Without Chromium these tests skip (install it: `apt-get install chromium`); under CI they must
run, and .ci/run installs it.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from needed_cells import practice_run

from course_lib import build, editions

CHROMIUM = build.chromium_path()
SCREENSHOTS = build.BUILD / "screenshots"
MIN_SLIDES = 8
RUN_ALL_TIMEOUT_MS = 300_000
MIN_RISE_SLIDES = 5
KERNEL_IDLE = (
    "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
)
pytestmark = pytest.mark.browser

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the browser tests: install chromium (.ci/run does)")
    pytest.skip("no Chromium: `apt-get install chromium` to run the browser tests",
                allow_module_level=True)  # fmt: skip

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402 (only once Chromium is known)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def decks() -> list[Path]:
    return build.slides(build.lessons(), out_dir=build.BUILD / "test-slides")


def test_every_deck_works_offline(browser, decks):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for deck in decks:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(deck.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        slides = page.evaluate("Reveal.getTotalSlides()")
        raw_math = page.evaluate("document.querySelector('.slides').innerText.includes('$$')")
        page.screenshot(path=SCREENSHOTS / f"{deck.stem}.png")
        page.close()
        assert not errors, f"{deck.name}: console errors {errors}"
        assert slides >= MIN_SLIDES, f"{deck.name}: only {slides} slides"
        assert not raw_math, f"{deck.name}: unrendered $$ left in the deck"
        assert "✅ Correct" not in deck.read_text(), f"{deck.name}: an exercise shows its verdict"


HOUSE_STYLE = [p for p in build.notebooks() if build.house_style(p)]


@pytest.mark.parametrize("path", HOUSE_STYLE, ids=[p.stem for p in HOUSE_STYLE])
def test_every_slide_fits_the_frame(browser, path):
    """Every slide of a house-style deck, all its fragments shown, fits 1280x720 and cuts no
    line of code or output off at its right edge (build.slide_heights measures in the browser)."""
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    tall = build.too_tall([path], build.BUILD / "test-heights", page)[path.stem]
    page.close()
    described = [
        f"slide {s['h']}.{s['v']}: {s['height']} px high, {s['clipped']} px cut off"
        f" ({s['title']!r})"
        for s in tall
    ]
    assert not described, f"{path.name}: over {build.SLIDE_HEIGHT} px or cut off: {described}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory) -> Path:
    """A folder with the practice and the live edition of every lesson in practice/ and live/."""
    root = tmp_path_factory.mktemp("lab")
    for kind in ("practice", "live"):
        editions.write_editions(build.lessons(), kind, root / kind)
    return root


@pytest.fixture(scope="module")
def jupyterlab(lab_root):
    """A JupyterLab server on a free port, serving ``lab_root``."""
    root = lab_root
    port = free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--allow-root",
        "--ServerApp.disable_check_xsrf=True", "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={root / '.workspaces'}",
        f"--LabApp.user_settings_dir={root / '.settings'}",
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        raise RuntimeError("JupyterLab did not start within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=30)


NOTEBOOK_STATE = """(limit) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const all = panel.content.widgets;
  const cells = all.slice(0, limit ?? all.length).filter(c => c.model.type === 'code');
  const outputs = cells.flatMap(c => c.model.outputs.toJSON());
  return {
    kernel: panel.sessionContext.session?.kernel?.status,
    pending: cells.filter(c => c.model.executionCount === null).length,
    done: cells.every(c => c.model.executionCount !== null),
    errors: outputs.filter(o => o.output_type === 'error' || o.name === 'stderr').length,
    practice: cells.filter(c => c.model.sharedModel.getSource().startsWith('%%practice')).map(
      c => JSON.stringify(c.model.outputs.toJSON())),
    first_error: outputs.filter(o => o.output_type === 'error' || o.name === 'stderr')
      .map(o => o.ename ? `${o.ename}: ${o.evalue}` : String(o.text).slice(0, 300))[0] || null,
  };
}"""


def shut_down_kernels(url: str) -> None:
    """Stop every kernel the server runs, so lessons do not compete for the CPU."""
    with urllib.request.urlopen(f"{url}/api/sessions") as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request).close()


@pytest.fixture
def lab_page(browser, jupyterlab):
    """A fresh browser context (no workspace shared with other lessons) on the lab server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()
    shut_down_kernels(jupyterlab)


def test_first_open_shows_no_notification(lab_page, jupyterlab):
    """A fresh user (empty settings) opening a lesson sees no news or update pop-up: the
    environment's overrides.json (``make install`` writes it) switches both off."""
    page = lab_page
    page.goto(f"{jupyterlab}/lab/tree/practice/{build.lessons()[0].name}?reset")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.wait_for_timeout(5_000)  # the news question appears a moment after start-up
    page.screenshot(path=SCREENSHOTS / "first_open.png")
    toasts = page.locator(".Toastify__toast")
    texts = [toasts.nth(k).inner_text() for k in range(toasts.count())]
    assert not texts, f"notifications on first open: {texts}"
    url = f"{jupyterlab}/lab/api/settings/@jupyterlab/apputils-extension:notification"
    with urllib.request.urlopen(url) as response:
        defaults = json.load(response)["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == "false", defaults["fetchNews"]
    assert defaults["checkForUpdates"]["default"] is False, defaults["checkForUpdates"]


def demo_cells(edition: nbformat.NotebookNode, lesson: Path) -> list[int]:
    """Indices, in ``edition`` (the practice edition of ``lesson``), of the cells whose
    committed output in the lesson is a widget (a live demo), in order."""
    shown = {c.source for c in nbformat.read(lesson, as_version=4).cells
             if any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                    for o in c.get("outputs", []))}  # fmt: skip
    return [k for k, c in enumerate(edition.cells) if c.cell_type == "code" and c.source in shown]


def slider_demo(page):
    """The first demo picture on the page whose box has a slider, and that slider's handle."""
    for image in page.locator(".widget-image").all():
        box = image.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
        if box.locator(".noUi-handle").count():
            return image, box.locator(".noUi-handle").first
    return None, None


@pytest.mark.parametrize("lesson", [p.name for p in build.lessons()])
def test_lesson_runs_in_jupyterlab_and_its_demo_responds(lab_page, jupyterlab, lab_root, lesson):
    page = lab_page
    edition = editions.make_edition(build.NOTEBOOKS / lesson, "practice")
    demo, handle = None, None
    for index in demo_cells(edition, build.NOTEBOOKS / lesson):
        name = f"{Path(lesson).stem}_to_{index}.ipynb"
        nbformat.write(practice_run(edition, index), lab_root / "practice" / name)
        page.goto(f"{jupyterlab}/lab/tree/practice/{name}?reset")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        finished = (f"() => (s => (s.done && s.kernel === 'idle') || s.errors > 0)"
                    f"(({NOTEBOOK_STATE})())")  # fmt: skip
        try:
            page.wait_for_function(finished, timeout=RUN_ALL_TIMEOUT_MS, polling=500)
        except PlaywrightTimeout:
            page.screenshot(path=SCREENSHOTS / f"{Path(lesson).stem}_timeout.png")
            pytest.fail(f"{name}: the cells did not finish: {page.evaluate(NOTEBOOK_STATE)}")
        state = page.evaluate(f"({NOTEBOOK_STATE})()")
        assert state["errors"] == 0, (
            f"{name}: {state['errors']} errors, first: {state['first_error']}"
        )
        unsolved = [out for out in state["practice"] if "Not yet solved" in out]
        assert len(unsolved) == len(state["practice"]), f"{name}: %%practice {state['practice']}"
        demo, handle = slider_demo(page)
        if demo is not None:
            break
    assert demo is not None, f"{lesson}: no live demo with a slider"
    demo.scroll_into_view_if_needed()
    before = demo.get_attribute("src")
    handle.focus()
    for _ in range(2):
        handle.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.getAttribute('src') !== old", arg=[demo.element_handle(), before],
        timeout=30_000,
    )  # fmt: skip
    demo.screenshot(path=SCREENSHOTS / f"{Path(lesson).stem}_demo.png")


@pytest.mark.parametrize("lesson", [p.name for p in build.lessons()])
def test_lesson_presents_live_in_rise(lab_page, jupyterlab, lesson):
    """jupyterlab-rise serves the live-coding edition as a reveal.js slideshow at /rise/<path>."""
    page = lab_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{jupyterlab}/rise/live/{lesson}")
    page.wait_for_function(
        f"document.querySelectorAll('.reveal .slides > section').length >= {MIN_RISE_SLIDES}",
        timeout=120_000,
    )
    current = "() => document.querySelector('.reveal section.present:not(.stack)')?.innerText"
    before = page.evaluate(current)
    page.locator(".reveal").click()
    page.keyboard.press("Space")  # next slide
    page.wait_for_function(f"before => ({current})() !== before", arg=before)
    page.screenshot(path=SCREENSHOTS / f"{Path(lesson).stem}_rise.png")
    assert not errors, f"{lesson}: page errors in RISE: {errors}"


def test_a_function_typed_into_a_practice_blank_passes_its_check(lab_page, jupyterlab):
    """Lesson 00's first blank, filled in JupyterLab's editor with the right code, runs and its
    `%%practice` check answers "Correct"."""
    page = lab_page
    lesson = build.lessons()[0]
    page.goto(f"{jupyterlab}/lab/tree/practice/{lesson.name}?reset")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    edition = editions.make_edition(lesson, "practice")
    tags = [c.metadata.get("tags", []) for c in edition.cells]
    blank = next(k for k, t in enumerate(tags) if "practice-blank" in t)
    source = next(c.source for c in nbformat.read(lesson, as_version=4).cells
                  if editions.save_target(c))  # fmt: skip
    page.evaluate(f"window.jupyterapp.shell.currentWidget.content.activeCellIndex = {blank}")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-above')")
    page.wait_for_function(f"() => ({NOTEBOOK_STATE})().kernel === 'idle'", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:enter-edit-mode')")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell-and-select-next')")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell-and-select-next')")
    check = page.locator(".jp-Notebook .jp-Cell").nth(blank + 1)
    check.locator("text=Correct").wait_for(timeout=60_000)
    check.screenshot(path=SCREENSHOTS / "practice_check_correct.png")
    assert "✅ Correct" in check.inner_text() and "Traceback" not in check.inner_text()
