"""Stage ``review``: route extracted fields straight through or to a person.

Subscribes to ``fields.extracted`` (payload: ``artifact_id`` of the extractor's ``fields.json``).
A field whose confidence is below its ``review_threshold`` or that failed validation becomes a
review task, unless the tenant's reviewers have taught where that field sits on this page
layout: then it is read from the learned region (source ``learned``) and only goes to review if
that reading is not confident enough either. The document then waits in ``NEEDS_REVIEW``
(derived in the ledger from the open tasks) until the last task is resolved.

Output: ``review/<fields artifact>/fields.v0.json`` (kind ``reviewed-fields``), the fields as
routed, each with its review status and task id; corrections add versions 1, 2, …
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from docledger.ids import new_id
from docledger.models import Events
from docledger.review.fields import FieldsDoc, parse_fields
from docledger.review.layout import (
    PageWords,
    fingerprint,
    layout_id,
    load_page_words,
    match_layout,
    read_learned,
    stable_labels,
    value_tokens,
)
from docledger.review.records import REVIEW_VERSION, REVIEWED_KIND, Item, record_items, reviewed_key
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

MAX_LAYOUT_PAGES = 5


class ReviewStage(Stage):
    name = "review"
    version = REVIEW_VERSION
    subscribes = (Events.FIELDS_EXTRACTED,)
    produces = (REVIEWED_KIND,)
    description = "Low-confidence or invalid fields become review tasks; learned layouts read them instead."

    def config(self) -> dict[str, Any]:
        return {"sample_rate": self.settings.review_sample_rate}

    def process(self, ctx: StageContext) -> None:
        art = _fields_artifact(ctx)
        if art is None:
            ctx.fail_page(None, "fields_missing", "fields.extracted named no fields.json artifact of this document")
            return
        try:
            doc = parse_fields(json.loads(ctx.read(art)))
        except (ValueError, UnicodeDecodeError) as exc:
            ctx.fail_page(None, "fields_invalid", f"fields.json {art['id']} cannot be reviewed: {exc}")
            return
        tenant = str(ctx.document["tenant"])
        pages = {n: pw for n, (pw, _) in load_page_words(ctx.artifacts(), lambda a: ctx.read(a, used=False)).items()}
        values = value_tokens(
            v
            for f in doc.fields
            for v in (f.value, f.normalized if isinstance(f.normalized, str | int | float) else None)
        )
        layouts, new_layouts, labels = _layouts(ctx, tenant, doc.doc_type, pages, values)
        lessons = _lessons(ctx, tenant, doc.doc_type, set(layouts.values()))
        items: list[Item] = []
        out_fields: list[dict[str, Any]] = []
        for f in doc.fields:
            page_no = f.page if f.page is not None else (min(pages) if pages else None)
            lid = layouts.get(page_no) if page_no is not None else None
            status = "open" if f.needs_review else "auto"
            reason = f.reason
            if status == "auto" and _sampled(ctx.document_id, f.field, self.settings.review_sample_rate):
                status, reason = "open", "sampled for quality control"
            entry = f.to_json()
            if status == "open" and lid is not None and page_no in pages:
                reading = read_learned(lessons.get((lid, f.field), []), pages[page_no], labels[page_no])
                if reading is not None and reading.confidence >= f.review_threshold:
                    entry.update(
                        {
                            "extracted_value": f.value,
                            "extracted_confidence": f.confidence,
                            "value": reading.value,
                            "normalized": reading.value,
                            "confidence": reading.confidence,
                            "page": reading.page,
                            "bbox": reading.bbox,
                            "source": "learned",
                            "valid": True,
                            "errors": [],
                            "learned_from": reading.lessons,
                        }
                    )
                    status, reason = "learned", f"read from a region learned from {reading.lessons} corrections"
            item = Item(
                id=new_id("rvw_"),
                field=f.field,
                value=entry["value"],
                confidence=float(entry["confidence"]),
                review_threshold=f.review_threshold,
                page=entry["page"],
                bbox=entry["bbox"],
                source=str(entry["source"]),
                valid=bool(entry["valid"]),
                errors=list(entry["errors"]),
                reason=reason,
                status=status,
                layout_id=lid,
            )
            items.append(item)
            out_fields.append({**entry, "task_id": item.id, "review": status})
        model_version = f"{art['stage']}@{art['stage_version']}" + (
            f"/{doc.schema_version}" if doc.schema_version else ""
        )
        ctx.add_json(
            reviewed_key(str(art["id"]), 0),
            REVIEWED_KIND,
            {
                "doc_type": doc.doc_type,
                "schema_version": doc.schema_version,
                "version": 0,
                "fields_artifact_id": art["id"],
                "model_version": model_version,
                "fields": out_fields,
            },
            meta={"fields_artifact_id": art["id"], "version": 0},
        )
        seen = sorted(set(layouts.values()) - {lid for lid, _ in new_layouts})

        def write(tx: Tx) -> None:
            record_items(
                tx,
                document_id=ctx.document_id,
                tenant=tenant,
                doc_type=doc.doc_type,
                fields_artifact_id=str(art["id"]),
                run_id=ctx.run_id,
                model_version=model_version,
                items=items,
                new_layouts=new_layouts,
                seen_layouts=seen,
            )

        ctx.in_transaction(write)
        with ctx.store.read() as tx:
            older = [
                r
                for r in tx.fetchall("review_list_open", tenant=None, document_id=ctx.document_id, limit=10_000)
                if r["fields_artifact_id"] != art["id"]
            ]
        if older:
            ctx.log(f"{len(older)} open review task(s) replaced by this newer extraction", "superseded")
        ctx.run_meta.update(
            {"doc_type": doc.doc_type, "model_version": model_version, "layouts": sorted(set(layouts.values()))}
        )
        counts = {s: sum(1 for i in items if i.status == s) for s in ("auto", "learned", "open")}
        ctx.log(
            f"{len(items)} field(s) of {doc.doc_type}: {counts['auto']} straight through, "
            f"{counts['learned']} read from learned regions, {counts['open']} sent to review"
        )


def _sampled(document_id: str, field: str, rate: float) -> bool:
    """A deterministic draw (the same field of the same document is always in or out of the sample)."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{document_id}/{field}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < rate


