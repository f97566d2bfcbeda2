"""Photo-like pictures of a digit, made in code: paper, lighting, noise, specks, ruled lines, frames, tilt.

Shared by the tests and the speed benchmark, so both use the same kind of difficult input.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# digit -> pen strokes (polylines) on a 100 x 100 sheet; each digit about 60 units tall
STROKES = {
    0: [[(50, 20), (36, 26), (30, 50), (36, 74), (50, 80), (64, 74), (70, 50), (64, 26), (50, 20)]],
    1: [[(42, 30), (54, 20), (54, 80)]],
    2: [[(34, 32), (42, 22), (56, 21), (65, 31), (62, 45), (34, 79), (68, 79)]],
    3: [[(34, 26), (48, 20), (62, 26), (62, 40), (48, 48), (64, 58), (64, 72), (48, 80), (33, 74)]],
    4: [[(58, 80), (58, 20), (30, 62), (70, 62)]],
    5: [[(64, 20), (38, 20), (36, 46), (52, 43), (65, 52), (65, 69), (52, 80), (34, 75)]],
    6: [[(62, 22), (46, 26), (36, 46), (36, 68), (48, 80), (62, 74), (64, 58), (50, 50), (37, 58)]],
    7: [[(32, 21), (68, 21), (46, 80)], [(40, 51), (62, 51)]],
    8: [[(50, 49), (36, 40), (38, 24), (50, 20), (62, 24), (64, 40), (50, 49), (34, 60), (36, 76),
         (50, 81), (64, 76), (66, 60), (50, 49)]],
    9: [[(63, 40), (50, 48), (37, 40), (37, 27), (50, 20), (63, 27), (63, 40), (60, 80)]],
}


def draw_strokes(digit, size, pen=6.0, tilt=0.0, offset=(0.0, 0.0), scale=1.0):
    """Ink coverage (H, W) in [0, 1] of `digit` written with a pen `pen` units wide (of 100)."""
    height, width = size
    unit = min(size) / 100 * scale
    angle = np.deg2rad(tilt)
    picture = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(picture)
    for line in STROKES[digit]:
        points = []
        for x, y in line:
            x, y = x - 50, y - 50
            x, y = x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)
            points.append((width / 2 + (x + offset[0]) * unit, height / 2 + (y + offset[1]) * unit))
        draw.line(points, fill=255, width=max(1, round(pen * unit)), joint="curve")
        radius = pen * unit / 2
        for x, y in (points[0], points[-1]):  # round pen ends
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(picture.filter(ImageFilter.GaussianBlur(0.5)), dtype="float32") / 255


def photo(digit, size=(600, 800), *, paper=0.92, ink=0.15, pen=6.0, tilt=0.0, gradient=0.0,
          shadow=0.0, noise=0.0, speck=False, ruled=False, frame=False, offset=(0.0, 0.0), scale=1.0,
          seed=0):
    """A photo-like RGB uint8 picture of `digit`: dark ink on light paper, with the requested flaws."""
    rng = np.random.default_rng(seed)
    height, width = size
    rows, cols = np.mgrid[0:height, 0:width].astype("float32")
    light = 1 - gradient * (cols / width) - 0.5 * gradient * (rows / height)  # a lamp on the left
    if shadow:  # a soft shadow (a hand or the phone) over the lower right
        light *= 1 - shadow / (1 + np.exp(-((cols / width + rows / height) - 1.2) * 12))
    sheet = np.full(size, paper, dtype="float32")
    if ruled:  # light blue-grey ruled lines across the page, one through the digit
        for y in np.arange(height * 0.1, height, height / 7):
            sheet[int(y):int(y) + max(2, height // 200)] = paper - 0.25
    if speck:  # a stray dot of dirt, away from the digit
        sheet[(rows - 0.2 * height) ** 2 + (cols - 0.85 * width) ** 2 < (min(size) / 60) ** 2] = ink
    coverage = draw_strokes(digit, size, pen=pen, tilt=tilt, offset=offset, scale=scale)
    grey = (sheet * (1 - coverage) + ink * coverage) * light
    if frame:  # the dark table around the sheet of paper
        band = int(0.06 * min(size))
        edge = np.zeros(size, bool)
        edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
        grey[edge] = 0.12
    grey = grey + rng.normal(0, noise, size).astype("float32")
    tint = np.array([1.0, 0.98, 0.93], dtype="float32")  # warm indoor light: paper looks yellowish
    return (np.clip(grey[..., None] * tint, 0, 1) * 255).round().astype(np.uint8)


def canvas_rgba(digit, size=280, pen=12.0, background=None):
    """A drawing-app / HTML-canvas export: black strokes on a transparent (or opaque) background."""
    coverage = draw_strokes(digit, (size, size), pen=pen)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    if background is not None:  # an opaque coloured background, e.g. (255, 255, 255)
        rgba[..., :3] = (np.array(background) * (1 - coverage[..., None])).round()
        rgba[..., 3] = 255
    else:  # transparent background: colour black, alpha = ink coverage (as a canvas stores it)
        rgba[..., 3] = (255 * coverage).round()
    return rgba
