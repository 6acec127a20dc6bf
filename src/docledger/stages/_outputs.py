"""Helpers shared by stages that write per-page outputs."""

from __future__ import annotations

import csv
import io
from typing import Any

from docledger.stages.base import StageContext


def rows_to_csv(rows: list[list[Any]], header: list[str] | None = None) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows([["" if c is None else c for c in row] for row in rows])
    return buf.getvalue()


def source_artifact(ctx: StageContext, preferred: str | None) -> dict[str, Any]:
    """The artifact to read: the repaired PDF when classify made one, else the original."""
    if preferred:
        for a in ctx.artifacts():
            if a["id"] == preferred:
                return a
    return ctx.original()
