"""Signals to a `docledger worker` process: SIGTERM finishes the current run, SIGKILL loses nothing.

A 100-page digital PDF with a table on every page keeps extract-text busy for a few
seconds, long enough to signal the worker while it holds the lease.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import make_pdf, spawn_worker, worker_lease
from docledger.ledger import Ledger
from docledger.models import Status
from docledger.settings import Settings
from docledger.stages import discover

PIPELINE = ["classify", "extract-text"]
ARGS = [a for s in PIPELINE for a in ("--stage", s)]


@pytest.fixture(scope="module")
def big_pdf() -> bytes:
    return make_pdf("Quarterly statement", pages=100, table=True)


def _ledger(store_url: str, tmp_path: Path, **overrides: Any) -> Ledger:
    settings = Settings(
        home=tmp_path / "home",
        database_url=store_url,
        poll_interval_seconds=0.05,
        backoff_base_seconds=0.1,
        **overrides,
    )
    return Ledger(settings, stages=discover(settings, only=PIPELINE))


def _wait_for_lease(ledger: Ledger, proc: Any, subscriber: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the worker exited early with {proc.returncode}"
        held = worker_lease(ledger.store, proc.pid)
        if held is not None and held["subscriber"] == subscriber:
            return held
        time.sleep(0.01)
    pytest.fail(f"the worker never claimed a {subscriber} delivery within {timeout}s")


def _delivery(ledger: Ledger, delivery_id: int) -> dict[str, Any]:
    with ledger.store.read() as tx:
        row = tx.fetchone("get_delivery", id=delivery_id)
    assert row is not None
    return row


def _extract_runs(ledger: Ledger, document_id: str) -> list[dict[str, Any]]:
    return [r for r in ledger.lineage(document_id)["runs"] if r["stage"] == "extract-text"]


def test_sigterm_finishes_the_current_run_and_exits_0(store_url: str, tmp_path: Path, big_pdf: bytes) -> None:
    ledger = _ledger(store_url, tmp_path)
    big = ledger.ingest_bytes(big_pdf, "statement.pdf")
    proc = spawn_worker(ledger.settings, *ARGS, log=tmp_path / "worker.log")
    try:
        held = _wait_for_lease(ledger, proc, "extract-text")
        later = ledger.ingest_bytes(make_pdf("Arrived during shutdown"), "later.pdf")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert code == 0, log
    # the run in progress was completed and committed, not abandoned
    assert _delivery(ledger, held["id"])["status"] == "done"
    (run,) = _extract_runs(ledger, big.document_id)
    assert run["status"] == "succeeded" and f":{proc.pid}:" in run["worker"]
    assert ledger.get_document(big.document_id)["status"] == Status.SUCCEEDED
    pages = {a["page"] for a in ledger.artifacts(big.document_id) if a["key"].endswith("/text.txt")}
    assert pages == set(range(1, 101))
    # ... and nothing new was started after the signal
    doc = ledger.status(later.document_id)
    assert doc["status"] == Status.PROCESSING and [t["status"] for t in doc["timeline"]] == ["registered"]
    assert ledger.summary()["queue"].get("pending") == 1 and "leased" not in ledger.summary()["queue"]
    ledger.close()


def test_sigkill_loses_nothing(store_url: str, tmp_path: Path, big_pdf: bytes) -> None:
    ledger = _ledger(store_url, tmp_path, lease_seconds=2.0)
    big = ledger.ingest_bytes(big_pdf, "statement.pdf")
    first = spawn_worker(ledger.settings, *ARGS, log=tmp_path / "first.log")
    try:
        held = _wait_for_lease(ledger, first, "extract-text")
        time.sleep(0.3)  # well into the run
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert _delivery(ledger, held["id"])["status"] == "leased"  # orphaned until the lease expires
    assert _extract_runs(ledger, big.document_id) == []  # the killed run committed nothing

    second = spawn_worker(ledger.settings, *ARGS, "--until-idle", log=tmp_path / "second.log")
    code = second.wait(90)
    assert code == 0, (tmp_path / "second.log").read_text(errors="replace")
    delivery = _delivery(ledger, held["id"])
    assert delivery["status"] == "done" and delivery["attempts"] == 2
    (run,) = _extract_runs(ledger, big.document_id)
    assert run["status"] == "succeeded" and run["attempt"] == 2 and f":{second.pid}:" in run["worker"]
    arts = [a for a in ledger.artifacts(big.document_id) if a["stage"] == "extract-text"]
    assert len(arts) == len({a["key"] for a in arts}) and {a["run_id"] for a in arts} == {run["id"]}
    assert len([a for a in arts if a["key"].endswith("/text.txt")]) == 100
    assert ledger.get_document(big.document_id)["status"] == Status.SUCCEEDED
    assert ledger.dead_letters() == []
    ledger.close()
