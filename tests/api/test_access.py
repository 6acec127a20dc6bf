"""Access control: tokens, roles and tenant scoping (another tenant's document is a 404, never a leak)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docledger.auth import authenticate, create_token, list_tokens, revoke_token
from docledger.auth.tokens import Unauthenticated, hash_token
from docledger.exceptions import InvalidRequest

from .conftest import World, upload
from .helpers import make_pdf

DOC_PATHS = [
    "/v1/documents/{id}",
    "/v1/documents/{id}/ownership",
    "/v1/documents/{id}/operations",
    "/v1/documents/{id}/lineage",
    "/v1/documents/{id}/lineage?format=svg",
    "/v1/documents/{id}/artifacts",
    "/v1/documents/{id}/export",
]


def test_missing_bad_and_revoked_tokens_are_401(world: World) -> None:
    r = world.client.get("/v1/documents")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "unauthenticated" and "Bearer" in r.json()["hint"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert world.client.get("/v1/documents", headers={"Authorization": "Bearer dl_nope"}).status_code == 401
    token = create_token(world.ledger, "temp", ["acme"], "reader")
    assert world.client.get("/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    tid = authenticate(world.ledger, token).token_id
    assert revoke_token(world.ledger, tid) is True and revoke_token(world.ledger, tid) is False
    r = world.client.get("/v1/documents", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_tokens_store_only_a_hash_and_list_without_secret(world: World) -> None:
    token = create_token(world.ledger, "hashcheck", ["acme"], "reader")
    with world.ledger.store.read() as tx:
        rows = tx.raw("SELECT * FROM api_tokens WHERE principal = 'hashcheck'")
    assert rows[0]["token_hash"] == hash_token(token) and token not in str(rows)
    listed = [t for t in list_tokens(world.ledger) if t["principal"] == "hashcheck"]
    assert listed and token not in str(listed) and listed[0]["role"] == "reader"


def test_token_validation_messages() -> None:
    with pytest.raises(InvalidRequest, match="only admin tokens may cover all tenants"):
        create_token(None, "x", ["*"], "reader")
    with pytest.raises(InvalidRequest, match="unknown role"):
        create_token(None, "x", ["acme"], "superuser")
    with pytest.raises(InvalidRequest, match="at least one tenant"):
        create_token(None, "x", [" "], "reader")
    with pytest.raises(Unauthenticated, match="no API token"):
        authenticate(None, "")


@pytest.mark.parametrize("path", DOC_PATHS)
def test_other_tenants_document_is_404_everywhere(world: World, path: str) -> None:
    url = path.format(id=world.docs["globex"])
    r = world.client.get(url, headers=world.h("reader"))
    assert r.status_code == 404, (url, r.status_code)
    assert r.json()["code"] == "not_found" and world.docs["globex"] in r.json()["detail"]
    unknown = world.client.get(path.format(id="doc_does_not_exist"), headers=world.h("reader"))
    assert unknown.status_code == 404 and unknown.json()["title"] == r.json()["title"]
    assert world.client.get(url, headers=world.h("globex")).status_code == 200


def test_other_tenants_artifacts_are_404(world: World) -> None:
    arts = world.client.get(f"/v1/documents/{world.docs['globex']}/artifacts", headers=world.h("globex")).json()
    art_id = arts["artifacts"][0]["artifact_id"]
    for url in (
        f"/v1/artifacts/{art_id}",
        f"/v1/artifacts/{art_id}/content",
        f"/v1/artifacts/{art_id}/lineage",
    ):
        assert world.client.get(url, headers=world.h("reader")).status_code == 404, url
        assert world.client.get(url, headers=world.h("globex")).status_code == 200, url


def test_cross_tenant_writes_are_404_or_403(world: World) -> None:
    gid = world.docs["globex"]
    r = world.client.patch(f"/v1/documents/{gid}/ownership", headers=world.h("reviewer"), json={"owner": "mallory"})
    assert r.status_code == 404
    r = world.client.post(f"/v1/documents/{gid}/redactions", headers=world.h("reviewer"), json={})
    assert r.status_code == 404
    r = world.client.post("/v1/match", headers=world.h("reader"), json={"restatement": "memo", "document_id": gid})
    assert r.status_code == 404
    r = world.client.get("/v1/graph", headers=world.h("reader"), params={"document_id": gid})
    assert r.status_code == 404
    r = upload(world.client, world.h("operator"), "x.pdf", make_pdf(["x"]), "application/pdf", tenant="globex")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert "acme" in r.json()["hint"]


def test_role_checks(world: World) -> None:
    pdf = make_pdf(["role check"])
    r = upload(world.client, world.h("reader"), "r.pdf", pdf, "application/pdf")
    assert r.status_code == 403 and "rita (role reader) may not upload documents" == r.json()["detail"]
    own = f"/v1/documents/{world.docs['pdf']}/ownership"
    assert world.client.patch(own, headers=world.h("operator"), json={"owner": "x"}).status_code == 403
    assert world.client.patch(own, headers=world.h("reader"), json={"owner": "x"}).status_code == 403
    assert world.client.patch(own, headers=world.h("admin"), json={"owner": "alice"}).status_code == 200
    assert world.client.post("/v1/dlq/1/replay", headers=world.h("reader")).status_code == 403
    assert world.client.post("/v1/dlq/999999/replay", headers=world.h("operator")).status_code == 404
    red = world.client.post(f"/v1/documents/{world.docs['pdf']}/redactions", headers=world.h("operator"), json={})
    assert red.status_code == 403


def test_multi_tenant_token_must_name_tenant_for_upload(world: World) -> None:
    both_op = create_token(world.ledger, "multi", ["acme", "globex"], "operator")
    h = {"Authorization": f"Bearer {both_op}"}
    r = upload(world.client, h, "m.pdf", make_pdf(["multi tenant"]), "application/pdf")
    assert r.status_code == 400 and "tenant" in r.json()["hint"]
    r = upload(world.client, h, "m.pdf", make_pdf(["multi tenant"]), "application/pdf", tenant="globex")
    assert r.status_code == 202
    doc = world.client.get(r.json()["documents"][0]["document_url"], headers=world.h("globex")).json()
    assert doc["tenant"] == "globex" and doc["owner"] == "multi"


def test_no_auth_mode_is_local_admin(world: World) -> None:
    from fastapi.testclient import TestClient

    from docledger.api import create_app

    with TestClient(create_app(world.ledger, auth_required=False)) as c:
        docs = c.get("/v1/documents", params={"limit": 500}).json()["documents"]
        assert {world.docs["globex"], world.docs["pdf"]} <= {d["document_id"] for d in docs}


def test_token_lifecycle_and_scoping_on_every_store(store_url: str, tmp_path: Path) -> None:
    """The auth migration and named queries work on SQLite and PostgreSQL alike."""
    from fastapi.testclient import TestClient

    from docledger.api import create_app
    from docledger.ledger import Ledger
    from docledger.settings import Settings

    ledger = Ledger(Settings(home=tmp_path / "home", database_url=store_url), stages={})
    try:
        assert "0002" in ledger.store.applied_migrations()
        token = create_token(ledger, "pat", ["acme"], "reader")
        principal = authenticate(ledger, token)
        assert (principal.principal, principal.tenants, principal.role) == ("pat", ("acme",), "reader")
        mine = ledger.ingest_bytes(b"plain text note", "note.txt", tenant="acme").document_id
        theirs = ledger.ingest_bytes(b"other note", "other.txt", tenant="globex").document_id
        c = TestClient(create_app(ledger))
        h = {"Authorization": f"Bearer {token}"}
        assert c.get(f"/v1/documents/{mine}", headers=h).status_code == 200
        assert c.get(f"/v1/documents/{theirs}", headers=h).status_code == 404
        assert [t["principal"] for t in list_tokens(ledger)] == ["pat"]
        assert revoke_token(ledger, principal.token_id or "") is True
        assert list_tokens(ledger) == [] and len(list_tokens(ledger, include_revoked=True)) == 1
        assert c.get(f"/v1/documents/{mine}", headers=h).status_code == 401
    finally:
        ledger.close()