def _fields_artifact(ctx: StageContext) -> dict[str, Any] | None:
    p = ctx.event.payload
    wanted = p.get("artifact_id") or p.get("fields_artifact_id") or p.get("artifact")
    arts = ctx.artifacts()
    if wanted:
        return next((a for a in arts if a["id"] == wanted), None)
    cands = [a for a in arts if a["key"] == "fields.json" and a["stage"] != "ocr"]
    return cands[-1] if cands else None


def _layouts(
    ctx: StageContext, tenant: str, doc_type: str, pages: dict[int, PageWords], values: set[str]
) -> tuple[dict[int, str], list[tuple[str, str]], dict[int, set[int]]]:
    """Layout id per page (matched or new), the new layouts to store, and each page's stable labels."""
    with ctx.store.read() as tx:
        rows = tx.fetchall("review_layouts_for", tenant=tenant, doc_type=doc_type)
    known = [(r["id"], set(json.loads(r["tokens"]))) for r in rows]
    out: dict[int, str] = {}
    new: list[tuple[str, str]] = []
    labels: dict[int, set[int]] = {}
    for n in sorted(pages)[:MAX_LAYOUT_PAGES]:
        tokens = fingerprint(pages[n], values)
        if not tokens:
            continue
        lid = match_layout(tokens, known)
        if lid is None:
            lid = layout_id(tokens, tenant=tenant, doc_type=doc_type)
            if lid not in {k for k, _ in known}:
                new.append((lid, json.dumps(sorted(tokens))))
                known.append((lid, tokens))
        out[n] = lid
        labels[n] = stable_labels(pages[n], values, dict(known)[lid])
    return out, new, labels


def _lessons(
    ctx: StageContext, tenant: str, doc_type: str, layout_ids: set[str]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with ctx.store.read() as tx:
        for lid in sorted(layout_ids):
            for r in tx.fetchall("review_lessons_for_layout", tenant=tenant, layout_id=lid, doc_type=doc_type):
                out.setdefault((lid, r["field"]), []).append(json.loads(r["region"]))
    return out


__all__ = ["FieldsDoc", "ReviewStage"]
