"""Lineage query latency for one document with N documents in the store (target: p99 < 10 ms).

N synthetic documents (default 100,000) are bulk-inserted with the shape the built-in
pipeline leaves behind: 4 stage runs (register, classify, extract-text, nlp), 8 artifacts
(original, classification, text + page JSON for 2 pages, document JSON, NLP JSON) and the
run inputs that link them. Then random documents are queried through the public API:

- ``Ledger.lineage(id)``: the document's whole DAG (nodes, edges, runs);
- ``Ledger.artifact_lineage(id)``: upstream/downstream of the NLP output (deepest node);
- reference, same run: ``Ledger.get_document(id)``, a primary-key lookup — the floor.

Usage: python bench/lineage_latency.py [--n 100000] [--queries 2000] [--store both|sqlite|postgres]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import Timer, machine, percentile, scratch_store, stores, table, workdir

from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.store import open_store

CHUNK = 5000
RUNS = [("register", "1.0.0"), ("classify", "1.0.0"), ("extract-text", "1.0.0"), ("nlp", "1.0.0")]
ARTIFACTS = [  # (key, kind, page, run index)
    ("original", "original", None, 0),
    ("classification.json", "classification", None, 1),
    ("page-1/text.txt", "text", 1, 2),
    ("page-1/page.json", "page-json", 1, 2),
    ("page-2/text.txt", "text", 2, 2),
    ("page-2/page.json", "page-json", 2, 2),
    ("document.json", "document-json", None, 2),
    ("nlp.json", "nlp-json", None, 3),
]
INPUTS = [(1, 0), (2, 0), (3, 2), (3, 4)]  # (run index, artifact index): classify<-original, ...


def doc_id(i: int) -> str:
    return f"doc_{i:026d}"


def rows(start: int, stop: int, t0: float) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {
        "documents": [],
        "ownership": [],
        "stage_runs": [],
        "artifacts": [],
        "run_inputs": [],
    }
    for i in range(start, stop):
        d, t = doc_id(i), t0 + i * 0.001
        sha = f"{i:064x}"
        out["documents"].append(
            (
                d,
                f"tenant{i % 7}",
                d,
                1,
                f"file-{i}.pdf",
                sha,
                20000 + i % 977,
                "application/pdf",
                "application/pdf",
                "bench",
                t,
                "SUCCEEDED",
                "nlp",
                None,
                "All stages completed.",
                2,
                "{}",
                t,
            )
        )
        out["ownership"].append((d, f"owner{i % 13}", f"tenant{i % 7}", "internal", None, 0, "[]", t))
        run_ids = [f"run_{i:026d}{n}" for n in range(len(RUNS))]
        for n, (stage, version) in enumerate(RUNS):
            out["stage_runs"].append(
                (
                    run_ids[n],
                    d,
                    stage,
                    version,
                    "cfg",
                    None,
                    None,
                    "succeeded",
                    1,
                    "bench",
                    t + n * 0.01,
                    t + n * 0.01 + 0.005,
                    5.0,
                    None,
                    None,
                    "{}",
                )
            )
        art_ids = [f"art_{i:026d}{n}" for n in range(len(ARTIFACTS))]
        for n, (key, kind, page, run) in enumerate(ARTIFACTS):
            stage, version = RUNS[run]
            out["artifacts"].append(
                (
                    art_ids[n],
                    d,
                    run_ids[run],
                    stage,
                    version,
                    key,
                    kind,
                    f"{i:056x}{n:08x}",
                    100 + n,
                    None,
                    page,
                    "{}",
                    t + run * 0.01,
                )
            )
        out["run_inputs"] += [(run_ids[r], art_ids[a]) for r, a in INPUTS]
    return out


COLUMNS = {
    "documents": "id, tenant, series_id, version, name, sha256, size, media_type, declared_media_type, "
    "source, arrived_at, status, stage, reason, message, pages, meta, updated_at",
    "ownership": "document_id, owner, tenant, classification, retention_until, legal_hold, readers, updated_at",
    "stage_runs": "id, document_id, stage, stage_version, config_hash, page, delivery_id, status, attempt, "
    "worker, started_at, ended_at, duration_ms, error_code, error, meta",
    "artifacts": "id, document_id, run_id, stage, stage_version, key, kind, sha256, size, media_type, page, "
    "meta, created_at",
    "run_inputs": "run_id, artifact_id",
}


def chunks(n: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    t0 = time.time() - n * 0.001
    for start in range(0, n, CHUNK):
        yield rows(start, min(n, start + CHUNK), t0)


def load_sqlite(url: str, n: int) -> None:
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    for batch in chunks(n):
        conn.execute("BEGIN")
        for table_name, values in batch.items():
            marks = ", ".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table_name} ({COLUMNS[table_name]}) VALUES ({marks})", values)
        conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(url: str, n: int) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        for batch in chunks(n):
            with conn.cursor() as cur:
                for table_name, values in batch.items():
                    with cur.copy(f"COPY {table_name} ({COLUMNS[table_name]}) FROM STDIN") as copy:
                        for row in values:
                            copy.write_row(row)
            conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def latencies(fn: Any, args: list[Any]) -> list[float]:
    out = []
    for a in args:
        start = time.perf_counter()
        fn(a)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def measure(kind: str, n: int, queries: int, tmp: Path) -> list[list[object]]:
    with scratch_store(kind, tmp) as url:
        open_store(url).close()  # schema
        with Timer() as load:
            (load_sqlite if kind == "sqlite" else load_postgres)(url, n)
        ledger = Ledger(Settings(home=tmp / "home", database_url=url), stages={})
        rng = random.Random(42)
        picks = [rng.randrange(n) for _ in range(queries)]
        for i in picks[:200]:  # warm caches and the connection pool
            ledger.lineage(doc_id(i))
        graph = ledger.lineage(doc_id(picks[0]))
        assert len(graph["nodes"]) == 8 and len(graph["edges"]) == 8 and len(graph["runs"]) == 4, graph
        up = ledger.artifact_lineage(f"art_{picks[0]:026d}7")
        assert {a["key"] for a in up["upstream"]} == {"page-1/text.txt", "page-2/text.txt", "original"}, up
        results = {
            "lineage(document)": latencies(ledger.lineage, [doc_id(i) for i in picks]),
            "artifact_lineage(nlp.json)": latencies(ledger.artifact_lineage, [f"art_{i:026d}7" for i in picks]),
            "reference: get_document": latencies(ledger.get_document, [doc_id(i) for i in picks]),
        }
        ledger.close()
    floor = percentile(results["reference: get_document"], 50)
    out = []
    for label, ms in results.items():
        p99 = percentile(ms, 99)
        verdict = "" if label.startswith("reference") else ("meets" if p99 < 10 else "MISSES") + " p99 < 10 ms"
        out.append(
            [
                kind,
                f"{n:,}",
                label,
                f"{percentile(ms, 50):.2f}",
                f"{p99:.2f}",
                f"{percentile(ms, 50) / floor:.1f}x",
                verdict,
            ]
        )
    print(f"# {kind}: loaded {n:,} documents ({n * 18:,} rows) in {load.seconds:.1f}s", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--store", default="both", choices=["both", "sqlite", "postgres"])
    args = ap.parse_args()
    print(f"# lineage latency, {args.queries} random documents ({machine()})")
    out: list[list[object]] = []
    with workdir("dl-bench-lineage-") as tmp:
        for kind in stores(args.store):
            out += measure(kind, args.n, args.queries, tmp)
    print(table(["store", "documents", "query", "p50 ms", "p99 ms", "p50 vs get_document", "target"], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
