"""Pictures that are not one digit, and digits drawn or typeset, made in code.

Shared by the tests (tests/test_answers.py) and benchmarks/honest_answers.py, which trains and checks
predict_digit's not-a-digit detector with them. Every generator takes a NumPy random generator and
returns a picture as a user would pass it (dark ink on light paper unless the style says otherwise),
so the pictures take predict_digit's whole path: prepare_digit's thresholding, cropping and scaling.

Kinds of non-digits: typed letters, symbols, numbers and words (TrueType/OpenType fonts), the same
drawn with a pen (jittered stroke templates, like the drawing pad's round-capped lines), shapes,
scribbles and dots. Fonts come from matplotlib (always installed); the benchmark also uses Debian's
fonts-liberation, fonts-freefont-ttf and fonts-urw-base35 when they are installed (FONT_GROUPS).
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests import photo_like

# --- fonts ---------------------------------------------------------------------------------------

MATPLOTLIB_FONTS = [
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono-Oblique.ttf",
    "cmr10.ttf",
    "cmss10.ttf",
    "cmtt10.ttf",
    "cmb10.ttf",
    "cmti10.ttf",
    "STIXGeneral.ttf",
    "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf",
    "STIXGeneralBolIta.ttf",
]
DEBIAN = Path("/usr/share/fonts")
# Whole font families go to one part each, so the detector is checked on typefaces it never saw.
FONT_GROUPS = {
    "train": ["DejaVu*", "cm*", "truetype/liberation/Liberation*"],
    "validation": [
        "truetype/freefont/Free*",
        "opentype/urw-base35/NimbusSans-*",
        "opentype/urw-base35/NimbusRoman-*",
        "opentype/urw-base35/NimbusMonoPS-*",
    ],
    "test": [
        "STIX*",
        "opentype/urw-base35/C059-*",
        "opentype/urw-base35/P052-*",
        "opentype/urw-base35/URWBookman-*",
        "opentype/urw-base35/URWGothic-*",
        "opentype/urw-base35/Z003-*",
        "opentype/urw-base35/NimbusSansNarrow-*",
    ],
}


def matplotlib_font_dir():
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def fonts(part):
    """Font files of one part ("train", "validation", "test"); matplotlib's, then Debian's if installed."""
    found = []
    for pattern in FONT_GROUPS[part]:
        if "/" in pattern:
            found += sorted(DEBIAN.glob(pattern))
        else:
            found += [matplotlib_font_dir() / name for name in MATPLOTLIB_FONTS if Path(name).match(pattern)]
    return [str(path) for path in found]


# --- drawing ---------------------------------------------------------------------------------------


def text_mask(text, font, px, stroke=0):
    """Ink coverage (float32, 0..1) of `text` typeset in `font` at `px` pixels, cropped to the ink."""
    face = ImageFont.truetype(font, px)
    left, top, right, bottom = face.getbbox(text, stroke_width=stroke)
    picture = Image.new("L", (right - left + 4 * px // 10 + 8, bottom - top + 4 * px // 10 + 8), 0)
    ImageDraw.Draw(picture).text(
        (-left + 2 * px // 10 + 4, -top + 2 * px // 10 + 4),
        text,
        font=face,
        fill=255,
        stroke_width=stroke,
        stroke_fill=255,
    )
    return crop(np.asarray(picture, dtype="float32") / 255)


def crop(coverage):
    rows, cols = np.nonzero(coverage > 0.05)
    if len(rows) == 0:
        return coverage
    return coverage[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def chaikin(points, rounds=2):
    """Round a polyline's corners (Chaikin's corner cutting), keeping its ends: a hand's smooth curve."""
    points = np.asarray(points, dtype="float64")
    for _ in range(rounds):
        if len(points) < 3:
            break
        q, r = 0.75 * points[:-1] + 0.25 * points[1:], 0.25 * points[:-1] + 0.75 * points[1:]
        points = np.vstack([points[:1], np.column_stack([q, r]).reshape(-1, 2)[1:-1], points[-1:]])
    return points


