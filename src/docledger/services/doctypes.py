"""Document types over the ledger: confirm (label), define per-tenant types, train the tenant's
classifier from its confirmed documents, and predict a type for a document.

A document's current type lives in ``document_types`` with its source: ``person`` (confirmed at
ingest or by `docledger label`), ``model`` (the tenant's trained classifier) or ``rule`` (the
built-in taxonomy's rules, before a model exists). A confirmed type is never overwritten by a
prediction. Trained models are blobs in the ledger's content-addressed store, listed with their
version, examples, classes and cross-validated accuracy in ``doc_type_models``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from docledger.doctypes import BUILTIN_TYPES, rule_scores, rule_type, taxonomy, valid_type_name
from docledger.exceptions import InvalidRequest, NotFound
from docledger.ids import iso, now
from docledger.ledger.operations import add_timeline

RULE_OVERRIDE = 0.7  # see predict(): when a title rule may type a document the model was not taught
_models: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


# ---- types and labels ------------------------------------------------------------------------------
def define_type(tx: Any, tenant: str, name: str, *, description: str = "", actor: str = "cli") -> str:
    name = valid_type_name(name)
    if name not in BUILTIN_TYPES:
        tx.execute(
            "upsert_doc_type_def", tenant=tenant, name=name, description=description, created_by=actor, created_at=now()
        )
    return name


def list_types(ledger: Any, tenant: str) -> list[dict[str, Any]]:
    tax = taxonomy()
    out = [{"name": n, "label": r.label, "builtin": True} for n, r in tax.types.items()]
    with ledger.store.read() as tx:
        for r in tx.fetchall("doc_type_defs_for_tenant", tenant=tenant):
            out.append({"name": r["name"], "label": r["description"] or r["name"], "builtin": False})
    return out


def record_type(
    tx: Any,
    document_id: str,
    tenant: str,
    doc_type: str,
    *,
    confidence: float,
    source: str,
    actor: str,
    model_version: int | None = None,
) -> None:
    """Write a document's current type (a prediction never replaces a person's confirmation)."""
    cur = tx.fetchone("get_document_type", document_id=document_id)
    if cur is not None and cur["source"] == "person" and source != "person":
        return
    tx.execute(
        "upsert_document_type",
        document_id=document_id,
        tenant=tenant,
        doc_type=doc_type,
        confidence=float(confidence),
        source=source,
        model_version=model_version,
        set_by=actor,
        updated_at=now(),
    )
    old = f" (was {cur['doc_type']} by {cur['source']})" if cur is not None and cur["doc_type"] != doc_type else ""
    verb = "confirmed" if source == "person" else "predicted"
    add_timeline(
        tx,
        document_id,
        "doctype",
        "typed",
        f"type {doc_type} {verb} by {actor if source == 'person' else source}"
        f"{'' if source == 'person' else f' with confidence {confidence:.2f}'}{old}",
        worker=actor,
    )


def label(
    ledger: Any, document_id: str, doc_type: str, *, actor: str = "cli", tenants: list[str] | None = None
) -> dict[str, Any]:
    """Confirm or correct a document's type (a new tenant type is defined on first use)."""
    doc = ledger.get_document(document_id, tenants=tenants)
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        name = define_type(tx, doc["tenant"], doc_type, actor=actor)
        record_type(tx, document_id, doc["tenant"], name, confidence=1.0, source="person", actor=actor)
    return doc_type_of(ledger, document_id) or {}


def doc_type_of(ledger: Any, document_id: str) -> dict[str, Any] | None:
    with ledger.store.read() as tx:
        r = tx.fetchone("get_document_type", document_id=document_id)
    return None if r is None else type_json(r)


def type_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "document_id": r["document_id"],
        "doc_type": r["doc_type"],
        "doc_type_confidence": float(r["confidence"]),
        "doc_type_source": r["source"],
        "model_version": r["model_version"],
        "set_by": r["set_by"],
        "updated_at": iso(r["updated_at"]),
    }


