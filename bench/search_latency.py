"""Hybrid search latency (BM25 + page vectors, RRF) with N indexed pages, on SQLite and PostgreSQL.

Pages are bulk-inserted (synthetic lending/clinical text, vectors from the real embedding
model for a sample of distinct texts, reused). The reference measured in the same run is the
full-text query alone, so the ratio shows what the semantic half and fusion cost.

Usage: python bench/search_latency.py [--pages 10000] [--queries 50]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import pg_server  # noqa: E402

VOCAB = (
    "borrower lender escrow mortgage interest principal payment statement balance deposit account routing "
    "insurance premium claim coverage patient history diagnosis medication dosage allergy surgery discharge "
    "physician hospital employer salary income verification appraisal property title closing disclosure "
    "underwriting credit score debt ratio asset liability tax return wage"
).split()
QUERIES = [
    "escrow shortage payment",
    "patient medication allergy",
    "employer income verification",
    "insurance claim coverage",
    "closing disclosure title",
    "credit score debt ratio",
]


def page_text(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(150, 300))) + "."


def fill(ledger, pages: int) -> None:  # type: ignore[no-untyped-def]
    from docledger.nlp.embeddings import get_embedder

    rng = random.Random(7)
    texts = [page_text(rng) for _ in range(200)]
    vecs = get_embedder().encode(texts)
    now = time.time()
    docs = pages // 5
    with ledger.store.transaction() as tx:
        conn = tx.conn  # bulk load through the driver (benchmark set-up only)
        ph = "?" if ledger.store.dialect == "sqlite" else "%s"
        cur = conn.cursor()
        doc_rows, own_rows, page_rows = [], [], []
        for d in range(docs):
            did = f"doc_bench{d:07d}"
            tenant = f"t{d % 5}"
            doc_rows.append(
                (
                    did,
                    tenant,
                    did,
                    1,
                    f"{did}.pdf",
                    f"{d:064x}",
                    1000,
                    "application/pdf",
                    None,
                    "bench",
                    now,
                    "SUCCEEDED",
                    "index",
                    None,
                    None,
                    5,
                    "{}",
                    now,
                )
            )
            own_rows.append((did, "owner", tenant, "internal", None, 0, "[]", now))
            for p in range(1, 6):
                i = rng.randrange(len(texts))
                page_rows.append((did, tenant, "owner", p, texts[i], vecs[i].astype(np.float32).tobytes()))
        cur.executemany(f"INSERT INTO documents VALUES ({','.join([ph] * 18)})", doc_rows)
        cur.executemany(f"INSERT INTO ownership VALUES ({','.join([ph] * 8)})", own_rows)
        cur.executemany(
            f"INSERT INTO search_pages (document_id, tenant, owner, page, text, vector) VALUES ({','.join([ph] * 6)})",
            page_rows,
        )


def measure(ledger, queries: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    from docledger.services.search import _fts_query, search

    search(ledger, "warm up query", tenants=["t1"])  # loads the vector cache and the model
    hybrid, fts = [], []
    for i in range(queries):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        hits = search(ledger, q, tenants=["t1", "t2"], limit=10)
        hybrid.append((time.perf_counter() - t) * 1000)
        assert hits
        t = time.perf_counter()
        with ledger.store.read() as tx:
            fq = _fts_query(q, ledger.store.dialect)
            tx.fetchall(
                "search_fulltext", fts_query=fq, text_query=fq, tenants=json.dumps(["t1", "t2"]), owner=None, limit=50
            )
        fts.append((time.perf_counter() - t) * 1000)
    return hybrid, fts


def pct(xs: list[float], p: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * p))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()
    from docledger.ledger import Ledger
    from docledger.settings import Settings

    targets = [("sqlite", None)]
    base = pg_server()
    if base:
        targets.append(("postgres", base))
    print(f"hybrid search over {args.pages} pages, {args.queries} queries (ms)")
    print(f"{'store':10} {'hybrid p50':>11} {'hybrid p99':>11} {'fts p50':>9} {'ratio p50':>10}")
    for name, server in targets:
        with tempfile.TemporaryDirectory() as tmp:
            url = None
            if server:
                import psycopg

                db = f"bench_search_{os.getpid()}"
                with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {db}")
                    c.execute(f"CREATE DATABASE {db}")
                url = f"{server}/{db}"
            ledger = Ledger(Settings(home=Path(tmp), database_url=url), stages={})
            fill(ledger, args.pages)
            hybrid, fts = measure(ledger, args.queries)
            ledger.close()
            print(
                f"{name:10} {statistics.median(hybrid):11.1f} {pct(hybrid, 0.99):11.1f} "
                f"{statistics.median(fts):9.1f} {statistics.median(hybrid) / statistics.median(fts):10.2f}"
            )
            if server:
                with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {db}")


if __name__ == "__main__":
    main()
