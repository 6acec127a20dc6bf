"""Document export: the whole-document JSON assembled from every stage's per-page artifacts,
plus text, CSV, original, searchable and redacted PDF exports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docledger.document.model import SCHEMA_VERSION, DocumentModel
from docledger.exceptions import InvalidRequest, NotFound
from docledger.models import Artifact
from docledger.services import access

if TYPE_CHECKING:
    from docledger.ledger import Ledger

FORMATS = ("json", "text", "csv", "original", "searchable-pdf", "redacted-pdf")


def _latest(arts: list[Artifact]) -> list[Artifact]:
    """Keep one artifact per (stage, key): the newest stage version."""
    best: dict[tuple[str, str], Artifact] = {}
    for a in arts:
        k = (a["stage"], a["key"])
        if k not in best or a["stage_version"] >= best[k]["stage_version"]:
            best[k] = a
    return list(best.values())


def _load(ledger: Ledger, art: Mapping[str, Any]) -> Any:
    return json.loads(ledger.blobs.read(art["sha256"]).decode("utf-8"))


def document_export(ledger: Ledger, document_id: str, *, tenants: list[str] | None = None) -> dict[str, Any]:
    doc = ledger.get_document(document_id, tenants=tenants)
    all_arts = ledger.artifacts(document_id, tenants=tenants)  # oldest first; only what the caller may read
    arts = _latest(all_arts)
    pages: dict[int, dict[str, Any]] = {}

    def page(n: int) -> dict[str, Any]:
        return pages.setdefault(
            n, {"page": n, "text": "", "tables": [], "lines": [], "forms": [], "checkboxes": [], "signatures": []}
        )

    fields: dict[str, Any] = {}
    entities: list[dict[str, Any]] = []
    key_phrases: list[dict[str, Any]] = []
    pii: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    for a in sorted(arts, key=lambda x: (x["page"] or 0, x["key"])):
        kind, n = a["kind"], a["page"]
        if kind == "text" and n is not None and a["stage"] in ("extract-text", "ocr", "xml"):
            page(n)["text"] = ledger.blobs.read(a["sha256"]).decode("utf-8")
            page(n).setdefault("source_run", a["run_id"])
        elif kind == "page-json" and n is not None:
            data = _load(ledger, a)
            p = page(n)
            p["source_run"] = a["run_id"]
            p["tables"] = data.get("tables", [])
            p["forms"].extend(data.get("forms", []))
            p["width"], p["height"] = data.get("width"), data.get("height")
        elif kind == "ocr-json" and n is not None:
            data = _load(ledger, a)
            p = page(n)
            p["source_run"] = a["run_id"]
            for key in ("lines", "forms", "checkboxes", "signatures"):
                p[key] = data.get(key, [])
            p["tables"] = [
                {"rows": t.get("rows", []), "cells": t.get("cells", []), "bbox": t.get("bbox")}
                for t in data.get("tables", [])
            ]
            p["width"], p["height"] = data.get("width"), data.get("height")
            p["engine"] = data.get("engine")
            p["engine_version"] = data.get("engine_version")
        elif kind == "forms-pii-json":
            pii.extend(_load(ledger, a))
        elif kind == "fields-json":
            fields.update(_load(ledger, a))
        elif kind == "nlp-json" and n is not None:
            data = _load(ledger, a)
            run = {"page": n, "source_run": a["run_id"]}
            entities.extend({**e, **run} for e in data.get("entities", []))
            key_phrases.extend({**k, **run} for k in data.get("key_phrases", []))
            pii.extend({**f, **run} for f in data.get("pii", []))
        elif kind == "document-json":
            data = _load(ledger, a)
            if a["stage"] in ("extract-text", "xml"):
                fields.update({k: v for k, v in data.get("fields", {}).items() if k not in fields})
            for d in data.get("field_details", []):
                if d.get("name") not in {x["name"] for x in details}:
                    details.append(d)
    if ledger.document_view(document_id, tenants=tenants) == access.REDACTED:
        # A confidential document for a caller who is neither owner nor listed reader: each page's
        # text with every PII finding removed, and nothing else (no tables, forms, entities or PII).
        for n, text in redacted_pages(ledger, document_id).items():
            page(n)["text"] = text
    from docledger.services.doctypes import doc_type_of

    typed = doc_type_of(ledger, document_id) or {}
    out = {
        "schema_version": SCHEMA_VERSION,
        "document_id": document_id,
        "name": doc["name"],
        "status": doc["status"],
        "media_type": doc["media_type"],
        "doc_type": typed.get("doc_type"),
        "doc_type_confidence": typed.get("doc_type_confidence"),
        "doc_type_source": typed.get("doc_type_source"),
        "pages": [pages[n] for n in sorted(pages)],
        "fields": fields,
        "field_details": details,
        "entities": entities,
        "key_phrases": key_phrases,
        "pii": pii,
    }
    from docledger.services.review import apply_to_export

    apply_to_export(ledger, document_id, out, tenants=tenants)  # reads only what the caller may read
    export = DocumentModel.model_validate(out)
    return export.model_dump(mode="json")


def redacted_pages(ledger: Ledger, document_id: str) -> dict[int, str]:
    """Each page's text with all its PII findings (and e-mail addresses spelling a PERSON) replaced by
    ``[TYPE]``: what a principal without full access to a confidential document may read.

    Made from the text and NLP artifacts (read here with the system's scope, never handed out), so it
    always covers every PII type, whatever redactions were requested. A page without NLP results is
    withheld entirely rather than shown unredacted."""
    from docledger.nlp.redact import person_emails, redact_text

    arts = ledger.artifacts(document_id)
    texts: dict[int, str] = {}
    pii: dict[int, list[dict[str, Any]]] = {}
    for a in arts:
        if a["page"] is None:
            continue
        if a["kind"] == "text" and a["stage"] in ("extract-text", "ocr", "xml"):
            texts[a["page"]] = ledger.blobs.read(a["sha256"]).decode("utf-8")
        elif a["kind"] == "nlp-json":
            pii[a["page"]] = list(_load(ledger, a).get("pii", []))
    every = [f for fs in pii.values() for f in fs]
    return {
        n: redact_text(text, pii[n] + person_emails(pii[n], every)) if n in pii else ""
        for n, text in sorted(texts.items())
    }


def export_document(
    ledger: Ledger, document_id: str, fmt: str, out_dir: Path, *, tenants: list[str] | None = None
) -> list[Path]:
    """Write the export to ``out_dir``; returns the files written."""
    if fmt not in FORMATS:
        raise InvalidRequest(f"unknown export format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = ledger.get_document(document_id, tenants=tenants)
    arts = _latest(ledger.artifacts(document_id, tenants=tenants))
    if fmt == "json":
        path = out_dir / "document.json"
        path.write_text(json.dumps(document_export(ledger, document_id, tenants=tenants), indent=1, ensure_ascii=False))
        return [path]
    if fmt == "text":
        data = document_export(ledger, document_id, tenants=tenants)
        path = out_dir / "document.txt"
        path.write_text("\n\f\n".join(p["text"] for p in data["pages"]))
        return [path]
    if fmt == "original":
        orig = [a for a in arts if a["kind"] == "original"]
        if not orig:
            raise NotFound(f"the original bytes of {document_id} were not stored (see its status for why)")
        return [ledger.blobs.copy_to(orig[0]["sha256"], out_dir / Path(doc["name"]).name)]
    if fmt == "csv":
        written = []
        for a in arts:
            if a["kind"] in ("tables-csv", "forms-csv", "xml-paths-csv"):
                name = a["key"].replace("/", "-")
                written.append(ledger.blobs.copy_to(a["sha256"], out_dir / name))
        if not written:
            raise NotFound(f"document {document_id} has no tables or forms to export as CSV")
        return written
    kind = fmt
    found = [a for a in arts if a["kind"] == kind]
    if not found:
        hint = (
            "Searchable PDFs are made for scanned documents and images."
            if kind == "searchable-pdf"
            else "Request one with `docledger redact DOC`."
        )
        raise NotFound(f"document {document_id} has no {kind}", hint=hint)
    return [ledger.blobs.copy_to(found[-1]["sha256"], out_dir / f"{Path(doc['name']).stem}.{kind}.pdf")]
