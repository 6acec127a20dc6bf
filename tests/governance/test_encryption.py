"""Envelope encryption of blobs: unreadable without the key, rotation, crypto-shredding on erasure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import drain
from docledger.blobs.crypto import MAGIC, BlobCipher, LocalKeyProvider
from docledger.exceptions import DocledgerError
from docledger.ledger import erasure
from docledger.models import Status
from docledger.pipeline import open_ledger
from sample_documents import text_pdf

SECRET = "Vexmorrow Lanthrop"


def encrypted_ledger(make_settings, tmp_path: Path):
    settings = make_settings(encrypt_blobs=True)
    ledger = open_ledger(settings, only=["classify", "extract-text"])
    reg = ledger.ingest_path(
        text_pdf(tmp_path / "w2.pdf", [[f"Employee {SECRET}", "Wages 84,000.00"]]), tenant="bank-a"
    )
    drain(ledger, timeout=180)
    return ledger, reg.document_id


def test_blobs_are_ciphertext_on_disk_and_the_pipeline_still_reads_them(make_settings, tmp_path: Path) -> None:
    ledger, doc = encrypted_ledger(make_settings, tmp_path)
    assert ledger.get_document(doc)["status"] == Status.SUCCEEDED  # classify + extract-text read the PDF
    stored = [p for p in ledger.settings.blob_dir.rglob("*") if p.is_file()]
    assert stored and all(p.read_bytes().startswith(MAGIC) for p in stored)
    assert not any(SECRET.encode() in p.read_bytes() for p in stored)
    arts = ledger.artifacts(doc)
    text = next(a for a in arts if a["kind"] == "text")
    assert SECRET in ledger.blobs.read(text["sha256"]).decode()
    assert ledger.blobs.path(text["sha256"]).read_text().count(SECRET) == 1  # a plain copy for libraries
    ledger.close()


def test_without_the_key_encryption_key_nothing_decrypts(make_settings, tmp_path: Path) -> None:
    ledger, doc = encrypted_ledger(make_settings, tmp_path)
    sha = ledger.get_document(doc)["sha256"]
    ledger.close()
    key_dir = ledger.settings.resolved_key_dir
    shutil.move(key_dir / "kek", tmp_path / "kek-elsewhere")
    cipher = BlobCipher(key_dir, LocalKeyProvider(key_dir / "kek-missing"))
    with pytest.raises(DocledgerError, match="key-encryption key .* is not in"):
        cipher.decrypt(sha, (ledger.settings.blob_dir / sha[:2] / sha[2:4] / sha).read_bytes())


def test_rotation_rewraps_data_keys_and_old_keys_can_go(make_settings, tmp_path: Path) -> None:
    ledger, doc = encrypted_ledger(make_settings, tmp_path)
    cipher = ledger.blobs.cipher
    assert cipher is not None
    old = cipher.provider.current_id()
    new = cipher.provider.rotate()
    assert cipher.rewrap_all() >= 2 and {e["kek"] for _, e in cipher.wrapped_keys()} == {new}
    (ledger.settings.resolved_key_dir / "kek" / f"kek-{old}.key").unlink()
    fresh = BlobCipher(ledger.settings.resolved_key_dir)  # no cached keys
    sha = ledger.get_document(doc)["sha256"]
    raw = (ledger.settings.blob_dir / sha[:2] / sha[2:4] / sha).read_bytes()
    assert fresh.decrypt(sha, raw).startswith(b"%PDF")
    ledger.close()


def test_erasure_crypto_shreds_so_a_backup_copy_is_useless(make_settings, tmp_path: Path) -> None:
    ledger, doc = encrypted_ledger(make_settings, tmp_path)
    sha = ledger.get_document(doc)["sha256"]
    backup = tmp_path / "backup.blob"
    shutil.copyfile(ledger.settings.blob_dir / sha[:2] / sha[2:4] / sha, backup)
    assert ledger.blobs.cipher is not None
    assert ledger.blobs.cipher.decrypt(sha, backup.read_bytes()).startswith(b"%PDF")  # readable before
    erasure.erase(ledger, doc, reason="erasure request", actor="dpo")
    assert not ledger.blobs.cipher.dek_path(sha).exists()
    with pytest.raises(DocledgerError, match="crypto-shredded"):
        ledger.blobs.cipher.decrypt(sha, backup.read_bytes())
    ledger.close()