def jittered(lines, rng, wobble=2.0, tilt=10.0, shear=0.15, stretch=0.15, smooth=True):
    """Stroke templates (in 0..100 units) as one hand would write them: each point moved a little,
    the whole slanted, sheared and stretched, the corners rounded."""
    angle = np.deg2rad(rng.uniform(-tilt, tilt))
    sx, sy = np.exp(rng.uniform(-stretch, stretch, 2))
    h = rng.uniform(-shear, shear)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[sx, h], [0, sy]]
    )
    out = []
    for line in lines:
        points = np.asarray(line, dtype="float64") - 50
        points = points + rng.normal(0, wobble, points.shape)
        points = points @ matrix.T + 50
        out.append(chaikin(points, 2 if smooth and len(points) > 2 and rng.random() < 0.7 else 0))
    return out


def pen_mask(lines, px, pen):
    """Ink coverage of polylines (0..100 units, y down) drawn `px` pixels per 100 units with a round pen
    `pen` units wide, cropped to the ink."""
    points = np.vstack(lines)
    low = points.min(axis=0) - pen
    size = np.ceil((points.max(axis=0) + pen - low) * px / 100).astype(int) + 4
    picture = Image.new("L", tuple(size), 0)
    draw = ImageDraw.Draw(picture)
    width = max(1, round(pen * px / 100))
    for line in lines:
        xy = [tuple((p - low) * px / 100 + 2) for p in line]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen ends (and a dot for a single point)
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    return crop(np.asarray(picture.filter(ImageFilter.GaussianBlur(0.6)), dtype="float32") / 255)


def side_by_side(masks, rng, gap=(-0.15, 0.25)):
    """Masks placed left to right, bottoms roughly aligned, each gap a fraction of the mean height
    (negative: the items touch or overlap, as in joined-up writing)."""
    height = max(m.shape[0] for m in masks)
    mean = np.mean([m.shape[0] for m in masks])
    gaps = [int(round(rng.uniform(*gap) * mean)) for _ in masks[1:]]
    width = sum(m.shape[1] for m in masks) + sum(gaps) + 2
    canvas = np.zeros((height + 2, max(width, 4)), dtype="float32")
    x = 0
    for k, m in enumerate(masks):
        y = height - m.shape[0] + int(rng.integers(-2, 3)) if m.shape[0] < height else 0
        y = int(np.clip(y, 0, height + 2 - m.shape[0]))
        x = max(0, min(x, canvas.shape[1] - m.shape[1]))
        canvas[y : y + m.shape[0], x : x + m.shape[1]] = np.maximum(
            canvas[y : y + m.shape[0], x : x + m.shape[1]], m
        )
        x += m.shape[1] + (gaps[k] if k < len(gaps) else 0)
    return crop(canvas)


def scaled(mask, longer_side):
    """A coverage mask resized so that its longer side is `longer_side` pixels."""
    factor = longer_side / max(mask.shape)
    size = (max(1, round(mask.shape[1] * factor)), max(1, round(mask.shape[0] * factor)))
    return np.asarray(Image.fromarray(mask).resize(size, Image.Resampling.LANCZOS)).clip(0, 1)


def thickness(mask, rng, px):
    """Make the strokes of a typeset mask bolder or thinner by up to `px` pixels (max / min filter)."""
    k = int(rng.integers(-px, px + 1))
    if k == 0:
        return mask
    image = Image.fromarray((255 * mask).astype("uint8"))
    image = image.filter(ImageFilter.MaxFilter(2 * k + 1) if k > 0 else ImageFilter.MinFilter(-2 * k + 1))
    out = np.asarray(image, dtype="float32") / 255
    return out if out.sum() > 0.6 * mask.sum() else mask  # never thin a light typeface into pieces


# --- presentation: how the ink reaches predict_digit ----------------------------------------------

STYLES = ("pad", "paper", "photo", "inverted", "transparent")


