"""Page images in, upright normalised page images out.

Input limits are checked on the image header before any pixel is decoded, so a 30000 x 30000
PNG (a decompression bomb or an honest poster scan) is refused without allocating its ~900 MB.
Frames of multi-page TIFFs are yielded one at a time to keep memory bounded.

:func:`normalize` returns the image the engines see plus a :class:`Normalization` that maps any
box found on it back to the coordinates of the ORIGINAL page image; every bbox the library
reports to a pipeline is in original coordinates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from docledger.exceptions import UnprocessableDocument
from docledger.ocr.types import BBox

DEFAULT_MAX_PIXELS = 60_000_000  # ~ A0 at 200 dpi; larger pages are almost always mistakes or bombs
DEFAULT_MAX_FRAMES = 1000
MIN_PAGE_POINTS = 10.0
MAX_RENDER_SIDE = 7000  # pixels; a 2 m long PDF page at 200 dpi would be 15000
MAX_LONG_SIDE = 3500  # above this, OCR gets slower and no more accurate
TARGET_TEXT_HEIGHT = 20.0  # median glyph height in px that tesseract reads best
MAX_UPSCALE = 2.5
OSD_MIN_CONFIDENCE = 1.5
CLASSIFIER_MIN_PROBABILITY = 0.6  # the orientation classifier decides when its three crops agree this surely


def _too_large(width: int, height: int, max_pixels: int, what: str) -> UnprocessableDocument:
    return UnprocessableDocument(
        f"{what} is {width} x {height} pixels ({width * height / 1e6:.0f} MP), above the limit of "
        f"{max_pixels / 1e6:.0f} MP.",
        code="image_too_large",
        hint="Scan at a lower resolution (200-300 dpi is enough for OCR) or raise the max_pixels limit.",
    )


def load_image_pages(
    path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_frames: int = DEFAULT_MAX_FRAMES
) -> Iterator[Image.Image]:
    """Yield each page (frame) of a PNG/JPEG/TIFF/BMP/WebP/GIF file as an RGB or L image.

    Raises UnprocessableDocument (``image_too_large``, ``too_many_frames``, ``corrupt_image``)
    before decoding pixels when the header already shows the limit is broken.
    """
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns above 89 MP; our limit is the one that counts.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise UnprocessableDocument(
            f"Image {Path(path).name} is far too large to decode safely ({exc}).",
            code="image_too_large",
            hint="Scan at a lower resolution (200-300 dpi is enough for OCR).",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnprocessableDocument(
            f"Image {Path(path).name} cannot be read: {exc}.",
            code="corrupt_image",
            hint="Check that the file is a complete PNG, JPEG, TIFF, BMP or WebP image.",
        ) from exc
    with image:
        if image.width * image.height > max_pixels:
            raise _too_large(image.width, image.height, max_pixels, f"Image {Path(path).name}")
        n_frames = getattr(image, "n_frames", 1)
        if n_frames > max_frames:
            raise UnprocessableDocument(
                f"Image {Path(path).name} has {n_frames} frames, above the limit of {max_frames}.",
                code="too_many_frames",
                hint="Split the file or raise the max_frames limit.",
            )
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if frame.width * frame.height > max_pixels:
                raise _too_large(frame.width, frame.height, max_pixels, f"Frame {index + 1}")
            try:
                frame.load()
            except OSError as exc:
                raise UnprocessableDocument(
                    f"Frame {index + 1} of {Path(path).name} is truncated or corrupt: {exc}.",
                    code="corrupt_image",
                    hint="Re-export or re-scan the image.",
                ) from exc
            out = frame.convert("L" if frame.mode in ("1", "L", "I;16", "I", "F") else "RGB")
            dpi = frame.info.get("dpi")
            if dpi:
                out.info["dpi"] = dpi
            yield out


def render_pdf_page(
    path: str | Path,
    page_index: int,
    dpi: int = 200,
    *,
    max_side: int = MAX_RENDER_SIDE,
    password: str | None = None,
) -> Image.Image:
    """Render one PDF page to an RGB image with pypdfium2, capping the longest side at ``max_side``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path), password=password)
    try:
        page = pdf[page_index]
        try:
            width_pt, height_pt = page.get_size()
            if width_pt < MIN_PAGE_POINTS or height_pt < MIN_PAGE_POINTS:
                raise UnprocessableDocument(
                    f"Page {page_index + 1} is {width_pt:.1f} x {height_pt:.1f} pt; pages smaller than "
                    f"{MIN_PAGE_POINTS:.0f} pt on a side hold no readable text.",
                    code="page_too_small",
                    hint="Check the page's MediaBox/CropBox; the page is probably a placeholder.",
                )
            scale = min(dpi / 72.0, max_side / max(width_pt, height_pt))
            image = page.render(scale=scale).to_pil().convert("RGB")
            image.info["dpi"] = (scale * 72.0, scale * 72.0)
            return image
        finally:
            page.close()
    finally:
        pdf.close()


