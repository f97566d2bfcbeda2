"""Turn a picture of one digit (a file, a PIL image, an array, a phone photo) into an MNIST-style
28 x 28 image: white ink on black, the digit's longer side 20 pixels, centred by its centre of mass.

    from mnist_tools.digits import prepare_digit, digit_views, DigitImageError

The digit may be anywhere on the picture: a small digit on a large page is found and read from a
crop around it. Ink that is not one digit is refused before any model sees it (ink_components has
the evidence): two or more separate digits or marks (a number, a word) raise MultipleDigitsError, a
lone dot or blob raises NotADigitError; both are DigitImageErrors, and reject=False reads the most
digit-like mark anyway. Section "Your own digit" of mnist_analysis.ipynb shows every step on a photo.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage
from skimage import filters, measure, morphology

# MNIST's geometry, measured on its training set (section 2 shows how the digits look):
MNIST_BOX = 20  # the digit's longer side spans exactly 20 of the 28 pixels
MNIST_CENTRE = (14, 14)  # centre of mass (row, column), as MNIST placed its digits
MNIST_STROKES = (0.10, 0.19)  # target stroke width / longer side, inside MNIST's 10th-90th percentiles
VIEW_STROKES = (MNIST_STROKES, (0.07, 0.12), (0.15, 0.24))  # predict_digit's views: as is, thinner, thicker
VIEW_SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))  # and each moved by one pixel (rows, columns)
WORK_SIDE = (256, 640)  # the longer side is brought into this range before any analysis

# Finding one digit and telling it from other ink (group_marks, ink_components); sizes are in pixels at
# the working size. The refusal thresholds were chosen on MNIST training digits kept for validation,
# load_digits and tests/photo_like.py (issue 20), never on MNIST's test set.
PIECE_AREA = 0.08  # a piece of a mark has at least this fraction of the mark's main component's ink ...
PIECE_GAP = 0.25  # ... and lies within this many times the main component's longer side of it,
PEN_GAP = 1.5  # or within this many pen widths (the dashes of a dashed pen, the dots of a dotted one)
PIECE_INK = 1 / 3  # ... and its ink is at least this fraction as strong (not a ruled line's remains)
MIN_MARK = (8, 12)  # smaller ink (longer side, pixels) is a speck: too small to be read as a digit
MAX_MARKS = 20  # marks looked at: enough to see a row of letters
CROP_BELOW = 1 / 4  # a digit smaller than this fraction of the picture's longer side is read from a crop
CROP_MARGIN = 0.5  # the crop adds this many times the digit's longer side of paper on every side
SIMILAR = (0.5, 0.2, 0.33)  # another mark with this fraction of the digit's height, ink pixels and ink
# strength (Mark.peak) may be a second digit (height, not size: an underline or a dash next to a digit
# is no second digit, and MNIST has both; strength: a faint smudge or a shadow is no digit)
PAIR_ASPECT = 1.1  # a mark this much wider than tall may be digits side by side (digits are not wide) ...
COLUMN_HEIGHT = 0.5  # ... if two of its columns of pieces span at least this fraction of its height
COLUMN_OVERLAP = 0.2  # pieces overlapping more than this fraction of the narrower one share a column
WIDE = 3.5  # one mark this many times wider than tall: a line or a joined-up word (MNIST: at most 2.5)
BORDER = (0.2, 0.05, 0.5)  # ink touching the picture's edges with less than 5 % of it inside the central
# part (20 % in from every side) and along half a side or more is background: a table, a frame
SHARP = 0.04  # ink whose steepest rise (95th percentile) is below this fraction of its peak per pixel is
# a shadow's edge (0.016-0.025 in tests/photo_like.py), not a stroke (0.24-0.33; 0.07 out of focus)
FAINT = 0.5  # a digit candidate with less than this fraction of the picture's strongest ink is suspect
DOT = 0.75  # thickest part / longer side (Mark.thickness): a dot or a blob (a disc: 1; MNIST: <= 0.55,
# load_digits, whose 8 x 8 strokes are thick: <= 0.65)
FEW_DOTS = 3  # a mark of this many dots or fewer is no digit (a colon, an umlaut); more: a dotted pen
BLOB = (0.6, 0.8, 0.75)  # one piece at least this thick (as DOT), solid (ink / convex hull) and round
# (minor / major axis) is a blob, as hand-made dots are (MNIST: thickness <= 0.55; load_digits' thick
# digits: round <= 0.61)


class DigitImageError(ValueError):
    """The input cannot be read as one digit; the message says what was wrong and what to do."""


class NotADigitError(DigitImageError):
    """The picture holds ink, but it does not look like one digit (a dot, a word, a number, ...).

    Messages read "the picture does not look like a digit (<reason>)", optionally followed by advice.
    """

    @classmethod
    def because(cls, reason, advice=None):
        """The error with the standard message for `reason` (and `advice`, after a colon)."""
        return cls(f"the picture does not look like a digit ({reason})" + (f": {advice}" if advice else ""))


class MultipleDigitsError(NotADigitError):
    """The picture seems to hold more than one digit or mark: a number, a word, digits far apart."""

    @classmethod
    def because(cls, reason, advice="crop it to one digit"):
        """As NotADigitError.because, saying that there seem to be several marks and to crop to one."""
        return super().because(f"it seems to hold more than one digit or mark: {reason}", advice)


@dataclass(frozen=True, eq=False)
class Mark:
    """One mark on the picture: an ink component plus the nearby pieces that belong to it."""

    box: tuple  # (top, left, bottom, right) in pixels of the analysed picture, bottom and right excluded
    area: int  # ink pixels
    pieces: tuple  # labels of the connected components it is made of
    edges: int  # how many of the picture's edges it touches (a frame, a table, a cut-off neighbour)
    peak: float  # its strongest ink (ink_signal; 1 if not measured): how dark the pen is
    piece_boxes: np.ndarray  # (top, left, bottom, right) of each piece
    piece_pens: np.ndarray  # each piece's pen width: the diameter of the largest disc inside it (pen_width)

    @property
    def height(self):
        """Height of the mark's box, in pixels."""
        return self.box[2] - self.box[0]

    @property
    def width(self):
        """Width of the mark's box, in pixels."""
        return self.box[3] - self.box[1]

    @property
    def side(self):
        """The longer side of the mark's box, in pixels."""
        return max(self.height, self.width)

    @property
    def thickness(self):
        """The mark's thickest part / its longer side: about 1 for a dot or a blob, 0.1-0.5 for digits."""
        return float(self.piece_pens.max()) / self.side

    @property
    def dots(self):
        """How many of its pieces are dots or blobs: as thick as they are long (DOT), not pen strokes."""
        sides = (self.piece_boxes[:, 2:] - self.piece_boxes[:, :2]).max(axis=1)
        return int((self.piece_pens >= DOT * sides).sum())

    @property
    def is_dots(self):
        """True if the mark is only a few dots or blobs (FEW_DOTS): no digit, not even a dotted one."""
        return self.dots == len(self.pieces) <= FEW_DOTS


