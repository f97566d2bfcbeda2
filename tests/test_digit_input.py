"""prepare_digit / predict_digit: every file format, PIL mode and array kind a reader may pass, the
bad inputs (one clear DigitImageError each), and photo-like pictures that must come out MNIST-like.

No training: mnist_tools.digits and mnist_tools.predict are imported, and predict_digit gets a stand-in
model that records what it was fed.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from mnist_tools import digits, predict
from tests import photo_like
from tests.notebook_code import NOTEBOOK


@pytest.fixture(scope="module")
def nb():
    """The module's names in one namespace (as the notebook cell they came from offered them)."""
    return {**vars(digits), **vars(predict)}


@pytest.fixture(scope="module")
def DigitImageError(nb):  # noqa: N802 - the class, under its own name
    return nb["DigitImageError"]


@pytest.fixture(scope="module")
def mnist_digits():
    with np.load(NOTEBOOK.parent / "data" / "mnist.npz", allow_pickle=False) as npz:
        return npz["x_test"][:20], npz["y_test"][:20]


@pytest.fixture(scope="module")
def paper():
    """A clean 7 as a reader would scan it: dark ink on white, 8-bit greyscale, off-centre."""
    grey = photo_like.photo(7, (240, 200), paper=1.0, ink=0.0, offset=(12, -8), scale=0.8)[..., 0]
    return grey


@pytest.fixture(scope="module")
def reference(nb, paper):
    return nb["prepare_digit"](paper)


def assert_mnist_like(image):
    """The 28 x 28 image has MNIST's layout: white full-strength ink on black, 20-px box, centre (14, 14)."""
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    assert image.max() >= 0.99, "strokes must come out at full strength"
    rows, cols = np.nonzero(image > 0)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 == 20, "the longer side fills the 20-pixel box"
    assert min(np.ptp(rows), np.ptp(cols)) + 1 <= 20
    assert np.allclose(ndimage.center_of_mass(image), (14, 14), atol=0.5), "centre of mass at (14, 14)"
    assert image[0].max() == image[-1].max() == image[:, 0].max() == image[:, -1].max() == 0


def overlap(a, b):
    """Intersection over union of the ink (> 0.5) of two 28 x 28 images."""
    a, b = a > 0.5, b > 0.5
    return (a & b).sum() / (a | b).sum()


def assert_same_digit(image, reference, at_least=0.8):
    assert_mnist_like(image)
    assert overlap(image, reference) >= at_least, f"overlap {overlap(image, reference):.2f}"


# --- files: every common format, read from disk ----------------------------------------------------

@pytest.mark.parametrize("suffix", ["png", "jpg", "webp", "bmp", "gif", "tif"])
def test_every_common_file_format(nb, paper, reference, tmp_path, suffix):
    path = tmp_path / f"seven.{suffix}"
    Image.fromarray(paper).convert("RGB").save(path)
    assert_same_digit(nb["prepare_digit"](path), reference)


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_greyscale_and_cmyk_jpeg(nb, paper, reference, tmp_path, mode):
    Image.fromarray(paper).convert(mode).save(tmp_path / "scan.jpg", quality=90)
    assert_same_digit(nb["prepare_digit"](tmp_path / "scan.jpg"), reference)


def test_path_as_str_and_tilde_expanded(nb, paper, reference, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    Image.fromarray(paper).save(tmp_path / "seven.png")
    assert_same_digit(nb["prepare_digit"]("~/seven.png"), reference, at_least=1.0)


# --- PIL modes -------------------------------------------------------------------------------------

def as_mode(paper, mode):
    """The same scan, stored in PIL mode `mode` (a light background, dark ink)."""
    picture = Image.fromarray(paper)
    if mode == "I;16":  # 16-bit greyscale, full range
        return Image.fromarray(paper.astype(np.uint16) * 257)
    if mode == "I;16 12-bit":  # a 12-bit sensor's data in a 16-bit file
        return Image.fromarray(paper.astype(np.uint16) * 16)
    if mode == "I":
        return Image.fromarray(paper.astype(np.int32) * 257, mode="I")
    if mode == "F":
        return Image.fromarray(paper.astype(np.float32) / 255)
    if mode == "P":
        return picture.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return picture.convert(mode)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I;16 12-bit", "I",
                                  "F"])
