"""Image inspection that refuses decompression bombs before decoding them.

A 200-byte PNG can claim 30000x30000 pixels and expand to gigabytes when decoded, so
the size is read from the header (Pillow opens lazily) and checked against a limit
before any pixel is touched. Only then is frame 0 decoded once, to catch truncated or
undecodable files here (a clear ``corrupt_file``) instead of deep inside OCR.
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from docledger.media import errors

DEFAULT_MAX_PIXELS = 100_000_000
DEFAULT_MAX_FRAMES = 200
#: DPI values below this are placeholders (JFIF writes 1x1 "aspect ratio only"), not a resolution.
MIN_PLAUSIBLE_DPI = 10.0

_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
_WARNINGS_LOCK = threading.Lock()


@dataclass
class ImageInfo:
    """Header facts of an image. ``frames`` counts pages of a multi-page TIFF (or GIF frames).

    ``notes`` keeps the decoder's warnings (odd EXIF, unusual TIFF tags) for the timeline.
    """

    format: str
    width: int
    height: int
    dpi: tuple[float, float] | None
    frames: int
    mode: str
    notes: list[str] = field(default_factory=list)

    @property
    def pixels(self) -> int:
        return self.width * self.height


def inspect_image(
    path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_frames: int = DEFAULT_MAX_FRAMES
) -> ImageInfo:
    """Read an image's header, refuse bombs, and verify that frame 0 decodes.

    Raises ``UnprocessableDocument`` with ``image_too_large`` (more than ``max_pixels``
    in frame 0; also whenever Pillow's own bomb guard, at about 179 Mpx, trips),
    ``too_many_pages`` (more than ``max_frames`` frames) or ``corrupt_file`` (not an
    image Pillow can read, or truncated). Decoder warnings are collected into ``notes``
    rather than printed. ``warnings.catch_warnings`` changes process-global state, so calls
    are serialised by a lock (workers may run as threads); an inspection takes milliseconds
    plus one decode of frame 0.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        info = _inspect(Path(path), max_pixels=max_pixels, max_frames=max_frames)
    info.notes.extend(
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if not issubclass(w.category, Image.DecompressionBombWarning)
    )
    return info


def _inspect(path: Path, *, max_pixels: int, max_frames: int) -> ImageInfo:
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        match = _BOMB_PIXELS.search(str(exc))
        raise errors.image_too_large(int(match.group(1)) if match else 0, max_pixels) from None
    except UnidentifiedImageError:
        raise errors.corrupt_file("image", "not a recognised image format") from None
    except MemoryError:
        raise
    except Exception as exc:  # hostile headers make decoders fail in many ways
        raise errors.corrupt_file("image", _describe(exc)) from None
    with img:
        width, height = img.size
        if width <= 0 or height <= 0:
            raise errors.corrupt_file("image", f"invalid size {width}x{height}")
        if width * height > max_pixels:
            raise errors.image_too_large(width * height, max_pixels, (width, height))
        frames = _frame_count(img)
        if frames > max_frames:
            raise errors.too_many_pages(frames, max_frames, unit="frames")
        try:
            img.seek(0)
            img.load()
        except Image.DecompressionBombError as exc:
            raise errors.image_too_large(width * height, max_pixels, (width, height)) from exc
        except MemoryError:
            raise
        except Exception as exc:
            raise errors.corrupt_file("image", _describe(exc)) from None
        return ImageInfo(
            format=img.format or "unknown",
            width=width,
            height=height,
            dpi=_dpi(img.info.get("dpi")),
            frames=frames,
            mode=img.mode,
        )


def _frame_count(img: Image.Image) -> int:
    try:
        return max(1, int(getattr(img, "n_frames", 1)))
    except MemoryError:
        raise
    except Exception as exc:  # a broken IFD chain is a damaged file
        raise errors.corrupt_file("image", f"cannot count frames: {_describe(exc)}") from None


def _dpi(raw: object) -> tuple[float, float] | None:
    if not isinstance(raw, tuple) or len(raw) != 2:
        return None
    try:
        x, y = float(raw[0]), float(raw[1])
    except (TypeError, ValueError):
        return None
    if x < MIN_PLAUSIBLE_DPI or y < MIN_PLAUSIBLE_DPI:
        return None
    return round(x, 1), round(y, 1)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
