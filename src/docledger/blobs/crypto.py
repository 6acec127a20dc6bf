"""Envelope encryption of blobs: one AES-256-GCM data key per blob, wrapped by a key-encryption key.

A blob file is ``DLB1 | nonce (12) | ciphertext | tag (16)``. Its data key is stored wrapped (AES-GCM
under the current key-encryption key, bound to the blob's sha256) in a key file of its own, under a
key directory separate from the blobs, so that erasing the key file ("crypto-shredding") makes every
copy of the blob — replicas, backups of the blob directory — unreadable. Key-encryption keys come
from a ``KeyProvider``; the default keeps them as files (0600) in the key directory. Rotation makes a
new key-encryption key current and re-wraps the data keys (the blobs themselves are not rewritten).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from docledger.exceptions import ConfigurationError

MAGIC = b"DLB1"
NONCE = 12
TAG = 16
BLOB_AAD = b"docledger-blob-v1"
CHUNK = 1024 * 1024


class KeyProvider(Protocol):
    """Where key-encryption keys live (a local key file by default; a KMS or HSM in production)."""

    def current_id(self) -> str: ...
    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]: ...
    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes: ...
    def rotate(self) -> str: ...
    def ids(self) -> list[str]: ...


class LocalKeyProvider:
    """Key-encryption keys as 32-byte files ``kek-<id>.key`` (0600) in a 0700 directory."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self._cache: dict[str, bytes] = {}

    def _ensure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        if not (self.dir / "current").exists():
            self.rotate()

    def current_id(self) -> str:
        self._ensure()
        return (self.dir / "current").read_text().strip()

    def ids(self) -> list[str]:
        return sorted(p.stem.removeprefix("kek-") for p in self.dir.glob("kek-*.key"))

    def _kek(self, kek_id: str) -> bytes:
        if kek_id not in self._cache:
            path = self.dir / f"kek-{kek_id}.key"
            if not path.exists():
                raise ConfigurationError(
                    f"key-encryption key {kek_id} is not in {self.dir}",
                    hint="Restore the key directory from its own backup, or point DOCLEDGER_KEY_DIR at it.",
                )
            self._cache[kek_id] = path.read_bytes()
        return self._cache[kek_id]

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        kek_id = self.current_id()
        nonce = os.urandom(NONCE)
        return kek_id, nonce + AESGCM(self._kek(kek_id)).encrypt(nonce, data_key, context)

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        return AESGCM(self._kek(kek_id)).decrypt(wrapped[:NONCE], wrapped[NONCE:], context)

    def rotate(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        kek_id = time.strftime("%Y%m%dT%H%M%S") + "-" + os.urandom(3).hex()
        _write_private(self.dir / f"kek-{kek_id}.key", AESGCM.generate_key(bit_length=256))
        _write_private(self.dir / "current", kek_id.encode())
        return kek_id


def _write_private(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def zero_unlink(path: Path) -> bool:
    """Overwrite a file with zeros, sync, unlink (False when it was absent)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class BlobCipher:
    """Encrypts and decrypts blobs; keeps each blob's wrapped data key in ``<key_dir>/dek/``."""

    def __init__(self, key_dir: Path, provider: KeyProvider | None = None) -> None:
        self.key_dir = Path(key_dir)
        self.provider = provider or LocalKeyProvider(self.key_dir / "kek")
        self.dek_dir = self.key_dir / "dek"

    # ---- data keys ----
    def dek_path(self, sha256: str) -> Path:
        return self.dek_dir / sha256[:2] / f"{sha256}.json"

    def store_key(self, sha256: str, data_key: bytes) -> None:
        kek_id, wrapped = self.provider.wrap(data_key, sha256.encode())
        path = self.dek_path(sha256)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(path, json.dumps({"kek": kek_id, "wrapped": base64.b64encode(wrapped).decode()}).encode())

    def load_key(self, sha256: str) -> bytes:
        path = self.dek_path(sha256)
        if not path.exists():
            from docledger.exceptions import NotFound

            raise NotFound(f"the data key of blob {sha256} is gone (the blob was erased: crypto-shredded)")
        entry = json.loads(path.read_text())
        return self.provider.unwrap(entry["kek"], base64.b64decode(entry["wrapped"]), sha256.encode())

    def shred(self, sha256: str) -> bool:
        return zero_unlink(self.dek_path(sha256))

    def wrapped_keys(self) -> Iterator[tuple[Path, dict[str, str]]]:
        for path in sorted(self.dek_dir.glob("*/*.json")):
            yield path, json.loads(path.read_text())

    def rewrap_all(self) -> int:
        """Wrap every data key under the current key-encryption key; returns how many changed."""
        current, changed = self.provider.current_id(), 0
        for path, entry in self.wrapped_keys():
            if entry["kek"] == current:
                continue
            sha = path.stem
            self.store_key(sha, self.provider.unwrap(entry["kek"], base64.b64decode(entry["wrapped"]), sha.encode()))
            changed += 1
        return changed

    # ---- blobs ----
    def encrypt(self, sha256: str, data: bytes) -> bytes:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE)
        sealed = AESGCM(data_key).encrypt(nonce, data, BLOB_AAD)
        self.store_key(sha256, data_key)
        return MAGIC + nonce + sealed

    def encrypt_stream(self, stream: BinaryIO, out: BinaryIO, max_bytes: int | None) -> tuple[str, int, bytes]:
        """Encrypt while hashing the plaintext; returns (sha256, size, data key) — store the key once
        the blob's name (its sha256) is known."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE)
        enc = Cipher(algorithms.AES(data_key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(BLOB_AAD)
        digest, size = hashlib.sha256(), 0
        out.write(MAGIC + nonce)
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise ValueError(f"more than {max_bytes} bytes")
            digest.update(chunk)
            out.write(enc.update(chunk))
        out.write(enc.finalize() + enc.tag)
        return digest.hexdigest(), size, data_key

    def decrypt(self, sha256: str, raw: bytes) -> bytes:
        nonce, sealed = raw[len(MAGIC) : len(MAGIC) + NONCE], raw[len(MAGIC) + NONCE :]
        return AESGCM(self.load_key(sha256)).decrypt(nonce, sealed, BLOB_AAD)


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)