def test_every_pil_mode_from_a_png_or_tiff_file(nb, paper, reference, tmp_path, mode):
    picture = as_mode(paper, mode)
    path = tmp_path / ("digit.tif" if picture.mode in ("F", "CMYK", "I") else "digit.png")
    picture.save(path)
    with Image.open(path) as reread:
        assert reread.mode.startswith(picture.mode[:1]), "the file must keep the mode under test"
    assert_same_digit(nb["prepare_digit"](path), reference, at_least=0.7 if mode == "1" else 0.8)


@pytest.mark.parametrize("mode", ["L", "RGBA", "I;16", "F"])
def test_pil_image_objects(nb, paper, reference, mode):
    assert_same_digit(nb["prepare_digit"](as_mode(paper, mode)), reference)


# --- transparency: drawing apps and HTML canvases --------------------------------------------------

@pytest.fixture(scope="module")
def canvas_reference(nb):
    return nb["prepare_digit"](photo_like.canvas_rgba(7, background=(255, 255, 255)))


def test_canvas_png_dark_strokes_on_transparent(nb, canvas_reference, tmp_path):
    rgba = photo_like.canvas_rgba(7)
    assert rgba[..., :3].max() == 0, "a canvas stores black strokes on transparent black"
    Image.fromarray(rgba).save(tmp_path / "canvas.png")
    assert_same_digit(nb["prepare_digit"](tmp_path / "canvas.png"), canvas_reference, at_least=0.95)


@pytest.mark.parametrize("strokes, hidden", [((0, 0, 0), (255, 255, 255)), ((255, 255, 255), (0, 0, 0)),
                                             ((30, 60, 200), (0, 0, 0))])
def test_transparent_background_any_stroke_colour(nb, canvas_reference, strokes, hidden):
    coverage = photo_like.draw_strokes(7, (280, 280), pen=12)
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[...] = (*hidden, 0)
    rgba[coverage > 0] = (*strokes, 0)
    rgba[..., 3] = (255 * coverage).round()
    assert_same_digit(nb["prepare_digit"](Image.fromarray(rgba)), canvas_reference, at_least=0.9)


def test_canvas_with_opaque_white_background(nb, canvas_reference):
    image = Image.fromarray(photo_like.canvas_rgba(7, background=(255, 255, 255)))
    assert_same_digit(nb["prepare_digit"](image), canvas_reference, at_least=1.0)


def test_la_image_with_transparency(nb, canvas_reference, tmp_path):
    rgba = photo_like.canvas_rgba(7)
    Image.fromarray(rgba).convert("LA").save(tmp_path / "la.png")
    assert_same_digit(nb["prepare_digit"](tmp_path / "la.png"), canvas_reference, at_least=0.9)


def test_palette_image_with_a_transparent_colour(nb, canvas_reference, tmp_path):
    coverage = photo_like.draw_strokes(7, (280, 280), pen=12)
    indices = (coverage > 0.5).astype(np.uint8)  # 0: transparent background, 1: black ink
    picture = Image.frombytes("P", indices.shape[::-1], indices.tobytes())
    picture.putpalette([0, 0, 0, 0, 0, 0])  # both black: only the transparency tells them apart
    picture.save(tmp_path / "palette.gif", transparency=0)
    assert_same_digit(nb["prepare_digit"](tmp_path / "palette.gif"), canvas_reference, at_least=0.85)


def test_webp_with_alpha(nb, canvas_reference, tmp_path):
    Image.fromarray(photo_like.canvas_rgba(7)).save(tmp_path / "canvas.webp", lossless=True)
    assert_same_digit(nb["prepare_digit"](tmp_path / "canvas.webp"), canvas_reference, at_least=0.95)


# --- EXIF orientation ------------------------------------------------------------------------------

def test_exif_orientation_is_applied(nb, paper, reference, tmp_path):
    stored = Image.fromarray(paper).rotate(90, expand=True)  # the sensor's sideways pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation 6: rotate 90 degrees clockwise to display
    stored.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    assert_same_digit(nb["prepare_digit"](tmp_path / "phone.jpg"), reference)
    stored.save(tmp_path / "no_tag.jpg", quality=95)
    assert overlap(nb["prepare_digit"](tmp_path / "no_tag.jpg"), reference) < 0.5, "sanity: sideways differs"


