from __future__ import annotations

from typing import TYPE_CHECKING

from docledger.blobs.crypto import BlobCipher, LocalKeyProvider
from docledger.blobs.local import BlobStore

if TYPE_CHECKING:
    from docledger.settings import Settings


def blob_cipher(settings: Settings) -> BlobCipher | None:
    """The blob cipher the settings ask for (DOCLEDGER_ENCRYPT_BLOBS), with the local key provider."""
    if not settings.encrypt_blobs:
        return None
    key_dir = settings.resolved_key_dir
    return BlobCipher(key_dir, LocalKeyProvider(key_dir / "kek"))


__all__ = ["BlobCipher", "BlobStore", "LocalKeyProvider", "blob_cipher"]