def on_page(mask, rng, style=None, fill=None):
    """Put ink coverage on a page: "pad" (black on white, as the drawing pad exports), "paper" (a clean
    scan), "photo" (paper tone, uneven light, noise), "inverted" (light ink on dark), "transparent"
    (an RGBA canvas export). `fill`: the share of the page's longer side the ink spans."""
    style = style or STYLES[rng.choice(len(STYLES), p=[0.35, 0.2, 0.25, 0.1, 0.1])]
    fill = fill if fill is not None else rng.uniform(0.35, 0.85)
    side = int(rng.integers(140, 320)) if style != "pad" else 280
    ink = scaled(mask, max(4, int(fill * side)))
    height, width = side, max(side, ink.shape[1] + 8) if rng.random() < 0.5 else side
    height, width = max(height, ink.shape[0] + 8), max(width, ink.shape[1] + 8)
    canvas = np.zeros((height, width), dtype="float32")
    top = (
        int(rng.integers(2, height - ink.shape[0] - 1))
        if rng.random() < 0.3
        else (height - ink.shape[0]) // 2
    )
    left = (
        int(rng.integers(2, width - ink.shape[1] - 1)) if rng.random() < 0.3 else (width - ink.shape[1]) // 2
    )
    canvas[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    if style == "transparent":
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., 3] = (255 * canvas).round()
        return rgba
    if style == "inverted":
        return (255 * (0.08 + 0.85 * canvas)).round().astype(np.uint8)
    paper, ink_level = (1.0, 0.0) if style == "pad" else (rng.uniform(0.8, 1.0), rng.uniform(0.0, 0.3))
    grey = paper * (1 - canvas) + ink_level * canvas
    if style == "photo":
        rows, cols = np.mgrid[0:height, 0:width].astype("float32")
        grey *= 1 - rng.uniform(0, 0.3) * (cols / width) - rng.uniform(0, 0.15) * (rows / height)
        grey += rng.normal(0, rng.uniform(0, 0.04), grey.shape).astype("float32")
        tint = np.array([1.0, 0.98, rng.uniform(0.88, 1.0)], dtype="float32")
        return (np.clip(grey[..., None] * tint, 0, 1) * 255).round().astype(np.uint8)
    return (np.clip(grey, 0, 1) * 255).round().astype(np.uint8)


# --- stroke templates (0..100 units, y down; capitals 60 units tall, like photo_like.STROKES) -------

