"""How an artifact is served: its media type and the file name a download gets."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from typing import Any

_EXT = {
    "application/json": ".json",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "application/xml": ".xml",
    "application/octet-stream": ".bin",
    "application/x-ndjson": ".jsonl",
}


def download_name(doc: Mapping[str, Any], art: Mapping[str, Any], media_type: str) -> str:
    """The original keeps its name; derived artifacts are named <stem>.<key><ext>."""
    if art["kind"] == "original":
        return str(doc["name"])
    stem = doc["name"].rsplit(".", 1)[0] if "." in doc["name"] else doc["name"]
    key = re.sub(r"[^A-Za-z0-9._-]+", "_", art["key"])
    ext = _EXT.get(media_type) or mimetypes.guess_extension(media_type) or ""
    return f"{stem}.{key}{'' if key.endswith(ext) else ext}"


def content_type(doc: Mapping[str, Any], art: Mapping[str, Any]) -> str:
    if art.get("media_type"):
        return str(art["media_type"])
    if art["kind"] == "original" and doc.get("media_type"):
        return str(doc["media_type"])
    return "application/octet-stream"
