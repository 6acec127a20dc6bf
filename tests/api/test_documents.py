"""Document Arrival Register, ownership, operations, lineage and artifacts through the REST API."""

from __future__ import annotations

import time

from document_schema import assert_valid_document

from .conftest import World, upload
from .helpers import make_pdf


def test_upload_returns_202_with_id_status_url_and_dedupes(world: World) -> None:
    data = make_pdf(["Dedup check 1"])
    r = upload(world.client, world.h("operator"), "dup.pdf", data, "application/pdf")
    assert r.status_code == 202
    doc = r.json()["documents"][0]
    assert doc["document_id"].startswith("doc_") and doc["duplicate_of"] is None
    assert doc["status_url"] == f"/v1/documents/{doc['document_id']}/operations"
    assert r.headers["location"] == f"/v1/documents/{doc['document_id']}"
    again = upload(world.client, world.h("operator"), "copy-of-dup.pdf", data, "application/pdf").json()
    assert again["documents"][0]["duplicate_of"] == doc["document_id"]
    ops = world.client.get(doc["status_url"], headers=world.h("reader")).json()
    assert any(t["status"] == "duplicate" for t in ops["timeline"])


def test_upload_several_files_in_one_request(world: World) -> None:
    files = [("file", (f"multi-{i}.pdf", make_pdf([f"multi {i}"]), "application/pdf")) for i in range(3)]
    r = world.client.post("/v1/documents", headers=world.h("operator"), files=files, data={"tenant": "acme"})
    assert r.status_code == 202
    docs = r.json()["documents"]
    assert [d["name"] for d in docs] == ["multi-0.pdf", "multi-1.pdf", "multi-2.pdf"]
    assert len({d["document_id"] for d in docs}) == 3


def test_get_document_shows_registry_and_ownership(world: World) -> None:
    doc = world.client.get(f"/v1/documents/{world.docs['pdf']}", headers=world.h("reader")).json()
    assert doc["name"] == "invoice.pdf" and doc["tenant"] == "acme" and doc["owner"] == "alice"
    assert doc["classification"] == "confidential" and doc["media_type"] == "application/pdf"
    assert doc["status"] == "SUCCEEDED" and len(doc["sha256"]) == 64 and doc["source"] == "api"


