"""The classification policy (docs/access.md) through the API, the web UI and the CLI, on both stores.

Tenant ``bank``: a restricted memo (owner olga, listed reader lena), a confidential note with an
SSN and an e-mail address spelling the patient's name (owner olga), and an internal statement.
``ivan`` is a reader of the tenant who is neither owner nor listed: the restricted memo must not
exist for him anywhere, and the confidential note must show him redacted text only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import create_database, drop_database, pg_url
from docledger.api import create_app
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.worker.runner import Worker

from .conftest import settings_for, upload
from .helpers import installed_stages, make_pdf

SSN = "078-05-1120"
EMAIL = "Zhang.Wei@example.com"
MEMO = ["Restricted memo about applicant Maria Garcia", "Her file mentions zebra crossings downtown."]
NOTE = [
    "Patient Zhang Wei reported chest pain for two days.",
    f"Social security number {SSN} on file.",
    f"Contact the patient at {EMAIL} for follow up.",
]
STATEMENT = ["Quarterly escrow statement", "The zebra account shows no shortage this quarter."]


@dataclass
class Bank:
    ledger: Ledger
    client: TestClient
    tokens: dict[str, str]
    docs: dict[str, str]
    env: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bank(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    home = tmp_path_factory.mktemp("bank")
    dbname = None
    url = None
    if request.param == "postgres":
        dbname = create_database(request.getfixturevalue("pg_template"))
        url = pg_url(dbname)
    settings = settings_for(home, database_url=url)
    ledger = Ledger(settings, stages=installed_stages(settings))
    tokens = {
        "root": create_token(ledger, "root", ["*"], "admin"),
        "opal": create_token(ledger, "opal", ["bank"], "operator"),
        "olga": create_token(ledger, "olga", ["bank"], "reader"),
        "lena": create_token(ledger, "lena", ["bank"], "reader"),
        "ivan": create_token(ledger, "ivan", ["bank"], "reviewer"),
    }
    client = TestClient(create_app(ledger))
    b = Bank(ledger, client, tokens, {}, {"DOCLEDGER_HOME": str(home), "DOCLEDGER_DATABASE_URL": url or ""})
    for key, name, lines, cls in (
        ("memo", "memo.pdf", MEMO, "restricted"),
        ("note", "note.pdf", NOTE, "confidential"),
        ("statement", "statement.pdf", STATEMENT, "internal"),
    ):
        r = upload(
            client,
            b.h("opal"),
            name,
            make_pdf(lines),
            "application/pdf",
            owner="olga",
            tenant="bank",
            classification=cls,
        )
        b.docs[key] = r.json()["documents"][0]["document_id"]
    r = client.patch(f"/v1/documents/{b.docs['memo']}/ownership", headers=b.h("root"), json={"readers": ["lena"]})
    assert r.status_code == 200, r.text
    Worker(ledger, worker_id="test").run(until_idle=True)
    yield b
    client.close()
    ledger.close()
    if dbname:
        drop_database(dbname)


def _same_404(bank: Bank, url: str, who: str, doc_id: str) -> None:
    """``url`` answers ``who`` exactly like the same URL for a document that does not exist."""
    r = bank.client.get(url, headers=bank.h(who))
    missing = bank.client.get(url.replace(doc_id, "doc_00000000000000000000000000"), headers=bank.h(who))
    assert r.status_code == missing.status_code == 404, (url, r.status_code)
    assert r.json() == json.loads(missing.text.replace("doc_00000000000000000000000000", doc_id))


@pytest.mark.parametrize("path", ["", "/ownership", "/operations", "/lineage", "/artifacts", "/export"])
def test_restricted_document_is_a_plain_404_for_unlisted_principals(bank: Bank, path: str) -> None:
    memo = bank.docs["memo"]
    _same_404(bank, f"/v1/documents/{memo}{path}", "ivan", memo)
    for who in ("olga", "lena", "root"):
        assert bank.client.get(f"/v1/documents/{memo}{path}", headers=bank.h(who)).status_code == 200, who


def test_restricted_artifacts_are_the_same_404_as_missing_ones(bank: Bank) -> None:
    arts = bank.client.get(f"/v1/documents/{bank.docs['memo']}/artifacts", headers=bank.h("olga")).json()
    art = arts["artifacts"][0]["artifact_id"]
    for url in (f"/v1/artifacts/{art}", f"/v1/artifacts/{art}/content", f"/v1/artifacts/{art}/lineage"):
        r = bank.client.get(url, headers=bank.h("ivan"))
        gone = bank.client.get(url.replace(art, "art_nope"), headers=bank.h("ivan"))
        assert r.status_code == gone.status_code == 404
        assert r.json() == json.loads(gone.text.replace("art_nope", art))
        assert bank.client.get(url, headers=bank.h("lena")).status_code == 200


def test_restricted_document_is_left_out_of_lists_search_graph_and_summaries(bank: Bank) -> None:
    memo, statement = bank.docs["memo"], bank.docs["statement"]

    def listed(who: str) -> set[str]:
        return {d["document_id"] for d in bank.client.get("/v1/documents", headers=bank.h(who)).json()["documents"]}

    assert memo not in listed("ivan") and statement in listed("ivan")
    assert memo in listed("olga") and memo in listed("lena") and memo in listed("root")
    hits = bank.client.get("/v1/search", params={"q": "zebra"}, headers=bank.h("ivan")).json()["results"]
    assert {h["document_id"] for h in hits} == {statement}
    hits = bank.client.get("/v1/search", params={"q": "zebra"}, headers=bank.h("lena")).json()["results"]
    assert {h["document_id"] for h in hits} == {statement, memo}
    top = bank.client.get("/v1/graph", headers=bank.h("ivan")).json()
    labels = " ".join(n["label"] for n in top["nodes"])
    assert "Maria" not in labels and "Zhang" not in labels
    assert "Maria" in " ".join(n["label"] for n in bank.client.get("/v1/graph", headers=bank.h("olga")).json()["nodes"])
    r = bank.client.get("/v1/graph", params={"entity": "Maria Garcia"}, headers=bank.h("ivan"))
    assert r.status_code == 404
    _same_404(bank, f"/v1/graph?document_id={memo}", "ivan", memo)
    mine = bank.client.get("/v1/operations/summary", headers=bank.h("ivan")).json()
    theirs = bank.client.get("/v1/operations/summary", headers=bank.h("olga")).json()
    assert sum(mine["documents_by_status"].values()) == 2 and sum(theirs["documents_by_status"].values()) == 3
    runs = {d["stage"]: d["runs"] for d in mine["stage_durations"]}
    assert runs["classify"] == 2 and {d["stage"]: d["runs"] for d in theirs["stage_durations"]}["classify"] == 3
    metrics = bank.client.get("/metrics", headers=bank.h("ivan")).text
    assert 'docledger_documents{status="SUCCEEDED"} 2' in metrics


def test_confidential_document_shows_only_redacted_text_to_unlisted_principals(bank: Bank) -> None:
    note = bank.docs["note"]
    full = bank.client.get(f"/v1/documents/{note}/export", headers=bank.h("olga")).json()
    assert SSN in full["pages"][0]["text"] and full["pii"]
    red = bank.client.get(f"/v1/documents/{note}/export", headers=bank.h("ivan")).json()
    text = red["pages"][0]["text"]
    assert "chest pain" in text and SSN not in text and EMAIL not in text and "[US_SSN]" in text
    assert "Zhang" not in json.dumps(red) and red["pii"] == [] and red["entities"] == []
    kinds = {
        a["kind"]
        for a in bank.client.get(f"/v1/documents/{note}/artifacts", headers=bank.h("ivan")).json()["artifacts"]
    }
    assert kinds <= {"redacted-text", "redacted-pdf"}
    original = next(
        a
        for a in bank.client.get(f"/v1/documents/{note}/artifacts", headers=bank.h("olga")).json()["artifacts"]
        if a["kind"] == "original"
    )
    content = f"/v1/artifacts/{original['artifact_id']}/content"
    assert bank.client.get(content, headers=bank.h("ivan")).status_code == 404
    assert bank.client.get("/v1/search", params={"q": "chest pain"}, headers=bank.h("ivan")).json()["results"] == []
    matched = bank.client.post(
        "/v1/match", headers=bank.h("ivan"), json={"restatement": "social security number", "document_id": note}
    ).json()
    assert matched["results"] and all(SSN not in m["sentence"] for m in matched["results"])
    assert any(
        SSN in m["sentence"]
        for m in bank.client.post(
            "/v1/match", headers=bank.h("olga"), json={"restatement": "social security number", "document_id": note}
        ).json()["results"]
    )


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def _ui(bank: Bank, who: str) -> TestClient:
    c = TestClient(create_app(bank.ledger), follow_redirects=False)
    page = c.get("/ui/login")
    r = c.post("/ui/login", data={"token": bank.tokens[who], "csrf": _csrf(page.text), "next": "/ui/"})
    assert r.status_code == 303
    return c


def test_policy_in_the_web_ui(bank: Bank) -> None:
    memo, note = bank.docs["memo"], bank.docs["note"]
    ivan, olga = _ui(bank, "ivan"), _ui(bank, "olga")
    assert "memo.pdf" not in ivan.get("/ui/documents").text and "memo.pdf" in olga.get("/ui/documents").text
    assert ivan.get(f"/ui/documents/{memo}").status_code == 404
    assert olga.get(f"/ui/documents/{memo}").status_code == 200
    assert "memo.pdf" not in ivan.get("/ui/search", params={"q": "zebra"}).text
    assert "memo.pdf" in olga.get("/ui/search", params={"q": "zebra"}).text
    page = ivan.get(f"/ui/documents/{note}")
    assert page.status_code == 200 and SSN not in page.text and "chest pain" in page.text
    assert SSN in olga.get(f"/ui/documents/{note}").text
    assert "Maria" not in ivan.get("/ui/graph").text


def _cli(bank: Bank, who: str, *args: str) -> Any:
    from docledger.cli.main import app

    env = {**bank.env, "DOCLEDGER_TOKEN": bank.tokens[who]}
    return CliRunner().invoke(app, list(args), env=env)


def test_policy_in_the_cli(bank: Bank, tmp_path: Path) -> None:
    memo, note = bank.docs["memo"], bank.docs["note"]
    ivan = _cli(bank, "ivan", "list", "--json")
    assert ivan.exit_code == 0, ivan.output
    assert memo not in ivan.output and note in ivan.output
    assert memo in _cli(bank, "lena", "list", "--json").output
    r = _cli(bank, "ivan", "status", memo)
    assert r.exit_code == 3 and f"no document {memo}" in r.output
    assert _cli(bank, "lena", "status", memo).exit_code == 0
    r = _cli(bank, "ivan", "export", note, "--format", "text", "--out", str(tmp_path / "ivan"))
    assert r.exit_code == 0, r.output
    text = (tmp_path / "ivan" / "document.txt").read_text()
    assert "chest pain" in text and SSN not in text
    assert _cli(bank, "ivan", "export", note, "--format", "original", "--out", str(tmp_path / "o")).exit_code == 3
    _cli(bank, "olga", "export", note, "--format", "text", "--out", str(tmp_path / "olga"))
    assert SSN in (tmp_path / "olga" / "document.txt").read_text()
    hits = _cli(bank, "ivan", "search", "zebra", "--json")
    assert hits.exit_code == 0 and memo not in hits.output and bank.docs["statement"] in hits.output
    assert "Maria" not in _cli(bank, "ivan", "graph").output
    bad = CliRunner().invoke(
        __import__("docledger.cli.main", fromlist=["app"]).app,
        ["list"],
        env={**bank.env, "DOCLEDGER_TOKEN": "dl_not_a_token"},
    )
    assert bad.exit_code == 4 and "not valid" in bad.output