def open_image(path, draft=True):
    """Path -> a fully decoded PIL image, or a DigitImageError that says what is wrong with the file.

    draft=True lets a big JPEG decode at 1/2..1/8 of its size (fast); draft=False decodes every pixel.
    """
    path = Path(path).expanduser()
    shown = path.as_posix()
    if path.is_dir():
        raise DigitImageError(f"{shown} is a folder, not an image file: pass the path of one image in it")
    if not path.exists():
        raise DigitImageError(f"no file at {shown}: check the file name and the folder "
                              f"(a relative path starts in the notebook's folder)")
    try:
        picture = Image.open(path)
    except UnidentifiedImageError:
        raise DigitImageError(f"{shown} is not an image file Pillow can read: use a PNG, JPEG, WebP, "
                              f"BMP, GIF or TIFF picture") from None
    except Image.DecompressionBombError:
        raise DigitImageError(f"{shown} has too many pixels to be a photo (Pillow refuses it as a "
                              f"possible attack): scale it down first") from None
    except OSError as err:
        raise DigitImageError(f"{shown} cannot be opened ({err.strerror or err}): "
                              f"check that you may read it") from None
    try:
        if draft:  # JPEG only: decode big photos at 1/2..1/8 size
            picture.draft("RGB", (WORK_SIDE[1], WORK_SIDE[1]))
        picture.load()
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        raise DigitImageError(f"{shown} is damaged or incomplete ({err}): "
                              f"save or download the picture again") from None
    return picture


def upright(picture):
    """PIL image of any mode -> a PIL image in mode L, LA, RGB, RGBA, I or F, turned upright."""
    try:  # phones store photos sideways, plus an orientation tag that says how to turn them
        if picture.getexif().get(0x0112, 1) != 1:
            picture = ImageOps.exif_transpose(picture)
    except (OSError, ValueError, SyntaxError, struct.error):
        pass  # an unreadable orientation tag: keep the picture as stored
    if picture.mode == "P":  # palette: one transparent colour becomes an alpha channel
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    elif picture.mode in ("1", "I;16", "I;16B", "I;16L", "I;16N"):
        picture = picture.convert("L" if picture.mode == "1" else "I")  # 16-bit stays 16-bit, in mode I
    elif picture.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")  # CMYK, YCbCr, ...
    return picture


