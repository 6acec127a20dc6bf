"""What the access policy costs: listing documents, the operations summary and opening one document
as a tenant reader (policy applied: restricted documents hidden) against the same calls by an admin
of the same tenant (same tenant scoping, nothing hidden: the reference), measured in the same run on
the same ledger. The all-tenant admin (no tenant filter at all) is shown for scale.

    python bench/access_overhead.py [--store sqlite|postgres|both] [--docs 2000] [--restricted 0.05]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timer, machine, median, scratch_store, stores, table, workdir  # noqa: E402

from docledger.auth.tokens import LOCAL_ADMIN, Principal  # noqa: E402
from docledger.ledger import Ledger  # noqa: E402
from docledger.services.documents import list_visible  # noqa: E402
from docledger.services.operations import visible_summary  # noqa: E402
from docledger.settings import Settings  # noqa: E402


def run(kind: str, n_docs: int, share: float, repeats: int) -> list[list[object]]:
    with workdir("dl-bench-access-") as tmp, scratch_store(kind, tmp) as url:
        ledger = Ledger(Settings(home=tmp / "home", database_url=url), stages={})
        n_restricted = int(n_docs * share)
        for i in range(n_docs):
            cls = "restricted" if i < n_restricted else "internal"
            ledger.ingest_bytes(f"document {i}".encode(), f"d{i}.txt", tenant="bank", owner="olga", classification=cls)
        reader = Principal("ivan", ("bank",), "reader", None)
        scoped_admin = Principal("ada", ("bank",), "admin", None)  # same tenant scoping, policy sees all
        some = list_visible(ledger, LOCAL_ADMIN, limit=1)[0]["document_id"]
        calls = {
            "list 50": lambda p: list_visible(ledger, p, limit=50),
            "list 500": lambda p: list_visible(ledger, p, limit=500),
            "summary": lambda p: visible_summary(ledger, p),
            "get one": lambda p: ledger.get_document(some, tenants=p.scope),
        }
        rows: list[list[object]] = []
        for name, call in calls.items():
            times: dict[str, list[float]] = {"admin": [], "scoped": [], "reader": []}
            for _ in range(repeats):
                for who, p in (("admin", LOCAL_ADMIN), ("scoped", scoped_admin), ("reader", reader)):
                    with Timer() as t:
                        call(p)
                    times[who].append(t.seconds * 1000)
            a, sc, r = median(times["admin"]), median(times["scoped"]), median(times["reader"])
            rows.append([kind, name, f"{a:.2f}", f"{sc:.2f}", f"{r:.2f}", f"{r / sc:.2f}x"])
        ledger.close()
        return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default="both")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--restricted", type=float, default=0.05)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    rows: list[list[object]] = []
    for kind in stores(args.store):
        rows += run(kind, args.docs, args.restricted, args.repeats)
    print(f"{machine()}; {args.docs} documents, {args.restricted:.0%} restricted, median of {args.repeats}")
    print(
        table(
            [
                "store",
                "call",
                "all-tenant admin ms",
                "tenant admin ms (reference)",
                "tenant reader ms (policy)",
                "reader / reference",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
