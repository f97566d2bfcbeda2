"""The drawing pad in a real browser: JupyterLab and Notebook 7 on localhost, headless Chromium, real
pointer events.

A temporary notebook shows the pad as mnist_tools.pad ships it, with the project's trained model
(results/mnist_cnn.keras), and after it the picture and sentence the notebook shows for static
views. The tests draw a 1 and a 0 with the mouse and read the prediction off the page, and draw a
lone dot and a letter, which the pad must refuse as not a digit.

Needs a Chromium for Playwright to drive: `chromium` on PATH (Debian: `apt-get install chromium`;
`.ci/run` installs it), or else Playwright's own, from `python -m playwright install chromium`.
To refresh the README's picture of the pad (the only time this file writes into the repository):
    python -m tests.test_drawing_pad images/drawing_pad.png
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "results" / "mnist_cnn.keras"
PICTURE = ROOT / "images" / "drawing_pad.png"
SLOW = 180_000  # ms: starting the kernel and importing TensorFlow take a while on 2 slow cores
START = 300_000  # ms: the first start in a new environment reads TensorFlow from disk: slower still
NO_BROWSER = ("no Chromium for the drawing-pad test: it uses `chromium` on PATH, otherwise Playwright's own "
              "Chromium. Get one either way: install your system's chromium package (Debian/Ubuntu: "
              "`sudo apt-get install chromium`), or run `python -m playwright install chromium`.")
NOT_A_DIGIT = re.compile(r"not look like a digit", re.IGNORECASE)


def arc(cx, cy, rx, ry, start=0, stop=360, n=48):
    """Points on an elliptic arc; angles in degrees, clockwise from 12 o'clock."""
    angles = [math.radians(start + (stop - start) * i / n) for i in range(n + 1)]
    return [(cx + rx * math.sin(a), cy - ry * math.cos(a)) for a in angles]


STROKES = {  # digit -> strokes, as points in fractions of the pad's width and height
    1: [[(0.44, 0.26), (0.53, 0.16), (0.52, 0.50), (0.51, 0.84)]],
    0: [arc(0.5, 0.5, 0.22, 0.33)],
    2: [arc(0.5, 0.35, 0.19, 0.18, -80, 125, n=24) + [(0.33, 0.82), (0.73, 0.82)]],
}
NOT_DIGITS = {  # drawings that are not a digit -> strokes
    "a lone dot": [[(0.5, 0.5)]],  # a tap: the pad draws one round dot
    "the letter X": [[(0.28, 0.2), (0.72, 0.8)], [(0.72, 0.2), (0.28, 0.8)]],
    "the letter A": [[(0.22, 0.84), (0.5, 0.14), (0.78, 0.84)], [(0.34, 0.58), (0.66, 0.58)]],
}

# The test notebook: the pad exactly as a user shows it, then what the notebook shows for static views
# (GitHub, nbconvert), which pad.css hides while the live pad is there.
NOTEBOOK_CELLS = [f"""\
import keras
from IPython.display import Image, display

from mnist_tools.pad import DrawingPad

display(DrawingPad(keras.models.load_model({str(MODEL)!r})))
display(Image(filename={str(PICTURE)!r}))
print("The pad needs a live kernel: run the notebook in JupyterLab, Notebook 7 or Colab.")"""]