# --- geometry of normalisation -------------------------------------------------------------


@dataclass
class Normalization:
    """What :func:`normalize` did, and the affine map back to the original image.

    ``rotation`` is the clockwise angle (0/90/180/270) the original was turned to be upright,
    ``skew`` the extra counter-clockwise deskew angle in degrees, ``scale`` the resize factor.
    """

    original_size: tuple[int, int]
    size: tuple[int, int]
    rotation: int = 0
    skew: float = 0.0
    scale: float = 1.0
    rotation_method: str = "none"
    matrix: np.ndarray = field(default_factory=lambda: np.eye(3))  # original -> normalised

    def to_original(self, box: BBox) -> BBox:
        """Map a box on the normalised image to the original image (axis-aligned hull)."""
        inv = np.linalg.inv(self.matrix)
        x0, y0, x1, y1 = box
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=float).T
        back = inv @ pts
        ow, oh = self.original_size
        xs = np.clip(back[0], 0, ow)
        ys = np.clip(back[1], 0, oh)
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    def info(self) -> dict[str, object]:
        return {
            "rotation": self.rotation,
            "rotation_method": self.rotation_method,
            "skew": round(self.skew, 2),
            "scale": round(self.scale, 4),
        }


def _rotation_matrix_90(clockwise: int, width: int, height: int) -> np.ndarray:
    if clockwise == 90:  # (x, y) -> (h - y, x)
        return np.array([[0, -1, height], [1, 0, 0], [0, 0, 1]], dtype=float)
    if clockwise == 180:
        return np.array([[-1, 0, width], [0, -1, height], [0, 0, 1]], dtype=float)
    if clockwise == 270:  # (x, y) -> (y, w - x)
        return np.array([[0, 1, 0], [-1, 0, width], [0, 0, 1]], dtype=float)
    return np.eye(3)


