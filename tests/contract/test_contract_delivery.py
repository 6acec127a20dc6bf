"""Store contract, part 2: outbox fan-out, FIFO, ordering keys, leases, retries, dead letters."""

from __future__ import annotations

import logging
import time

import pytest

from conftest import drain
from docledger.exceptions import NotFound
from docledger.ledger.events import emit
from docledger.models import Status
from docledger.worker import Worker


def deliveries(ledger, document_id=None):
    sql = (
        "SELECT d.id, d.event_id, d.subscriber, d.status, d.attempts, d.ordering_key, d.available_at, "
        "d.updated_at, d.lease_owner, d.last_error FROM deliveries d"
    )
    with ledger.store.read() as tx:
        rows = tx.raw(sql + " ORDER BY d.id")
    return [r for r in rows if document_id is None or r["ordering_key"].startswith(document_id)]


def runs(ledger, document_id, stage=None):
    with ledger.store.read() as tx:
        rows = tx.fetchall("runs_for_document", document_id=document_id)
    return [r for r in rows if stage is None or r["stage"] == stage]


def test_events_fan_out_to_every_subscriber(make_ledger):
    ledger = make_ledger(["upper", "reverse", "audit"])
    reg = ledger.ingest_bytes(b"fan me out", "f.txt")
    first = deliveries(ledger)
    assert sorted(d["subscriber"] for d in first) == ["audit", "upper"]
    assert len({d["event_id"] for d in first}) == 1
    drain(ledger)
    final = deliveries(ledger)
    assert sorted(d["subscriber"] for d in final) == ["audit", "reverse", "upper"]
    assert {d["status"] for d in final} == {"done"}
    assert ledger.get_document(reg.document_id)["status"] == Status.SUCCEEDED
    assert {a["stage"] for a in ledger.artifacts(reg.document_id)} == {
        "register",
        "upper",
        "reverse",
        "audit",
    }


def test_new_subscriber_gets_the_same_events_without_touching_existing_ones(make_ledger):
    old = make_ledger(["upper", "reverse"])
    before = old.ingest_bytes(b"before the plugin", "a.txt")
    drain(old)
    snapshot = deliveries(old)
    runs_before = runs(old, before.document_id)

    new = make_ledger(["upper", "reverse", "audit"])  # a customer's pipeline is installed
    after = new.ingest_bytes(b"after the plugin", "b.txt")
    fresh = [d for d in deliveries(new) if d["id"] not in {s["id"] for s in snapshot}]
    assert sorted(d["subscriber"] for d in fresh) == ["audit", "upper"]
    assert len({d["event_id"] for d in fresh}) == 1  # one event, one delivery per subscriber
    drain(new)
    # earlier deliveries and runs are untouched: nothing re-ran for the old document
    assert [d for d in deliveries(new) if d["id"] in {s["id"] for s in snapshot}] == snapshot
    assert runs(new, before.document_id) == runs_before
    assert new.get_document(before.document_id)["status"] == Status.SUCCEEDED
    (audit_art,) = [a for a in new.artifacts(after.document_id) if a["stage"] == "audit"]
    assert audit_art["stage_version"] == "2.1"
    assert new.get_document(after.document_id)["status"] == Status.SUCCEEDED


def test_per_document_fifo_holds_with_two_workers(make_ledger):
    ledger = make_ledger(["journal"])
    reg = ledger.ingest_bytes(b"notes", "n.txt")
    with ledger.store.transaction() as tx:
        emit(tx, "toy.note", reg.document_id, {"seq": 1})
        emit(tx, "toy.note", reg.document_id, {"seq": 2})
    drain(ledger, workers=2)
    first, second = runs(ledger, reg.document_id, "journal")
    assert [first["status"], second["status"]] == ["succeeded", "succeeded"]
    arts = {a["key"]: a for a in ledger.artifacts(reg.document_id)}
    assert arts["note-1.txt"]["run_id"] == first["id"] and arts["note-2.txt"]["run_id"] == second["id"]
    # the slow first note finished before the second started, though a second worker was free
    assert second["started_at"] >= first["ended_at"]


def test_ordering_keys_let_pages_of_one_document_run_in_parallel(make_ledger):
    ledger = make_ledger(["split", "page"])
    reg = ledger.ingest_bytes(b"two pages", "p.txt")
    drain(ledger, workers=2)
    p1, p2 = sorted(runs(ledger, reg.document_id, "page"), key=lambda r: r["page"])
    assert (p1["page"], p2["page"]) == (1, 2)
    assert p1["worker"] != p2["worker"]
    overlap = min(p1["ended_at"], p2["ended_at"]) - max(p1["started_at"], p2["started_at"])
    assert overlap > 0.2, f"pages ran one after the other (overlap {overlap:.3f}s)"
    keys = {d["ordering_key"] for d in deliveries(ledger) if d["subscriber"] == "page"}
    assert keys == {f"{reg.document_id}:p1", f"{reg.document_id}:p2"}
    assert ledger.get_document(reg.document_id)["status"] == Status.SUCCEEDED


