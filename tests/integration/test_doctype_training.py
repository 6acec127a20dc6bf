"""A tenant teaches docledger its own document types: confirmed types at ingest, a label that
corrects one, training, then predictions (source model, with confidence) for later documents."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from conftest import drain
from docledger.exceptions import InvalidRequest
from docledger.ledger import Ledger
from docledger.services import doctypes
from docledger.stages.classify import ClassifyStage
from docledger.stages.extract_text import ExtractTextStage
from docledger.stages.fields import FieldsStage

WORDS = {
    "memo": [
        "MEMORANDUM",
        "To: all staff",
        "From: facilities",
        "Subject: {w} schedule",
        "Date: {d}",
        "Please note the {w} changes effective next week.",
        "cc: department heads",
    ],
    "minutes": [
        "Minutes of the {w} committee meeting",
        "Present: {n} members",
        "1. Approval of the agenda",
        "2. Matters arising from the {w} report",
        "Motion carried.",
        "Meeting adjourned at {d}",
    ],
    "recipe": [
        "{w} casserole",
        "Ingredients",
        "2 cups flour",
        "1 tsp salt",
        "Method",
        "Preheat the oven and bake the {w} for 40 minutes.",
        "Serves {n}",
    ],
}
FILL = ["budget", "parking", "garden", "safety", "pumpkin", "winter", "network", "library", "travel", "harvest"]


def _text(kind: str, rng: random.Random) -> str:
    lines = [
        ln.format(w=rng.choice(FILL), n=rng.randint(2, 12), d=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}")
        for ln in WORDS[kind]
    ]
    rng.shuffle(lines[1:])
    noise = " ".join(rng.choice(FILL) for _ in range(rng.randint(3, 12)))
    return "\n".join(lines + [noise]) + "\n"


@pytest.fixture
def pipeline(make_ledger: Any, make_settings: Any) -> Ledger:
    s = make_settings()
    return make_ledger({st.name: st for st in (ClassifyStage(s), ExtractTextStage(s), FieldsStage(s))})  # type: ignore[no-any-return]


def test_train_on_confirmed_types_then_predict(pipeline: Ledger, tmp_path: Path) -> None:
    rng = random.Random(3)
    labelled: list[tuple[str, str]] = []
    for kind in WORDS:
        for i in range(6):
            p = tmp_path / f"{kind}-{i}.txt"
            p.write_text(_text(kind, rng))
            doc = pipeline.ingest_path(p, tenant="acme").document_id
            # one recipe is first confirmed as a memo by mistake, then corrected with a label
            doctypes.after_ingest(
                pipeline, [doc], doc_type="memo" if (kind, i) == ("recipe", 0) else kind, loan_file=None
            )
            labelled.append((doc, kind))
    doctypes.label(pipeline, labelled[12][0], "recipe", actor="reviewer-1")
    drain(pipeline, timeout=120)
    before = doctypes.doc_type_of(pipeline, labelled[0][0])
    assert before is not None and before["doc_type_source"] == "person" and before["doc_type"] == "memo"

    with pytest.raises(InvalidRequest, match="at least two types"):
        doctypes.train(pipeline, "empty-tenant")
    out = doctypes.train(pipeline, "acme", actor="reviewer-1")
    assert set(out) == {"model_version", "examples", "classes", "cv_accuracy"}
    assert out["model_version"] == 1 and out["examples"] == 18
    assert out["classes"] == ["memo", "minutes", "recipe"]
    assert out["cv_accuracy"] is not None and out["cv_accuracy"] >= 0.8

    fresh = []
    for kind in WORDS:
        for i in range(3):
            p = tmp_path / f"new-{kind}-{i}.txt"
            p.write_text(_text(kind, random.Random(100 + i * 7 + len(kind))))
            fresh.append((pipeline.ingest_path(p, tenant="acme").document_id, kind))
    drain(pipeline, timeout=120)
    right = 0
    for doc, kind in fresh:
        t = doctypes.doc_type_of(pipeline, doc)
        assert t is not None and t["doc_type_source"] == "model" and t["model_version"] == 1
        assert 0 < t["doc_type_confidence"] <= 1
        right += t["doc_type"] == kind
    assert right >= 8
    # confirmed types are never overwritten by predictions; the model is a versioned blob in the ledger
    assert doctypes.doc_type_of(pipeline, labelled[12][0])["doc_type"] == "recipe"  # type: ignore[index]
    with pipeline.store.read() as tx:
        row = tx.fetchone("latest_doc_type_model", tenant="acme")
    assert row is not None and pipeline.blobs.exists(row["sha256"]) and json.loads(row["classes"]) == out["classes"]
    assert doctypes.train(pipeline, "acme")["model_version"] == 2
