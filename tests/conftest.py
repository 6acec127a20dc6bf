"""Shared fixtures: one ledger over each store, toy stages, small real PDFs.

``store_url`` runs a test against SQLite (a file in tmp_path) and PostgreSQL (a fresh
database per test, cloned from a template migrated once per session — ``CREATE DATABASE
... TEMPLATE`` costs a few hundred milliseconds, migrating from scratch costs more).

The PostgreSQL half always runs for real: against the server named by ``DOCLEDGER_TEST_PG``
(default ``postgresql://postgres@127.0.0.1:5432``) when it answers, else against a private,
throw-away cluster that the session starts itself (installing Debian's ``postgresql`` package
when its binaries are missing) and removes at the end. Set ``DOCLEDGER_TEST_PG=skip`` to skip
them deliberately.

The toy stages below exercise the ledger without depending on the built-in stages, whose
behaviour (OCR, PDF parsing) is not what the ledger's contract is about.
"""

from __future__ import annotations

import io
import os
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import pgcluster  # noqa: E402
from docledger.exceptions import UnprocessableDocument  # noqa: E402
from docledger.ledger import Ledger  # noqa: E402
from docledger.pipeline import open_ledger  # noqa: E402
from docledger.settings import Settings  # noqa: E402
from docledger.stages.base import Stage, StageContext  # noqa: E402
from docledger.worker import Worker  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PG_ENV = "DOCLEDGER_TEST_PG"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"


# ---- PostgreSQL plumbing ----------------------------------------------------------------------
_resolved: dict[str, str | None] = {}


def pg_base() -> str | None:
    """The server URL without a database name, or None when PostgreSQL tests are skipped on purpose.

    The server named by DOCLEDGER_TEST_PG (default 127.0.0.1:5432) when it answers; otherwise a
    private, throw-away cluster started for this test session (see :mod:`pgcluster`)."""
    if "base" not in _resolved:
        value = os.environ.get(PG_ENV, PG_DEFAULT).strip()
        if value.lower() == "skip":
            _resolved["base"] = None
        elif pgcluster.reachable(value.rstrip("/")):
            _resolved["base"] = value.rstrip("/")
        else:
            try:
                _resolved["base"] = pgcluster.start_private_cluster()
            except pgcluster.ClusterError as exc:
                pytest.fail(
                    f"PostgreSQL is not reachable at {value} and no private cluster could be started: {exc}. "
                    f"Install the Debian package `postgresql` (apt-get install postgresql), point {PG_ENV} at "
                    f"a server (postgresql://user@host:port), or set {PG_ENV}=skip to skip these tests.",
                    pytrace=False,
                )
    return _resolved["base"]


def pg_url(dbname: str) -> str:
    base = pg_base()
    assert base is not None
    return f"{base}/{dbname}"


def pg_admin() -> Any:
    """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    try:
        return psycopg.connect(pg_url("postgres"), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f'PostgreSQL is not reachable at {pg_base()} ({exc}). Start it (see README.md, "Running the tests"), '
            f"point {PG_ENV} at a server (postgresql://user@host:port), or set {PG_ENV}=skip to skip these tests.",
            pytrace=False,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    pgcluster.stop_private_cluster()


def create_database(template: str | None = None) -> str:
    name = f"dl_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with pg_admin() as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{clause}")
    return name


def drop_database(name: str) -> None:
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated once per session; tests clone it."""
    if pg_base() is None:
        pytest.skip(f"{PG_ENV}=skip")
    from docledger.store import open_store

    name = create_database()
    try:
        store = open_store(pg_url(name))
        store.close()
        yield name
    finally:
        drop_database(name)


