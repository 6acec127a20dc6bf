"""Stage ``nlp``: per page, key phrases, named entities and PII (with the recognizer that
found each finding and its score)."""

from __future__ import annotations

from typing import Any

from docledger.models import Events
from docledger.stages._text import page_texts
from docledger.stages.base import Stage, StageContext


class NlpStage(Stage):
    name = "nlp"
    version = "1.1.0"
    subscribes = (Events.TEXT_EXTRACTED,)
    produces = ("nlp-json",)
    description = "Key phrases (YAKE + noun chunks), entities (spaCy) and PII (Presidio + custom recognizers)."

    def engine_info(self) -> dict[str, Any]:
        from docledger.nlp._spacy import model_version

        return {
            "spacy_model": model_version(),
            "pii": "presidio-analyzer 2.2.366 + docledger recognizers",
            "key_phrases": "YAKE statistic on the spaCy parse + POS noun chunks",
        }

    def process(self, ctx: StageContext) -> None:
        from docledger.nlp.analysis import analyze_pages

        totals = {"entities": 0, "key_phrases": 0, "pii": 0}
        summary: dict[str, Any] = {"document_id": ctx.document_id, "pages": []}
        restricted = ctx.document.get("classification") == "restricted"  # low-confidence PII kept, needs_review
        pages = page_texts(ctx)
        # one batched parse for all pages; empty text: empty lists
        results = analyze_pages([text for _, text, _ in pages], restricted=restricted)
        for (page, _text, _art), result in zip(pages, results, strict=True):
            ctx.add_json(f"page-{page}/nlp.json", "nlp-json", {"page": page, **result}, page=page)
            for k in totals:
                totals[k] += len(result[k])
            summary["pages"].append({"page": page, "pii_types": sorted({f["type"] for f in result["pii"]})})
        form_pii = self._form_field_pii(ctx)
        if form_pii:
            ctx.add_json("forms-pii.json", "forms-pii-json", form_pii)
            totals["pii"] += len(form_pii)
        ctx.add_json("nlp.json", "nlp-summary", {**summary, "totals": totals})
        ctx.log(f"{totals['entities']} entities, {totals['key_phrases']} key phrases, {totals['pii']} PII findings")
        ctx.emit(Events.NLP_COMPLETED, {"pii": totals["pii"]})

    def _form_field_pii(self, ctx: StageContext) -> list[dict[str, Any]]:
        """PII in AcroForm values, which are not part of the page text (e.g. a filled loan application).

        Each value is checked as "label: value" so the labelled recognizers (DOB, account...) apply;
        offsets are relative to the value, and the finding names its field.
        """
        import json

        from docledger.nlp._spacy import parse_many
        from docledger.nlp.pii import findings_from_docs

        fields: list[tuple[dict[str, Any], str, str]] = []  # (field, label, "label: value")
        for art in ctx.artifacts(kind="forms-json", stage="extract-text"):
            for field in json.loads(ctx.read(art)):
                value = str(field.get("value") or "").strip()
                if not value or field.get("type") in ("checkbox", "radio", "button"):
                    continue
                label = str(field.get("name") or "").replace("_", " ")
                fields.append((field, label, f"{label}: {value}"))
        found: list[dict[str, Any]] = []
        parsed = parse_many([text for _, _, text in fields])  # one batched parse for all fields
        for (field, label, text), docs in zip(fields, parsed, strict=True):
            for f in findings_from_docs(text, docs):
                if f["start"] < len(label) + 2:
                    continue  # the finding is in the label, not the value
                found.append(
                    {
                        **f,
                        "start": f["start"] - len(label) - 2,
                        "end": f["end"] - len(label) - 2,
                        "page": field.get("page"),
                        "field": field.get("name"),
                        "source": "form-field",
                    }
                )
        return found
