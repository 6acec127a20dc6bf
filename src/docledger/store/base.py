"""The store contract: named SQL statements run in transactions over SQLite or PostgreSQL.

The ledger services are written once against this contract; dialect differences live in
the ``sql/<dialect>/`` files (schema, migrations, a few overriding statements) and in the
small hooks below. Driver errors are wrapped into :class:`StoreError` at this boundary.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

SQL_PACKAGE = "docledger.store.sql"
_NAME = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    """Split a .sql file into {name: statement} on ``-- name: x`` markers."""
    parts = _NAME.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = [ln for ln in body.strip().splitlines() if not ln.lstrip().startswith("--")]
        queries[name] = "\n".join(lines).strip().rstrip(";")
    return queries


@cache
def load_queries(dialect: str) -> dict[str, str]:
    root = resources.files(SQL_PACKAGE)
    queries = parse_queries((root / "queries.sql").read_text())
    queries.update(parse_queries((root / dialect / "queries.sql").read_text()))
    return queries


def migration_files(dialect: str) -> list[tuple[str, str]]:
    """[(version, sql)] in order, from sql/<dialect>/migrations/NNNN_name.sql."""
    root = resources.files(SQL_PACKAGE) / dialect / "migrations"
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name.split("_", 1)[0], p.read_text()) for p in files]


class Tx(ABC):
    """One open transaction. Rows come back as dicts."""

    @abstractmethod
    def fetchall(self, name: str, /, **params: Any) -> list[dict[str, Any]]: ...

    def fetchone(self, name: str, /, **params: Any) -> dict[str, Any] | None:
        rows = self.fetchall(name, **params)
        return rows[0] if rows else None

    @abstractmethod
    def execute(self, name: str, /, **params: Any) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abstractmethod
    def raw(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run literal SQL (schema introspection, tests). Not for application queries."""

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """Send statements without waiting for each reply where the driver can (PostgreSQL pipeline
        mode); results that are read still arrive in order. Only for code that reads no rowcounts."""
        yield

    def relax_durability(self) -> None:
        """This transaction may be lost in a crash without harm (a claim, a lease extension): on
        PostgreSQL it commits without waiting for the WAL flush. A lost claim only means the delivery
        is still pending; the work itself always commits durably."""
        return None

    def lock_document(self, document_id: str) -> None:
        """Serialise writers of one document until commit (a row lock on PostgreSQL)."""
        self.fetchall("lock_document", id=document_id)

    def after_commit(self, callback: Any) -> None:
        self._after_commit.append(callback)

    _after_commit: list[Any]


class Store(ABC):
    dialect: str
    url: str

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A read-write transaction: commits on success, rolls back on any exception."""

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only unit of work (may be the same as transaction)."""
        with self.transaction() as tx:
            yield tx

    @abstractmethod
    def migrate(self) -> list[str]:
        """Apply pending migrations; returns the versions applied."""

    @abstractmethod
    def close(self) -> None: ...

    def notify_work(self) -> None:
        """Wake idle workers (LISTEN/NOTIFY on PostgreSQL; polling elsewhere)."""
        return None

    def wait_for_work(self, timeout: float) -> None:
        """Block up to ``timeout`` seconds or until notified."""
        import time

        time.sleep(timeout)

    @abstractmethod
    def scrub(self, tables: list[str]) -> list[str]:
        """Make rows just deleted from ``tables`` unrecoverable from the database files (erasure);
        returns what was compacted."""

    def applied_migrations(self) -> list[str]:
        with self.read() as tx:
            return [r["version"] for r in tx.raw("SELECT version FROM schema_migrations ORDER BY version")]