def reduced_array(picture):
    """Upright PIL image -> NumPy array, a big photo averaged over whole blocks first (fast, in Pillow)."""
    if max(picture.size) > 2 * WORK_SIDE[1]:
        picture = picture.reduce(max(picture.size) // WORK_SIDE[1])
    return np.asarray(picture)


def image_to_array(picture):
    """PIL image of any mode -> NumPy array: (H, W) or (H, W, 3/4), upright, in the image's own range."""
    return reduced_array(upright(picture))


def as_array(image):
    """Array-like input (NumPy array, np.matrix, nested lists) -> a NumPy array, or a DigitImageError."""
    if isinstance(image, np.matrix):
        image = image.A  # np.matrix stays 2-D under every operation; a plain array behaves normally
    try:
        array = np.asarray(image)
    except (ValueError, TypeError):
        raise DigitImageError("nested lists of different lengths: every row needs the same number "
                              "of pixels") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        what = f"an array of {array.dtype}" if isinstance(image, np.ndarray) else type(image).__name__
        raise DigitImageError(f"expected an image: a path, a PIL image or an array of numbers, got {what}")
    if np.iscomplexobj(array):
        raise DigitImageError("complex numbers are not pixel values: pass a real-valued array")
    return array


def to_unit_range(array):
    """Numbers in the array's own convention -> float32 in [0, 1], by data type and bit depth."""
    if array.dtype == bool:
        return array.astype("float32")
    values = array.astype("float32")
    if not np.isfinite(values).all():
        nan, inf = int(np.isnan(values).sum()), int(np.isinf(values).sum())
        raise DigitImageError(f"the image has {nan} NaN and {inf} infinite pixel value(s): "
                              f"replace them (e.g. np.nan_to_num) before predicting")
    low, high = float(values.min()), float(values.max())
    if np.issubdtype(array.dtype, np.integer) and low >= 0:
        # 8-bit data -> /255; 10-, 12-, 14- or 16-bit data (e.g. 12 bits in a 16-bit file) -> its maximum
        bits = next((b for b in (8, 10, 12, 14, 16, 32) if high <= 2 ** b - 1), 32)
        return values / (2 ** bits - 1)
    if low >= 0 and high <= 1:
        return values  # floats already in [0, 1]
    if low >= 0 and high <= 255:
        return values / 255  # floats in 0..255, as MNIST's raw pixels
    return (values - low) / max(high - low, 1e-12)  # any other range: stretch it


def to_lightness(array):
    """(H, W) or (H, W, 1/2/3/4) array -> 2-D float32 lightness in [0, 1] (1 = white), no transparency.

    The channels are grey, grey + alpha, RGB or RGBA, as in Pillow's modes L, LA, RGB and RGBA.
    """
    if array.size == 0:
        raise DigitImageError(f"the image is empty (shape {array.shape}): there are no pixels")
    if array.ndim == 2:
        return to_unit_range(array)
    if array.ndim == 3 and array.shape[2] <= 4:
        pixels = to_unit_range(array)
        colour = pixels[..., :3] if array.shape[2] >= 3 else pixels[..., :1]
        grey = colour @ np.array([0.299, 0.587, 0.114], "float32") if colour.shape[2] == 3 \
            else colour[..., 0]  # ITU-R 601 luma, as Pillow's convert("L")
        return composite(grey, pixels[..., -1]) if array.shape[2] in (2, 4) else grey
    hint = " (a flattened 28 x 28 digit? use .reshape(28, 28))" if array.shape == (784,) else ""
    hint = hint or (" (a batch? pass one image, e.g. images[0])" if array.ndim >= 3 else "")
    raise DigitImageError(f"expected a 2-D greyscale image (height, width) or a colour image (height, "
                          f"width, 1 to 4 channels), got an array of shape {array.shape}{hint}")


def composite(grey, alpha):
    """Flatten a transparent picture onto a backdrop that contrasts with its opaque strokes.

    A drawing app exports dark strokes on a fully transparent background whose hidden colour is often
    black too; dropping alpha would leave a black page. The strokes' own colour decides the backdrop.
    """
    if alpha.max() < 0.05:
        raise DigitImageError("the image is blank: every pixel is fully transparent")
    if alpha.min() > 0.95:
        return grey  # opaque: nothing to composite
    backdrop = 1.0 if np.average(grey, weights=alpha) < 0.5 else 0.0
    return grey * alpha + backdrop * (1 - alpha)


def to_working_size(pixels):
    """Bring the longer side into WORK_SIDE: average blocks of big photos, smoothly enlarge tiny images.

    Large photos are reduced early (speed); tiny images such as 8 x 8 scans are enlarged before
    thresholding, so their strokes get smooth sub-pixel outlines instead of square blocks.
    """
    if min(pixels.shape) < 5:
        raise DigitImageError(f"the image is too small ({pixels.shape[0]} x {pixels.shape[1]} pixels): "
                              f"a digit needs at least 5 x 5")
    side = max(pixels.shape)
    scale = np.clip(side, *WORK_SIDE) / side
    if scale == 1:
        return pixels
    size = (max(1, round(pixels.shape[1] * scale)), max(1, round(pixels.shape[0] * scale)))
    resample = Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.BOX
    return np.asarray(Image.fromarray(pixels.astype("float32")).resize(size, resample)).clip(0, 1)


def pixel_box(box, shape):
    """(top, left, bottom, right) as fractions of a picture -> whole pixels of a (height, width) picture."""
    top, left, bottom, right = box
    height, width = shape
    return (int(top * height), int(left * width), int(np.ceil(bottom * height)), int(np.ceil(right * width)))


def read_picture(image):
    """Path, PIL image or array-like -> (pixels, fetch).

    pixels: 2-D float32 lightness in [0, 1], big photos already reduced, for finding the digit.
    fetch(box): the lightness of one part of the picture at the input's full resolution, for reading a
    small digit; box = (top, left, bottom, right) as fractions of the picture's height and width.
    """
    path = image if isinstance(image, (str, os.PathLike)) else None
    if path is not None:
        image = open_image(path)
    if isinstance(image, Image.Image):
        picture = upright(image)
        drafted = path is not None and image.format in ("JPEG", "MPO")  # decoded at a reduced size

        def fetch(box):
            full = upright(open_image(path, draft=False)) if drafted else picture
            top, left, bottom, right = pixel_box(box, full.size[::-1])
            return to_lightness(reduced_array(full.crop((left, top, right, bottom))))

        return to_lightness(reduced_array(picture)), fetch
    array = as_array(image)
    picture_like = array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))
    if array.dtype == np.uint8 and picture_like and max(array.shape[:2]) > 2 * WORK_SIDE[1]:
        def fetch(box):  # a big 8-bit photo: reduced in Pillow (fast); a part of it read from the array
            top, left, bottom, right = pixel_box(box, array.shape[:2])
            return to_lightness(array[top:bottom, left:right])

        return to_lightness(image_to_array(Image.fromarray(array))), fetch
    pixels = to_lightness(array)

    def fetch(box):
        top, left, bottom, right = pixel_box(box, pixels.shape)
        return pixels[top:bottom, left:right]

    return pixels, fetch


