"""Stage ``xml``: a second pipeline that subscribes to ``document.registered`` on its own.

It shows "store once, process many": it receives the same events as the built-in pipeline,
ignores what is not XML, and its runs and outputs appear in the same lineage.
"""

from __future__ import annotations

from typing import Any

from docledger.document import DocumentField, DocumentModel, Page
from docledger.document.writers import document_json
from docledger.media.sniff import sniff
from docledger.models import Events
from docledger.stages._outputs import rows_to_csv
from docledger.stages.base import Stage, StageContext


class XmlStage(Stage):
    name = "xml"
    version = "1.0.0"
    subscribes = (Events.REGISTERED,)
    produces = ("text", "xml-paths-json", "xml-paths-csv")
    description = "Text and element paths of XML documents (an independent pipeline)."

    def accepts(self, event: Any) -> bool:
        return True  # the decision needs the bytes: see process()

    def process(self, ctx: StageContext) -> None:
        original = ctx.original()
        path = ctx.path_of(original, used=False)
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
        if not head or sniff(head).family != "xml":
            ctx.skip()  # not XML: nothing to record
            return
        ctx.use(original["id"])
        from docledger.media.xmldoc import read_xml

        content = read_xml(path.read_bytes())
        ctx.add_artifact("page-1/text.txt", "text", content.text, page=1, media_type="text/plain")
        ctx.add_json("xml/paths.json", "xml-paths-json", {"root": content.root_tag, "elements": content.element_paths})
        ctx.add_artifact(
            "xml/paths.csv",
            "xml-paths-csv",
            rows_to_csv([[e["path"], e["text"]] for e in content.element_paths], ["path", "text"]),
            media_type="text/csv",
        )
        fields = {e["path"]: e["text"] for e in content.element_paths[:200]}
        model = DocumentModel(
            document_id=ctx.document_id,
            pages=[Page(page=1, text=content.text, source_run=ctx.run_id)],
            fields=fields,
            field_details=[
                DocumentField(name=k, value=v, page=1, confidence=1.0, source_run=ctx.run_id) for k, v in fields.items()
            ],
        )
        ctx.add_artifact("document.json", "document-json", document_json(model), media_type="application/json")
        ctx.log(f"XML root <{content.root_tag}> with {len(content.element_paths)} text elements")
        ctx.emit(Events.TEXT_EXTRACTED, {"pages": [1], "source": "xml"})
