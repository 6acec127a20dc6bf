"""Sortable identifiers (ULID) and clocks."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from ulid import ULID


def new_id(prefix: str = "") -> str:
    """A lexicographically sortable id; the prefix tells what it names (doc_, art_, run_...)."""
    return f"{prefix}{ULID()}".lower() if prefix else str(ULID()).lower()


def now() -> float:
    return time.time()


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
