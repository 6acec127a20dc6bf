"""A new pipeline is a package that declares a stage in the `docledger.stages` entry-point group:
installing it is enough for it to receive the same events, with its runs in the same lineage."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.stages import discover
from docledger.worker import Worker
from sample_documents import text_pdf

PLUGIN = textwrap.dedent("""
    from docledger.stages.base import Stage

    class WordCountStage(Stage):
        name = "acme-wordcount"
        version = "2.1.0"
        subscribes = ("document.registered", "text.extracted")
        produces = ("wordcount-json",)

        def accepts(self, event):
            return event.type == "text.extracted"

        def process(self, ctx):
            counts = {}
            for art in ctx.artifacts(kind="text"):
                counts[art["page"]] = len(ctx.read(art).decode().split())
            ctx.add_json("acme/wordcount.json", "wordcount-json", counts)
""")


@pytest.fixture
def installed_plugin(tmp_path: Path):  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    site.mkdir()
    (site / "acme_wordcount.py").write_text(PLUGIN)
    dist = site / "acme_wordcount-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-wordcount\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[docledger.stages]\nacme-wordcount = acme_wordcount:WordCountStage\n")
    sys.path.insert(0, str(site))
    yield
    sys.path.remove(str(site))
    sys.modules.pop("acme_wordcount", None)


def test_installed_plugin_receives_events_and_joins_the_lineage(tmp_path: Path, installed_plugin: None) -> None:
    settings = Settings(home=tmp_path / "home")
    stages = discover(settings)
    assert {"classify", "extract-text", "xml", "acme-wordcount"} <= set(stages)
    only = ["classify", "extract-text", "xml", "acme-wordcount"]
    ledger = Ledger(settings, stages={k: v for k, v in stages.items() if k in only})
    pdf = text_pdf(tmp_path / "letter.pdf", [["one two three four"], ["five six"]])
    doc = ledger.ingest_path(pdf).document_id
    Worker(ledger).run(until_idle=True)
    assert ledger.get_document(doc)["status"] == "SUCCEEDED"
    graph = ledger.lineage(doc)
    node = next(n for n in graph["nodes"] if n["stage"] == "acme-wordcount")
    assert node["stage_version"] == "2.1.0"
    assert json.loads(ledger.blobs.read(node["sha256"])) == {"1": 4, "2": 2}
    texts = {n["id"] for n in graph["nodes"] if n["kind"] == "text"}
    assert {e["from"] for e in graph["edges"] if e["to"] == node["id"]} == texts
    # the built-in pipeline is untouched: same artifacts as without the plugin
    assert {n["key"] for n in graph["nodes"] if n["stage"] == "extract-text"} >= {"page-1/text.txt", "document.json"}


def test_backfill_gives_a_late_plugin_the_past_events(tmp_path: Path, installed_plugin: None) -> None:
    settings = Settings(home=tmp_path / "home")
    base = {k: v for k, v in discover(settings).items() if k in ("classify", "extract-text")}
    before = Ledger(settings, stages=base)
    docs = [before.ingest_path(text_pdf(tmp_path / f"d{i}.pdf", [["alpha beta gamma"]])).document_id for i in range(3)]
    Worker(before).run(until_idle=True)
    before.close()
    after = Ledger(
        settings, stages={**base, "acme-wordcount": discover(settings, only=["acme-wordcount"])["acme-wordcount"]}
    )
    assert after.backfill("acme-wordcount") == 6  # 3 x document.registered + 3 x text.extracted
    assert after.backfill("acme-wordcount") == 0  # never twice
    Worker(after).run(until_idle=True)
    for doc in docs:
        assert after.get_document(doc)["status"] == "SUCCEEDED"
        counts = [n for n in after.lineage(doc)["nodes"] if n["stage"] == "acme-wordcount"]
        assert len(counts) == 1 and json.loads(after.blobs.read(counts[0]["sha256"])) == {"1": 3}
    after.close()