def write_notebook(folder: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
                     "outputs": [], "source": source} for i, source in enumerate(NOTEBOOK_CELLS)],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = folder / "pad.ipynb"
    path.write_text(json.dumps(nb))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(folder: Path):
    """A Jupyter server (JupyterLab, Notebook 7) on 127.0.0.1 serving `folder`; yields its URL and token."""
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / ".config"),
           "JUPYTERLAB_SETTINGS_DIR": str(folder / ".settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(folder / ".workspaces"),
           "JUPYTER_RUNTIME_DIR": str(folder / ".runtime"), "TF_CPP_MIN_LOG_LEVEL": "3",
           # the kernel runs in `folder` and imports mnist_tools from the repository
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    settings = {"apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
                "notebook-extension/tracker": {"windowingMode": "none"}}  # no pop-ups; every cell in the page
    for name, values in settings.items():
        path = folder / ".settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    log = open(folder / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    message = "JupyterLab did not start:\n" + (folder / "server.log").read_text()
                    raise RuntimeError(message) from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()  # the server shuts its kernels down on the way out
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def launch_chromium(playwright):
    """Headless Chromium: `chromium` on PATH, otherwise Playwright's own; if neither, the test fails."""
    executable = shutil.which("chromium")  # None: Playwright's own (~/.cache/ms-playwright)
    try:
        return playwright.chromium.launch(executable_path=executable, headless=True)
    except Exception as err:
        if executable is None:
            said = str(err).strip().splitlines()[0]
            pytest.fail(f"{NO_BROWSER}\n(Playwright: {said})", pytrace=False)
        raise


@contextlib.contextmanager
def chromium_page():
    """A page in headless Chromium: `chromium` on PATH, otherwise Playwright's own Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


@contextlib.contextmanager
def live_pad(frontend="lab/tree"):
    """A page showing the live pad in JupyterLab ("lab/tree") or Notebook 7 ("notebooks"): a temporary
    notebook, a Jupyter server, headless Chromium; all shut down and removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        write_notebook(Path(folder))
        with chromium_page() as page, jupyter_server(Path(folder)) as (server, token):  # browser first
            page.set_default_timeout(60_000)
            open_pad(page, f"{server}/{frontend}/pad.ipynb?token={token}")
            yield page


def open_pad(page, url):
    """Open the notebook, run all its cells and wait for the pad."""
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.click(timeout=SLOW)  # focus the notebook: menus act on it
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('[data-command="runmenu:run-all"]').click()  # Run > Run All Cells
    try:
        page.get_by_test_id("pad").wait_for(timeout=START)
    except Exception as err:
        shown = page.locator(".jp-OutputArea-output").all_inner_texts()  # e.g. a traceback
        raise AssertionError(f"the pad did not appear; the notebook shows: {shown}") from err
    page.get_by_test_id("pad").scroll_into_view_if_needed()


def draw(page, strokes):
    """Draw with real mouse events: press, move in many small steps, release."""
    box = page.get_by_test_id("pad").bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=6)
        page.mouse.up()


def ink_pixels(page) -> int:
    """How many of the pad's pixels are not white."""
    return page.get_by_test_id("pad").evaluate("""canvas => {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) ink += Math.min(data[i], data[i + 1], data[i + 2]) < 250;
        return ink;
    }""")


def require_model():
    if not MODEL.is_file():
        pytest.fail(f"{MODEL.relative_to(ROOT)} is missing: the test needs the project's trained model "
                    "(run the notebook to write it)")


@pytest.fixture(scope="module", params=["lab/tree", "notebooks"], ids=["JupyterLab", "Notebook7"])
def page(request):
    require_model()
    with live_pad(request.param) as page:
        yield page


def test_pad_starts_empty_and_hides_the_static_fallback(page):
    from playwright.sync_api import expect

    expect(page.get_by_test_id("prediction")).to_have_text("?")
    assert ink_pixels(page) == 0
    # The picture and the sentence for static views are hidden while the live pad is shown.
    sentence = page.locator(".jp-OutputArea-output").get_by_text("The pad needs a live kernel")
    picture = page.locator(".jp-RenderedImage img")
    for static in (sentence, picture):
        expect(static).to_have_count(1)
        expect(static).to_be_hidden()


@pytest.mark.parametrize("digit", [1, 0])
def test_drawn_digit_is_recognised(page, digit):
    from playwright.sync_api import expect

    page.get_by_test_id("clear").click()
    draw(page, STROKES[digit])
    assert ink_pixels(page) > 1000, "the strokes should be on the pad"
    expect(page.get_by_test_id("prediction")).to_have_text(str(digit), timeout=SLOW)
    expect(page.get_by_test_id("error")).to_have_text("")
    # the 28 x 28 image the model saw, and one bar per digit, the longest for the prediction
    seen = page.get_by_test_id("seen")
    expect(seen).to_be_visible()
    assert seen.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [28, 28]
    widths = page.get_by_test_id("probabilities").locator("b").evaluate_all(
        "bars => bars.map(bar => bar.getBoundingClientRect().width)")
    assert len(widths) == 10 and max(widths) == widths[digit] > 0


def test_clear_empties_the_pad(page):
    from playwright.sync_api import expect

    draw(page, STROKES[1])
    expect(page.get_by_test_id("prediction")).not_to_have_text("?", timeout=SLOW)
    page.get_by_test_id("clear").click()
    assert ink_pixels(page) == 0
    expect(page.get_by_test_id("prediction")).to_have_text("?")
    expect(page.get_by_test_id("seen")).to_be_hidden()
    widths = page.get_by_test_id("probabilities").locator("b").evaluate_all(
        "bars => bars.map(bar => bar.getBoundingClientRect().width)")
    assert widths == [0] * 10