# --- arrays: every dtype and layout ----------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix itself warns on creation
@pytest.mark.parametrize("kind", ["uint8", "uint16 12-bit", "uint16", "int64", "float 0-1", "float 0-255",
                                  "bool", "nested lists", "np.matrix", "H x W x 1", "H x W x 2", "H x W x 3",
                                  "H x W x 4", "float64 H x W x 3 0-1"])
def test_array_kinds(nb, paper, reference, kind):
    data = {
        "uint8": lambda: paper,
        "uint16 12-bit": lambda: paper.astype(np.uint16) * 16,
        "uint16": lambda: paper.astype(np.uint16) * 257,
        "int64": lambda: paper.astype(np.int64),
        "float 0-1": lambda: paper / 255,
        "float 0-255": lambda: paper.astype(np.float32),
        "bool": lambda: paper > 127,
        "nested lists": lambda: paper.tolist(),
        "np.matrix": lambda: np.asmatrix(paper),
        "H x W x 1": lambda: paper[..., None],
        "H x W x 2": lambda: np.dstack([paper, np.full_like(paper, 255)]),
        "H x W x 3": lambda: np.repeat(paper[..., None], 3, axis=2),
        "H x W x 4": lambda: np.dstack([paper, paper, paper, np.full_like(paper, 255)]),
        "float64 H x W x 3 0-1": lambda: np.repeat(paper[..., None], 3, axis=2) / 255.0,
    }[kind]()
    assert_same_digit(nb["prepare_digit"](data), reference, at_least=0.75 if kind == "bool" else 0.8)


