"""Reading the text of a document's pages, whichever stage extracted it."""

from __future__ import annotations

from typing import Any

from docledger.stages.base import StageContext

TEXT_STAGES = ("extract-text", "ocr", "xml")


def page_texts(ctx: StageContext) -> list[tuple[int, str, dict[str, Any]]]:
    """[(page, text, artifact)] from the newest text artifact of each page; marks them as inputs."""
    best: dict[int, dict[str, Any]] = {}
    for a in ctx.artifacts(kind="text"):
        if a["stage"] not in TEXT_STAGES or a["page"] is None:
            continue
        cur = best.get(a["page"])
        if cur is None or a["created_at"] >= cur["created_at"]:
            best[a["page"]] = a
    out = []
    for page in sorted(best):
        art = best[page]
        out.append((page, ctx.read(art).decode("utf-8"), art))
    return out