LETTER_STROKES = {
    "A": [[(30, 80), (50, 20), (70, 80)], [(38, 58), (62, 58)]],
    "B": [
        [(34, 80), (34, 20), (54, 20), (64, 28), (62, 42), (50, 48), (34, 48)],
        [(50, 48), (66, 56), (66, 72), (54, 80), (34, 80)],
    ],
    "C": [[(68, 28), (56, 20), (40, 22), (31, 36), (30, 56), (36, 74), (50, 80), (66, 74)]],
    "D": [[(34, 20), (34, 80)], [(34, 20), (52, 22), (66, 36), (68, 52), (62, 70), (48, 80), (34, 80)]],
    "E": [[(66, 20), (34, 20), (34, 80), (66, 80)], [(34, 50), (58, 50)]],
    "F": [[(66, 20), (34, 20), (34, 80)], [(34, 48), (58, 48)]],
    "G": [
        [(66, 28), (52, 20), (38, 24), (30, 42), (32, 64), (44, 78), (58, 80), (68, 70), (68, 54), (52, 54)]
    ],
    "H": [[(32, 20), (32, 80)], [(68, 20), (68, 80)], [(32, 50), (68, 50)]],
    "J": [[(44, 20), (70, 20)], [(60, 20), (60, 66), (52, 78), (40, 78), (34, 68)]],
    "K": [[(34, 20), (34, 80)], [(66, 20), (34, 54)], [(44, 46), (68, 80)]],
    "L": [[(36, 20), (36, 80), (66, 80)]],
    "M": [[(28, 80), (30, 20), (50, 56), (70, 20), (72, 80)]],
    "N": [[(32, 80), (32, 20), (68, 80), (68, 20)]],
    "P": [[(34, 80), (34, 20), (54, 20), (66, 28), (66, 42), (54, 50), (34, 50)]],
    "Q": [
        [(50, 20), (36, 26), (30, 50), (36, 74), (50, 80), (64, 74), (70, 50), (64, 26), (50, 20)],
        [(54, 64), (72, 84)],
    ],
    "R": [[(34, 80), (34, 20), (54, 20), (66, 28), (66, 42), (54, 50), (34, 50)], [(50, 50), (68, 80)]],
    "T": [[(28, 20), (72, 20)], [(50, 20), (50, 80)]],
    "U": [[(32, 20), (32, 64), (40, 78), (50, 80), (60, 78), (68, 64), (68, 20)]],
    "V": [[(30, 20), (50, 80), (70, 20)]],
    "W": [[(24, 20), (36, 80), (50, 40), (64, 80), (76, 20)]],
    "X": [[(30, 20), (70, 80)], [(70, 20), (30, 80)]],
    "Y": [[(30, 20), (50, 50), (70, 20)], [(50, 50), (50, 80)]],
    "a": [[(64, 48), (54, 40), (40, 42), (32, 56), (36, 74), (50, 80), (62, 70), (64, 50), (64, 80)]],
    "b": [[(36, 20), (36, 80)], [(36, 56), (46, 42), (60, 42), (68, 56), (66, 72), (54, 80), (40, 76)]],
    "c": [[(64, 44), (54, 40), (40, 44), (34, 60), (40, 76), (54, 80), (64, 74)]],
    "d": [[(64, 20), (64, 80)], [(64, 56), (54, 42), (40, 42), (32, 56), (34, 72), (46, 80), (60, 76)]],
    "e": [[(34, 60), (64, 60), (60, 46), (48, 40), (36, 48), (34, 66), (44, 78), (58, 80), (66, 72)]],
    "f": [[(64, 24), (56, 18), (46, 22), (44, 34), (44, 80)], [(34, 46), (60, 46)]],
    "h": [[(36, 20), (36, 80)], [(36, 54), (46, 42), (58, 42), (64, 52), (64, 80)]],
    "k": [[(36, 20), (36, 80)], [(62, 42), (36, 64)], [(46, 58), (64, 80)]],
    "m": [
        [(26, 42), (26, 80)],
        [(26, 52), (34, 42), (44, 44), (48, 54), (48, 80)],
        [(48, 54), (56, 42), (66, 44), (72, 54), (72, 80)],
    ],
    "n": [[(36, 42), (36, 80)], [(36, 54), (46, 42), (58, 42), (64, 52), (64, 80)]],
    "p": [[(36, 42), (36, 96)], [(36, 54), (46, 42), (60, 42), (68, 56), (66, 72), (54, 80), (38, 76)]],
    "r": [[(40, 42), (40, 80)], [(40, 56), (50, 44), (64, 42)]],
    "t": [[(46, 24), (46, 74), (52, 80), (62, 78)], [(34, 44), (60, 44)]],
    "u": [[(36, 42), (36, 70), (44, 80), (56, 80), (64, 70)], [(64, 42), (64, 80)]],
    "v": [[(34, 42), (50, 80), (66, 42)]],
    "w": [[(26, 42), (36, 80), (50, 52), (64, 80), (74, 42)]],
    "x": [[(34, 42), (66, 80)], [(66, 42), (34, 80)]],
    "y": [[(34, 42), (50, 76)], [(66, 42), (50, 76), (42, 94), (32, 96)]],
    "h2": [[(36, 20), (36, 80)], [(36, 54), (46, 42), (58, 42), (64, 52), (64, 80)]],
}
LETTER_STROKES.pop("h2")
# Letters a reader writes the same way as a digit (O and 0, l and 1, S and 5, Z and 2, ...): never
# used to train the detector; the benchmark reports them as their own family.
LOOKALIKE_STROKES = {
    "O": [[(50, 20), (32, 28), (26, 50), (32, 72), (50, 80), (68, 72), (74, 50), (68, 28), (50, 20)]],
    "I": [[(50, 20), (50, 80)]],
    "S": [
        [(66, 28), (54, 20), (40, 22), (34, 34), (44, 46), (60, 54), (66, 68), (56, 80), (40, 80), (32, 72)]
    ],
    "Z": [[(32, 20), (68, 20), (32, 80), (68, 80)]],
    "g": [
        [(64, 48), (54, 40), (40, 42), (34, 54), (40, 64), (54, 64), (64, 50)],
        [(64, 42), (64, 86), (54, 96), (38, 92)],
    ],
    "q": [[(64, 48), (54, 40), (40, 42), (34, 54), (40, 64), (54, 64), (64, 50)], [(64, 42), (64, 98)]],
}
LOOKALIKE_TEXT = "OoIlSsZzgq|"
SYMBOL_STROKES = {
    "+": [[(50, 25), (50, 75)], [(25, 50), (75, 50)]],
    "-": [[(25, 50), (75, 50)]],
    "=": [[(28, 40), (72, 40)], [(28, 60), (72, 60)]],
    "x": [[(30, 30), (70, 70)], [(70, 30), (30, 70)]],
    "#": [[(40, 22), (36, 78)], [(62, 22), (58, 78)], [(26, 40), (74, 40)], [(24, 60), (72, 60)]],
    "?": [[(34, 34), (40, 22), (54, 18), (66, 26), (66, 40), (52, 50), (50, 64)], [(50, 78), (50, 80)]],
    "!": [[(50, 18), (50, 64)], [(50, 78), (50, 80)]],
    "*": [[(50, 22), (50, 78)], [(26, 36), (74, 64)], [(74, 36), (26, 64)]],
    "/": [[(66, 18), (34, 82)]],
    "\\": [[(34, 18), (66, 82)]],
    "<": [[(68, 24), (32, 50), (68, 76)]],
    ">": [[(32, 24), (68, 50), (32, 76)]],
    "%": [
        [(68, 20), (32, 80)],
        [(36, 22), (28, 30), (36, 38), (44, 30), (36, 22)],
        [(64, 62), (56, 70), (64, 78), (72, 70), (64, 62)],
    ],
    "&": [
        [
            (70, 80),
            (38, 40),
            (38, 26),
            (48, 20),
            (58, 26),
            (56, 38),
            (32, 58),
            (32, 72),
            (44, 80),
            (58, 76),
            (70, 60),
        ]
    ],
    "@": [
        [
            (60, 44),
            (50, 38),
            (42, 46),
            (44, 58),
            (54, 60),
            (60, 50),
            (60, 40),
            (60, 58),
            (70, 60),
            (76, 48),
            (72, 30),
            (56, 20),
            (38, 22),
            (26, 38),
            (26, 60),
            (38, 76),
            (56, 80),
            (70, 74),
        ]
    ],
    "$": [
        [(66, 30), (56, 24), (40, 24), (34, 34), (44, 46), (60, 54), (66, 66), (56, 76), (40, 76), (32, 70)],
        [(50, 16), (50, 84)],
    ],
    "~": [[(24, 54), (34, 44), (46, 48), (54, 54), (66, 56), (76, 46)]],
    "^": [[(30, 64), (50, 36), (70, 64)]],
    "(": [[(60, 16), (46, 30), (40, 50), (46, 70), (60, 84)]],
    "[": [[(60, 16), (44, 16), (44, 84), (60, 84)]],
    "{": [[(62, 16), (52, 20), (50, 44), (40, 50), (50, 56), (52, 80), (62, 84)]],
    "tick": [[(28, 52), (44, 72), (74, 26)]],
    "arrow": [[(22, 50), (78, 50)], [(60, 34), (78, 50), (60, 66)]],
    "up arrow": [[(50, 82), (50, 20)], [(34, 38), (50, 20), (66, 38)]],
    "infinity": [
        [
            (50, 50),
            (40, 40),
            (28, 40),
            (22, 50),
            (28, 60),
            (40, 60),
            (50, 50),
            (60, 40),
            (72, 40),
            (78, 50),
            (72, 60),
            (60, 60),
            (50, 50),
        ]
    ],
    "heart": [
        [
            (50, 78),
            (26, 52),
            (24, 36),
            (32, 26),
            (44, 28),
            (50, 38),
            (56, 28),
            (68, 26),
            (76, 36),
            (74, 52),
            (50, 78),
        ]
    ],
    "smiley": [
        [(50, 20), (32, 26), (22, 44), (26, 66), (42, 78), (58, 78), (74, 66), (78, 44), (68, 26), (50, 20)],
        [(40, 40), (40, 42)],
        [(60, 40), (60, 42)],
        [(36, 58), (50, 66), (64, 58)],
    ],
    "hash-like grid": [
        [(30, 20), (30, 80)],
        [(50, 20), (50, 80)],
        [(70, 20), (70, 80)],
        [(20, 35), (80, 35)],
        [(20, 65), (80, 65)],
    ],
}
SYMBOL_TEXT = "+-=×÷%&@#?!*/\\<>$€£~^()[]{}§¶©®±√∞≈≠→←↑↓★☆♥♦♣♠✓✗■□▲△●○"  # some fonts miss some


