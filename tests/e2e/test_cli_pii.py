"""PII of plain-text files through the command line, as a user runs it: `run`, then `export --format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import cli, lines

CHAT = (
    "Why is Marguerite always late? Call me tonight, Tobias!\n"
    "Ship to Mannerheimintie 14 B 22, 00100 Helsinki, Finland.\n"
    "Card 4111 1111 1111 1111, iban de89370400440532013000, server 203.0.113.7, +44 20 7946 0958.\n"
    "Closed over a Blake drain.\n"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("cli-pii")
    out: dict[str, dict] = {}
    for classification in ("internal", "restricted"):
        src = root / classification / "chat.txt"
        src.parent.mkdir()
        src.write_text(CHAT + f"({classification})\n", encoding="utf-8")
        home = root / f"home-{classification}"
        run = lines(cli(home, "run", str(src), "--classification", classification, "--json"))
        assert [r["status"] for r in run] == ["SUCCEEDED"]
        cli(home, "export", run[0]["document_id"], "--format", "json", "--out", str(root / f"out-{classification}"))
        out[classification] = json.loads(Path(root / f"out-{classification}" / "document.json").read_text("utf-8"))
        out[classification]["home"] = str(home)
    return out


def test_plain_text_pii_findings_carry_type_text_span_and_score(exported: dict[str, dict]) -> None:
    doc = exported["internal"]
    text = doc["pages"][0]["text"]
    pii = doc["pii"]
    for f in pii:
        assert text[f["start"] : f["end"]] == f["text"] and 0 < f["score"] <= 1 and f["page"] == 1
        assert "needs_review" not in f
    got = {(f["type"], f["text"]) for f in pii}
    assert {
        ("PERSON", "Marguerite"),
        ("PERSON", "Tobias"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN_CODE", "de89370400440532013000"),
        ("IP_ADDRESS", "203.0.113.7"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("US_ADDRESS", "Mannerheimintie 14 B 22, 00100 Helsinki, Finland"),
    } <= got
    assert ("PERSON", "Blake") not in got  # a name used as a modifier: a candidate at most


def test_restricted_documents_list_low_confidence_candidates_for_review(exported: dict[str, dict]) -> None:
    review = [f for f in exported["restricted"]["pii"] if f.get("needs_review")]
    assert ("PERSON", "Blake") in {(f["type"], f["text"]) for f in review}
    assert all(f["score"] < 0.4 for f in review)
    confident = {(f["type"], f["text"]) for f in exported["restricted"]["pii"] if not f.get("needs_review")}
    assert confident == {(f["type"], f["text"]) for f in exported["internal"]["pii"]}


def test_restricted_documents_redact_the_candidates_too(exported: dict[str, dict]) -> None:
    from docledger.pipeline import open_ledger
    from docledger.settings import Settings

    doc = exported["restricted"]
    ledger = open_ledger(Settings(home=Path(doc["home"])))
    try:
        arts = [a for a in ledger.artifacts(doc["document_id"]) if a["kind"] == "redacted-text"]
        assert len(arts) == 1
        redacted = ledger.blobs.read(arts[0]["sha256"]).decode("utf-8")
    finally:
        ledger.close()
    assert "Blake" not in redacted and "Tobias" not in redacted and "Mannerheimintie" not in redacted
    assert "Closed over a [PERSON] drain." in redacted