def test_list_filters_and_cursor_pagination(world: World) -> None:
    h = world.h("reader")
    everything = world.client.get("/v1/documents", headers=h, params={"limit": 500}).json()["documents"]
    ids = [d["document_id"] for d in everything]
    assert ids == sorted(ids, reverse=True) and world.docs["globex"] not in ids
    seen, cursor = [], None
    while True:
        page = world.client.get("/v1/documents", headers=h, params={"limit": 2, "cursor": cursor}).json()
        seen += [d["document_id"] for d in page["documents"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    failed = world.client.get("/v1/documents", headers=h, params={"status": "FAILED"}).json()["documents"]
    assert [d["document_id"] for d in failed] == [world.docs["garbage"]]
    pngs = world.client.get("/v1/documents", headers=h, params={"media_type": "image/png"}).json()["documents"]
    assert [d["document_id"] for d in pngs] == [world.docs["png"]]
    mine = world.client.get("/v1/documents", headers=h, params={"owner": "alice"}).json()["documents"]
    assert [d["document_id"] for d in mine] == [world.docs["pdf"]]
    future = world.client.get("/v1/documents", headers=h, params={"from": "2999-01-01"}).json()["documents"]
    past = world.client.get("/v1/documents", headers=h, params={"to": "2000-01-01T00:00:00Z"}).json()["documents"]
    assert future == [] and past == []
    both = world.client.get("/v1/documents", headers=world.h("both"), params={"limit": 500}).json()["documents"]
    assert {world.docs["globex"], world.docs["pdf"]} <= {d["document_id"] for d in both}


def test_ownership_patch_lands_on_timeline(world: World) -> None:
    doc_id = world.docs["png"]
    r = world.client.patch(
        f"/v1/documents/{doc_id}/ownership",
        headers=world.h("reviewer"),
        json={
            "owner": "bob",
            "classification": "restricted",
            "legal_hold": True,
            "retention_until": "2031-12-31",
            "readers": ["rita", "rev"],
        },
    )
    assert r.status_code == 200, r.text
    # restricted: the listed reader still sees it, another reader of the tenant no longer does
    assert world.client.get(f"/v1/documents/{doc_id}", headers=world.h("both")).status_code == 404
    own = world.client.get(f"/v1/documents/{doc_id}/ownership", headers=world.h("reader")).json()
    assert own["owner"] == "bob" and own["classification"] == "restricted" and own["legal_hold"] is True
    assert own["retention_until"].startswith("2031-12-31")
    timeline = world.client.get(f"/v1/documents/{doc_id}/operations", headers=world.h("reader")).json()["timeline"]
    change = [t for t in timeline if t["stage"] == "ownership"]
    assert change and "rev changed" in change[-1]["message"] and "'bob'" in change[-1]["message"]


def test_operations_timeline_and_summary(world: World) -> None:
    ops = world.client.get(f"/v1/documents/{world.docs['garbage']}/operations", headers=world.h("reader")).json()
    assert ops["status"] == "FAILED" and ops["reason"] == "unsupported_media_type"
    assert ops["timeline"][0]["status"] == "registered"
    s = world.client.get("/v1/operations/summary", headers=world.h("reader")).json()
    assert s["documents_by_status"]["FAILED"] == 1 and s["failures_by_reason"] == {"unsupported_media_type": 1}
    assert s["documents_by_status"]["SUCCEEDED"] >= 2 and "queue" in s and s["dlq_size"] == 0
    admin = world.client.get("/v1/operations/summary", headers=world.h("admin")).json()
    assert sum(admin["documents_by_status"].values()) > sum(s["documents_by_status"].values())


def test_lineage_json_dot_svg_openlineage(world: World) -> None:
    h, doc_id = world.h("reader"), world.docs["pdf"]
    g = world.client.get(f"/v1/documents/{doc_id}/lineage", headers=h).json()
    kinds = {n["kind"] for n in g["nodes"]}
    assert {"original", "text"} <= kinds and g["edges"] and g["runs"]
    original = next(n for n in g["nodes"] if n["kind"] == "original")
    assert any(e["from"] == original["id"] for e in g["edges"])
    dot = world.client.get(f"/v1/documents/{doc_id}/lineage?format=dot", headers=h)
    assert dot.headers["content-type"].startswith("text/vnd.graphviz") and dot.text.startswith("digraph")
    svg = world.client.get(f"/v1/documents/{doc_id}/lineage?format=svg", headers=h)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.count('<a class="node"') == len(g["nodes"])
    assert f'href="/v1/artifacts/{original["id"]}/content"' in svg.text
    ol = world.client.get(f"/v1/documents/{doc_id}/lineage?format=openlineage", headers=h).json()
    assert {e["job"]["name"].split("@")[0] for e in ol} >= {"register", "classify"}


def test_artifact_lineage_list_and_download(world: World) -> None:
    h, doc_id = world.h("reader"), world.docs["pdf"]
    arts = world.client.get(f"/v1/documents/{doc_id}/artifacts", headers=h).json()["artifacts"]
    texts = world.client.get(f"/v1/documents/{doc_id}/artifacts", headers=h, params={"kind": "text"}).json()
    assert texts["artifacts"] and all(a["kind"] == "text" for a in texts["artifacts"])
    page1 = world.client.get(f"/v1/documents/{doc_id}/artifacts", headers=h, params={"page": 1}).json()
    assert page1["artifacts"] and all(a["page"] == 1 for a in page1["artifacts"])
    text = texts["artifacts"][0]
    body = world.client.get(text["content_url"], headers=h)
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/plain")
    assert "Invoice 2024-0042" in body.text
    assert 'filename="invoice.page-1_text.txt"' in body.headers["content-disposition"]
    original = next(a for a in arts if a["kind"] == "original")
    raw = world.client.get(original["content_url"], headers=h)
    assert raw.content.startswith(b"%PDF") and raw.headers["content-type"] == "application/pdf"
    assert 'filename="invoice.pdf"' in raw.headers["content-disposition"]
    up = world.client.get(f"/v1/artifacts/{text['artifact_id']}/lineage", headers=h).json()
    assert original["artifact_id"] in [n["id"] for n in up["upstream"]]
    one = world.client.get(f"/v1/artifacts/{text['artifact_id']}", headers=h).json()
    assert one["sha256"] == text["sha256"]


def test_export_json(world: World) -> None:
    r = world.client.get(f"/v1/documents/{world.docs['pdf']}/export?format=json", headers=world.h("reader"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert_valid_document(body)
    assert body["document_id"] == world.docs["pdf"]
    assert "Invoice 2024-0042" in body["pages"][0]["text"]


def test_health_and_metrics(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok", "store": "sqlite"}
    m = world.client.get("/metrics", headers=world.h("admin"))
    assert m.headers["content-type"].startswith("text/plain")
    assert 'docledger_documents{status="FAILED"} 1' in m.text
    assert "docledger_dlq_size 0" in m.text and 'docledger_stage_duration_seconds_count{stage="classify"}' in m.text
    assert 'docledger_failures{reason="unsupported_media_type"} 1' in m.text


def test_processing_reaches_terminal_status_for_new_upload(world: World) -> None:
    r = upload(world.client, world.h("operator"), "late.pdf", make_pdf([f"late {time.time()}"]), "application/pdf")
    doc_id = r.json()["documents"][0]["document_id"]
    assert world.client.get(f"/v1/documents/{doc_id}", headers=world.h("reader")).json()["status"] == "PROCESSING"
    world.process()
    assert world.client.get(f"/v1/documents/{doc_id}", headers=world.h("reader")).json()["status"] == "SUCCEEDED"
