"""Stage ``nlp``: per page, key phrases, named entities and PII (with the recognizer that
found each finding and its score)."""

from __future__ import annotations

from typing import Any

from docledger.models import Events
from docledger.stages._text import page_texts
from docledger.stages.base import Stage, StageContext


class NlpStage(Stage):
    name = "nlp"
    version = "1.0.0"
    subscribes = (Events.TEXT_EXTRACTED,)
    produces = ("nlp-json",)
    description = "Key phrases (YAKE + noun chunks), entities (spaCy) and PII (Presidio + custom recognizers)."

    def engine_info(self) -> dict[str, Any]:
        from docledger.nlp._spacy import model_version

        return {"spacy_model": model_version(), "pii": "presidio-analyzer 2.2.366 + docledger recognizers",
                "key_phrases": "yake 0.7.3"}

    def process(self, ctx: StageContext) -> None:
        from docledger.nlp.pii import analyze_text

        totals = {"entities": 0, "key_phrases": 0, "pii": 0}
        summary: dict[str, Any] = {"document_id": ctx.document_id, "pages": []}
        for page, text, _art in page_texts(ctx):
            result = analyze_text(text) if text.strip() else {"entities": [], "key_phrases": [], "pii": []}
            ctx.add_json(f"page-{page}/nlp.json", "nlp-json", {"page": page, **result}, page=page)
            for k in totals:
                totals[k] += len(result[k])
            summary["pages"].append({"page": page, "pii_types": sorted({f["type"] for f in result["pii"]})})
        ctx.add_json("nlp.json", "nlp-summary", {**summary, "totals": totals})
        ctx.log(f"{totals['entities']} entities, {totals['key_phrases']} key phrases, {totals['pii']} PII findings")
        ctx.emit(Events.NLP_COMPLETED, {"pii": totals["pii"]})
