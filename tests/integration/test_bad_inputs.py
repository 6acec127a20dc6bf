"""Hostile and broken files end in a terminal, explained state; the batch and the worker survive."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image

from docledger.pipeline import open_ledger
from docledger.settings import Settings
from docledger.worker import Worker
from sample_documents import text_image, text_pdf


def bomb_png(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A few hundred bytes whose header claims width x height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def many_page_tiff(path: Path, pages: int) -> Path:
    frames = [Image.new("L", (16, 16), 255) for _ in range(pages)]
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:])
    return path


def tiny_pages_pdf(path: Path) -> Path:
    with pikepdf.new() as pdf:
        for _ in range(2):
            page = pdf.add_blank_page(page_size=(3, 3))
            page.obj.MediaBox = pikepdf.Array([0, 0, 1, 1])
        pdf.save(path)
    return path


def test_hostile_files_fail_with_reasons_and_lose_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    buf = io.BytesIO()
    text_image(["Receipt total 12.00"]).save(buf, "JPEG")
    files = {
        "bomb": (bomb_png(src / "bomb.png"), "image_too_large"),
        "tiff": (many_page_tiff(src / "fax.tif", 500), "too_many_pages"),
        "tiny": (tiny_pages_pdf(src / "pixel.pdf"), "page_too_small"),
        "truncated": (src / "photo.jpg", None),
        "empty": (src / "zero.png", "empty_file"),
        "good": (text_pdf(src / "good.pdf", [["A perfectly normal statement of account."]]), None),
    }
    (src / "photo.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])
    (src / "zero.png").write_bytes(b"")
    ledger = open_ledger(Settings(home=tmp_path / "home", max_pages=200, backoff_base_seconds=0.05, max_attempts=2))
    ids = {k: ledger.ingest_path(p).document_id for k, (p, _) in files.items()}
    worker = Worker(ledger)
    worker.run(until_idle=True)  # returns: no file killed the worker
    for key, (_, reason) in files.items():
        doc = ledger.get_document(ids[key])
        if key == "good":  # processed in full; typed a bank statement, its missing fields may wait for review
            assert doc["status"] in ("SUCCEEDED", "NEEDS_REVIEW"), doc
        elif key == "truncated":
            assert doc["status"] == "FAILED" and doc["reason"] in ("corrupt_image", "corrupt_file"), doc
        else:
            assert (doc["status"], doc["reason"]) == ("FAILED", reason), (key, doc)
        assert doc["message"] and len(doc["message"]) > 20
    assert ledger.dead_letters() == []
    ledger.close()