def polygon(k, rng, star=False):
    angles = np.linspace(0, 2 * np.pi, k + 1) + rng.uniform(0, 2 * np.pi)
    radius = np.where(np.arange(k + 1) % 2 == 1, 0.45, 1.0) if star else np.ones(k + 1)
    return [np.column_stack([50 + 30 * radius * np.cos(angles), 50 + 30 * radius * np.sin(angles)])]


def shape_lines(kind, rng):
    """Outlines of simple shapes (0..100 units)."""
    if kind == "square":
        return polygon(4, rng)
    if kind == "rectangle":
        w, h = rng.uniform(20, 40), rng.uniform(8, 20)
        return [[(50 - w, 50 - h), (50 + w, 50 - h), (50 + w, 50 + h), (50 - w, 50 + h), (50 - w, 50 - h)]]
    if kind == "triangle":
        return polygon(3, rng)
    if kind == "pentagon":
        return polygon(int(rng.integers(5, 8)), rng)
    if kind == "star":
        return polygon(2 * int(rng.integers(5, 7)), rng, star=True)
    if kind == "diamond":
        return [[(50, 18), (72, 50), (50, 82), (28, 50), (50, 18)]]
    if kind == "spiral":
        t = np.linspace(0, rng.uniform(3, 6) * np.pi, 80)
        r = 4 + 28 * t / t.max()
        return [np.column_stack([50 + r * np.cos(t), 50 + r * np.sin(t)])]
    if kind == "zigzag":
        n = int(rng.integers(3, 7))
        xs = np.linspace(20, 80, 2 * n + 1)
        return [np.column_stack([xs, np.where(np.arange(2 * n + 1) % 2, 35, 65)])]
    if kind == "wave":
        x = np.linspace(15, 85, 60)
        return [np.column_stack([x, 50 + 15 * np.sin(x / 70 * rng.uniform(2, 5) * np.pi)])]
    if kind == "hatching":
        n = int(rng.integers(3, 7))
        return [[(20 + 60 * k / (n - 1), 25), (20 + 60 * k / (n - 1) + 10, 75)] for k in range(n)]
    if kind == "cross-hatch":
        return shape_lines("hatching", rng) + [
            [(20, 25 + 50 * k / 3), (80, 30 + 50 * k / 3)] for k in range(4)
        ]
    if kind == "cloud":
        t = np.linspace(0, 2 * np.pi, 120)
        r = 26 + 6 * np.abs(np.sin(t * int(rng.integers(4, 8))))
        return [np.column_stack([50 + 1.2 * r * np.cos(t), 50 + 0.8 * r * np.sin(t)])]
    raise ValueError(kind)


