"""Content-addressed blob store on a local (or shared) filesystem.

Blobs are files readable by their owner only (0600, from ``mkstemp``) in directories of mode
0700, whatever the umask. Bytes are stored once under ``sha256[:2]/sha256[2:4]/sha256``. Writes go to a temp file in
the same directory and are renamed into place, so a reader never sees a partial blob and
two writers of the same content race harmlessly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from docledger.blobs.crypto import MAGIC, BlobCipher, is_encrypted, zero_unlink
from docledger.exceptions import NotFound

CHUNK = 1024 * 1024


class BlobStore:
    """``cipher`` (envelope encryption, blobs/crypto.py) encrypts every blob written from then on;
    plaintext and encrypted blobs are both read, so encryption can be switched on for a live store."""

    def __init__(self, root: Path, *, fsync_derived: bool = False, cipher: BlobCipher | None = None) -> None:
        self.root = Path(root)
        self.fsync_derived = fsync_derived
        self.cipher = cipher
        self._dirs: set[Path] = set()  # fan-out directories known to exist (saves a mkdir per blob)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._plain = PlainCache(self.root) if cipher is not None else None

    def stored_path(self, sha256: str) -> Path:
        """The file as stored (ciphertext when the blob is encrypted)."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def path(self, sha256: str) -> Path:
        """A local file with the blob's plain bytes: the stored file, or for an encrypted blob a
        decrypted copy in a private in-memory directory (tmpfs), made on demand."""
        stored = self.stored_path(sha256)
        if self._plain is None or not self._encrypted(stored):
            return stored
        return self._plain.get(sha256, lambda: self.read(sha256))

    def exists(self, sha256: str) -> bool:
        return self.stored_path(sha256).is_file()

    @staticmethod
    def _encrypted(stored: Path) -> bool:
        try:
            with open(stored, "rb") as f:
                return is_encrypted(f.read(len(MAGIC)))
        except FileNotFoundError:
            return False

    def put_bytes(self, data: bytes, *, durable: bool | None = None) -> str:
        """Store bytes; ``durable`` (default: the store's fsync_derived setting) fsyncs before returning."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            payload = self.cipher.encrypt(sha, data) if self.cipher is not None else data
            self._write(sha, lambda f: f.write(payload), self.fsync_derived if durable is None else durable)
        return sha

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None, durable: bool = True) -> tuple[str, int]:
        """Stream into a temp file while hashing; returns (sha256, size).

        Raises ``ValueError`` when more than ``max_bytes`` arrive (nothing is kept).
        """
        digest = hashlib.sha256()
        size = 0
        data_key = None
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                if self.cipher is not None:
                    sha, size, data_key = self.cipher.encrypt_stream(stream, out, max_bytes)
                else:
                    while chunk := stream.read(CHUNK):
                        size += len(chunk)
                        if max_bytes is not None and size > max_bytes:
                            raise ValueError(f"more than {max_bytes} bytes")
                        digest.update(chunk)
                        out.write(chunk)
                    sha = digest.hexdigest()
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            target = self.stored_path(sha)
            if target.is_file():
                os.unlink(tmp)
            else:
                if self.cipher is not None and data_key is not None:
                    self.cipher.store_key(sha, data_key)  # before the blob: a blob never lacks its key
                self._ensure_dir(target.parent)
                os.replace(tmp, target)
            return sha, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_file(self, path: Path, *, max_bytes: int | None = None, durable: bool = True) -> tuple[str, int]:
        with open(path, "rb") as f:
            return self.put_stream(f, max_bytes=max_bytes, durable=durable)

    def _ensure_dir(self, directory: Path) -> None:
        if directory not in self._dirs:
            for level in (directory.parent, directory):  # mkdir(parents=True) ignores mode for parents
                level.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._dirs.add(directory)

    @staticmethod
    def flush_all() -> None:
        """Group commit: make every blob written without fsync durable with one sync."""
        os.sync()

    def read(self, sha256: str) -> bytes:
        try:
            raw = self.stored_path(sha256).read_bytes()
            if self.cipher is not None and is_encrypted(raw):
                return self.cipher.decrypt(sha256, raw)
            return raw
        except FileNotFoundError as exc:
            # No server path in the message: it can reach API and UI responses.
            raise NotFound(
                f"blob {sha256[:16]}… is missing from the blob store",
                code="blob_missing",
                hint="Restore the blob directory from backup.",
            ) from exc

    def delete(self, sha256: str) -> bool:
        """Erase a blob: overwrite it with zeros (on filesystems that write in place, the bytes are gone
        from the disk too, not only from the directory), sync, then unlink. An encrypted blob's data key
        is shredded too, so copies of the blob elsewhere (backups, replicas) cannot be decrypted.
        False when it was absent."""
        if self._plain is not None:
            self._plain.drop(sha256)
        if self.cipher is not None:
            self.cipher.shred(sha256)
        return zero_unlink(self.stored_path(sha256))

    def copy_to(self, sha256: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if self.cipher is not None and self._encrypted(self.stored_path(sha256)):
            dest.write_bytes(self.read(sha256))
        else:
            shutil.copyfile(self.stored_path(sha256), dest)
        return dest

    def _write(self, sha: str, writer, durable: bool) -> None:
        target = self.stored_path(sha)
        self._ensure_dir(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                writer(f)
                f.flush()
                if durable:
                    os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class PlainCache:
    """Decrypted copies of encrypted blobs for code that needs a file path (PDF and image libraries):
    a private directory on tmpfs (memory, not disk) where available, files 0600, the least recently
    used beyond ``keep`` removed (never one used in the last minute)."""

    def __init__(self, root: Path, keep: int = 64) -> None:
        base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
        tag = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
        self.dir = base / f"docledger-{os.getuid()}-{tag}"
        self.dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.keep = keep

    def get(self, sha256: str, plain: Callable[[], bytes]) -> Path:
        path = self.dir / sha256
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(plain())
            os.replace(tmp, path)
            self._evict()
        else:
            os.utime(path)
        return path

    def drop(self, sha256: str) -> None:
        (self.dir / sha256).unlink(missing_ok=True)

    def _evict(self) -> None:
        aged = []
        for p in self.dir.iterdir():
            try:
                aged.append((p.stat().st_mtime, p))
            except FileNotFoundError:  # another process evicted it first
                continue
        aged.sort()
        cutoff = time.time() - 60
        for mtime, p in aged[: max(0, len(aged) - self.keep)]:
            if mtime < cutoff and not p.name.startswith("."):
                p.unlink(missing_ok=True)
