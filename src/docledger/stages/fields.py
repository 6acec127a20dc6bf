"""Stage ``fields``: once a document's text is ready, type it, split it when it is a package of
several documents, and fill its type's field schema.

- type: a person's confirmed type is kept; otherwise the tenant's trained model predicts one
  (source ``model``), or before any training the taxonomy's rules do (source ``rule``);
- split: a multi-page document whose pages form several documents is split into child
  documents (registered like any arrival, with lineage to the parent's pages in
  ``document_splits`` and ``split.json``); the parent is typed ``package``;
- fields: ``fields.json`` = {doc_type, schema_version, fields: [{field, value, normalized,
  confidence, page, bbox, source, valid, errors, review_threshold}]}, announced by the event
  ``fields.extracted`` (payload: artifact_id, doc_type, counts) for the review queue.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from docledger.models import Events
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

FIELDS_EXTRACTED = "fields.extracted"
PAGE_KINDS = ("page-json", "ocr-json")
TEXT_STAGES = ("extract-text", "ocr", "xml")  # the stages that write page text


class FieldsStage(Stage):
    name = "fields"
    version = "1.0.0"
    subscribes = (Events.TEXT_EXTRACTED,)
    produces = ("fields", "package-split")
    description = "Document type (rules or the tenant's model), package splitting and per-type fields."

    def config(self) -> dict[str, Any]:
        from docledger.doctypes import taxonomy
        from docledger.fields import schemas

        return {"taxonomy": taxonomy().version, "schemas": schemas().version}

    def process(self, ctx: StageContext) -> None:
        from docledger.fields.extract import extract_fields
        from docledger.services import doctypes

        pages, acro = load_pages(ctx)
        tenant = str(ctx.document["tenant"])
        if len(pages) >= 2 and not _is_child(ctx) and self._split(ctx, pages):
            doc_type = "package"
            typing: dict[str, Any] = {"confidence": 0.99, "source": "rule", "model_version": None}
            ctx.in_transaction(
                lambda tx: doctypes.record_type(
                    tx, ctx.document_id, tenant, "package", confidence=0.99, source="rule", actor=self.name
                )
            )
        else:
            with ctx.store.read() as tx:
                current = tx.fetchone("get_document_type", document_id=ctx.document_id)
            if current is not None and current["source"] == "person":
                doc_type = str(current["doc_type"])
                typing = {"confidence": 1.0, "source": "person", "model_version": None}
            else:
                text = "\n\f\n".join(str(p.get("text") or "") for p in pages)
                pred = doctypes.predict(ctx.store, ctx.blobs, tenant, text)
                doc_type, typing = pred["doc_type"], pred
                ctx.in_transaction(
                    lambda tx: doctypes.record_type(
                        tx,
                        ctx.document_id,
                        tenant,
                        pred["doc_type"],
                        confidence=pred["confidence"],
                        source=pred["source"],
                        actor=self.name,
                        model_version=pred["model_version"],
                    )
                )
        body: dict[str, Any] = (
            extract_fields(doc_type, pages, acro)
            if doc_type != "package"
            else {"doc_type": doc_type, "schema_version": _schema_version(), "fields": []}
        )
        art = ctx.add_json(
            "fields.json",
            "fields",
            body,
            meta={"doc_type": doc_type, "doc_type_source": typing["source"], "schema_version": body["schema_version"]},
        )
        low = sum(1 for f in body["fields"] if not f["valid"] or f["confidence"] < f["review_threshold"])
        ctx.run_meta["doc_type"] = {
            "doc_type": doc_type,
            **{k: typing.get(k) for k in ("confidence", "source", "model_version")},
        }
        ctx.log(
            f"type {doc_type} ({typing['source']}, {float(typing.get('confidence') or 0):.2f}); "
            f"{len(body['fields'])} field(s), {low} below threshold or invalid"
        )
        ctx.emit(
            FIELDS_EXTRACTED,
            {
                "artifact_id": art,
                "doc_type": doc_type,
                "fields": len(body["fields"]),
                "needs_review": low,
                "schema_version": body["schema_version"],
            },
        )

    # ---- packages ---------------------------------------------------------------------------
    def _split(self, ctx: StageContext, pages: list[dict[str, Any]]) -> bool:
        from docledger.doctypes.split import segment
        from docledger.services import doctypes

        tenant = str(ctx.document["tenant"])
        loaded = doctypes.load_model(ctx.store, ctx.blobs, tenant)
        predictor = None
        if loaded is not None:
            model = loaded[1]

            def predictor(text: str) -> tuple[str, float]:
                return model.predict([text])[0]

        sizes = [(float(p["width"]), float(p["height"])) if p.get("width") and p.get("height") else None for p in pages]
        segs = segment([str(p.get("text") or "") for p in pages], predictor, sizes)
        if len(segs) < 2 or ctx.document.get("media_type") != "application/pdf":
            return False
        from docledger.services.packages import Child, register_children

        children = []
        src = _pdf_source(ctx)
        for s in segs:
            data = _pdf_pages(src, s.pages)
            sha = ctx.blobs.put_bytes(data, durable=True)
            children.append(Child(s.first_page, s.last_page, s.doc_type, round(s.confidence, 4), sha, len(data)))
        plan = [
            {
                "first_page": c.first_page,
                "last_page": c.last_page,
                "doc_type": c.doc_type,
                "confidence": c.confidence,
                "sha256": c.sha256,
            }
            for c in children
        ]
        ctx.add_json("split.json", "package-split", {"document_id": ctx.document_id, "children": plan})

        def hook(tx: Tx) -> None:
            register_children(tx, dict(ctx.document), children, ctx.settings, worker=ctx.worker, stage=self.name)

        ctx.in_transaction(hook)
        ctx.log(
            f"package of {len(pages)} pages split into {len(segs)} documents: "
            + ", ".join(f"p{s.first_page}-{s.last_page} {s.doc_type}" for s in segs)
        )
        return True


def _schema_version() -> str:
    from docledger.fields import schemas

    return schemas().version


def _is_child(ctx: StageContext) -> bool:
    with ctx.store.read() as tx:
        return tx.fetchone("split_of_child", child_id=ctx.document_id) is not None


def _pdf_source(ctx: StageContext) -> Path:
    repaired = ctx.artifacts(kind="repaired-pdf")
    return ctx.path_of(repaired[0] if repaired else ctx.original())


def _pdf_pages(path: Path, pages: list[int]) -> bytes:
    import pikepdf

    with pikepdf.open(path) as src, pikepdf.new() as out:
        # add_pages_from carries the AcroForm fields of the copied pages, so a child keeps its form values
        out.add_pages_from(src, [n - 1 for n in pages])
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True)
        return buf.getvalue()


def load_pages(ctx: StageContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The document's pages as {page, text, words, forms, tables, lines} (newest output per page) and
    its AcroForm fields; the artifacts read are recorded as the run's inputs."""
    best: dict[int, dict[str, Any]] = {}
    texts: dict[int, dict[str, Any]] = {}
    acro: list[dict[str, Any]] = []
    for a in ctx.artifacts():
        if a["stage"] not in TEXT_STAGES:
            continue
        if a["kind"] in PAGE_KINDS and a["page"] is not None:
            prev = best.get(int(a["page"]))
            if (
                prev is None
                or (a["kind"] == "ocr-json" and prev["kind"] != "ocr-json")
                or (a["kind"] == prev["kind"] and a["created_at"] > prev["created_at"])
            ):
                best[int(a["page"])] = a
        elif a["kind"] == "text" and a["page"] is not None:
            texts[int(a["page"])] = a
        elif a["kind"] == "forms-json" and a["stage"] == "extract-text" and a["page"] is None:
            acro = json.loads(ctx.read(a))
    pages = []
    for n in sorted(set(best) | set(texts)):
        if n in best:
            data = json.loads(ctx.read(best[n]))
            data.setdefault("page", n)
            data["tables"] = [t if isinstance(t, dict) else {"rows": t} for t in data.get("tables") or []]
            pages.append(data)
        else:
            pages.append({"page": n, "text": ctx.read(texts[n]).decode("utf-8", "replace")})
    return pages, acro
