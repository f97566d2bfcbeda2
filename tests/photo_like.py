"""Photo-like pictures of a digit, made in code: paper, lighting, noise, specks, ruled lines, frames, tilt.

Shared by the tests and the speed benchmark, so both use the same kind of difficult input.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

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
DIGIT_WIDTH = 40  # units: the digits above span x = 30..70
CAP_HEIGHT = 0.72  # a capital letter of Pillow's built-in font is about this fraction of its size


def draw_strokes(digit, size, pen=6.0, tilt=0.0, offset=(0.0, 0.0), scale=1.0, centre=(0.5, 0.5), gap=20.0):
    """Ink coverage (H, W) in [0, 1] of `digit` written with a pen `pen` units wide (of 100).

    `digit` is one digit (0-9) or a string of digits, written side by side `gap` units apart (a digit
    is about 40 units wide and 60 tall). `centre` places the writing's centre, as fractions of the
    picture's height and width; `offset` moves it further, in units.
    """
    height, width = size
    unit = min(size) / 100 * scale
    angle = np.deg2rad(tilt)
    picture = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(picture)
    written = [int(d) for d in str(digit)]
    for place, one in enumerate(written):
        shift = (place - (len(written) - 1) / 2) * (DIGIT_WIDTH + gap)  # the row is centred on `centre`
        for line in STROKES[one]:
            points = []
            for x, y in line:
                x, y = x - 50 + shift, y - 50
                x, y = x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)
                points.append((width * centre[1] + (x + offset[0]) * unit,
                               height * centre[0] + (y + offset[1]) * unit))
            draw.line(points, fill=255, width=max(1, round(pen * unit)), joint="curve")
            radius = pen * unit / 2
            for x, y in (points[0], points[-1]):  # round pen ends
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(picture.filter(ImageFilter.GaussianBlur(0.5)), dtype="float32") / 255


def draw_lines(lines, size, pen=6.0, dash=None):
    """Ink coverage (H, W) in [0, 1] of pen strokes given as polylines on a 100 x 100 sheet (as STROKES),
    centred in the picture: for digits drawn in pieces. dash=(on, off) in units draws a dashed or dotted
    pen: round dabs along the lines, `on` units of ink then `off` units of paper."""
    height, width = size
    unit = min(size) / 100
    picture = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(picture)
    radius = pen * unit / 2
    for line in lines:
        points = np.array([(width / 2 + (x - 50) * unit, height / 2 + (y - 50) * unit) for x, y in line])
        if dash is None:
            draw.line([tuple(point) for point in points], fill=255, width=max(1, round(pen * unit)),
                      joint="curve")
            stamps = points[[0, -1]]  # round pen ends
        else:  # one dab per pixel along the line, kept where the pattern is "on"
            travelled = np.r_[0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
            along = np.arange(0, travelled[-1], 1.0)
            stamps = np.column_stack([np.interp(along, travelled, points[:, k]) for k in (0, 1)])
            stamps = stamps[(along / unit) % sum(dash) < dash[0]]
        for x, y in stamps:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(picture.filter(ImageFilter.GaussianBlur(0.5)), dtype="float32") / 255


def draw_text(text, size, height=0.3, centre=(0.5, 0.5)):
    """Ink coverage (H, W) in [0, 1] of `text` in Pillow's built-in font, its capitals `height` of the
    picture's height tall (a word, a row of letters or symbols: things that are not one digit)."""
    font = ImageFont.load_default(size=max(8, round(height * size[0] / CAP_HEIGHT)))
    picture = Image.new("L", size[::-1], 0)
    draw = ImageDraw.Draw(picture)
    draw.text((size[1] * centre[1], size[0] * centre[0]), text, fill=255, font=font, anchor="mm")
    return np.asarray(picture, dtype="float32") / 255


def draw_dot(size, diameter, centre=(0.5, 0.5)):
    """Ink coverage (H, W) in [0, 1] of one round dot, `diameter` pixels wide (a pen touching the paper)."""
    rows, cols = np.mgrid[0:size[0], 0:size[1]].astype("float32")
    distance = np.hypot(rows - size[0] * centre[0], cols - size[1] * centre[1])
    return np.clip(diameter / 2 - distance + 0.5, 0, 1)  # one pixel of anti-aliasing at the rim


def photo(digit, size=(600, 800), *, paper=0.92, ink=0.15, pen=6.0, tilt=0.0, gradient=0.0,
          shadow=0.0, noise=0.0, speck=False, ruled=False, frame=False, offset=(0.0, 0.0), scale=1.0,
          centre=(0.5, 0.5), gap=20.0, seed=0):
    """A photo-like RGB uint8 picture of `digit`: dark ink on light paper, with the requested flaws.

    `digit`: a digit, a string of digits (written side by side, see draw_strokes), or an ink coverage
    array of shape `size` (e.g. from draw_text or draw_dot) to photograph instead.
    """
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
    coverage = digit if isinstance(digit, np.ndarray) else \
        draw_strokes(digit, size, pen=pen, tilt=tilt, offset=offset, scale=scale, centre=centre, gap=gap)
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
