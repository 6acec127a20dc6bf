"""Registrations per second on SQLite and PostgreSQL (target: >= 2,000/s).

Each measurement runs on a fresh database with the installed stages subscribed (so every
registration also fans its event out into real deliveries):

- ingest, per document: ``Ledger.ingest_bytes`` — what the CLI and the API do: durable blob
  write (fsync) + one transaction with registry, ownership, register run, original artifact,
  timeline, event and deliveries;
- ingest_many, batch 200: ``Ledger.ingest_many`` on files on disk — what ``docledger ingest``/``run``
  do: the blobs of a batch are written without a per-file fsync, made durable with ONE sync
  (group commit), then all registrations commit in one transaction;
- ingest, batched: the same ``register()`` for ``--batch`` documents per transaction (each
  blob still written and fsynced first);
- registry only, per document / batched: the same two paths with the bytes already in the
  blob store (``put_bytes`` finds them and skips the write): the ledger's own cost;
- references measured in the same run on the same disk: one tiny INSERT + COMMIT per
  transaction with the bare driver, and one small file write + fsync.

Usage: python bench/registrations.py [--n 1000] [--batch 500] [--many-batch 200] [--store both|sqlite|postgres]
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from _common import Timer, machine, scratch_store, stores, table, workdir

from docledger.ledger.registry import Arrival, register
from docledger.media.declared_type import declared_type
from docledger.pipeline import open_ledger
from docledger.settings import Settings


def documents(n: int, salt: str) -> list[bytes]:
    return [f"{salt} statement {i}: balance {i * 7.5:.2f} EUR\n".encode() * 4 for i in range(n)]


def per_document(url: str, home: Path, docs: list[bytes], *, prestore: bool = False) -> float:
    ledger = open_ledger(Settings(home=home, database_url=url))
    _ = ledger.stages  # subscriptions of every installed stage
    if prestore:
        for data in docs:
            ledger.blobs.put_bytes(data)
    with Timer() as t:
        for i, data in enumerate(docs):
            ledger.ingest_bytes(data, f"statement-{i}.txt", tenant="bank")
    ledger.close()
    return len(docs) / t.seconds


def ingest_many(url: str, home: Path, docs: list[bytes], batch: int, *, prestore: bool = False) -> float:
    """``Ledger.ingest_many`` over files on disk, ``batch`` paths per call (the CLI uses 200)."""
    ledger = open_ledger(Settings(home=home, database_url=url))
    _ = ledger.stages
    inbox = home.parent / f"inbox-{uuid.uuid4().hex[:8]}"
    inbox.mkdir(parents=True)
    paths = []
    for i, data in enumerate(docs):  # generated before the clock starts: the files already exist
        path = inbox / f"many-statement-{i}.txt"
        path.write_bytes(data)
        paths.append(path)
    if prestore:
        for data in docs:
            ledger.blobs.put_bytes(data)
    with Timer() as t:
        for start in range(0, len(paths), batch):
            ledger.ingest_many(paths[start : start + batch], tenant="bank")
    ledger.close()
    return len(docs) / t.seconds


def batched(url: str, home: Path, docs: list[bytes], batch: int, *, prestore: bool = False) -> float:
    settings = Settings(home=home, database_url=url)
    ledger = open_ledger(settings)
    _ = ledger.stages
    if prestore:
        for data in docs:
            ledger.blobs.put_bytes(data)
    with Timer() as t:
        for start in range(0, len(docs), batch):
            arrivals = []
            for i, data in enumerate(docs[start : start + batch], start=start):
                name = f"batch-statement-{i}.txt"
                arrivals.append(
                    Arrival(
                        name=name,
                        sha256=ledger.blobs.put_bytes(data, durable=True),  # each blob fsynced
                        size=len(data),
                        stored=True,
                        owner="system",
                        tenant="bank",
                        classification="internal",
                        source="bench",
                        declared_media_type=declared_type(name),
                    )
                )
            with ledger.store.transaction() as tx:
                for arrival in arrivals:
                    register(tx, arrival, settings)
    ledger.close()
    return len(docs) / t.seconds


def engine_reference(url: str, n: int) -> float:
    """One INSERT + COMMIT per transaction with the driver alone (same durability settings)."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE ref (id INTEGER PRIMARY KEY, v TEXT)")
        with Timer() as t:
            for i in range(n):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO ref (v) VALUES (?)", (f"row {i}",))
                conn.execute("COMMIT")
        conn.close()
        return n / t.seconds
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE ref (id BIGSERIAL PRIMARY KEY, v TEXT)")
        conn.commit()
        with Timer() as t:
            for i in range(n):
                conn.execute("INSERT INTO ref (v) VALUES (%s)", (f"row {i}",))
                conn.commit()
    return n / t.seconds


def fsync_reference(directory: Path, n: int) -> float:
    """Small files written and fsynced one by one: what a durable blob write costs on this disk."""
    import os

    directory.mkdir(parents=True, exist_ok=True)
    with Timer() as t:
        for i in range(n):
            with open(directory / f"f{i}", "wb") as f:
                f.write(b"x" * 200)
                f.flush()
                os.fsync(f.fileno())
    return n / t.seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--many-batch", type=int, default=200, help="paths per ingest_many call (CLI: 200)")
    ap.add_argument("--store", default="both", choices=["both", "sqlite", "postgres"])
    args = ap.parse_args()
    print(f"# registrations/s, {args.n} documents per measurement ({machine()})")
    rows = []
    for kind in stores(args.store):
        with workdir("dl-bench-reg-") as tmp:
            measured = []
            for label, fn, prestore in (
                ("ingest, per document", per_document, False),
                (f"ingest_many, batch {args.many_batch}", ingest_many, False),
                (f"ingest, batched {args.batch}/tx", batched, False),
                ("registry only, per document", per_document, True),
                (f"registry only, batched {args.batch}/tx", batched, True),
            ):
                with scratch_store(kind, tmp) as url:
                    extra = (args.batch,) if fn is batched else (args.many_batch,) if fn is ingest_many else ()
                    docs = documents(args.n, f"{label} {kind}")
                    measured.append((label, fn(url, tmp / "home", docs, *extra, prestore=prestore)))
            with scratch_store(kind, tmp) as url:
                ref = engine_reference(url, args.n)
            if kind == stores(args.store)[0]:
                fsync_rate = fsync_reference(tmp / "fsync", min(args.n, 1000))
        for label, rate in measured:
            verdict = "meets" if rate >= 2000 else "MISSES"
            rows.append([kind, label, f"{rate:,.0f}", f"{rate / ref:.2f}", f"{verdict} 2,000/s"])
        rows.append([kind, "reference: bare INSERT + COMMIT per tx", f"{ref:,.0f}", "1.00", ""])
    rows.append(["disk", "reference: 200-byte file write + fsync", f"{fsync_rate:,.0f}", "", ""])
    print(table(["store", "mode", "per second", "vs bare commit", "target"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