SHAPES = (
    "square",
    "rectangle",
    "triangle",
    "pentagon",
    "star",
    "diamond",
    "spiral",
    "zigzag",
    "wave",
    "hatching",
    "cross-hatch",
    "cloud",
)
LOOKALIKE_SHAPES = ("circle", "ellipse")  # a drawn circle is a 0 to any reader


def scribble_lines(rng):
    """A random scribble: a smooth random curve, a tangle (a Lissajous figure), or a random walk."""
    kind = rng.integers(3)
    if kind == 0:
        points = rng.uniform(15, 85, (int(rng.integers(5, 14)), 2))
        return [chaikin(points, 3)]
    if kind == 1:
        t = np.linspace(0, 2 * np.pi, 200)
        a, b = rng.integers(1, 6, 2)
        return [np.column_stack([50 + 30 * np.sin(a * t + rng.uniform(0, np.pi)), 50 + 30 * np.sin(b * t)])]
    steps = rng.normal(0, 6, (int(rng.integers(20, 60)), 2)).cumsum(axis=0)
    steps = 15 + 70 * (steps - steps.min(axis=0)) / max(np.ptp(steps, axis=0).max(), 1e-6)
    return [chaikin(steps, 2)]


WORDS = [
    "cat",
    "dog",
    "hello",
    "the",
    "and",
    "yes",
    "no",
    "ok",
    "hi",
    "map",
    "sun",
    "tree",
    "word",
    "name",
    "box",
    "Hello",
    "Test",
    "ABC",
    "xyz",
    "abc",
    "digit",
    "seven",
    "four",
    "me",
    "we",
    "it",
    "NO",
    "OK",
    "HEY",
    "zero",
    "fox",
    "kiwi",
    "yarn",
    "up",
    "at",
    "on",
    "mix",
    "axe",
    "why",
    "draw",
]


