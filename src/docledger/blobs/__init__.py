from docledger.blobs.local import BlobStore

__all__ = ["BlobStore"]
