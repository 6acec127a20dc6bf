"""Store contract, the boundary itself: driver errors arrive as docledger errors, the same on both stores."""

from __future__ import annotations

import pytest

from conftest import drain
from docledger.exceptions import DuplicateKey, StoreError
from docledger.stages import discover
from docledger.store import open_store


def _insert_ownership(tx, document_id: str) -> None:
    tx.execute(
        "insert_ownership",
        document_id=document_id,
        owner="o",
        tenant="t",
        classification="internal",
        retention_until=None,
        legal_hold=0,
        readers="[]",
        updated_at=1.0,
    )


def test_a_unique_key_violation_is_duplicate_key_on_every_store(store_url):
    store = open_store(store_url)
    try:
        reg_args = dict(
            id="doc_dup",
            tenant="t",
            series_id="doc_dup",
            version=1,
            name="a.txt",
            sha256="0" * 64,
            size=1,
            media_type=None,
            declared_media_type=None,
            source="test",
            arrived_at=1.0,
            status="PROCESSING",
            stage="register",
            message="",
            meta="{}",
        )
        with store.transaction() as tx:
            tx.execute("insert_document", **reg_args)
        with pytest.raises(DuplicateKey, match="insert_document"), store.transaction() as tx:
            tx.execute("insert_document", **reg_args)
        # the failed transaction rolled back and the store is still usable
        with store.read() as tx:
            assert [r["id"] for r in tx.raw("SELECT id FROM documents")] == ["doc_dup"]
    finally:
        store.close()


def test_other_integrity_errors_are_store_errors_not_duplicates(store_url):
    store = open_store(store_url)
    try:
        with pytest.raises(StoreError) as caught, store.transaction() as tx:
            _insert_ownership(tx, "doc_that_does_not_exist")  # a foreign key, not a unique key
        assert not isinstance(caught.value, DuplicateKey)
    finally:
        store.close()


def test_a_duplicate_in_a_pipelined_batch_is_duplicate_key(store_url):
    """PostgreSQL reports errors of pipelined statements at the sync, outside the statement call."""
    store = open_store(store_url)
    try:
        args = dict(
            tenant="t",
            series_id="s",
            version=1,
            name="a.txt",
            sha256="1" * 64,
            size=1,
            media_type=None,
            declared_media_type=None,
            source="test",
            arrived_at=1.0,
            status="PROCESSING",
            stage="register",
            message="",
            meta="{}",
        )
        with pytest.raises(DuplicateKey), store.transaction() as tx, tx.pipelined():
            tx.execute("insert_document", id="doc_p", **args)
            tx.execute("insert_document", id="doc_p", **args)
    finally:
        store.close()


def test_search_follows_an_ownership_change(make_ledger, settings):
    """Search filters by the current owner (read from ownership), never by a copy made at indexing."""
    from docledger.services.search import search

    ledger = make_ledger(discover(settings, only=["classify", "extract-text", "index"]))
    reg = ledger.ingest_bytes(
        b"The escrow account of the borrower was reconciled in March.", "escrow.txt", owner="alice", tenant="bank"
    )
    drain(ledger, stages=ledger.stages, timeout=120)
    assert [h["document_id"] for h in search(ledger, "escrow reconciled", tenants=["bank"], owner="alice")] == [
        reg.document_id
    ]
    ledger.update_ownership(reg.document_id, actor="admin", owner="bob")
    assert search(ledger, "escrow reconciled", tenants=["bank"], owner="alice") == []
    assert [h["document_id"] for h in search(ledger, "escrow reconciled", tenants=["bank"], owner="bob")] == [
        reg.document_id
    ]


def test_a_ledger_opened_without_stages_refuses_to_announce_events(settings):
    """Nothing would receive the event: say so, instead of registering a document no stage will process."""
    from docledger.exceptions import ConfigurationError
    from docledger.ledger import Ledger

    ledger = Ledger(settings)
    try:
        with pytest.raises(ConfigurationError, match="without its stages"):
            ledger.ingest_bytes(b"hello", "a.txt")
        assert ledger.list_documents() == []
    finally:
        ledger.close()


def test_a_number_beyond_64_bits_is_never_a_server_error(store_url):
    """A request parameter beyond 64 bits (e.g. a cursor) is the caller's mistake, not a crash (500):
    SQLite cannot bind it and the store answers InvalidRequest; PostgreSQL compares it as a numeric
    and simply finds nothing."""
    from docledger.exceptions import InvalidRequest

    store = open_store(store_url)
    try:
        if store.dialect == "sqlite":
            with pytest.raises(InvalidRequest, match="out of range") as caught, store.read() as tx:
                tx.fetchall("get_delivery", id=2**70)
            assert caught.value.code == "out_of_range" and not isinstance(caught.value, StoreError)
        else:
            with store.read() as tx:
                assert tx.fetchall("get_delivery", id=2**70) == []
    finally:
        store.close()