# --- the generators ----------------------------------------------------------------------------------


def typed(rng, fonts_, text, stroke_px=2):
    font = fonts_[rng.integers(len(fonts_))]
    mask = text_mask(text, font, int(rng.integers(48, 120)))
    if not mask.any():
        raise ValueError(f"{Path(font).name} has no glyph for {text!r}")
    return thickness(mask, rng, stroke_px)


def drawn(rng, lines, pen=None, **jitter):
    pen = pen if pen is not None else rng.uniform(4, 12)
    return pen_mask(jittered(lines, rng, **jitter), 240, pen)


def digit_lines(digit, rng):
    """A digit's pen strokes: photo_like's template or one of a few other common ways to write it."""
    options = [photo_like.STROKES[digit]] + OTHER_DIGIT_STROKES.get(digit, [])
    return options[rng.integers(len(options))]


OTHER_DIGIT_STROKES = {
    1: [[[(50, 20), (50, 80)]], [[(40, 30), (54, 20), (54, 80)], [(42, 80), (66, 80)]]],
    2: [[[(34, 30), (46, 20), (60, 22), (66, 34), (58, 50), (34, 80), (68, 80)]]],
    3: [[[(34, 20), (64, 20), (48, 44), (62, 50), (66, 64), (56, 78), (42, 80), (32, 72)]]],
    4: [
        [[(54, 20), (30, 62), (70, 62)], [(58, 42), (58, 80)]],
        [[(36, 20), (34, 52), (66, 52)], [(64, 20), (64, 80)]],
    ],
    5: [[[(64, 20), (40, 20), (36, 44), (50, 40), (64, 48), (66, 66), (54, 80), (34, 76)]]],
    6: [[[(60, 20), (44, 34), (36, 56), (40, 74), (52, 80), (64, 72), (62, 56), (48, 52), (38, 60)]]],
    7: [[[(32, 21), (68, 21), (46, 80)]]],
    8: [
        [
            [
                (60, 26),
                (50, 20),
                (38, 26),
                (40, 40),
                (62, 60),
                (62, 74),
                (50, 80),
                (38, 74),
                (38, 60),
                (60, 40),
                (60, 26),
            ]
        ]
    ],
    9: [[[(64, 30), (54, 20), (40, 22), (36, 36), (44, 46), (58, 44), (64, 30), (62, 56), (56, 80)]]],
    0: [[[(50, 20), (38, 28), (34, 50), (38, 72), (50, 80), (62, 72), (66, 50), (62, 28), (50, 20)]]],
}