# ---- text of a processed document ------------------------------------------------------------------
TEXT_STAGES = ("extract-text", "ocr", "xml")


def document_text(store: Any, blobs: Any, document_id: str) -> str | None:
    """The document's text, pages in order (None before text extraction has run)."""
    with store.read() as tx:
        rows = tx.fetchall("artifacts_for_document", document_id=document_id)
    pages: dict[int, dict[str, Any]] = {}
    for a in rows:
        if a["kind"] == "text" and a["page"] is not None and a["stage"] in TEXT_STAGES:
            prev = pages.get(int(a["page"]))
            if prev is None or a["created_at"] >= prev["created_at"]:
                pages[int(a["page"])] = a
    if not pages:
        return None
    return "\n\f\n".join(blobs.read(pages[n]["sha256"]).decode("utf-8", "replace") for n in sorted(pages))


# ---- the tenant's model ----------------------------------------------------------------------------
def latest_model_row(store: Any, tenant: str) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.fetchone("latest_doc_type_model", tenant=tenant)


def load_model(store: Any, blobs: Any, tenant: str) -> tuple[int, Any] | None:
    from docledger.doctypes.model import DocTypeModel

    row = latest_model_row(store, tenant)
    if row is None:
        return None
    key = (tenant, int(row["version"]))
    with _lock:
        model = _models.get(key)
        if model is None:
            model = DocTypeModel.from_bytes(blobs.read(row["sha256"]))
            _models[key] = model
    return key[1], model


def predict(store: Any, blobs: Any, tenant: str, text: str) -> dict[str, Any]:
    """{doc_type, confidence, source, model_version}: the tenant's model if trained, else the rules."""
    loaded = load_model(store, blobs, tenant)
    if loaded is None:
        return _by_rule(text)
    version, model = loaded
    return decide(text, model.predict([text])[0], model, version)


def _by_rule(text: str) -> dict[str, Any]:
    rule, rule_conf = rule_type(text, min_evidence=2.0)
    return {
        "doc_type": rule,
        "confidence": rule_conf,
        "source": "rule",
        "model_version": None,
        "rules_version": taxonomy().version,
    }


def decide(text: str, predicted: tuple[str, float], model: Any, version: int) -> dict[str, Any]:
    """The model's prediction, unless the document is a built-in type the model was never taught and
    its title says so (a W-2 arriving at a tenant that trained only on letters and memos)."""
    by_rule = _by_rule(text)
    rule, rule_conf = by_rule["doc_type"], by_rule["confidence"]
    if rule not in model.classes and rule_conf >= RULE_OVERRIDE and rule_scores(text).get(rule, 0) >= 4.0:
        return by_rule
    doc_type, conf = predicted
    return {"doc_type": doc_type, "confidence": round(conf, 4), "source": "model", "model_version": version}


def train(ledger: Any, tenant: str, *, actor: str = "cli", retype: bool = True) -> dict[str, Any]:
    """Train the tenant's classifier from its confirmed documents; store it as a new version."""
    from docledger.doctypes.features import embed_documents
    from docledger.doctypes.model import DocTypeModel

    with ledger.store.read() as tx:
        confirmed = tx.fetchall("confirmed_types_for_tenant", tenant=tenant)
    texts, labels, missing = [], [], 0
    for r in confirmed:
        text = document_text(ledger.store, ledger.blobs, r["document_id"])
        if text is None:
            missing += 1
            continue
        texts.append(text)
        labels.append(r["doc_type"])
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise InvalidRequest(
            f"tenant {tenant!r} has {len(texts)} processed document(s) with a confirmed type in "
            f"{len(classes)} type(s); training needs at least two types"
            + (f" ({missing} confirmed document(s) are not processed yet)" if missing else ""),
            hint="Confirm types with `docledger ingest FILES --doc-type TYPE` or `docledger label DOC TYPE`, "
            "run a worker so their text is extracted, then train again.",
        )
    emb = embed_documents(texts)
    model = DocTypeModel().fit(texts, labels, embeddings=emb)
    cv = model.meta.get("cv_accuracy")
    model.meta.update({"tenant": tenant, "trained_at": now(), "examples": len(texts), "classes": classes})
    sha = ledger.blobs.put_bytes(model.to_bytes(), durable=True)
    with ledger.store.transaction() as tx:
        prev = tx.fetchone("latest_doc_type_model", tenant=tenant)
        version = int(prev["version"]) + 1 if prev else 1
        tx.execute(
            "insert_doc_type_model",
            tenant=tenant,
            version=version,
            sha256=sha,
            examples=len(texts),
            classes=json.dumps(classes),
            cv_accuracy=cv,
            meta=json.dumps({"not_processed": missing, "weights": model.weights}),
            created_by=actor,
            created_at=now(),
        )
    with _lock:
        _models[(tenant, version)] = model
    if retype:
        retype_documents(ledger, tenant, model, version)
    return {
        "model_version": version,
        "examples": len(texts),
        "classes": classes,
        "cv_accuracy": None if cv is None else round(cv, 4),
    }