@pytest.fixture
def pg_database(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; dropped afterwards."""
    name = create_database(pg_template)
    try:
        yield pg_url(name)
    finally:
        drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    return str(request.getfixturevalue("pg_database"))


# ---- settings, ledgers, workers ----------------------------------------------------------------
FAST = {
    "backoff_base_seconds": 0.02,
    "backoff_max_seconds": 1.0,
    "poll_interval_seconds": 0.02,
    "lease_seconds": 30.0,
    "max_attempts": 3,
}


@pytest.fixture
def make_settings(tmp_path: Path, store_url: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"home": tmp_path / "home", "database_url": store_url, **FAST, **overrides}
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def make_ledger(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., Ledger]]:
    """Build ledgers over the test's store; ``stages`` may be toy stage names or instances."""
    opened: list[Ledger] = []

    def make(stages: list[str] | dict[str, Stage] | None = None, **overrides: Any) -> Ledger:
        s = make_settings(**overrides)
        if isinstance(stages, list):
            stages = toy_stages(s, *stages)
        ledger = open_ledger(s) if stages is None else Ledger(s, stages=stages)
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[..., Ledger]) -> Ledger:
    """A ledger with the installed (built-in) stages, discovered lazily."""
    return make_ledger()


def drain(
    ledger: Ledger, *, workers: int = 1, stages: dict[str, Stage] | None = None, timeout: float = 30.0
) -> list[Worker]:
    """Run ``workers`` worker threads until the queue is idle; fail the test if they hang."""
    pool = [Worker(ledger, stages=stages, worker_id=f"w{i}") for i in range(workers)]
    errors: list[BaseException] = []

    def run(w: Worker) -> None:
        try:
            w.run(until_idle=True, max_idle_seconds=timeout)
        except BaseException as exc:  # surfaced below: a thread's exception must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in pool]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        for w in pool:
            w.stop_requested.set()
        pytest.fail(f"workers did not reach idle within {timeout}s")
    if errors:
        raise errors[0]
    return pool


# ---- toy stages ------------------------------------------------------------------------------------
class Upper(Stage):
    """Reads the original, writes it upper-cased. Content drives failures:
    ``bad`` -> unprocessable (terminal), ``boom`` -> crashes while ``broken``,
    ``flaky`` -> the first attempt crashes."""

    name = "upper"
    version = "1.0"
    subscribes = ("document.registered",)
    produces = ("text",)
    broken = True

    def process(self, ctx: StageContext) -> None:
        data = ctx.read(ctx.original())
        if data.startswith(b"bad"):
            raise UnprocessableDocument(
                "the toy cannot read this",
                code="corrupt_file",
                hint="Submit a file that does not start with 'bad'.",
            )
        if data.startswith(b"boom") and self.broken:
            raise RuntimeError("toy stage crashed")
        if data.startswith(b"flaky") and ctx.attempt < 2:
            raise RuntimeError("transient toy failure")
        ctx.add_artifact("upper.txt", "text", data.upper(), media_type="text/plain")
        ctx.emit("toy.upper.done", {"chars": len(data)})


class Reverse(Stage):
    """Derives from upper's text artifact: the second hop of the lineage DAG."""

    name = "reverse"
    version = "1.0"
    subscribes = ("toy.upper.done",)

    def process(self, ctx: StageContext) -> None:
        (text,) = ctx.artifacts(kind="text", stage="upper")
        ctx.add_artifact("reverse.txt", "reversed", ctx.read(text)[::-1], media_type="text/plain")


class Audit(Stage):
    """A second subscriber of document.registered (a customer's own pipeline)."""

    name = "audit"
    version = "2.1"
    subscribes = ("document.registered",)

    def process(self, ctx: StageContext) -> None:
        original = ctx.original()
        ctx.use(original["id"])
        ctx.add_json("audit.json", "audit", {"sha256": original["sha256"], "event": ctx.event.id})


class Split(Stage):
    """Fans a document out into per-page events with their own ordering keys."""

    name = "split"
    version = "1.0"
    subscribes = ("document.registered",)
    pages = 2

    def process(self, ctx: StageContext) -> None:
        original = ctx.original()
        ctx.use(original["id"])
        for n in range(1, self.pages + 1):
            ctx.emit("toy.page", {"page": n, "source": original["id"]}, ordering_key=f"{ctx.document_id}:p{n}")


