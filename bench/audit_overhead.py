"""Audit overhead on API reads: GET /v1/documents/{id} with the audit middleware against the same app
with the middleware removed (the reference), same documents, same run, both stores.

Target (governance issue): <= 5 % added latency on API reads. Every read writes one hash-chained
entry before answering (fail closed), so the overhead is one small write transaction per request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import pg_server, scratch_store
from fastapi.testclient import TestClient

from docledger.api import create_app
from docledger.api.audit_trail import AuditMiddleware
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.settings import Settings


def measure(client: TestClient, headers: dict[str, str], ids: list[str], rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        doc = ids[i % len(ids)]
        t0 = time.perf_counter()
        r = client.get(f"/v1/documents/{doc}", headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
    return times


def run(kind: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, scratch_store(kind, Path(tmp)) as url:
        settings = Settings(home=Path(tmp) / "home", database_url=url)
        ledger = Ledger(settings, stages={})
        ids = [
            ledger.ingest_bytes(f"document {i}".encode(), f"d{i}.txt", tenant="bank-a").document_id for i in range(200)
        ]
        token = create_token(ledger, principal="analyst@bank-a", tenants=["bank-a"], role="reader")
        headers = {"Authorization": f"Bearer {token}"}
        audited = create_app(ledger)
        plain = create_app(ledger)
        plain.user_middleware = [m for m in plain.user_middleware if m.cls is not AuditMiddleware]
        with TestClient(audited) as a, TestClient(plain) as p:
            measure(a, headers, ids, 50)
            measure(p, headers, ids, 50)  # warm-up
            ta, tp = [], []
            for _ in range(5):  # interleaved, so drift in machine load hits both alike
                tp += measure(p, headers, ids, rounds // 5)
                ta += measure(a, headers, ids, rounds // 5)
        ma, mp = statistics.median(ta), statistics.median(tp)
        print(
            f"{kind:8s} reference p50 {mp:6.2f} ms | audited p50 {ma:6.2f} ms | "
            f"overhead {100 * (ma / mp - 1):+5.1f} % "
            f"(p90 {statistics.quantiles(tp, n=10)[-1]:.2f} -> {statistics.quantiles(ta, n=10)[-1]:.2f} ms)"
        )
        ledger.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=1000)
    args = ap.parse_args()
    print("# audit overhead on GET /v1/documents/{id} (target <= +5 %)")
    run("sqlite", args.rounds)
    if pg_server():
        run("postgres", args.rounds)


if __name__ == "__main__":
    main()