def test_mnist_digits_come_back_nearly_unchanged(nb, mnist_digits):
    images, _ = mnist_digits
    for image in images:
        prepared = nb["prepare_digit"](image)
        assert_mnist_like(prepared)
        # MNIST placed digits by whole pixels too (centre of mass within half a pixel of (14, 14)),
        # so the two may differ by a one-pixel shift; the shapes must agree
        shifts = [np.roll(prepared, (dr, dc), axis=(0, 1)) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
        assert min(np.abs(shifted - image / 255).mean() for shifted in shifts) < 0.045
        assert max(overlap(shifted, image / 255) for shifted in shifts) > 0.75


def test_tiny_8x8_digit_is_enlarged_smoothly(nb):
    zero = np.array([[0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0], [0, 3, 15, 2, 0, 11, 8, 0],
                     [0, 4, 12, 0, 0, 8, 8, 0], [0, 5, 8, 0, 0, 9, 8, 0], [0, 4, 11, 0, 1, 12, 7, 0],
                     [0, 2, 14, 5, 10, 12, 0, 0], [0, 0, 6, 13, 10, 0, 0, 0]])  # load_digits' first image
    prepared = nb["prepare_digit"](zero)  # 0..16, white on black
    assert_mnist_like(prepared)
    assert ((prepared > 0.05) & (prepared < 0.95)).sum() >= 20, "anti-aliased edges, not square blocks"
    assert prepared[12:16, 12:16].max() == 0, "the 0 keeps its hole"


# --- photo-like pictures ---------------------------------------------------------------------------

PHOTOS = {
    "lighting gradient": dict(gradient=0.45),
    "shadow": dict(shadow=0.5),
    "sensor noise": dict(noise=0.08),
    "grey paper": dict(paper=0.6, ink=0.25),
    "stray speck": dict(speck=True),
    "ruled lines": dict(ruled=True),
    "frame (table around the sheet)": dict(frame=True),
    "slight tilt": dict(tilt=8),
    "deep shadow across a small digit": dict(shadow=0.5, scale=0.6),
    "shadow, gradient and noise, small digit": dict(shadow=0.4, gradient=0.3, noise=0.05, scale=0.5),
    "thin pen": dict(pen=1.5),
    "everything at once": dict(gradient=0.4, shadow=0.3, noise=0.06, speck=True, ruled=True, frame=True,
                               tilt=5, paper=0.75),
}


@pytest.fixture(scope="module")
def clean_photo(nb):
    return nb["prepare_digit"](photo_like.photo(4))


@pytest.mark.parametrize("flaw", PHOTOS)
def test_photo_like_inputs_come_out_mnist_like(nb, flaw):
    prepared = nb["prepare_digit"](photo_like.photo(4, **PHOTOS[flaw], seed=1))
    clean = nb["prepare_digit"](photo_like.photo(4, tilt=PHOTOS[flaw].get("tilt", 0)))  # same geometry
    assert_same_digit(prepared, clean, at_least=0.7)


def test_light_ink_on_dark_background(nb, clean_photo):
    chalkboard = 255 - photo_like.photo(4, noise=0.03)  # chalk on a blackboard: no inversion needed
    assert_same_digit(nb["prepare_digit"](chalkboard), clean_photo)


def test_thin_pen_comes_out_at_full_strength_and_mnist_stroke_width(nb):
    prepared = nb["prepare_digit"](photo_like.photo(1, pen=0.8))
    assert_mnist_like(prepared)
    assert (prepared > 0.5).sum() >= 25, "a 20-pixel 1 drawn at MNIST's stroke width"


# --- bad input: one exception type, a message that says what was wrong and what to do --------------

def bad_files(tmp_path, paper):
    png = io.BytesIO()
    Image.fromarray(paper).save(png, format="PNG")
    (tmp_path / "truncated.png").write_bytes(png.getvalue()[: len(png.getvalue()) // 2])
    (tmp_path / "notes.png").write_text("this is text, not a picture")
    (tmp_path / "folder.png").mkdir()
    return {"missing": tmp_path / "missing.png", "directory": tmp_path / "folder.png",
            "text": tmp_path / "notes.png", "truncated": tmp_path / "truncated.png"}


@pytest.mark.parametrize("what, message", [
    ("missing", r"^no file at .*missing\.png: check the file name and the folder"),
    ("directory", r"^.*folder\.png is a folder, not an image file: pass the path of one image in it$"),
    ("text", r"notes\.png is not an image file Pillow can read: use a PNG, JPEG"),
    ("truncated", r"truncated\.png is damaged or incomplete \(.*\): save or download the picture again$"),
])
def test_bad_files(nb, DigitImageError, paper, tmp_path, what, message):
    path = bad_files(tmp_path, paper)[what]
    for form in (path, str(path)):
        with pytest.raises(DigitImageError, match=message) as info:
            nb["prepare_digit"](form)
        error = info.value
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), \
            "the reader should not get a chained traceback from inside Pillow"


def test_huge_image_is_refused_clearly(nb, DigitImageError, paper, tmp_path, monkeypatch):
    Image.fromarray(paper).save(tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow's guard against decompression bombs
    with pytest.raises(DigitImageError, match=r"huge\.png has too many pixels to be a photo .*: scale it"):
        nb["prepare_digit"](tmp_path / "huge.png")


def transparent_blank():
    return Image.new("RGBA", (50, 50), (0, 0, 0, 0))


BAD_ARRAYS = {
    "white page": (np.full((28, 28), 255, np.uint8), r"^the image is blank: every pixel has the same value; "
                                                     r"there is no digit to read$"),
    "black page": (np.zeros((40, 30)), r"^the image is blank: every pixel has the same value"),
    "paper with noise only": (np.random.default_rng(0).normal(0.9, 0.02, (300, 400)).clip(0, 1),
                              r"^the image is blank: nothing stands out from the background; check that"),
    "fully transparent": (None, r"^the image is blank: every pixel is fully transparent$"),
    "NaN": (np.where(np.eye(28) > 0, np.nan, 0.5), r"^the image has 28 NaN and 0 infinite pixel value\(s\): "
                                                   r"replace them \(e\.g\. np\.nan_to_num\)"),
    "inf": (np.where(np.eye(28) > 0, np.inf, 0.5), r"has 0 NaN and 28 infinite pixel value\(s\)"),
    "empty": (np.zeros((0, 28)), r"^the image is empty \(shape \(0, 28\)\): there are no pixels$"),
    "empty list": ([], r"^the image is empty \(shape \(0,\)\)"),
    "flat 784": (np.zeros(784), r"got an array of shape \(784,\) \(a flattened 28 x 28 digit\? use "
                                r"\.reshape\(28, 28\)\)$"),
    "batch": (np.zeros((1, 28, 28)),
              r"shape \(1, 28, 28\) \(a batch\? pass one image, e\.g\. images\[0\]\)$"),
    "five channels": (np.zeros((28, 28, 5)), r"^expected a 2-D greyscale image .* got an array of shape "
                                             r"\(28, 28, 5\) \(a batch\?"),
    "4-D": (np.zeros((2, 28, 28, 3)), r"got an array of shape \(2, 28, 28, 3\) \(a batch\?"),
    "too small": (np.eye(3), r"^the image is too small \(3 x 3 pixels\): a digit needs at least 5 x 5$"),
    "ragged lists": ([[0, 1, 2], [3, 4]], r"^nested lists of different lengths: every row needs the same"),
    "None": (None, r"^expected an image: a path, a PIL image or an array of numbers, got NoneType$"),
    "strings": (np.array([["a", "b"], ["c", "d"]]), r"numbers, got an array of <U1$"),
    "dict": ({"pixels": 1}, r"numbers, got dict$"),
    "complex": (np.ones((28, 28), complex),
                r"^complex numbers are not pixel values: pass a real-valued array$"),
}


@pytest.mark.parametrize("what", BAD_ARRAYS)
def test_bad_arrays_and_objects(nb, DigitImageError, what):
    data, message = BAD_ARRAYS[what]
    if what == "fully transparent":
        data = transparent_blank()
    with pytest.raises(DigitImageError, match=message):
        nb["prepare_digit"](data)


def test_one_exception_type_which_is_a_value_error(DigitImageError):
    assert issubclass(DigitImageError, ValueError)


# --- digits found anywhere on the page, and ink that is not one digit (issue 20) --------------------

def best_overlap(image, reference):
    """overlap() after the best shift by up to one pixel: whole-pixel centring may round either way."""
    return max(overlap(np.roll(image, (rows, cols), axis=(0, 1)), reference)
               for rows in (-1, 0, 1) for cols in (-1, 0, 1))


def around(picture, centre, half):
    """A reader's tight crop: the part of `picture` within `half` pixels of `centre` (fractions)."""
    row, col = round(centre[0] * picture.shape[0]), round(centre[1] * picture.shape[1])
    return picture[row - half:row + half, col - half:col + half]


def on_white(coverage):
    """Ink coverage -> 8-bit greyscale picture: black ink on white paper."""
    return (255 * (1 - coverage)).round().astype(np.uint8)


PAGE = (1500, 2000)  # a 2000 x 1500 page: a scan or a photo of a sheet of paper
SMALL = 1 / 15  # draw_strokes' scale that makes a digit about 60 pixels tall on PAGE


@pytest.mark.parametrize("digit, centre", [(4, (0.9, 0.05)), (7, (0.06, 0.95)), (2, (0.5, 0.5))])
def test_small_digit_anywhere_on_a_large_white_page_is_read(nb, digit, centre):
    coverage = photo_like.draw_strokes(digit, PAGE, scale=SMALL, centre=centre)
    rows = np.nonzero(coverage.max(axis=1) > 0.5)[0]
    assert 55 <= np.ptp(rows) + 1 <= 70, "sanity: a digit of ordinary size, about 60 pixels tall"
    page = on_white(coverage)
    prepared = nb["prepare_digit"](page)  # was "the image is blank"
    assert_mnist_like(prepared)
    assert best_overlap(prepared, nb["prepare_digit"](around(page, centre, 50))) >= 0.85, \
        "the same image as from a tight crop of the digit"


@pytest.mark.parametrize("digit", [2, 5, 9])
def test_small_digit_on_a_photo_of_a_page_is_read(nb, tmp_path, digit):
    centre = (0.75, 0.8)
    picture = photo_like.photo(digit, PAGE, scale=0.1, centre=centre, noise=0.04, gradient=0.3, shadow=0.3,
                               ruled=True, speck=True, seed=digit)  # a digit 90 pixels tall
    tight = nb["prepare_digit"](around(picture, centre, 80))
    Image.fromarray(picture).save(tmp_path / "page.jpg", quality=90)  # decoded at 1/2 size, then cropped
    for form in (picture, tmp_path / "page.jpg"):
        prepared = nb["prepare_digit"](form)
        assert_mnist_like(prepared)
        assert best_overlap(prepared, tight) >= 0.85


def test_small_digit_is_read_from_a_crop_at_full_resolution(nb):
    page = on_white(photo_like.draw_strokes(4, PAGE, scale=SMALL, centre=(0.9, 0.05)))
    found = nb["ink_components"](page)
    top, left, bottom, right = found.crop
    assert bottom - top < 0.2 and right - left < 0.2 and top > 0.7 and left < 0.1, "a box around the digit"
    assert found.marks[0].height > 100, "the digit fills the crop at working size, not 20 pixels of 640"
    assert found.reason is None and len(found.marks) == 1


@pytest.mark.parametrize("picture", ["42 with a gap", "17 close together", "two digits far apart",
                                     "photo of 38", "small 42 in a corner of a page"])
def test_two_separate_digits_are_refused_with_advice_to_crop(nb, picture):
    make = {
        "42 with a gap": lambda: on_white(photo_like.draw_strokes("42", (280, 280), gap=20, scale=0.8)),
        "17 close together": lambda: on_white(photo_like.draw_strokes("17", (280, 280), gap=8, scale=0.8)),
        "two digits far apart": lambda: on_white(np.maximum(
            photo_like.draw_strokes(3, (600, 800), scale=0.4, centre=(0.3, 0.2)),
            photo_like.draw_strokes(8, (600, 800), scale=0.4, centre=(0.7, 0.8)))),
        "photo of 38": lambda: photo_like.photo("38", scale=0.6, gap=15, noise=0.04, gradient=0.3,
                                                shadow=0.3),
        "small 42 in a corner of a page": lambda: on_white(
            photo_like.draw_strokes("42", PAGE, scale=SMALL, gap=12, centre=(0.85, 0.1))),
    }[picture]
    message = (r"^the picture does not look like a digit \(it seems to hold more than one digit or mark: "
               r".*\): crop it to one digit$")
    with pytest.raises(nb["MultipleDigitsError"], match=message):  # was read as one digit
        nb["prepare_digit"](make())


@pytest.mark.parametrize("where", [(0.5, 0.5), (0.2, 0.8)])
def test_a_lone_dot_is_not_a_digit(nb, where):
    dot = photo_like.draw_dot((280, 280), 28, centre=where)  # the pad's pen (28 pixels) touching it once
    with pytest.raises(nb["NotADigitError"], match=r"^the picture does not look like a digit \(the only mark "
                                                   r"is a dot or a blob, not pen strokes\)$"):
        nb["prepare_digit"](on_white(dot))  # was a 20-pixel disc, read as "0"
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = (255 * dot).round()  # as the pad or a drawing app stores it
    with pytest.raises(nb["NotADigitError"]):
        nb["digit_views"](rgba)


def test_a_few_dots_are_not_a_digit(nb):
    colon = np.maximum(photo_like.draw_dot((280, 280), 24, centre=(0.35, 0.5)),
                       photo_like.draw_dot((280, 280), 24, centre=(0.6, 0.5)))
    dots = r"\(the only marks? (is a dot or a blob|are 2 dots or blobs), not pen strokes\)$"
    with pytest.raises(nb["NotADigitError"], match=dots):
        nb["prepare_digit"](on_white(colon))


@pytest.mark.parametrize("text, height", [("hello", 0.15), ("word", 0.3), ("HELLO", 0.15), ("abc", 0.3),
                                          ("ok", 0.3)])
def test_a_word_is_not_a_digit(nb, text, height):
    word = on_white(photo_like.draw_text(text, (280, 280), height=height))
    with pytest.raises(nb["MultipleDigitsError"], match=r"^the picture does not look like a digit \(it"):
        nb["prepare_digit"](word)


def test_a_word_on_a_photo_is_not_a_digit(nb):
    word = photo_like.draw_text("hello", (600, 800), height=0.15)
    with pytest.raises(nb["NotADigitError"]):
        nb["prepare_digit"](photo_like.photo(word, noise=0.03, gradient=0.3, shadow=0.3))


DIGITS_IN_PIECES = {  # polylines on draw_lines' 100 x 100 sheet; none of the pieces touch
    "4 in two strokes": [[(55, 20), (30, 62), (62, 62)], [(68, 25), (68, 85)]],
    "4 in two strokes, narrow": [[(52, 20), (32, 60), (58, 60)], [(64, 35), (64, 85)]],
    "5 with its bar apart": [[(38, 28), (36, 46), (52, 43), (65, 52), (65, 69), (52, 80), (34, 75)],
                             [(42, 18), (66, 18)]],
    "7 with a broken bar": [[(32, 21), (68, 21), (46, 80)], [(38, 53), (50, 53)], [(58, 53), (66, 53)]],
    "0 broken in two": [[(46, 20), (36, 26), (30, 50), (36, 74), (46, 80)],
                        [(54, 80), (64, 74), (70, 50), (64, 26), (54, 20)]],
}


@pytest.mark.parametrize("digit", DIGITS_IN_PIECES)
def test_a_digit_drawn_in_separate_pieces_is_one_digit(nb, digit):
    coverage = photo_like.draw_lines(DIGITS_IN_PIECES[digit], (280, 280), pen=4)
    found = nb["ink_components"](on_white(coverage))
    assert len(found.marks) == 1 and len(found.marks[0].pieces) >= 2 and found.reason is None
    assert_mnist_like(nb["prepare_digit"](on_white(coverage)))


@pytest.mark.parametrize("pen", ["dashed", "dotted"])
@pytest.mark.parametrize("digit", range(10))
def test_a_dashed_or_dotted_pen_draws_one_digit(nb, pen, digit):
    dash = {"dashed": (6, 8), "dotted": (1, 8)}[pen]  # gaps as wide as the pen, or twice as wide
    coverage = photo_like.draw_lines(photo_like.STROKES[digit], (280, 280), pen=4, dash=dash)
    found = nb["ink_components"](on_white(coverage))
    assert found.reason is None and len(found.marks[0].pieces) >= 5, "all the dashes, as one digit"
    rows, cols = np.nonzero(coverage > 0.5)
    top, left, bottom, right = found.marks[0].box
    assert bottom - top == pytest.approx(np.ptp(rows) + 1, abs=3), "the whole digit's height"


@pytest.fixture(scope="module")
def validation_digits():
    """MNIST training digits kept for validation (x_train[-6000:]; the thresholds were chosen on
    them, never on the test set) and load_digits' 8 x 8 digits (0..16 -> 0..1): 50 of each."""
    from sklearn.datasets import load_digits
    with np.load(NOTEBOOK.parent / "data" / "mnist.npz", allow_pickle=False) as npz:
        mnist = npz["x_train"][-6000:][::120]
    return {"MNIST": list(mnist), "load_digits": list(load_digits().images[::36] / 16)}


@pytest.mark.parametrize("source", ["MNIST", "load_digits"])
def test_real_digits_are_not_refused(nb, validation_digits, source):
    refused = []
    for index, image in enumerate(validation_digits[source]):
        try:
            nb["find_digit"](image)
        except nb["DigitImageError"] as error:
            refused.append((index, str(error)))
    assert refused == []


def test_photo_like_digits_are_not_refused(nb):
    flaws = [{}, PHOTOS["everything at once"], {"pen": 12, "scale": 0.45}, {"pen": 1.5, "tilt": -8}]
    for digit in range(10):
        nb["find_digit"](photo_like.photo(digit, **flaws[digit % len(flaws)], seed=digit))


def test_reject_false_reads_the_mark_anyway(nb, DigitImageError):
    dot = on_white(photo_like.draw_dot((280, 280), 28))
    number = on_white(photo_like.draw_strokes("42", (280, 280), gap=20, scale=0.8))
    for picture in (dot, number):
        assert_mnist_like(nb["prepare_digit"](picture, reject=False))
        assert nb["digit_views"](picture, reject=False).shape == (15, 28, 28)
    with pytest.raises(DigitImageError, match="blank"):
        nb["prepare_digit"](np.full((50, 50), 0.5), reject=False)


def test_ink_components_report_the_evidence(nb):
    one = nb["ink_components"](photo_like.canvas_rgba(8))
    assert (one.reason, one.several, one.crop, len(one.marks), one.columns) == (None, False, None, 1, 1)
    assert 0.05 < one.thickness < 0.4 and one.digit.shape == one.shape and one.digit.any()
    number = nb["ink_components"](on_white(photo_like.draw_strokes("42", (280, 280), gap=20, scale=0.8)))
    assert number.several and number.error().args[0].startswith("the picture does not look like a digit")
    assert isinstance(number.error(), nb["MultipleDigitsError"])
    dot = nb["ink_components"](on_white(photo_like.draw_dot((280, 280), 28)))
    assert dot.thickness > 0.9 and not dot.several and type(dot.error()) is nb["NotADigitError"]


def test_not_a_digit_errors_are_digit_image_errors(nb, DigitImageError):
    assert issubclass(nb["NotADigitError"], DigitImageError)
    assert issubclass(nb["MultipleDigitsError"], nb["NotADigitError"])
    error = nb["NotADigitError"].because("a reason")
    assert str(error) == "the picture does not look like a digit (a reason)"
    assert str(nb["MultipleDigitsError"].because("2 marks")) == (
        "the picture does not look like a digit (it seems to hold more than one digit or mark: 2 marks): "
        "crop it to one digit")


# --- predict_digit ---------------------------------------------------------------------------------

class StandInModel:
    """Records what predict_digit feeds the model; answers "7" with 90 %."""

    def __init__(self):
        self.fed = []

    def predict(self, batch, verbose="auto"):
        self.fed.append((np.array(batch), verbose))
        probs = np.full((len(batch), 10), 0.1 / 9, dtype=np.float32)
        probs[:, 7] = 0.9
        return probs


def test_predict_digit_feeds_raw_pixels_and_returns_digit_probs_image(nb, tmp_path):
    Image.fromarray(photo_like.canvas_rgba(7)).save(tmp_path / "canvas.png")
    model = StandInModel()
    digit, probs, image28 = nb["predict_digit"](tmp_path / "canvas.png", model)
    (batch, verbose), = model.fed
    assert batch.shape == (15, 28, 28) and verbose == 0, "one batch: the 15 views of test-time augmentation"
    assert batch.max() == pytest.approx(255, abs=0.5) and batch.min() == 0, "raw 0..255 pixels"
    assert np.allclose(batch[0], image28 * 255)
    assert np.allclose(image28, nb["prepare_digit"](tmp_path / "canvas.png")), "the image is prepare_digit's"
    assert digit == 7 and type(digit) is int
    assert probs.shape == (10,) and probs.sum() == pytest.approx(1)
    assert_mnist_like(image28)


def test_predict_digit_without_views_feeds_prepare_digit_alone(nb):
    model = StandInModel()
    image = photo_like.canvas_rgba(3)
    _, _, image28 = nb["predict_digit"](image, model, views=False)
    (batch, _), = model.fed
    assert batch.shape == (1, 28, 28) and np.allclose(batch[0], image28 * 255)


def test_digit_views_are_thinner_thicker_and_shifted_copies(nb):
    image = photo_like.canvas_rgba(8)
    views = nb["digit_views"](image)
    assert views.shape == (15, 28, 28) and views.dtype == np.float32
    assert np.array_equal(views[0], nb["prepare_digit"](image))
    ink = views.reshape(3, 5, -1).sum(axis=2)  # stroke ranges x shifts
    assert ink[1, 0] <= ink[0, 0] <= ink[2, 0] and ink[1, 0] < ink[2, 0], "as prepared, thinner, thicker"
    assert np.allclose(ink, ink[:, :1], rtol=1e-6), "a one-pixel shift keeps all the ink in the frame"
    assert np.array_equal(np.roll(views[0], 1, axis=0), views[1]), "moved down by one pixel"
    assert np.array_equal(np.roll(views[0], -1, axis=1), views[4]), "moved left by one pixel"


def test_predict_digit_needs_a_model(nb):
    with pytest.raises(TypeError):
        nb["predict_digit"](np.eye(28))


def test_predict_digit_refuses_bad_input_before_the_model(nb, DigitImageError):
    model = StandInModel()
    with pytest.raises(DigitImageError, match="blank"):
        nb["predict_digit"](np.zeros((28, 28)), model)
    assert model.fed == []
