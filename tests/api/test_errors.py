"""Bad requests answer problem+json with a stable code, a hint and no stack trace."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from docledger.api import create_app

from .conftest import MAX_FILE_BYTES, World, upload


def test_empty_upload_is_400_empty_file(world: World) -> None:
    r = upload(world.client, world.h("operator"), "empty.pdf", b"", "application/pdf")
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "empty_file" and body["detail"] == "empty.pdf is empty (0 bytes)"
    assert body["status"] == 400 and body["type"].endswith("/empty_file") and body["hint"]


def test_too_large_file_is_413_and_nothing_registered(world: World) -> None:
    before = len(world.client.get("/v1/documents", headers=world.h("admin"), params={"limit": 500}).json()["documents"])
    r = upload(world.client, world.h("operator"), "big.pdf", b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES, "application/pdf")
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert f"over the {MAX_FILE_BYTES}-byte limit" in r.json()["detail"]
    after = world.client.get("/v1/documents", headers=world.h("admin"), params={"limit": 500}).json()["documents"]
    assert len(after) == before


def test_body_over_request_limit_is_refused_before_parsing(world: World) -> None:
    r = world.client.post(
        "/v1/documents",
        headers={
            **world.h("operator"),
            "Content-Length": str(10**12),
            "Content-Type": "multipart/form-data; boundary=x",
        },
        content=b"--x--",
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_garbage_is_registered_then_failed_with_explanation(world: World) -> None:
    doc = world.client.get(f"/v1/documents/{world.docs['garbage']}", headers=world.h("reader")).json()
    assert doc["status"] == "FAILED" and doc["reason"] == "unsupported_media_type"
    assert "Convert the file" in doc["message"]


def test_no_file_and_bad_parameters_are_422(world: World) -> None:
    r = world.client.post("/v1/documents", headers=world.h("operator"), data={"owner": "x"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request" and "file" in r.json()["detail"]
    r = world.client.get("/v1/documents", headers=world.h("reader"), params={"status": "DONE"})
    assert r.status_code == 422
    r = world.client.get("/v1/documents", headers=world.h("reader"), params={"from": "yesterday"})
    assert r.status_code == 400 and "ISO date" in r.json()["detail"]
    r = upload(world.client, world.h("operator"), "a.pdf", b"%PDF", "application/pdf", classification="secret")
    assert r.status_code == 422
    r = world.client.post("/v1/match", headers=world.h("reader"), json={"restatement": "x"})
    assert r.status_code == 422 and "exactly one of document_id or paragraph" in r.json()["detail"]


def test_unknown_route_is_problem_404(world: World) -> None:
    r = world.client.get("/v1/nothing-here", headers=world.h("reader"))
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_unexpected_error_is_500_with_correlation_id_and_no_trace(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(world.ledger)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR, "docledger.api"):
        r = c.get("/boom")
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "internal_error" and "secret internal detail" not in r.text
    assert "Traceback" not in r.text and body["correlation_id"] in body["detail"]
    assert any(body["correlation_id"] in rec.getMessage() for rec in caplog.records)
