"""The audit log detects editing, deleting, reordering and truncating entries, on both stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from docledger.api import create_app
from docledger.auth import create_token
from docledger.ledger import Ledger, audit


def fill(ledger: Ledger, n: int) -> None:
    for i in range(n):
        audit.record(
            ledger,
            principal=f"user{i % 3}@bank-a",
            action="GET /v1/documents/{document_id}",
            tenant="bank-a",
            target=f"doc_{i:04d}",
            client="127.0.0.1",
            detail={"status": 200},
        )


def tamper(ledger: Ledger, sql: str) -> None:
    with ledger.store.transaction() as tx:
        tx.raw(sql)


def test_an_untouched_chain_verifies_with_its_checkpoints(make_ledger) -> None:
    ledger = make_ledger([], audit_checkpoint_every=5)
    fill(ledger, 12)
    result = audit.verify_ledger(ledger)
    assert result.ok, result.to_json()
    assert (result.entries, result.checkpoints, result.head_seq) == (12, 2, 12)
    rows = audit.listing(ledger.store, target="doc_0007")
    assert [r["principal"] for r in rows] == ["user1@bank-a"] and rows[0]["detail"] == {"status": 200}


def test_an_edited_entry_is_named(make_ledger) -> None:
    ledger = make_ledger([])
    fill(ledger, 8)
    tamper(ledger, "UPDATE audit_log SET principal = 'someone-else' WHERE seq = 4")
    result = audit.verify_ledger(ledger)
    assert not result.ok and result.first_bad_seq == 4 and "altered" in (result.problem or "")


def test_a_deleted_entry_is_named(make_ledger) -> None:
    ledger = make_ledger([])
    fill(ledger, 8)
    tamper(ledger, "DELETE FROM audit_log WHERE seq = 5")
    result = audit.verify_ledger(ledger)
    assert not result.ok and result.first_bad_seq == 5 and "deleted" in (result.problem or "")


def test_reordered_entries_are_detected(make_ledger) -> None:
    ledger = make_ledger([])
    fill(ledger, 8)
    # swap the contents of entries 3 and 6 (keeping each row's own hash): the chain breaks at 3
    tamper(ledger, "UPDATE audit_log SET seq = -3 WHERE seq = 3")
    tamper(ledger, "UPDATE audit_log SET seq = 3 WHERE seq = 6")
    tamper(ledger, "UPDATE audit_log SET seq = 6 WHERE seq = -3")
    result = audit.verify_ledger(ledger)
    assert not result.ok and result.first_bad_seq == 3


def test_truncation_below_a_checkpoint_is_detected_even_with_the_head_rewritten(make_ledger) -> None:
    ledger = make_ledger([], audit_checkpoint_every=5)
    fill(ledger, 12)
    with ledger.store.read() as tx:
        seven = tx.raw("SELECT hash FROM audit_log WHERE seq = 7")[0]["hash"]
    tamper(ledger, "DELETE FROM audit_log WHERE seq > 7")
    tamper(ledger, f"UPDATE audit_head SET seq = 7, hash = '{seven}' WHERE id = 1")
    result = audit.verify_ledger(ledger)
    assert not result.ok and "truncated" in (result.problem or "") and result.first_bad_seq == 8


def test_deleting_checkpoints_too_is_caught_by_an_exported_copy(make_ledger, tmp_path: Path) -> None:
    ledger = make_ledger([], audit_checkpoint_every=5)
    fill(ledger, 12)
    exported = audit.export_checkpoints(ledger.store, audit.signer_for(ledger.settings))
    with ledger.store.read() as tx:
        four = tx.raw("SELECT hash FROM audit_log WHERE seq = 4")[0]["hash"]
    tamper(ledger, "DELETE FROM audit_log WHERE seq > 4")
    tamper(ledger, "DELETE FROM audit_checkpoints")
    tamper(ledger, f"UPDATE audit_head SET seq = 4, hash = '{four}' WHERE id = 1")
    assert audit.verify_ledger(ledger).ok  # without the copy kept elsewhere, nothing in the database tells
    result = audit.verify_ledger(ledger, exported=json.loads(json.dumps(exported)))
    assert not result.ok and "missing from the database" in (result.problem or "")


def test_a_forged_checkpoint_is_rejected(make_ledger) -> None:
    ledger = make_ledger([], audit_checkpoint_every=5)
    fill(ledger, 6)
    tamper(ledger, "UPDATE audit_checkpoints SET signature = '" + "00" * 64 + "' WHERE seq = 5")
    result = audit.verify_ledger(ledger)
    assert not result.ok and result.first_bad_seq == 5 and "signature" in (result.problem or "")


def test_api_reads_are_audited_with_principal_target_and_documents_returned(make_ledger, tmp_path: Path) -> None:
    ledger = make_ledger([])
    reg = ledger.ingest_bytes(b"%PDF-1.4 not really", "loan.pdf", tenant="bank-a")
    token = create_token(ledger, principal="analyst@bank-a", tenants=["bank-a"], role="reader")
    client = TestClient(create_app(ledger))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/documents/{reg.document_id}", headers=headers).status_code == 200
    assert client.get("/v1/documents/doc_nope", headers={"Authorization": "Bearer wrong"}).status_code == 401
    rows = audit.listing(ledger.store, target=reg.document_id)
    assert rows and rows[0]["principal"] == "analyst@bank-a" and rows[0]["tenant"] == "bank-a"
    assert rows[0]["action"] == "GET /v1/documents/{document_id}" and rows[0]["detail"]["status"] == 200
    anonymous = audit.listing(ledger.store, target="doc_nope")
    assert anonymous and anonymous[0]["principal"] == "anonymous" and anonymous[0]["detail"]["status"] == 401
    # only admins read the log
    assert client.get("/v1/audit", headers=headers).status_code == 403
    admin = create_token(ledger, principal="compliance@bank-a", tenants=["*"], role="admin")
    listed = client.get(
        "/v1/audit", params={"document_id": reg.document_id}, headers={"Authorization": f"Bearer {admin}"}
    ).json()
    assert {r["principal"] for r in listed} == {"analyst@bank-a"}
    assert client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {admin}"}).json()["ok"] is True


def cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCLEDGER_HOME": str(settings.home), "DOCLEDGER_DATABASE_URL": settings.resolved_database_url}
    return subprocess.run(
        [sys.executable, "-m", "docledger.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_verify_exits_non_zero_naming_the_first_bad_entry(make_ledger) -> None:
    ledger = make_ledger([])
    reg = ledger.ingest_bytes(b"hello auditors", "note.txt", tenant="bank-a")
    assert cli(ledger.settings, "status", reg.document_id).returncode == 0  # a CLI read is audited too
    listed = json.loads(cli(ledger.settings, "audit", "list", "--document", reg.document_id, "--json").stdout)
    # newest first: reading the audit about a document is itself on record, then the status read
    assert [r["action"] for r in listed] == ["cli audit list", "cli status"]
    assert all(r["principal"].startswith("cli:") for r in listed)
    ok = cli(ledger.settings, "audit", "verify", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    tamper(ledger, "UPDATE audit_log SET target = 'doc_other' WHERE seq = 1")
    bad = cli(ledger.settings, "audit", "verify")
    assert bad.returncode == 1 and "entry 1" in bad.stderr


def test_search_results_name_the_documents_they_disclosed(make_ledger) -> None:
    from conftest import drain
    from docledger.pipeline import open_ledger

    ledger = open_ledger(make_ledger([]).settings, only=["classify", "extract-text", "index"])
    reg = ledger.ingest_bytes(b"Escrow shortage notice for the Harbor Street property.", "notice.txt", tenant="bank-a")
    drain(ledger, timeout=240)
    token = create_token(ledger, principal="analyst@bank-a", tenants=["bank-a"], role="reader")
    client = TestClient(create_app(ledger))
    hits = client.get(
        "/v1/search", params={"q": "escrow shortage"}, headers={"Authorization": f"Bearer {token}"}
    ).json()["results"]
    assert [h["document_id"] for h in hits] == [reg.document_id]
    entry = audit.listing(ledger.store, limit=1)[0]
    assert entry["action"] == "GET /v1/search" and entry["detail"]["documents"] == [reg.document_id]
    assert "escrow" not in json.dumps(entry)  # the query itself is not kept
    ledger.close()


def test_a_read_that_cannot_be_audited_is_not_answered(make_ledger) -> None:
    ledger = make_ledger([])
    reg = ledger.ingest_bytes(b"statement of account", "s.txt", tenant="bank-a")
    token = create_token(ledger, principal="analyst@bank-a", tenants=["bank-a"], role="reader")
    client = TestClient(create_app(ledger))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/documents/{reg.document_id}", headers=headers).status_code == 200
    tamper(ledger, "DELETE FROM audit_head")  # the chain's head is gone: no entry can be appended
    refused = client.get(f"/v1/documents/{reg.document_id}", headers=headers)
    assert refused.status_code == 503 and refused.json()["code"] == "audit_unavailable"
    assert reg.document_id not in refused.text
