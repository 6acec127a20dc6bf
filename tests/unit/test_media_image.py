"""Image inspection on real images made with Pillow, hand-built bomb headers, and the corpus."""

from __future__ import annotations

import csv
import os
import random
import resource
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from docledger.exceptions import UnprocessableDocument
from docledger.media.image import inspect_image
from docledger.media.sniff import sniff

CORPUS = Path(os.environ.get("DOCLEDGER_CORPUS") or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus")


def _noise(size: tuple[int, int], mode: str = "L") -> Image.Image:
    rng = random.Random(7)
    bands = len(mode) if mode != "L" else 1
    return Image.frombytes(mode, size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * bands)))


def _png_header_only(width: int, height: int) -> bytes:
    """A syntactically valid PNG that *claims* a size; its pixel data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_png_with_dpi(tmp_path: Path) -> None:
    path = tmp_path / "form.png"
    Image.new("RGB", (1700, 2200), "white").save(path, dpi=(200, 200))
    info = inspect_image(path)
    assert (info.format, info.width, info.height, info.mode, info.frames) == ("PNG", 1700, 2200, "RGB", 1)
    assert info.dpi == (200.0, 200.0)  # PNG stores pixels per metre; rounding restores 200
    assert info.pixels == 1700 * 2200 and info.notes == []


def test_jpeg_without_resolution_has_no_dpi(tmp_path: Path) -> None:
    path = tmp_path / "receipt.jpg"
    _noise((300, 500), "RGB").save(path, quality=85)
    info = inspect_image(path)
    assert (info.format, info.mode, info.dpi) == ("JPEG", "RGB", None)


def test_multipage_tiff_frames_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "fax.tif"
    pages = [Image.new("1", (1728, 2200), 1) for _ in range(3)]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4", dpi=(204, 196))
    info = inspect_image(path)
    assert (info.format, info.frames, info.mode, info.dpi) == ("TIFF", 3, "1", (204.0, 196.0))
    with pytest.raises(UnprocessableDocument) as err:
        inspect_image(path, max_frames=2)
    assert err.value.code == "too_many_pages"
    assert "3 frames; the limit is 2" in str(err.value)


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [(30000, 30000, "900,000,000 pixels"), (12000, 9000, "12000x9000 pixels")],
    ids=["beyond-pillow-guard", "beyond-our-limit"],
)
def test_decompression_bomb_refused_from_the_header(tmp_path: Path, width: int, height: int, shown: str) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(width, height))
    assert path.stat().st_size < 300
    assert sniff(path.read_bytes()).media_type == "image/png"
    before = _max_rss_mib()
    with pytest.raises(UnprocessableDocument) as err:
        inspect_image(path)
    # Decoding would need 2.7 GB (or 324 MB); the peak RSS of this process must not move.
    assert _max_rss_mib() - before < 50
    assert err.value.code == "image_too_large"
    assert shown in str(err.value)
    assert "lower resolution" in str(err.value)


def test_max_pixels_is_the_callers_limit(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    Image.new("L", (2000, 1000), 255).save(path)
    with pytest.raises(UnprocessableDocument, match="2000x1000 pixels") as err:
        inspect_image(path, max_pixels=1_000_000)
    assert err.value.code == "image_too_large"
    assert inspect_image(path, max_pixels=2_000_000).width == 2000


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_truncated_images_are_corrupt(tmp_path: Path, fmt: str) -> None:
    whole = tmp_path / f"whole.{fmt.lower()}"
    _noise((400, 300)).save(whole, format=fmt)
    cut = tmp_path / f"cut.{fmt.lower()}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert inspect_image(whole).width == 400
    with pytest.raises(UnprocessableDocument) as err:
        inspect_image(cut)
    assert err.value.code == "corrupt_file"
    assert "image is damaged" in str(err.value)


def test_non_image_bytes_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(UnprocessableDocument) as err:
        inspect_image(path)
    assert err.value.code == "corrupt_file"


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")


@needs_corpus
def test_corpus_images_inspect_cleanly() -> None:
    paths = sorted((CORPUS / "ocr").glob("*.tif")) + sorted((CORPUS / "ocr").glob("*.png"))
    paths += sorted((CORPUS / "idp").rglob("*.png")) + sorted((CORPUS / "idp").glob("*.jpg"))
    paths += sorted((CORPUS / "funsd" / "train" / "images").glob("*.png"))[:5]
    assert len(paths) > 20
    for path in paths:
        info = inspect_image(path)
        assert sniff(path.read_bytes()).family == "image", path
        assert info.frames == 1 and info.width > 300 and info.height > 300, path
    scan = inspect_image(CORPUS / "ocr" / "8087_054.3B.tif")  # UNLV "3B": 300 dpi bitonal
    assert (scan.mode, scan.dpi) == ("1", (300.0, 300.0))


@needs_corpus
def test_corpus_sroie_sizes_match_the_manifest() -> None:
    with (CORPUS / "sroie" / "dev" / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))[:15]
    for row in rows:
        info = inspect_image(CORPUS / "sroie" / "dev" / "img" / f"{row['id']}.jpg")
        assert (info.width, info.height) == (int(row["width"]), int(row["height"])), row["id"]
