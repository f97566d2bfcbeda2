"""Turn a picture of one digit (a file, a PIL image, an array, a phone photo) into an MNIST-style
28 x 28 image: white ink on black, the digit's longer side 20 pixels, centred by its centre of mass.

    from mnist_tools.digits import prepare_digit, digit_views, DigitImageError

Section "Your own digit" of mnist_analysis.ipynb shows every step on a photo.
"""

from __future__ import annotations

import os
import struct
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


class DigitImageError(ValueError):
    """The input cannot be read as one digit; the message says what was wrong and what to do."""


def open_image(path):
    """Path -> a fully decoded PIL image, or a DigitImageError that says what is wrong with the file."""
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
        picture.draft("RGB", (WORK_SIDE[1], WORK_SIDE[1]))  # JPEG only: decode big photos at 1/2..1/8 size
        picture.load()
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        raise DigitImageError(f"{shown} is damaged or incomplete ({err}): "
                              f"save or download the picture again") from None
    return picture


def image_to_array(picture):
    """PIL image of any mode -> NumPy array: (H, W) or (H, W, 3/4), upright, in the image's own range."""
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
    if max(picture.size) > 2 * WORK_SIDE[1]:  # a big photo: average whole blocks now (fast, in Pillow)
        picture = picture.reduce(max(picture.size) // WORK_SIDE[1])
    return np.asarray(picture)


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


def read_pixels(image):
    """Path, PIL image or array-like -> 2-D float32 lightness in [0, 1] (big photos already reduced)."""
    if isinstance(image, (str, os.PathLike)):
        image = open_image(image)
    array = image_to_array(image) if isinstance(image, Image.Image) else as_array(image)
    picture_like = array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))
    if array.dtype == np.uint8 and picture_like and max(array.shape[:2]) > 2 * WORK_SIDE[1]:
        array = image_to_array(Image.fromarray(array))  # a big 8-bit photo: reduce it in Pillow, fast
    return to_lightness(array)


def paper_window(pixels):
    """Size of the windows the paper's level is estimated over, as a fraction of the longer side.

    A tiny image (a scan such as MNIST's or load_digits') is all digit, with strokes thick relative
    to the frame: wide windows. In a photo the digit is smaller and shadows must be followed: narrow.
    """
    return 1 / 2 if max(pixels.shape) < WORK_SIDE[0] else 1 / 6


def ink_signal(pixels, window):
    """Lightness -> how strongly each pixel is ink (>= 0, paper = 0), and the noise level.

    Polarity comes from the background: after removing slow lighting changes, the paper is the
    majority class of Otsu's split, so the ink is the other side (darker for a pen on paper, lighter
    for chalk or for MNIST itself). The paper's level is then estimated locally, over windows
    `window` times the image's longer side, which flattens lighting gradients and shadows.
    """
    sigma = max(pixels.shape) / 640  # light smoothing: sensor noise and JPEG artefacts
    smooth = ndimage.gaussian_filter(pixels, sigma) if sigma >= 0.5 else pixels
    step = max(1, max(pixels.shape) // 32)  # lighting varies slowly: a coarse grid is enough
    coarse = smooth[step // 2::step, step // 2::step]
    detail = coarse - ndimage.gaussian_filter(coarse, max(coarse.shape) / 8, mode="nearest")
    ink_is_dark = np.median(detail) > filters.threshold_otsu(detail)  # the paper is the light class
    # local paper level: a high (for dark ink) or low percentile ignores ink covering up to 90 % of a window
    paper = ndimage.percentile_filter(coarse, 90 if ink_is_dark else 10, mode="nearest",
                                      size=max(3, round(window * max(coarse.shape))))
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


def select_digit(mask):
    """Keep the digit: the largest central mark plus sizeable pieces next to it; drop specks and frames."""
    labels = measure.label(mask, connectivity=2)
    regions = measure.regionprops(labels)
    if not regions:
        return None
    height, width = mask.shape

    def edges_touched(region):
        top, left, bottom, right = region.bbox
        return (top == 0) + (left == 0) + (bottom == height) + (right == width)

    def score(region):  # big and central wins; marks at the picture's edges (a table, a frame) lose
        top, left, bottom, right = region.bbox
        off_centre = np.hypot((top + bottom) / height - 1, (left + right) / width - 1) / np.sqrt(2)
        return region.area * (1 - 0.6 * off_centre) * 0.3 ** edges_touched(region)

    main = max(regions, key=score)
    keep, box = [main.label], list(main.bbox)
    size = max(box[2] - box[0], box[3] - box[1])
    for region in sorted(regions, key=lambda r: -r.area):  # pieces of the digit: a broken stroke, a 5's bar
        if region.label == main.label or region.area < 0.08 * main.area or edges_touched(region):
            continue
        top, left, bottom, right = region.bbox
        gap = max(box[0] - bottom, top - box[2], box[1] - right, left - box[3], 0)
        if gap <= 0.25 * size:
            keep.append(region.label)
            box = [min(box[0], top), min(box[1], left), max(box[2], bottom), max(box[3], right)]
    return np.isin(labels, keep)


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


def find_digit(image):
    """Any picture of one digit -> a binary mask of the digit's strokes, at the working size."""
    pixels = read_pixels(image)
    if np.ptp(pixels) < 1e-6:
        raise DigitImageError("the image is blank: every pixel has the same value; there is no digit to read")
    ink, noise = ink_signal(to_working_size(pixels), paper_window(pixels))
    mask = drop_ruled_lines(ink_mask(ink, noise))
    digit = select_digit(mask)
    if digit is None or digit.sum() < 0.0005 * digit.size:
        raise DigitImageError("the image is blank: nothing stands out from the background; check that "
                              "the digit is in the picture, large and dark enough")
    return digit


def prepare_digit(image):
    """Any picture of one digit -> a 28 x 28 float32 image in [0, 1], white ink on black, like MNIST.

    `image`: a file path (str or Path), a PIL image, or array-like pixels (2-D, or H x W x 1/3/4).
    Raises DigitImageError, with what to do, for anything that cannot be read as one digit.
    """
    return fit_mnist_box(normalise_strokes(find_digit(image)))


def digit_views(image):
    """The prepared digit and 14 variants of it, (15, 28, 28): strokes as prepared, thinner and
    thicker (VIEW_STROKES), each also moved by one pixel up, down, left and right. views[0] is
    prepare_digit(image)."""
    digit = find_digit(image)
    views = []
    for strokes in VIEW_STROKES:
        boxed = fit_mnist_box(normalise_strokes(digit, strokes))
        views += [ndimage.shift(boxed, shift, order=0, mode="constant") for shift in VIEW_SHIFTS]
    return np.stack(views)