class Page(Stage):
    """Works on one page, slowly; a document whose bytes start with ``badpage`` has an unreadable page 2."""

    name = "page"
    version = "1.0"
    subscribes = ("toy.page",)
    delay = 0.4

    def process(self, ctx: StageContext) -> None:
        source = ctx.event.payload["source"]
        ctx.use(source)
        time.sleep(self.delay)
        if ctx.page == 2 and ctx.document["name"].startswith("badpage"):
            raise UnprocessableDocument("page 2 is unreadable", code="page_unreadable")
        ctx.add_artifact(f"page-{ctx.page}.txt", "page-text", f"page {ctx.page}", page=ctx.page)


class Journal(Stage):
    """Two notes for one document must be journalled in order, even with two workers."""

    name = "journal"
    version = "1.0"
    subscribes = ("toy.note",)
    delay = 0.3

    def process(self, ctx: StageContext) -> None:
        seq = int(ctx.event.payload["seq"])
        if seq == 1:
            time.sleep(self.delay)
        ctx.add_artifact(f"note-{seq}.txt", "note", str(seq))


TOYS: dict[str, type[Stage]] = {c.name: c for c in (Upper, Reverse, Audit, Split, Page, Journal)}


def toy_stages(settings: Settings, *names: str) -> dict[str, Stage]:
    """Instances of the named toy stages (default: upper + reverse)."""
    return {n: TOYS[n](settings) for n in (names or ("upper", "reverse"))}


# ---- small real PDFs ---------------------------------------------------------------------------
def make_pdf(text: str, *, pages: int = 1, table: bool = False) -> bytes:
    """A digital PDF made with reportlab: distinct text per page, optionally a gridded table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(text[:40])
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
            x0, y0, w, h = 72, 700, 120, 20
            for r, row in enumerate(rows):
                for col, cell in enumerate(row):
                    c.rect(x0 + col * w, y0 - r * h, w, h)
                    c.drawString(x0 + col * w + 4, y0 - r * h + 6, cell)
        c.showPage()
    c.save()
    return buf.getvalue()


# ---- `docledger worker` processes ------------------------------------------------------------
def worker_env(settings: Settings, **extra: Any) -> dict[str, str]:
    """The environment of a worker process sharing this test's ledger (home, database, timings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCLEDGER_")}
    env.update(
        {
            "DOCLEDGER_HOME": str(settings.home),
            "DOCLEDGER_DATABASE_URL": settings.resolved_database_url,
            "DOCLEDGER_LEASE_SECONDS": str(settings.lease_seconds),
            "DOCLEDGER_MAX_ATTEMPTS": str(settings.max_attempts),
            "DOCLEDGER_BACKOFF_BASE_SECONDS": str(settings.backoff_base_seconds),
            "DOCLEDGER_POLL_INTERVAL_SECONDS": str(settings.poll_interval_seconds),
            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def spawn_worker(settings: Settings, *args: str, log: Path, **extra: Any) -> Any:
    """Start `docledger worker ARGS` as a separate process (the way operators run it)."""
    import subprocess
    import sys

    out = open(log, "ab")  # noqa: SIM115 - closed by the caller's reap of the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "docledger.cli.main", "worker", *args],
        env=worker_env(settings, **extra),
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=settings.home,
    )
    out.close()
    return proc


def worker_lease(store: Any, pid: int) -> dict[str, Any] | None:
    """The delivery a worker process currently holds, if any (worker ids embed the pid)."""
    with store.read() as tx:
        rows = tx.raw("SELECT id, subscriber, document_id, lease_owner FROM deliveries WHERE status = 'leased'")
    return next((r for r in rows if f":{pid}:" in (r["lease_owner"] or "")), None)