@pytest.mark.parametrize("drawing", list(NOT_DIGITS))
def test_a_drawing_that_is_not_a_digit_is_refused(page, drawing):
    """A lone dot or a letter: the pad says it does not look like a digit instead of showing a
    confident digit (predict_digit raises NotADigitError, a DigitImageError the pad shows)."""
    from playwright.sync_api import expect

    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("error")).to_have_text("")  # the previous answer is gone
    expect(page.get_by_test_id("prediction")).to_have_text("?")
    draw_and_wait(page, NOT_DIGITS[drawing])
    assert ink_pixels(page) > 100, "the drawing should be on the pad"
    shown, error, _ = answer(page)
    assert NOT_A_DIGIT.search(error), f"{drawing}: the pad shows {shown!r}, error {error!r}"
    expect(page.get_by_test_id("prediction")).to_have_text("?")
    expect(page.get_by_test_id("seen")).to_be_hidden()


ANSWER = """() => {
    const [digit, error, bars] = ["prediction", "error", "probabilities"].map(
        (id) => document.querySelector(`[data-testid="${id}"]`));
    return [digit.textContent, error.textContent, bars.innerHTML];
}"""


def answer(page):
    """What the pad shows: (the digit or "?", the error, the bars' HTML)."""
    return page.evaluate(ANSWER)


def draw_and_wait(page, strokes, grace=15_000):
    """Draw on a cleared pad stroke by stroke, each time waiting for Python's answer (the pad is read
    after every stroke, and each answer replaces the one before). The first stroke must change what
    the pad shows; a later one may leave it as it is, so after `grace` ms without a change it stands."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for i, stroke in enumerate(strokes):
        before = answer(page)
        draw(page, [stroke])
        try:
            page.wait_for_function(f"before => JSON.stringify(({ANSWER})()) !== JSON.stringify(before)",
                                   arg=before, timeout=SLOW if i == 0 else grace)
        except PlaywrightTimeout:
            if i == 0:
                raise


def data_url(picture) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_pad_reports_a_blank_drawing_instead_of_crashing():
    """The pad's Python side alone (no browser): what it answers for a blank and for a drawn pad."""
    import keras
    from PIL import Image, ImageDraw

    from mnist_tools.pad import DrawingPad

    require_model()
    pad = DrawingPad(keras.models.load_model(MODEL))
    pad.image = data_url(Image.new("RGBA", (280, 280), "white"))
    assert (pad.digit, pad.probs, pad.seen) == (-1, [], "") and "blank" in pad.error
    drawn = Image.new("RGBA", (280, 280), "white")
    ImageDraw.Draw(drawn).line([(140, 50), (136, 230)], fill="black", width=28)
    pad.image = data_url(drawn)
    assert (pad.digit, pad.error, len(pad.probs)) == (1, "", 10) and pad.seen.startswith("data:image/png")
    pad.image = ""  # Clear
    assert (pad.digit, pad.probs, pad.seen, pad.error) == (-1, [], "", "")


NO_BROWSER_RUN = """
import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.test_drawing_pad import launch_chromium

shutil.which = lambda *args, **kwargs: None  # as if there were no chromium on PATH
with sync_playwright() as playwright:
    try:
        launch_chromium(playwright)
    except pytest.fail.Exception as failure:
        print(failure)
"""


def test_without_a_browser_the_message_names_both_ways_to_get_one(tmp_path):
    """No `chromium` on PATH and no Playwright Chromium: the pad tests fail (not skip), saying what to do.
    (In a process of its own: one process runs one Playwright at a time, and the pad's may be open.)"""
    env = {**os.environ, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers")}
    result = subprocess.run([sys.executable, "-c", NO_BROWSER_RUN], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    message = result.stdout
    assert "`chromium` on PATH" in message and "apt-get install chromium" in message, result
    assert "python -m playwright install chromium" in message


def screenshot(path: Path, digit: int = 2) -> None:
    """Save a picture of the pad in use (the README's and the static notebook's)."""
    with live_pad() as page:
        draw(page, STROKES[digit])
        page.get_by_test_id("prediction").filter(has_text=str(digit)).wait_for(timeout=SLOW)
        pad = page.locator(".drawing-pad")
        box = pad.bounding_box()  # cropped to the pad's content: the widget spans the page's width
        right = pad.evaluate("el => Math.max(...[...el.children].map(c => c.getBoundingClientRect())"
                             "                  .filter(r => r.height > 0).map(r => r.right))")
        page.screenshot(path=path, clip={**box, "width": right - box["x"] + 8})


if __name__ == "__main__":
    screenshot(Path(sys.argv[1]))
