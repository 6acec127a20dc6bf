"""The server-rendered UI in-process: sign-in, CSRF, tenant scoping and every page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from docledger.api import create_app

from .conftest import World
from .helpers import PARAGRAPH, make_pdf


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def signed_in(world: World, who: str) -> TestClient:
    c = TestClient(create_app(world.ledger), follow_redirects=False)
    page = c.get("/ui/login?next=/ui/documents")
    r = c.post("/ui/login", data={"token": world.tokens[who], "csrf": _csrf(page.text), "next": "/ui/documents"})
    assert r.status_code == 303 and r.headers["location"] == "/ui/documents"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and world.tokens[who] not in cookie
    return c


def test_pages_redirect_to_login_and_bad_tokens_are_refused(world: World) -> None:
    c = TestClient(create_app(world.ledger), follow_redirects=False)
    r = c.get("/ui/documents?status=FAILED")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=%2Fui%2Fdocuments%3Fstatus%3DFAILED"
    page = c.get("/ui/login")
    r = c.post("/ui/login", data={"token": "dl_wrong", "csrf": _csrf(page.text)})
    assert r.status_code == 401 and "not valid" in r.text
    r = c.post("/ui/login", data={"token": world.tokens["reader"], "csrf": "forged"})
    assert r.status_code == 403 and "expired" in r.text
    r = c.post("/ui/login", data={"token": world.tokens["reader"], "csrf": _csrf(page.text), "next": "https://evil"})
    assert r.headers["location"] == "/ui/"
    good = r.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    fresh = TestClient(create_app(world.ledger), follow_redirects=False)
    fresh.cookies.set("docledger_session", good[:-3] + "abc")
    assert fresh.get("/ui/").status_code == 303
    fresh.cookies.set("docledger_session", good)
    assert fresh.get("/ui/").status_code == 200


def test_reader_sees_dashboard_documents_and_detail(world: World) -> None:
    c = signed_in(world, "reader")
    dash = c.get("/ui/")
    assert dash.status_code == 200 and "Documents by status" in dash.text and "unsupported_media_type" in dash.text
    docs = c.get("/ui/documents").text
    assert "invoice.pdf" in docs and "globex.pdf" not in docs and 'id="upload-form"' not in docs
    failed = c.get("/ui/documents?status=FAILED").text
    assert "notes.pdf" in failed and "invoice.pdf" not in failed
    detail = c.get(f"/ui/documents/{world.docs['pdf']}")
    assert detail.status_code == 200
    assert "Invoice 2024-0042" in detail.text and 'class="lineage"' in detail.text and "registered" in detail.text
    assert "John Smith" in detail.text  # entity / PII table
    assert "Save ownership" not in detail.text
    img = c.get(f"/ui/documents/{world.docs['pdf']}/pages/1.png")
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    png_detail = c.get(f"/ui/documents/{world.docs['png']}").text
    assert 'class="box box-line"' in png_detail  # OCR boxes over the page image


def test_other_tenant_pages_are_not_found(world: World) -> None:
    c = signed_in(world, "reader")
    gid = world.docs["globex"]
    for url in (
        f"/ui/documents/{gid}",
        f"/ui/documents/{gid}/pages/1.png",
        f"/ui/documents/{gid}/status.json",
    ):
        r = c.get(url)
        assert r.status_code == 404 and "Not found" in r.text, url
    art = world.ledger.artifacts(gid)[0]["artifact_id"]
    assert c.get(f"/ui/artifacts/{art}/download").status_code == 404
    assert c.get(f"/ui/documents/{gid}/artifacts/{art}").status_code == 404


def test_artifact_page_and_download(world: World) -> None:
    c = signed_in(world, "reader")
    text = next(a for a in world.ledger.artifacts(world.docs["pdf"]) if a["kind"] == "text")
    page = c.get(f"/ui/documents/{world.docs['pdf']}/artifacts/{text['artifact_id']}").text
    assert "Derived from" in page and "original" in page and "Invoice 2024-0042" in page
    dl = c.get(f"/ui/artifacts/{text['artifact_id']}/download")
    assert dl.status_code == 200 and "attachment" in dl.headers["content-disposition"]


def test_csrf_required_on_forms_and_uploads(world: World) -> None:
    c = signed_in(world, "operator")
    files = [("file", ("ui.pdf", make_pdf(["uploaded from the UI"]), "application/pdf"))]
    assert c.post("/ui/upload", files=files, data={"csrf": "nope"}).status_code == 403
    page = c.get("/ui/documents").text
    assert 'id="upload-form"' in page
    r = c.post("/ui/upload", files=files, headers={"X-CSRF-Token": _csrf(page)})
    assert r.status_code == 202 and r.json()["documents"][0]["ui_url"].startswith("/ui/documents/doc_")
    own = c.post(f"/ui/documents/{world.docs['pdf']}/ownership", data={"csrf": _csrf(page), "owner": "eve"})
    assert own.status_code == 403  # operators may not change ownership


def test_reviewer_changes_ownership_from_the_form(world: World) -> None:
    c = signed_in(world, "reviewer")
    page = c.get(f"/ui/documents/{world.docs['png']}").text
    r = c.post(
        f"/ui/documents/{world.docs['png']}/ownership",
        data={
            "csrf": _csrf(page),
            "owner": "carol",
            "classification": "confidential",
            "retention_until": "2030-01-31",
            "legal_hold": "on",
        },
    )
    assert r.status_code == 303
    doc = world.ledger.get_document(world.docs["png"])
    assert doc["owner"] == "carol" and doc["legal_hold"] is True and doc["retention_until"].startswith("2030-01-31")


def test_match_search_graph_and_dlq_pages(world: World) -> None:
    c = signed_in(world, "reader")
    page = c.get("/ui/match").text
    r = c.post(
        "/ui/match",
        data={
            "csrf": _csrf(page),
            "restatement": "Troponin results came back normal.",
            "source": "paragraph",
            "paragraph": PARAGRAPH,
        },
    )
    assert r.status_code == 200 and r.text.count('<li class="match">') == 5
    assert "<mark>Troponin levels were within the normal range.</mark>" in r.text
    bad = c.post("/ui/match", data={"csrf": _csrf(page), "restatement": " ", "source": "paragraph"})
    assert bad.status_code == 400 and "type the restatement" in bad.text
    assert c.get("/ui/search?q=Troponin").status_code == 200
    assert c.get("/ui/graph").status_code == 200
    assert "The dead-letter queue is empty" in c.get("/ui/dlq").text


@pytest.mark.parametrize("path", ["/ui/", "/ui/documents", "/ui/match", "/ui/search", "/ui/graph", "/ui/dlq"])
def test_no_auth_mode_serves_pages_as_local_admin(world: World, path: str) -> None:
    c = TestClient(create_app(world.ledger, auth_required=False))
    r = c.get(path)
    assert r.status_code == 200 and "local · admin" in r.text and "Sign out" not in r.text
