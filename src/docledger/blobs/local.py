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
from pathlib import Path
from typing import BinaryIO

from docledger.exceptions import NotFound

CHUNK = 1024 * 1024


class BlobStore:
    def __init__(self, root: Path, *, fsync_derived: bool = False) -> None:
        self.root = Path(root)
        self.fsync_derived = fsync_derived
        self._dirs: set[Path] = set()  # fan-out directories known to exist (saves a mkdir per blob)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes, *, durable: bool | None = None) -> str:
        """Store bytes; ``durable`` (default: the store's fsync_derived setting) fsyncs before returning."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            self._write(sha, lambda f: f.write(data), self.fsync_derived if durable is None else durable)
        return sha

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None, durable: bool = True
                   ) -> tuple[str, int]:
        """Stream into a temp file while hashing; returns (sha256, size).

        Raises ``ValueError`` when more than ``max_bytes`` arrive (nothing is kept).
        """
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ValueError(f"more than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.is_file():
                os.unlink(tmp)
            else:
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
            return self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            # No server path in the message: it can reach API and UI responses.
            raise NotFound(f"blob {sha256[:16]}… is missing from the blob store",
                           code="blob_missing", hint="Restore the blob directory from backup.") from exc

    def delete(self, sha256: str) -> bool:
        """Erase a blob: overwrite it with zeros (on filesystems that write in place, the bytes are gone
        from the disk too, not only from the directory), sync, then unlink. False when it was absent."""
        path = self.path(sha256)
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

    def copy_to(self, sha256: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(sha256), dest)
        return dest

    def _write(self, sha: str, writer, durable: bool) -> None:
        target = self.path(sha)
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