def read_pixels(image):
    """Path, PIL image or array-like -> 2-D float32 lightness in [0, 1] (big photos already reduced)."""
    return read_picture(image)[0]


def paper_window(pixels):
    """Size of the windows the paper's level is estimated over, as a fraction of the longer side.

    A tiny image (a scan such as MNIST's or load_digits') is all digit, with strokes thick relative
    to the frame: wide windows. In a photo the digit is smaller and shadows must be followed: narrow.
    """
    return 1 / 2 if max(pixels.shape) < WORK_SIDE[0] else 1 / 6


def paper_is_light(smooth, step):
    """True if the paper is the light class of Otsu's split of step x step block means, after removing
    slow lighting changes: the paper is the majority, so the ink is the other side. Block means see
    every stroke, even a small digit's on a large page."""
    rows, cols = (np.array(smooth.shape) // step) * step
    blocks = smooth[:rows, :cols].reshape(rows // step, step, cols // step, step).mean(axis=(1, 3))
    detail = blocks - ndimage.gaussian_filter(blocks, max(blocks.shape) / 8, mode="nearest")
    return bool(np.median(detail) > filters.threshold_otsu(detail))


def ink_signal(pixels, window, follow_lighting=False):
    """Lightness -> how strongly each pixel is ink (>= 0, paper = 0), and the noise level.

    Polarity comes from the background (paper_is_light): the ink is darker for a pen on paper, lighter
    for chalk or for MNIST itself. The paper's level is then estimated locally, over windows `window`
    times the image's longer side, which flattens lighting gradients and shadows. follow_lighting=True
    follows them more closely, for finding a small digit on a large, unevenly lit page (a big digit's
    thick strokes would lose ink).
    """
    sigma = max(pixels.shape) / 640  # light smoothing: sensor noise and JPEG artefacts
    smooth = ndimage.gaussian_filter(pixels, sigma) if sigma >= 0.5 else pixels
    step = max(1, max(pixels.shape) // 32)  # lighting varies slowly: a coarse grid is enough
    coarse = smooth[step // 2::step, step // 2::step]
    ink_is_dark = paper_is_light(smooth, step)
    # local paper level: a high (for dark ink) or low percentile ignores ink covering up to 90 % of a window
    size = max(3, round(window * max(coarse.shape)))
    paper = ndimage.percentile_filter(coarse, 90 if ink_is_dark else 10, mode="nearest", size=size)
    if follow_lighting:  # the opposite percentile removes the bias the first adds where the lighting
        # changes (read as faint ink all over a lighting gradient and along a shadow's edge)
        paper = ndimage.percentile_filter(paper, 10 if ink_is_dark else 90, mode="nearest", size=size)
    paper = ndimage.gaussian_filter(paper, max(coarse.shape) / 32, mode="nearest")
    paper = Image.fromarray(paper.astype("float32")).resize(pixels.shape[::-1], Image.Resampling.BILINEAR)
    paper = np.asarray(paper)
    ink = np.clip(paper - smooth if ink_is_dark else smooth - paper, 0, None)
    neighbours = np.abs(np.diff(pixels, axis=1))  # noise: typical difference of neighbouring pixels
    noise = 1.4826 * float(np.median(neighbours)) / np.sqrt(2)
    return ink, noise


def ink_mask(ink, noise):
    """Ink signal -> binary mask, thresholded by Otsu's method above the noise floor."""
    floor = max(4 * noise, 0.05 * ink.max())
    if ink.max() <= floor:
        return np.zeros(ink.shape, dtype=bool)
    return ink > max(filters.threshold_otsu(ink), floor)


def drop_ruled_lines(mask):
    """Remove thin straight lines that run across (almost) the whole image: ruled paper, margins.

    A line is a run of ink over 90 % of the image whose neighbours on both sides are paper, so a
    digit's thick strokes, which may also span a tightly cropped image, stay.
    """
    lines = np.zeros_like(mask)
    for axis in (0, 1):  # vertical lines, then horizontal ones
        length = int(0.9 * mask.shape[axis])
        run = ndimage.uniform_filter1d(mask.astype("float32"), length, axis=axis) > 0.999
        run = ndimage.uniform_filter1d(run.astype("float32"), length, axis=axis) > 0
        beside = np.roll(mask, 4, axis=1 - axis) & np.roll(mask, -4, axis=1 - axis)  # ink on both sides
        lines |= run & ~ndimage.binary_dilation(beside & run, iterations=4)
    return mask & ~lines


def component_table(mask):
    """Binary mask -> (labels, boxes, areas) of its 8-connected ink components 1..n.

    boxes[i] = (top, left, bottom, right) of component i + 1 (bottom and right excluded), areas[i] its
    number of pixels.
    """
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    boxes = np.array([(rows.start, cols.start, rows.stop, cols.stop)
                      for rows, cols in ndimage.find_objects(labels)], dtype=int).reshape(-1, 4)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    return labels, boxes, areas


def box_gaps(box, boxes):
    """Gap in pixels between one box and each of `boxes` (0 where they overlap or touch)."""
    return np.maximum.reduce([box[0] - boxes[:, 2], boxes[:, 0] - box[2], box[1] - boxes[:, 3],
                              boxes[:, 1] - box[3], np.zeros(len(boxes), int)])


def placement_scores(boxes, areas, shape):
    """Big and central wins; marks at the picture's edges (a table, a frame) lose. Also the edges touched."""
    height, width = shape
    top, left, bottom, right = boxes.T
    edges = (top == 0).astype(int) + (left == 0) + (bottom == height) + (right == width)
    off_centre = np.hypot((top + bottom) / height - 1, (left + right) / width - 1) / np.sqrt(2)
    return areas * (1 - 0.6 * off_centre) * 0.3 ** edges, edges


def pen_width(component):
    """Diameter in pixels of the largest disc inside a binary component: about its pen's width."""
    return 2 * float(ndimage.distance_transform_edt(np.pad(component, 1)).max())


def pen_widths(labels, boxes, pieces):
    """pen_width of each of the components `pieces` (indices into boxes; labels are indices + 1)."""
    return np.array([pen_width(labels[top:bottom, left:right] == piece + 1)
                     for piece, (top, left, bottom, right) in zip(pieces, boxes[pieces])])


def gather_pieces(seed, labels, boxes, areas, peaks, free, left_out):
    """The seed component plus the sizeable pieces near it (a broken stroke, a 5's separate bar, the
    dashes of a dashed pen), gathered until no more are in reach. -> (indices, box of them all).

    peaks: each component's strongest ink (a piece is about as dark as the seed: PIECE_INK);
    free: which components may join (not in another mark, not touching the picture's edges);
    left_out: component index -> True for a component that never joins (a shadow's edge).
    """
    keep, box = [seed], boxes[seed].copy()
    reach = max(PIECE_GAP * max(box[2:] - box[:2]), PEN_GAP * pen_widths(labels, boxes, [seed])[0])
    candidates = free & (areas >= PIECE_AREA * areas[seed]) & (peaks >= PIECE_INK * peaks[seed])
    candidates[seed] = False
    while (near := np.flatnonzero(candidates & (box_gaps(box, boxes) <= reach))).size:
        candidates[near] = False
        near = [piece for piece in near if not left_out(piece)]
        keep += near
        if near:
            box = np.concatenate([np.minimum(box[:2], boxes[near, :2].min(axis=0)),
                                  np.maximum(box[2:], boxes[near, 2:].max(axis=0))])
    return keep, box


def shadow_edges(ink, labels, boxes, peaks, blur):
    """-> a function: component index -> True if its ink rises only gradually, over many pixels.

    Such ink is the edge of a shadow that the paper estimate (ink_signal) did not follow, not a stroke:
    a pen's edges are sharp (SHARP, per pixel of the original picture: `blur` working pixels, more than
    one if it was enlarged). Answers are computed when asked for, once per component.
    """
    answers = {}

    def is_shadow_edge(index):
        if index not in answers:
            top, left, bottom, right = np.maximum(boxes[index] + (-1, -1, 1, 1), 0)  # 1 pixel around it
            inside = labels[top:bottom, left:right] == index + 1
            steepest = np.percentile(np.hypot(*np.gradient(ink[top:bottom, left:right]))[inside], 95)
            answers[index] = steepest * blur < SHARP * peaks[index]  # the 95th percentile: robust to noise
        return answers[index]

    return is_shadow_edge


def backgrounds(labels, boxes, areas, edges):
    """Which components are background: they touch the picture's edges, run along them (BORDER[2]) and
    keep to the border (less than BORDER[1] of their ink in the central part): a table around the
    sheet, a frame, a dark corner."""
    height, width = labels.shape
    rows, cols = round(BORDER[0] * height), round(BORDER[0] * width)
    central = np.bincount(labels[rows:height - rows, cols:width - cols].ravel(), minlength=len(areas) + 1)
    spans = (boxes[:, 2:] - boxes[:, :2]) / (height, width)
    return (edges > 0) & (spans.max(axis=1) >= BORDER[2]) & (central[1:] < BORDER[1] * areas)


def group_marks(mask, ink=None, blur=1.0):
    """Binary ink mask -> (labels, marks): each mark is a component plus the pieces that belong to it.

    The first mark is the digit candidate (the best placed: big and central); the others follow in
    order of placement, down to specks, which stay out (too small to be a digit or a piece of one).
    With the ink signal `ink` (and `blur`, see shadow_edges), the placement weighs the ink's strength
    too (a faint smudge loses), and backgrounds and shadows' edges are left out.
    """
    labels, boxes, areas = component_table(mask)
    scores, edges = placement_scores(boxes, areas, mask.shape)
    peaks, left_out = np.ones(len(areas)), (lambda index: False)
    if ink is not None:
        peaks = ndimage.maximum(ink, labels, np.arange(1, len(areas) + 1)).reshape(-1)
        scores = scores * peaks
        shadow = shadow_edges(ink, labels, boxes, peaks, blur)
        behind = backgrounds(labels, boxes, areas, edges)
        left_out = lambda index: behind[index] or shadow(index)  # noqa: E731 - one line, used twice
    free, marks = np.ones(len(areas), bool), []
    for seed in np.argsort(-scores, kind="stable"):
        sizeable = max(boxes[seed, 2:] - boxes[seed, :2]) >= MIN_MARK[0] and areas[seed] >= MIN_MARK[1]
        if not free[seed] or (marks and not (sizeable and areas[seed] >= PIECE_AREA * marks[0].area)):
            continue
        if left_out(seed):
            free[seed] = False
            continue
        if len(marks) == MAX_MARKS:
            break
        pieces, box = gather_pieces(seed, labels, boxes, areas, peaks, free & (edges == 0), left_out)
        free[pieces] = False
        marks.append(Mark(tuple(int(b) for b in box), int(areas[pieces].sum()),
                          tuple(int(piece) + 1 for piece in pieces), int(edges[pieces].max()),
                          float(peaks[pieces].max()), boxes[pieces], pen_widths(labels, boxes, pieces)))
    return labels, marks


def select_digit(mask):
    """Keep the digit: the largest central mark plus sizeable pieces near it; drop specks and frames."""
    labels, marks = group_marks(mask)
    return np.isin(labels, marks[0].pieces) if marks else None


def stroke_width(mask):
    """Mean stroke width in pixels: ink area / length of the strokes' centre lines."""
    return mask.sum() / max(morphology.skeletonize(mask).sum(), 1)


def normalise_strokes(digit, strokes=MNIST_STROKES):
    """Bring the stroke width into MNIST's range: thicken thin pen strokes, thin out marker strokes.

    Widths are relative to the digit's longer side, which becomes 20 pixels later on; digits whose
    strokes are already within MNIST's range are left alone.
    """
    rows, cols = np.nonzero(digit)
    side = max(np.ptp(rows), np.ptp(cols)) + 1
    width = stroke_width(digit)
    target = np.clip(width / side, *strokes) * side
    # growing each stroke edge by r changes the width by 2r and the side by 2r
    radius = (target - width) / (2 - 2 * target / side)
    padded = np.pad(digit, int(abs(radius)) + 2)
    if radius > 0.5:
        return ndimage.distance_transform_edt(~padded) <= radius
    if radius < -0.5:  # thin out, but never so far that a stroke breaks into pieces
        pieces = measure.label(padded).max()
        for depth in (-radius, -radius / 2, -radius / 4):
            thinned = ndimage.distance_transform_edt(padded) > depth
            if thinned.any() and measure.label(thinned).max() <= pieces:
                return thinned
    return padded


def fit_mnist_box(digit):
    """Binary digit -> 28 x 28 float image laid out like MNIST.

    As MNIST did: the longer side is resampled to 20 pixels (area averaging, which gives the grey,
    anti-aliased edges), then the digit is shifted by whole pixels so its centre of mass is at (14, 14).
    """
    rows, cols = np.nonzero(digit)
    crop = digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1].astype("float32")
    scale = MNIST_BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    boxed = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BOX)).clip(0, 1)
    centre = np.array(ndimage.center_of_mass(boxed))
    top, left = np.round(np.array(MNIST_CENTRE) - centre).astype(int)
    top = int(np.clip(top, 0, 28 - boxed.shape[0]))  # never push part of the digit out of the frame
    left = int(np.clip(left, 0, 28 - boxed.shape[1]))
    canvas = np.zeros((28, 28), dtype="float32")
    canvas[top:top + boxed.shape[0], left:left + boxed.shape[1]] = boxed
    return canvas


def ink_and_mask(pixels, follow_lighting=False):
    """Lightness -> (ink signal, binary ink mask) at the working size, ruled lines removed."""
    ink, noise = ink_signal(to_working_size(pixels), paper_window(pixels), follow_lighting)
    return ink, drop_ruled_lines(ink_mask(ink, noise))


def column_boxes(mark):
    """The mark's pieces joined into side-by-side columns: pieces whose column ranges overlap by more
    than COLUMN_OVERLAP of the narrower one join. -> boxes (top, left, bottom, right), left to right."""
    merged = []
    for top, left, bottom, right in sorted(mark.piece_boxes.tolist(), key=lambda b: b[1]):
        if merged:
            last = merged[-1]
            shared = min(last[3], right) - max(last[1], left)
            if shared > COLUMN_OVERLAP * min(last[3] - last[1], right - left):
                merged[-1] = [min(last[0], top), min(last[1], left),
                              max(last[2], bottom), max(last[3], right)]
                continue
        merged.append([top, left, bottom, right])
    return merged


def side_by_side(mark):
    """How many columns of the mark are tall and inky enough to be digits of their own, when the mark is
    wider than a digit (PAIR_ASPECT); 1 otherwise (a digit's own pieces sit above and across each other)."""
    if mark.width < PAIR_ASPECT * mark.height:
        return 1
    tall = [box for box in column_boxes(mark) if box[2] - box[0] >= COLUMN_HEIGHT * mark.height]
    return max(1, len(tall))


def separate_marks(marks):
    """Evidence of more digits beside the candidate marks[0]: other marks of similar height, ink and
    strength (SIMILAR), inside the picture and not dots. -> a reason, or None."""
    main = marks[0]
    similar = [m for m in marks[1:] if not m.edges and not m.is_dots and m.height >= SIMILAR[0] * main.height
               and m.area >= SIMILAR[1] * main.area and m.peak >= SIMILAR[2] * main.peak]
    return f"{len(similar) + 1} separate marks of similar size" if similar else None


def is_blob(mark, digit):
    """True for one round blob of ink (BLOB): thick for its size, solid and round; a digit's strokes
    are thinner, and a thick short bar (load_digits' 1) is long, not round."""
    if len(mark.pieces) > 1 or mark.thickness < BLOB[0]:
        return False
    shape = measure.regionprops(digit.astype(np.uint8))[0]
    return shape.solidity >= BLOB[1] and shape.axis_minor_length >= BLOB[2] * shape.axis_major_length


def shape_refusal(main, digit):
    """Evidence in the candidate mark's own shape (digit: its mask) -> (True if several marks, reason),
    or None."""
    if side_by_side(main) >= 2:
        return True, f"{side_by_side(main)} marks of similar height side by side"
    if main.width > WIDE * main.height:
        return False, f"one mark {main.width / main.height:.1f} times wider than tall, like a line or a word"
    if main.is_dots and main.dots > 1:
        return False, f"the only marks are {main.dots} dots or blobs, not pen strokes"
    if main.is_dots or is_blob(main, digit):
        return False, "the only mark is a dot or a blob, not pen strokes"
    return None


@dataclass(frozen=True, eq=False)
class InkComponents:
    """The ink on a picture, as find_digit sees it: the evidence for "one digit" or for a refusal.

    shape: (height, width) of the analysed picture at the working size: the whole picture, or the crop
        around a small digit (`crop`), in which `marks` and `digit` are measured.
    marks: the marks larger than a speck (see Mark), the digit candidate first; at most MAX_MARKS.
    ignored: how many other ink components were left out (specks, shadows' edges, backgrounds).
    digit: binary mask of the digit candidate's strokes (marks[0]), `shape` pixels.
    crop: (top, left, bottom, right) of the part of the picture analysed, as fractions; None: all of it.
    strongest: the strongest ink in the analysed picture (ink_signal; 1 = black on white).
    several: True if the ink seems to be more than one digit or mark (a number, a word).
    reason: why the ink does not look like one digit, or None if it does.
    """

    shape: tuple
    marks: tuple
    ignored: int
    digit: np.ndarray
    crop: tuple | None
    strongest: float
    several: bool
    reason: str | None

    @property
    def thickness(self):
        """The digit candidate's thickest part / its longer side (see Mark.thickness)."""
        return self.marks[0].thickness

    @property
    def columns(self):
        """How many side-by-side columns of similar height the digit candidate has (1 for a digit)."""
        return side_by_side(self.marks[0])

    def error(self):
        """The NotADigitError (MultipleDigitsError for several marks) to raise, or None for one digit."""
        if self.reason is None:
            return None
        return (MultipleDigitsError if self.several else NotADigitError).because(self.reason)


def analyse(pixels, crop=None, follow_lighting=False):
    """Lightness (a picture or a crop of it) -> InkComponents, or a DigitImageError if there is no ink."""
    ink, mask = ink_and_mask(pixels, follow_lighting)
    labels, marks = group_marks(mask, ink, blur=max(1, max(mask.shape) / max(pixels.shape)))
    marks.sort(key=lambda mark: mark.is_dots)  # a digit, if any, before dots and blobs (stable: in order)
    if not marks or marks[0].side < MIN_MARK[0] or marks[0].area < MIN_MARK[1]:
        raise DigitImageError("the image is blank: nothing stands out from the background; check that "
                              "the digit is in the picture, large and dark enough")
    digit = np.isin(labels, marks[0].pieces)
    separate = separate_marks(marks)
    verdict = (True, separate) if separate else shape_refusal(marks[0], digit) or (False, None)
    ignored = int(labels.max()) - sum(len(mark.pieces) for mark in marks)
    return InkComponents(mask.shape, tuple(marks), ignored, digit, crop, float(ink.max()), *verdict)


def crop_box(mark, shape):
    """A generous box around a small mark, as fractions (top, left, bottom, right) of the picture."""
    margin = CROP_MARGIN * mark.side
    top, left, bottom, right = mark.box
    return (max(0, (top - margin) / shape[0]), max(0, (left - margin) / shape[1]),
            min(1, (bottom + margin) / shape[0]), min(1, (right + margin) / shape[1]))


def is_small(found):
    """True if the digit candidate is small for the analysed picture (CROP_BELOW)."""
    return found.marks[0].side < CROP_BELOW * max(found.shape)


def plausible(found):
    """True if the digit candidate is inside the picture (touches no edge) and holds strong ink: at
    least FAINT of the strongest ink in the picture (else that ink was left out, with a shadow)."""
    return not found.marks[0].edges and found.marks[0].peak >= FAINT * found.strongest


def whole_picture(pixels):
    """Analyse the whole picture. If nothing stands out, or the digit candidate is not plausible (a
    tightly cropped digit; or a shadow, a table or ruled lines took its place), look again following
    uneven lighting more closely (ink_signal), for a small digit on a large page."""
    try:
        found = analyse(pixels)
    except DigitImageError:
        return analyse(pixels, follow_lighting=True)  # still blank: the error says so
    if plausible(found) or max(pixels.shape) < WORK_SIDE[0]:  # or a tiny scan, evenly lit
        return found
    try:
        again = analyse(pixels, follow_lighting=True)
    except DigitImageError:
        return found
    return again if plausible(again) and is_small(again) else found


def ink_components(image):
    """Any picture -> InkComponents: the number, size, layout and shape of its ink marks.

    The whole picture is analysed first (whole_picture). If its digit candidate is small for the
    picture (a digit in a corner of a page) and no similar marks lie beside it, that part is read again
    at the input's full resolution and analysed alone: its shape is judged there. Raises
    DigitImageError for pictures that cannot be read or hold no ink (blank).
    """
    pixels, fetch = read_picture(image)
    if np.ptp(pixels) < 1e-6:
        raise DigitImageError("the image is blank: every pixel has the same value; there is no digit to read")
    found = whole_picture(pixels)
    photo = max(pixels.shape) >= WORK_SIDE[0]  # a tiny scan has no finer pixels to crop from
    if photo and is_small(found) and not separate_marks(found.marks):
        box = crop_box(found.marks[0], found.shape)
        found = analyse(fetch(box), crop=box)
    return found


def find_digit(image, reject=True):
    """Any picture of one digit -> a binary mask of the digit's strokes, at the working size.

    A small digit on a large page is found and read from a crop around it (the mask is then that
    crop's). With reject=True, ink that is not one digit is refused: MultipleDigitsError for two or
    more separate digits or marks (a number, a word), NotADigitError for a dot, a blob or a long line.
    reject=False returns the most digit-like mark anyway (the best placed: big and central).
    """
    found = ink_components(image)
    error = found.error()
    if reject and error is not None:
        raise error
    return found.digit


def prepare_digit(image, reject=True):
    """Any picture of one digit -> a 28 x 28 float32 image in [0, 1], white ink on black, like MNIST.

    `image`: a file path (str or Path), a PIL image, or array-like pixels (2-D, or H x W x 1/3/4).
    Raises DigitImageError, with what to do, for anything that cannot be read as one digit; with
    reject=False, only for pictures without a readable mark (see find_digit).
    """
    return fit_mnist_box(normalise_strokes(find_digit(image, reject)))


def digit_views(image, reject=True):
    """The prepared digit and 14 variants of it, (15, 28, 28): strokes as prepared, thinner and
    thicker (VIEW_STROKES), each also moved by one pixel up, down, left and right. views[0] is
    prepare_digit(image, reject)."""
    digit = find_digit(image, reject)
    views = []
    for strokes in VIEW_STROKES:
        boxed = fit_mnist_box(normalise_strokes(digit, strokes))
        views += [ndimage.shift(boxed, shift, order=0, mode="constant") for shift in VIEW_SHIFTS]
    return np.stack(views)
