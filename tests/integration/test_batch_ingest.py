"""Batch ingest (group commit; pipelined on PostgreSQL) gives the same answers as one-by-one ingest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docledger.ledger import Ledger


def test_ingest_many_dedupes_versions_and_fans_out(make_ledger: Callable[..., Ledger], tmp_path: Path) -> None:
    ledger = make_ledger(["upper"])
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("alpha")
    (src / "b.txt").write_text("beta")
    (src / "copy-of-a.txt").write_text("alpha")
    first = ledger.ingest_many([src / "a.txt", src / "b.txt", src / "copy-of-a.txt"], tenant="t1")
    assert [r.duplicate_of for r in first] == [None, None, first[0].document_id]
    (src / "a.txt").write_text("alpha, amended")
    second = ledger.ingest_many([src / "a.txt", src / "b.txt"], tenant="t1")
    assert second[0].version == 2 and second[0].duplicate_of is None
    assert second[1].duplicate_of == first[1].document_id
    other = ledger.ingest_many([src / "b.txt"], tenant="t2")
    assert other[0].duplicate_of is None
    with ledger.store.read() as tx:
        queued = tx.fetchone("pending_work", subscribers=["upper"])
    assert queued is not None and int(queued["n"]) == 4  # one delivery per new document
    assert ledger.ingest_many([]) == []
