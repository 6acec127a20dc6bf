"""Shared helpers of the ledger benchmarks: stores to measure, generated PDFs, tables, percentiles.

Benchmarks are scripts, not tests: they print their figures and the ratio against a reference
measured in the same run, on the same machine, so the numbers can be compared across machines.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"


def pg_server() -> str | None:
    """The PostgreSQL server to benchmark (DOCLEDGER_TEST_PG, same as the tests), or None if unreachable."""
    base = os.environ.get("DOCLEDGER_TEST_PG", PG_DEFAULT).strip().rstrip("/")
    if base.lower() == "skip":
        return None
    try:
        import psycopg

        psycopg.connect(f"{base}/postgres", connect_timeout=3).close()
    except Exception as exc:  # the benchmark still reports SQLite
        print(f"# PostgreSQL at {base} is not reachable ({exc}); measuring SQLite only")
        return None
    return base


@contextmanager
def scratch_store(kind: str, workdir: Path) -> Iterator[str]:
    """A URL of an empty database of ``kind`` ('sqlite' or 'postgres'), removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    import psycopg

    base = pg_server()
    if base is None:
        raise RuntimeError("PostgreSQL is not reachable")
    name = f"dl_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def stores(requested: str) -> list[str]:
    """'sqlite', 'postgres' or 'both' -> the kinds that can run here."""
    kinds = ["sqlite", "postgres"] if requested == "both" else [requested]
    if "postgres" in kinds and pg_server() is None:
        kinds.remove("postgres")
    return kinds


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def make_pdf(text: str, *, pages: int = 1, table: bool = False) -> bytes:
    """A digital PDF (reportlab): three distinct lines per page and optionally a gridded table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for n in range(1, pages + 1):
        c.setFont("Helvetica", 12)
        y = 800
        for line in (
            f"{text} - page {n}",
            "The governed document pipeline records every artifact.",
            f"Reference {zlib.crc32(f'{text}/{n}'.encode()):010d} on page {n} of {pages}.",
        ):
            c.drawString(72, y, line)
            y -= 18
        if table:
            rows = [["Item", "Qty", "Price"], ["Widget", "2", "9.50"], ["Gadget", "1", "20.00"]]
            for r, row in enumerate(rows):
                for col, cell in enumerate(row):
                    c.rect(72 + col * 120, 700 - r * 20, 120, 20)
                    c.drawString(76 + col * 120, 706 - r * 20, cell)
        c.showPage()
    c.save()
    return buf.getvalue()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain Markdown table (pastes into docs/benchmarks.md as is)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    out = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    return "\n".join(out)


def machine() -> str:
    import platform

    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{python}, {os.cpu_count()} CPUs, {platform.system()}"