def rotate_upright(image: Image.Image, clockwise: int) -> Image.Image:
    """Turn the image clockwise by a multiple of 90 degrees (lossless)."""
    ops = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    return image.transpose(ops[clockwise]) if clockwise in ops else image


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary ink mask (uint8 0/1) by Otsu; dark text on light paper."""
    _, binary = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


def estimate_skew(gray: Image.Image, *, max_angle: float = 5.0) -> float:
    """Counter-clockwise angle (degrees) that makes text lines horizontal (projection profile).

    For each candidate angle the ink image is rotated and the row sums are taken; straight text
    lines give the sharpest profile (largest sum of squared row-to-row differences).
    """
    small = gray.copy()
    small.thumbnail((1200, 1200))
    ink = _ink_mask(np.asarray(small)).astype(np.float32)
    if ink.sum() < 200:
        return 0.0
    h, w = ink.shape
    centre = (w / 2.0, h / 2.0)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = rotated.sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    coarse = np.arange(-max_angle, max_angle + 1e-6, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    best = max(fine, key=score)
    return float(round(best, 2)) if abs(best) >= 0.15 else 0.0


def estimate_text_height(gray: Image.Image) -> float | None:
    """Median height in pixels of glyph-sized connected components (None when no text-like ink)."""
    ink = _ink_mask(np.asarray(gray))
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return None
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (hs >= 4) & (hs <= 300) & (ws <= hs * 4) & (ws >= 2)
    if keep.sum() < 10:
        return None
    return float(np.median(hs[keep]))


def detect_rotation(gray: Image.Image) -> tuple[int, str]:
    """Clockwise quarter turn (0/90/180/270) that makes the page upright, and the method used.

    First the bundled orientation classifier (:mod:`docledger.ocr.orientation`): when its three
    crops agree with probability >= 0.6, that is the answer. Otherwise tesseract OSD when
    ``osd.traineddata`` is installed and confident, else the turn whose OCR on a downscaled copy
    has the best character-weighted confidence.
    """
    from docledger.ocr.engines import TESSDATA_DIR
    from docledger.ocr.orientation import get_classifier

    classifier = get_classifier()
    if classifier is not None:
        turn, probability = classifier.predict(gray)
        if probability >= CLASSIFIER_MIN_PROBABILITY:
            return turn, "classifier"
    small = gray.copy()
    small.thumbnail((2000, 2000))
    if (Path(TESSDATA_DIR) / "osd.traineddata").exists():
        result = _osd(small)
        if result is not None and result[1] >= OSD_MIN_CONFIDENCE:
            return result[0], "osd"
    return _rotation_by_confidence(small), "confidence"


def _osd(gray: Image.Image) -> tuple[int, float] | None:
    import tesserocr

    from docledger.ocr.engines import TESSDATA_DIR

    with tesserocr.PyTessBaseAPI(path=TESSDATA_DIR, lang="osd", psm=tesserocr.PSM.OSD_ONLY) as api:
        api.SetImage(gray)
        result = api.DetectOrientationScript()
    if not result:
        return None
    # Tesseract reports how far the page is turned counter-clockwise; undo it clockwise.
    return (360 - int(result["orient_deg"])) % 360, float(result["orient_conf"])


def _rotation_by_confidence(gray: Image.Image) -> int:
    from docledger.ocr.engines import get_engine

    engine = get_engine("tesseract")
    small = gray.copy()
    small.thumbnail((1000, 1000))
    scores: dict[int, float] = {}
    for turn in (0, 90, 180, 270):
        page = engine.recognize(rotate_upright(small, turn))
        chars = sum(len(w.text) for w in page.words if w.confidence > 0.6)
        scores[turn] = page.mean_confidence * math.log1p(chars)
    return max(scores, key=lambda t: (scores[t], -t))


def normalize(
    image: Image.Image, *, detect_orientation: bool = True, deskew: bool = True, rescale: bool = True
) -> tuple[Image.Image, Normalization]:
    """Grayscale + contrast, upright (0/90/180/270), deskewed (within +-5 deg), resized for OCR.

    Returns the normalised "L" image and the :class:`Normalization` whose ``to_original`` maps
    boxes found on it back to ``image``.
    """
    gray = ImageOps.autocontrast(image.convert("L"), cutoff=0.5)
    ow, oh = image.size
    norm = Normalization(original_size=(ow, oh), size=(ow, oh))
    matrix = np.eye(3)
    if detect_orientation:
        norm.rotation, norm.rotation_method = detect_rotation(gray)
        matrix = _rotation_matrix_90(norm.rotation, ow, oh) @ matrix
        gray = rotate_upright(gray, norm.rotation)
    if deskew:
        norm.skew = estimate_skew(gray)
        if norm.skew:
            w, h = gray.size
            rotated = gray.rotate(norm.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
            m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), norm.skew, 1.0)
            m[0, 2] += (rotated.width - w) / 2.0
            m[1, 2] += (rotated.height - h) / 2.0
            matrix = np.vstack([m, [0, 0, 1]]) @ matrix
            gray = rotated
    if rescale:
        norm.scale = _scale_for(gray)
        if norm.scale != 1.0:
            size = (max(1, round(gray.width * norm.scale)), max(1, round(gray.height * norm.scale)))
            gray = gray.resize(size, Image.Resampling.LANCZOS)
            matrix = np.diag([norm.scale, norm.scale, 1.0]) @ matrix
    norm.size = gray.size
    norm.matrix = matrix
    return gray, norm


def _scale_for(gray: Image.Image) -> float:
    long_side = max(gray.size)
    if long_side > MAX_LONG_SIDE:
        return MAX_LONG_SIDE / long_side
    text_height = estimate_text_height(gray)
    if text_height and text_height < TARGET_TEXT_HEIGHT * 0.7:
        factor = min(MAX_UPSCALE, TARGET_TEXT_HEIGHT / text_height, MAX_LONG_SIDE / long_side)
        return round(factor, 3) if factor > 1.05 else 1.0
    return 1.0
