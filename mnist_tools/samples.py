"""Photo-like pictures of digits made in code: a pen on paper with the flaws of a phone photo (uneven
light, sensor noise, a crumb, ruled lines, a tilt, grey paper), and a drawing-app export (black
strokes on a transparent background). The notebook's "Your own digit" deep dive uses them to show
what `prepare_digit` does without a camera.

    from mnist_tools.samples import phone_photo, canvas_export
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

PEN_STROKES = {  # digit -> pen strokes (polylines) on a 100 x 100 sheet
    2: [[(34, 32), (42, 22), (56, 21), (65, 31), (62, 45), (34, 79), (68, 79)]],
    3: [[(34, 26), (48, 20), (62, 26), (62, 40), (48, 48), (64, 58), (64, 72), (48, 80), (33, 74)]],
    4: [[(58, 80), (58, 20), (30, 62), (70, 62)]],
    5: [[(64, 20), (38, 20), (36, 46), (52, 43), (65, 52), (65, 69), (52, 80), (34, 75)]],
    6: [[(62, 22), (46, 26), (36, 46), (36, 68), (48, 80), (62, 74), (64, 58), (50, 50), (37, 58)]],
    7: [[(32, 21), (68, 21), (46, 80)], [(40, 51), (62, 51)]],
    9: [[(63, 40), (50, 48), (37, 40), (37, 27), (50, 20), (63, 27), (63, 40), (60, 80)]],
}


def pen_coverage(digit, size, pen=6, tilt=0):
    """How much ink covers each pixel (0..1) of a (height, width) sheet with `digit` written on it."""
    height, width = size
    unit, angle = min(size) / 100, np.deg2rad(tilt)
    sheet = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(sheet)
    for line in PEN_STROKES[digit]:
        points = [(width / 2 + unit * ((x - 50) * np.cos(angle) - (y - 50) * np.sin(angle)),
                   height / 2 + unit * ((x - 50) * np.sin(angle) + (y - 50) * np.cos(angle)))
                  for x, y in line]
        draw.line(points, fill=255, width=round(pen * unit), joint="curve")
    return np.asarray(sheet, dtype="float32") / 255


def phone_photo(digit, gradient=0.0, noise=0.0, speck=False, ruled=False, tilt=0, paper=0.9, seed=42):
    """A photo-like RGB picture: dark pen on paper, optionally with uneven light, noise, dirt, lines."""
    size = (480, 640)
    rows, cols = np.mgrid[0:size[0], 0:size[1]] / np.array(size)[:, None, None]
    sheet = np.full(size, paper)
    if ruled:  # ruled paper: thin blue-grey lines across the page
        for top in range(40, size[0], 64):
            sheet[top:top + 3] = paper - 0.3
    if speck:  # a crumb on the paper
        sheet[(rows - 0.2) ** 2 + (cols - 0.85) ** 2 < 0.012 ** 2] = 0.1
    grey = sheet + (0.12 - sheet) * pen_coverage(digit, size, tilt=tilt)
    grey *= 1 - gradient * (0.7 * cols + 0.3 * rows)  # a lamp on the upper left
    grey += np.random.default_rng(seed).normal(0, noise, size)
    warm = np.array([1.0, 0.97, 0.9])  # indoor light: the paper looks yellowish
    return (255 * np.clip(grey[..., None] * warm, 0, 1)).astype(np.uint8)


def canvas_export(digit, size=280):
    """An HTML canvas / drawing-app PNG: black strokes (alpha = ink) on a transparent background."""
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[..., 3] = 255 * pen_coverage(digit, (size, size), pen=10)
    return Image.fromarray(rgba)
