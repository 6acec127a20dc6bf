"""What a file's name claims its type is (recorded only to detect mismatches; never trusted)."""

from __future__ import annotations

import mimetypes


def declared_type(name: str) -> str | None:
    guess, _ = mimetypes.guess_type(name, strict=False)
    return guess
