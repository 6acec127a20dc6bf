"""Store contract, part 1: Document Registry and Ownership (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest

from docledger.exceptions import InvalidRequest, NotFound
from docledger.models import Status


def test_same_bytes_same_tenant_is_one_document(make_ledger):
    ledger = make_ledger(["upper"])
    first = ledger.ingest_bytes(b"hello world", "a.txt", tenant="bank")
    again = ledger.ingest_bytes(b"hello world", "copy-of-a.txt", tenant="bank")
    assert first.duplicate_of is None and first.version == 1
    assert again.document_id == first.document_id
    assert again.duplicate_of == first.document_id
    assert [d["document_id"] for d in ledger.list_documents(tenant="bank")] == [first.document_id]
    timeline = ledger.status(first.document_id)["timeline"]
    assert [t["status"] for t in timeline if t["stage"] == "register"] == ["registered", "duplicate"]
    assert "copy-of-a.txt" in timeline[-1]["message"] or any("copy-of-a.txt" in t["message"] for t in timeline)
    # the duplicate arrival announced nothing: one event, one delivery
    with ledger.store.read() as tx:
        assert len(tx.raw("SELECT id FROM events WHERE document_id = :d", {"d": first.document_id})) == 1


def test_same_bytes_other_tenant_is_a_new_document(make_ledger):
    ledger = make_ledger(["upper"])
    bank = ledger.ingest_bytes(b"statement 42", "s.txt", tenant="bank")
    clinic = ledger.ingest_bytes(b"statement 42", "s.txt", tenant="clinic")
    assert clinic.document_id != bank.document_id
    assert clinic.duplicate_of is None
    assert clinic.sha256 == bank.sha256
    assert ledger.get_document(clinic.document_id)["tenant"] == "clinic"
    # tenant isolation on reads
    with pytest.raises(NotFound, match="no document"):
        ledger.get_document(clinic.document_id, tenants=["bank"])
    # the bytes are stored once (content addressed)
    assert ledger.blobs.exists(bank.sha256)


def test_new_bytes_under_the_same_name_are_a_new_version(make_ledger):
    ledger = make_ledger(["upper"])
    v1 = ledger.ingest_bytes(b"policy v1", "policy.txt", tenant="ins")
    v2 = ledger.ingest_bytes(b"policy v2", "policy.txt", tenant="ins")
    v3 = ledger.ingest_bytes(b"policy v3", "policy.txt", tenant="ins")
    other = ledger.ingest_bytes(b"policy v1 elsewhere", "policy.txt", tenant="other")
    assert (v1.version, v2.version, v3.version, other.version) == (1, 2, 3, 1)
    docs = [ledger.get_document(r.document_id) for r in (v1, v2, v3)]
    assert {d["series_id"] for d in docs} == {v1.document_id}
    assert ledger.get_document(other.document_id)["series_id"] == other.document_id
    assert docs[0]["meta"]["previous_version"] is False and docs[2]["meta"]["previous_version"] is True


def test_registration_writes_registry_ownership_lineage_ops_and_event(make_ledger):
    ledger = make_ledger(["upper"])
    reg = ledger.ingest_bytes(
        b"%PDF-not-really", "loan.pdf", owner="alice", tenant="bank", classification="Confidential"
    )
    doc = ledger.get_document(reg.document_id)
    assert doc["status"] == Status.PROCESSING and doc["stage"] == "register"
    assert doc["owner"] == "alice" and doc["classification"] == "confidential"
    assert doc["declared_media_type"] == "application/pdf" and doc["media_type"] is None
    assert doc["size"] == len(b"%PDF-not-really") and doc["source"] == "api"
    (original,) = ledger.artifacts(reg.document_id)
    assert original["kind"] == "original" and original["sha256"] == reg.sha256
    with ledger.store.read() as tx:
        (event,) = tx.raw("SELECT type FROM events WHERE document_id = :d", {"d": reg.document_id})
    assert event["type"] == "document.registered"
    assert reg.document_id.startswith("doc_")


def test_unknown_classification_is_refused_with_the_allowed_values(make_ledger):
    ledger = make_ledger(["upper"])
    with pytest.raises(InvalidRequest, match="unknown classification 'secret'") as err:
        ledger.ingest_bytes(b"x", "x.txt", classification="secret")
    assert err.value.code == "invalid_request"
    assert "public, internal, confidential, restricted" in (err.value.hint or "")
    assert ledger.list_documents() == []


def test_ownership_update_is_on_the_timeline(make_ledger):
    ledger = make_ledger(["upper"])
    reg = ledger.ingest_bytes(b"claim form", "claim.txt", owner="alice", tenant="ins")
    updated = ledger.update_ownership(
        reg.document_id,
        actor="compliance:bob",
        owner="carol",
        classification="restricted",
        legal_hold=True,
        readers=["auditor"],
    )
    assert updated["owner"] == "carol" and updated["classification"] == "restricted"
    assert updated["legal_hold"] is True and updated["readers"] == ["auditor"]
    (change,) = [t for t in ledger.status(reg.document_id)["timeline"] if t["stage"] == "ownership"]
    assert change["status"] == "changed" and change["worker"] == "compliance:bob"
    assert "'alice' -> 'carol'" in change["message"] and "'restricted'" in change["message"]
    # a no-op update leaves no entry
    ledger.update_ownership(reg.document_id, actor="compliance:bob", owner="carol")
    assert len([t for t in ledger.status(reg.document_id)["timeline"] if t["stage"] == "ownership"]) == 1
    with pytest.raises(InvalidRequest, match="unknown classification"):
        ledger.update_ownership(reg.document_id, actor="x", classification="top-secret")
    with pytest.raises(NotFound):
        ledger.update_ownership(reg.document_id, actor="x", owner="eve", tenants=["other"])
    assert ledger.get_document(reg.document_id)["owner"] == "carol"


def test_list_filters_and_cursor(make_ledger):
    ledger = make_ledger(["upper"])
    regs, cut = [], 0.0
    for i in range(7):
        if i == 4:
            time.sleep(0.02)
            cut = time.time()
            time.sleep(0.02)
        tenant = "bank" if i % 2 == 0 else "clinic"
        owner = "alice" if i < 4 else "bob"
        regs.append(ledger.ingest_bytes(f"doc {i}".encode(), f"d{i}.txt", tenant=tenant, owner=owner))
    all_ids = [d["document_id"] for d in ledger.list_documents()]
    assert all_ids == sorted((r.document_id for r in regs), reverse=True)  # newest first (sortable ids)

    pages, cursor = [], None
    while True:
        page = ledger.list_documents(limit=3, after=cursor)
        if not page:
            break
        pages.append([d["document_id"] for d in page])
        cursor = page[-1]["document_id"]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == all_ids

    assert {d["tenant"] for d in ledger.list_documents(tenant="bank")} == {"bank"}
    assert len(ledger.list_documents(tenant="bank")) == 4
    assert len(ledger.list_documents(owner="bob")) == 3
    assert len(ledger.list_documents(tenant="clinic", owner="alice")) == 2
    assert ledger.list_documents(status="succeeded") == []
    assert len(ledger.list_documents(status="processing")) == 7
    assert [d["document_id"] for d in ledger.list_documents(since=cut)] == all_ids[:3]
    assert [d["document_id"] for d in ledger.list_documents(until=cut)] == all_ids[3:]
    with pytest.raises(InvalidRequest, match="unknown status 'done'"):
        ledger.list_documents(status="done")
