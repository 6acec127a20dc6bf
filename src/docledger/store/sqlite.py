"""SQLite store: WAL mode, one writer at a time (BEGIN IMMEDIATE), one connection per thread."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docledger.exceptions import DocledgerError, DuplicateKey, InvalidRequest, StoreError
from docledger.store.base import Store, Tx, load_queries, migration_files

# extended result codes of a unique or primary-key violation (sqlite3.h)
_DUPLICATE_CODES = {2067, 1555}  # SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY


def wrap_error(exc: sqlite3.Error | OverflowError, what: str) -> DocledgerError:
    """The docledger error for a driver error: DuplicateKey for a unique key, InvalidRequest for a number
    the database cannot hold (a request parameter out of range), StoreError otherwise."""
    if isinstance(exc, OverflowError):
        return InvalidRequest(
            f"a number given to {what} is out of range ({exc})", code="out_of_range", hint="Use a smaller value."
        )
    if isinstance(exc, sqlite3.IntegrityError) and getattr(exc, "sqlite_errorcode", None) in _DUPLICATE_CODES:
        return DuplicateKey(f"{what} failed: {exc}")
    return StoreError(f"{what} failed: {exc}")


class SqliteTx(Tx):
    def __init__(self, conn: sqlite3.Connection, queries: dict[str, str]) -> None:
        self.conn = conn
        self.queries = queries
        self._after_commit = []

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        if "subscribers" in params and not isinstance(params["subscribers"], str):
            params = dict(params, subscribers=json.dumps(list(params["subscribers"])))
        params.pop("subscribers_array", None)
        return params

    def fetchall(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(self.queries[name], self._params(params))
            return [dict(r) for r in cur.fetchall()]
        except (sqlite3.Error, OverflowError) as exc:
            raise wrap_error(exc, f"query {name}") from exc

    def execute(self, name: str, /, **params: Any) -> int:
        try:
            return self.conn.execute(self.queries[name], self._params(params)).rowcount
        except (sqlite3.Error, OverflowError) as exc:
            raise wrap_error(exc, f"statement {name}") from exc

    def raw(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params or {})
        return [dict(r) for r in cur.fetchall()]


def private_file(path: Path) -> None:
    """Create the ledger file readable by its owner only (0600) whatever the umask; SQLite gives its
    -wal and -shm files the same mode. An existing file is tightened too."""
    if str(path) in ("", ":memory:"):
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)


class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        self.url = url
        path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        self.queries = load_queries("sqlite")
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=60000")
            # freed pages and cells are zeroed, so erased or superseded text never lingers in free space
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _tx(self, begin: str) -> Iterator[Tx]:
        conn = self._conn()
        for attempt in range(50):
            try:
                conn.execute(begin)
                break
            except sqlite3.OperationalError as exc:  # "database is locked" beyond busy_timeout
                if "locked" not in str(exc) or attempt == 49:
                    raise StoreError(f"cannot open a transaction on {self.path}: {exc}") from exc
                time.sleep(0.05)
        tx = SqliteTx(conn, self.queries)
        try:
            yield tx
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise wrap_error(exc, "commit") from exc
        for cb in tx._after_commit:
            cb()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._tx("BEGIN IMMEDIATE") as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._tx("BEGIN DEFERRED") as tx:
            yield tx

    def scrub(self, tables: list[str]) -> list[str]:
        """secure_delete zeroed the freed space; merge the full-text index (deleted terms stay in old
        segments until then) and fold the WAL, which still holds the pages as they were, into the
        database and truncate it."""
        conn = self._conn()
        done = []
        if "search_pages" in tables:
            conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
            done.append("search_fts optimized")
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        done.append("wal truncated" if not busy else "wal checkpoint deferred: another connection is reading")
        return done

    def migrate(self) -> list[str]:
        conn = self._conn()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at DOUBLE PRECISION)"
        )
        pending = migration_files("sqlite")
        applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        if all(version in applied for version, _ in pending):
            return []
        done: list[str] = []
        # One writer lock over every pending migration: a racing process either applies them all or
        # finds them all applied (a lock per migration let two processes share the list).
        conn.execute("BEGIN IMMEDIATE")
        try:
            applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            for version, sql in pending:
                if version in applied:
                    continue
                for statement in _split_statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, time.time()))
                done.append(version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return done

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()


def _split_statements(sql: str) -> list[str]:
    """Split a migration on ';' at line ends, keeping trigger bodies (BEGIN ... END;) whole."""
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for line in sql.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("--")):
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.endswith(" BEGIN") or upper == "BEGIN":
            depth += 1
        if stripped.endswith(";"):
            if depth and upper.startswith("END"):
                depth -= 1
            if depth == 0:
                statements.append("\n".join(current))
                current = []
    if current and "\n".join(current).strip():
        statements.append("\n".join(current))
    return statements
