"""Search, ask, sentence matching, the graph, redaction requests and the invocations endpoint."""

from __future__ import annotations

import pytest

from .conftest import World
from .helpers import PARAGRAPH


def test_match_paragraph_returns_five_ranked_by_distance(world: World) -> None:
    r = world.client.post(
        "/v1/match",
        headers=world.h("reader"),
        json={"restatement": "Troponin results came back normal.", "paragraph": PARAGRAPH},
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["rank"] for x in results] == [1, 2, 3, 4, 5]
    assert all(0 <= x["distance"] <= 2 for x in results)  # pure cosine; the rank also weighs word overlap
    assert results[0]["distance"] == min(x["distance"] for x in results)
    assert "Troponin" in results[0]["sentence"]
    assert PARAGRAPH[results[0]["start"] : results[0]["end"]] == results[0]["sentence"]


def test_invocations_compatible_shape(world: World) -> None:
    r = world.client.post(
        "/invocations",
        headers=world.h("reader"),
        json={"input_sentence": "The patient went home the following day.", "input_paragraph": PARAGRAPH},
    )
    assert r.status_code == 200
    out = r.json()
    assert len(out) == 5 and set(out[0]) == {"rank", "matching_sentence", "distance"}
    assert "discharged" in out[0]["matching_sentence"]
    short = world.client.post(
        "/invocations",
        headers=world.h("reader"),
        json={"input_sentence": "pain", "input_paragraph": "Chest pain. No fever."},
    ).json()
    assert len(short) == 2
    assert world.client.get("/ping").json() == {"status": "ok"}


def _indexed(world: World) -> None:
    if "index" not in world.ledger.stages:
        pytest.skip("the index stage is not installed in this build")


def test_search_is_scoped_to_tenants(world: World) -> None:
    _indexed(world)
    hits = world.client.get("/v1/search", headers=world.h("reader"), params={"q": "Troponin"}).json()["results"]
    assert hits and hits[0]["document_id"] == world.docs["pdf"] and hits[0]["page"] == 1
    memo = world.client.get("/v1/search", headers=world.h("reader"), params={"q": "Globex memo"}).json()["results"]
    assert world.docs["globex"] not in {h["document_id"] for h in memo}
    mine = world.client.get("/v1/search", headers=world.h("globex"), params={"q": "Globex memo"}).json()["results"]
    assert mine and mine[0]["document_id"] == world.docs["globex"]


def test_ask_and_match_document(world: World) -> None:
    _indexed(world)
    r = world.client.post("/v1/ask", headers=world.h("reader"), json={"question": "Were troponin levels normal?"})
    assert r.status_code == 200 and r.json()["results"][0]["document_id"] == world.docs["pdf"]
    m = world.client.post(
        "/v1/match",
        headers=world.h("reader"),
        json={"restatement": "Troponin was normal.", "document_id": world.docs["pdf"]},
    ).json()
    assert "Troponin" in m["results"][0]["sentence"] and m["results"][0]["page"] == 1


def test_graph_endpoint(world: World) -> None:
    r = world.client.get("/v1/graph", headers=world.h("reader"))
    assert r.status_code == 200, r.text
    assert set(r.json()) >= {"nodes", "edges"}
    missing = world.client.get("/v1/graph", headers=world.h("reader"), params={"entity": "Nobody Atall"})
    assert missing.status_code == 404


def test_redaction_request_lands_on_timeline_and_produces_redacted_text(world: World) -> None:
    doc_id = world.docs["pdf"]
    r = world.client.post(f"/v1/documents/{doc_id}/redactions", headers=world.h("reviewer"), json={"types": ["PERSON"]})
    assert r.status_code == 202, r.text
    ops = world.client.get(f"/v1/documents/{doc_id}/operations", headers=world.h("reader")).json()
    last = ops["timeline"][-1]
    assert last["status"] == "requested" and "rev requested a redaction of PERSON" in last["message"]
    world.process()
    if "redact" not in world.ledger.stages:
        pytest.skip("the redact stage is not installed in this build")
    arts = world.client.get(
        f"/v1/documents/{doc_id}/artifacts", headers=world.h("reader"), params={"kind": "redacted-text"}
    ).json()["artifacts"]
    assert arts, "the redact stage produced no redacted text"
    text = world.client.get(arts[0]["content_url"], headers=world.h("reader")).text
    assert "John Smith" not in text and "Invoice 2024-0042" in text


def test_invocations_can_be_public_for_existing_clients(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from docledger.api import create_app
    from docledger.ledger import Ledger
    from docledger.settings import Settings

    body = {
        "input_sentence": "The patient has chest pain.",
        "input_paragraph": "He reports chest pain since Monday. He likes gardening. His sister visited.",
    }
    for public, expected in ((False, 401), (True, 200)):
        ledger = Ledger(Settings(home=tmp_path / str(public), public_invocations=public), stages={})
        with TestClient(create_app(ledger)) as client:
            resp = client.post("/invocations", json=body)
            assert resp.status_code == expected, resp.text
            if public:
                ranked = resp.json()
                assert [r["rank"] for r in ranked] == [1, 2, 3]
                assert ranked[0]["matching_sentence"] == "He reports chest pain since Monday."
        ledger.close()