def retype_documents(ledger: Any, tenant: str, model: Any, version: int, *, batch: int = 64) -> int:
    """Give every processed, unconfirmed document of the tenant the new model's prediction."""
    with ledger.store.read() as tx:
        ids = [r["id"] for r in tx.fetchall("unconfirmed_documents_for_tenant", tenant=tenant)]
    done = 0
    for i in range(0, len(ids), batch):
        texts = [(d, document_text(ledger.store, ledger.blobs, d)) for d in ids[i : i + batch]]
        pairs = [(d, t) for d, t in texts if t is not None and not _is_package(ledger, d)]
        if not pairs:
            continue
        preds = model.predict([t for _, t in pairs])
        with ledger.store.transaction() as tx:
            for (doc_id, text), pred in zip(pairs, preds, strict=True):
                d = decide(text, pred, model, version)
                record_type(
                    tx,
                    doc_id,
                    tenant,
                    d["doc_type"],
                    confidence=d["confidence"],
                    source=d["source"],
                    actor="doctype-model",
                    model_version=d["model_version"],
                )
        done += len(pairs)
    return done


def _is_package(ledger: Any, document_id: str) -> bool:
    with ledger.store.read() as tx:
        return bool(tx.fetchall("splits_for_parent", parent_id=document_id))


def models(ledger: Any, tenant: str) -> list[dict[str, Any]]:
    row = latest_model_row(ledger.store, tenant)
    if row is None:
        return []
    return [
        {
            "model_version": int(row["version"]),
            "examples": int(row["examples"]),
            "classes": json.loads(row["classes"]),
            "cv_accuracy": row["cv_accuracy"],
            "created_at": iso(row["created_at"]),
            "created_by": row["created_by"],
        }
    ]


def require_document(ledger: Any, document_id: str, tenants: list[str] | None) -> dict[str, Any]:
    try:
        return dict(ledger.get_document(document_id, tenants=tenants))
    except NotFound:
        raise


def types_by_document(ledger: Any, tenant: str | None = None) -> dict[str, dict[str, Any]]:
    with ledger.store.read() as tx:
        rows = tx.fetchall("document_types_all", tenant=tenant)
    return {
        r["document_id"]: {
            "doc_type": r["doc_type"],
            "doc_type_confidence": float(r["confidence"]),
            "doc_type_source": r["source"],
        }
        for r in rows
    }


def after_ingest(
    ledger: Any,
    document_ids: list[str],
    *,
    doc_type: str | None,
    loan_file: str | None,
    actor: str = "cli",
    tenants: list[str] | None = None,
) -> None:
    """What `ingest --doc-type/--loan-file` records for the registered (or duplicate) documents."""
    if doc_type:
        valid_type_name(doc_type)
        for d in dict.fromkeys(document_ids):
            label(ledger, d, doc_type, actor=actor, tenants=tenants)
    if loan_file:
        from docledger.services.loans import assign

        for d in dict.fromkeys(document_ids):
            assign(ledger, d, loan_file, actor=actor, tenants=tenants)