def test_expired_lease_is_retried_by_another_worker(make_ledger):
    ledger = make_ledger(["upper"], lease_seconds=0.3)
    reg = ledger.ingest_bytes(b"lease me", "l.txt")
    dead = Worker(ledger, worker_id="dead")
    claimed = dead.claim()  # ... and the worker dies here
    assert claimed is not None and claimed["attempts"] == 1
    assert Worker(ledger, worker_id="other").claim() is None  # the lease still holds
    time.sleep(0.4)
    drain(ledger)
    (run,) = runs(ledger, reg.document_id, "upper")
    assert run["worker"] == "w0" and run["attempt"] == 2 and run["status"] == "succeeded"
    assert ledger.get_document(reg.document_id)["status"] == Status.SUCCEEDED


def test_a_worker_whose_lease_expired_cannot_commit(make_ledger, caplog):
    ledger = make_ledger(["upper"], lease_seconds=0.3)
    reg = ledger.ingest_bytes(b"fenced", "f.txt")
    slow = Worker(ledger, worker_id="slow")
    delivery = slow.claim()
    time.sleep(0.4)
    drain(ledger)  # w0 takes over and completes the document
    with caplog.at_level(logging.WARNING, logger="docledger.worker"):
        slow.process(delivery)  # the stage runs again, but its commit is fenced off
    assert any("lease lost" in r.getMessage() for r in caplog.records)
    upper = [a for a in ledger.artifacts(reg.document_id) if a["stage"] == "upper"]
    assert len(upper) == 1, "a fenced-off worker wrote a second artifact set"
    assert [r["worker"] for r in runs(ledger, reg.document_id, "upper")] == ["w0"]
    (d,) = [d for d in deliveries(ledger) if d["subscriber"] == "upper"]
    assert d["status"] == "done" and d["attempts"] == 2
    assert ledger.get_document(reg.document_id)["status"] == Status.SUCCEEDED


def test_transient_failure_is_retried(make_ledger):
    ledger = make_ledger(["upper"])
    reg = ledger.ingest_bytes(b"flaky bytes", "f.txt")
    drain(ledger)
    failed, ok = runs(ledger, reg.document_id, "upper")
    assert (failed["status"], failed["attempt"], failed["error_code"]) == ("failed", 1, "stage_error")
    assert "transient toy failure" in failed["error"]
    assert (ok["status"], ok["attempt"]) == ("succeeded", 2)
    doc = ledger.status(reg.document_id)
    assert doc["status"] == Status.SUCCEEDED and doc["problems"] == []
    assert [t["status"] for t in doc["timeline"] if t["stage"] == "upper"] == [
        "started",
        "retrying",
        "started",
        "succeeded",
    ]


def test_retries_back_off_then_dead_letter_then_replay(make_ledger):
    ledger = make_ledger(["upper", "reverse"], max_attempts=3, backoff_base_seconds=0.15)
    reg = ledger.ingest_bytes(b"boom goes the stage", "b.txt")
    drain(ledger)
    attempts = runs(ledger, reg.document_id, "upper")
    assert [(r["attempt"], r["status"]) for r in attempts] == [(1, "failed"), (2, "failed"), (3, "failed")]
    gaps = [b["started_at"] - a["ended_at"] for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 0.15 and gaps[1] >= 0.30, f"no exponential backoff between attempts: {gaps}"
    retrying = [t["message"] for t in ledger.status(reg.document_id)["timeline"] if t["status"] == "retrying"]
    assert retrying == [
        "attempt 1 failed (RuntimeError: toy stage crashed); retrying in 0.1s",
        "attempt 2 failed (RuntimeError: toy stage crashed); retrying in 0.3s",
    ]

    (dead,) = ledger.dead_letters()
    assert dead["subscriber"] == "upper" and dead["attempts"] == 3
    assert dead["error"] == "RuntimeError: toy stage crashed" and dead["document_id"] == reg.document_id
    doc = ledger.get_document(reg.document_id)
    assert doc["status"] == Status.FAILED and doc["reason"] == "stage_error"
    assert f"docledger dlq replay {dead['delivery_id']}" in doc["message"]
    assert ledger.summary()["dlq_size"] == 1

    with pytest.raises(NotFound, match="no dead-lettered delivery 999999"):
        ledger.replay(999999)
    ledger.stages["upper"].broken = False  # the cause is fixed
    assert ledger.replay(dead["delivery_id"], actor="ops:dana") == [dead["delivery_id"]]
    assert ledger.get_document(reg.document_id)["status"] == Status.PROCESSING
    drain(ledger)
    status = ledger.status(reg.document_id)
    assert status["status"] == Status.SUCCEEDED and status["problems"] == []
    assert any(t["status"] == "replayed" and "ops:dana" in t["message"] for t in status["timeline"])
    assert ledger.dead_letters() == []
    assert {a["stage"] for a in ledger.artifacts(reg.document_id)} == {"register", "upper", "reverse"}
    assert ledger.summary()["dlq_size"] == 0


def test_worker_lost_too_often_is_dead_lettered(make_ledger):
    ledger = make_ledger(["upper"], lease_seconds=0.1, max_attempts=2)
    reg = ledger.ingest_bytes(b"poison", "p.txt")
    for n in range(2):  # two workers die on it in turn
        assert Worker(ledger, worker_id=f"doomed{n}").claim() is not None
        time.sleep(0.15)
    assert Worker(ledger, worker_id="reaper").reap_exhausted() == 1
    (dead,) = ledger.dead_letters()
    assert "lost its worker 2 times" in dead["error"]
    doc = ledger.status(reg.document_id)
    assert doc["status"] == Status.FAILED and doc["reason"] == "worker_lost"
    assert Worker(ledger, worker_id="reaper2").reap_exhausted() == 0