def non_digit(kind, rng, fonts_):
    """One non-digit picture of the given kind (see NON_DIGIT_KINDS) -> (picture, what it shows)."""
    if kind == "typed letter":
        text = rng.choice([c for c in string.ascii_letters if c not in LOOKALIKE_TEXT])
        mask, what = typed(rng, fonts_, text), text
    elif kind == "typed symbol":
        for _ in range(20):
            text = str(rng.choice(list(SYMBOL_TEXT)))
            try:
                mask, what = typed(rng, fonts_, text), text
                break
            except (ValueError, OSError):
                continue
    elif kind == "typed number":
        text = str(rng.integers(10, 10 ** int(rng.integers(2, 5))))
        mask, what = typed(rng, fonts_, text), text
    elif kind == "typed word":
        text = str(rng.choice(WORDS))
        mask, what = typed(rng, fonts_, text), text
    elif kind == "drawn letter":
        what = str(rng.choice(list(LETTER_STROKES)))
        mask = drawn(rng, LETTER_STROKES[what])
    elif kind == "drawn symbol":
        what = str(rng.choice(list(SYMBOL_STROKES)))
        mask = drawn(rng, SYMBOL_STROKES[what])
    elif kind == "shape":
        what = str(rng.choice(SHAPES))
        lines = shape_lines(what, rng)
        mask = drawn(rng, lines, wobble=1.0, smooth=False)
        if rng.random() < 0.25 and what not in ("zigzag", "wave", "hatching", "cross-hatch", "spiral"):
            mask = filled(mask)
            what = "filled " + what
    elif kind == "scribble":
        mask, what = drawn(rng, scribble_lines(rng), wobble=0.5, smooth=False), "scribble"
    elif kind == "dot":
        mask, what = dot(rng), "dot"
        return on_page(mask, rng, fill=rng.uniform(0.01, 0.12)), what
    elif kind == "drawn number":
        digits = rng.integers(0, 10, int(rng.integers(2, 4)))
        pen = rng.uniform(4, 12)
        mask = side_by_side([drawn(rng, digit_lines(int(d), rng), pen=pen) for d in digits], rng)
        what = "".join(map(str, digits))
    elif kind == "drawn word":
        letters = [str(rng.choice(list(LETTER_STROKES))) for _ in range(int(rng.integers(2, 5)))]
        pen = rng.uniform(4, 10)
        mask = side_by_side([drawn(rng, LETTER_STROKES[c], pen=pen) for c in letters], rng)
        what = "".join(letters)
    elif kind == "look-alike":  # reported on its own, never trained on
        choice = rng.integers(3)
        if choice == 0:
            what = str(rng.choice(list(LOOKALIKE_TEXT)))
            mask = typed(rng, fonts_, what)
        elif choice == 1:
            what = str(rng.choice(list(LOOKALIKE_STROKES)))
            mask = drawn(rng, LOOKALIKE_STROKES[what])
        else:
            what = str(rng.choice(LOOKALIKE_SHAPES))
            t = np.linspace(0, 2 * np.pi, 60)
            ry = 30 if what == "circle" else rng.uniform(12, 22)
            mask = drawn(rng, [np.column_stack([50 + 30 * np.cos(t), 50 + ry * np.sin(t)])], wobble=1.0)
    else:
        raise ValueError(kind)
    return on_page(mask, rng), what


NON_DIGIT_KINDS = (
    "typed letter",
    "typed symbol",
    "typed number",
    "typed word",
    "drawn letter",
    "drawn symbol",
    "shape",
    "scribble",
    "dot",
    "drawn number",
    "drawn word",
)


def filled(mask):
    from scipy import ndimage

    return np.maximum(mask, ndimage.binary_fill_holes(mask > 0.5).astype("float32"))


def dot(rng):
    """A dot or a small blob of ink: round, or a little irregular."""
    size = int(rng.integers(6, 30))
    rows, cols = np.mgrid[0:size, 0:size] - (size - 1) / 2
    angle = np.arctan2(rows, cols)
    radius = (
        size / 2 * (1 + rng.uniform(0, 0.25) * np.sin(int(rng.integers(2, 5)) * angle + rng.uniform(0, 6)))
    )
    return (np.hypot(rows, cols) <= radius * rng.uniform(0.7, 0.95)).astype("float32")


def typed_digit(digit, rng, fonts_):
    """A digit typeset in one of `fonts_`, on a page."""
    return on_page(typed(rng, fonts_, str(digit)), rng)


def drawn_digit(digit, rng, style="pad"):
    """A digit drawn with a round pen (the drawing pad's dark lines on white by default)."""
    mask = drawn(rng, digit_lines(digit, rng), pen=rng.uniform(6, 12), wobble=1.5)
    return on_page(mask, rng, style=style, fill=rng.uniform(0.4, 0.8))
