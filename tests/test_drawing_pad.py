"""The drawing pad in a real browser: JupyterLab on localhost, headless Chromium, real pointer events.

A temporary notebook holds the notebook's own cells (found by tag, so nothing is copied): the
imports, the digit preprocessing, the project's trained model from results/mnist_cnn.keras, and
the pad. The test draws a 1 and a 0 with the mouse and reads the prediction off the page.

Needs Debian's `chromium` on PATH (`.ci/run` installs it); Playwright drives it, since
Playwright's own browser download is not used. To refresh the README's picture of the pad:
    python -m tests.test_drawing_pad images/drawing_pad.png
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
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

from tests.notebook_code import NOTEBOOK, cell_source

ROOT = NOTEBOOK.parent
MODEL = ROOT / "results" / "mnist_cnn.keras"
PICTURE = ROOT / "images" / "drawing_pad.png"
SLOW = 180_000  # ms: starting the kernel and importing TensorFlow take a while on 2 slow cores


def arc(cx, cy, rx, ry, start=0, stop=360, n=48):
    """Points on an elliptic arc; angles in degrees, clockwise from 12 o'clock."""
    angles = [math.radians(start + (stop - start) * i / n) for i in range(n + 1)]
    return [(cx + rx * math.sin(a), cy - ry * math.cos(a)) for a in angles]


STROKES = {  # digit -> strokes, as points in fractions of the pad's width and height
    1: [[(0.44, 0.26), (0.53, 0.16), (0.52, 0.50), (0.51, 0.84)]],
    0: [arc(0.5, 0.5, 0.22, 0.33)],
    2: [arc(0.5, 0.35, 0.19, 0.18, -80, 125, n=24) + [(0.33, 0.82), (0.73, 0.82)]],
}


def notebook_cells():
    """The cells of the test notebook, from mnist_analysis.ipynb by tag."""
    cells = [cell_source("imports"),
             f'IMAGES_DIR = Path("images")\ncnn = keras.models.load_model({str(MODEL)!r})',
             cell_source("digit-preprocessing")]
    cells.append(cell_source("drawing-pad"))
    return cells


def write_notebook(folder: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
                     "outputs": [], "source": source} for i, source in enumerate(notebook_cells())],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (folder / "images").mkdir()
    if PICTURE.exists():
        shutil.copy(PICTURE, folder / "images")
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
           "JUPYTER_RUNTIME_DIR": str(folder / ".runtime"), "TF_CPP_MIN_LOG_LEVEL": "3"}
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


@contextlib.contextmanager
def chromium_page():
    """A page in headless Chromium: Debian's chromium, not a browser Playwright downloads."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("no `chromium` on PATH: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
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
        with jupyter_server(Path(folder)) as (server, token), chromium_page() as page:
            page.set_default_timeout(60_000)
            open_pad(page, f"{server}/{frontend}/pad.ipynb?token={token}")
            yield page


def open_pad(page, url):
    """Open the notebook, run all its cells and wait for the pad."""
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.click(timeout=SLOW)  # focus the notebook: menus act on it
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('[data-command="runmenu:run-all"]').click()  # Run > Run All Cells
    page.get_by_test_id("pad").wait_for(timeout=SLOW)
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


def data_url(picture) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_pad_reports_a_blank_drawing_instead_of_crashing():
    """The pad's Python side alone (no browser): what it answers for a blank and for a drawn pad."""
    from PIL import Image, ImageDraw

    require_model()
    nb = {}
    for source in notebook_cells():
        exec(compile(source, "<notebook cell>", "exec"), nb)
    pad = nb["DrawingPad"](nb["cnn"])
    pad.image = data_url(Image.new("RGBA", (280, 280), "white"))
    assert (pad.digit, pad.probs, pad.seen) == (-1, [], "") and "blank" in pad.error
    drawn = Image.new("RGBA", (280, 280), "white")
    ImageDraw.Draw(drawn).line([(140, 50), (136, 230)], fill="black", width=28)
    pad.image = data_url(drawn)
    assert (pad.digit, pad.error, len(pad.probs)) == (1, "", 10) and pad.seen.startswith("data:image/png")
    pad.image = ""  # Clear
    assert (pad.digit, pad.probs, pad.seen, pad.error) == (-1, [], "", "")


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
