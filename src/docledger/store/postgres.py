"""PostgreSQL store: a psycopg 3 connection pool, SKIP LOCKED claiming, LISTEN/NOTIFY wake-ups."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from docledger.exceptions import DocledgerError, DuplicateKey, InvalidRequest, StoreError
from docledger.store.base import Store, Tx, load_queries, migration_files

CHANNEL = "docledger_work"
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


def to_pyformat(sql: str) -> str:
    """Rewrite :name placeholders to psycopg's %(name)s (leaving ::casts alone)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def wrap_error(exc: psycopg.Error, what: str) -> DocledgerError:
    """The docledger error for a driver error: DuplicateKey for a unique key, InvalidRequest for a number
    the database cannot hold (a request parameter out of range), StoreError otherwise."""
    if isinstance(exc, psycopg.errors.NumericValueOutOfRange):
        return InvalidRequest(
            f"a number given to {what} is out of range ({exc})", code="out_of_range", hint="Use a smaller value."
        )
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return DuplicateKey(f"{what} failed: {exc}")
    return StoreError(f"{what} failed: {exc}")


class PostgresTx(Tx):
    def __init__(self, conn: psycopg.Connection[DictRow], queries: dict[str, str]) -> None:
        self.conn = conn
        self.queries = queries
        self._after_commit = []

    @staticmethod
    def _params(params: dict[str, Any]) -> dict[str, Any]:
        if "subscribers" in params:
            params = dict(params, subscribers_array=list(params["subscribers"]))
        return params

    def fetchall(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(self.queries[name], self._params(params))
            try:
                return list(cur.fetchall())  # in pipeline mode this waits for the reply
            except psycopg.ProgrammingError:  # the statement returns no rows
                return []
        except psycopg.Error as exc:
            raise wrap_error(exc, f"query {name}") from exc

    def execute(self, name: str, /, **params: Any) -> int:
        try:
            return self.conn.execute(self.queries[name], self._params(params)).rowcount
        except psycopg.Error as exc:
            raise wrap_error(exc, f"statement {name}") from exc

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        try:
            with self.conn.pipeline():
                yield
        except DocledgerError:
            raise
        except psycopg.Error as exc:  # in pipeline mode errors arrive at the sync, not at the statement
            raise wrap_error(exc, "pipelined statements") from exc

    def relax_durability(self) -> None:
        self.conn.execute("SET LOCAL synchronous_commit TO off")

    def raw(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cur = self.conn.execute(to_pyformat(sql) if params else sql, params or None)
        return list(cur.fetchall()) if cur.description else []


class PostgresStore(Store):
    dialect = "postgres"

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        self.queries = {k: to_pyformat(v) for k, v in load_queries("postgres").items()}
        try:
            self.pool: ConnectionPool[psycopg.Connection[DictRow]] = ConnectionPool(
                url, min_size=1, max_size=max_size, kwargs={"row_factory": dict_row}, open=True, timeout=30
            )
            self.pool.wait(timeout=30)
        except (psycopg.Error, Exception) as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {url}: {exc}") from exc
        self._listener: psycopg.Connection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn:
            tx = PostgresTx(conn, self.queries)
            try:
                with conn.transaction():
                    yield tx
            except DocledgerError:
                raise
            except psycopg.Error as exc:
                raise wrap_error(exc, "PostgreSQL transaction") from exc
        for cb in tx._after_commit:
            cb()

    def migrate(self) -> list[str]:
        done: list[str] = []
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(784512)")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at DOUBLE PRECISION)"
            )
            applied = {r["version"] for r in conn.execute("SELECT version FROM schema_migrations").fetchall()}
            for version, sql in migration_files("postgres"):
                if version in applied:
                    continue
                conn.execute(sql)
                conn.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (version, time.time()))
                done.append(version)
        return done

    def scrub(self, tables: list[str]) -> list[str]:
        """Rewrite the tables that held the erased rows (VACUUM FULL): dead tuples otherwise stay in the
        data files until their space is reused. Takes each table's exclusive lock briefly."""
        done = []
        with psycopg.connect(self.url, autocommit=True) as conn:
            for table in sorted(set(tables)):
                if not _IDENT.fullmatch(table):
                    continue
                conn.execute(f"VACUUM (FULL) {table}")
                done.append(f"{table} rewritten")
            try:
                conn.execute("CHECKPOINT")
                done.append("checkpoint")
            except psycopg.errors.InsufficientPrivilege:
                pass  # the rewrite is what matters; the WAL recycles on the server's own checkpoints
        return done

    def notify_work(self) -> None:
        try:
            with self.pool.connection() as conn:
                conn.execute(f"NOTIFY {CHANNEL}")
        except psycopg.Error:
            pass  # a lost wake-up only costs one poll interval

    def wait_for_work(self, timeout: float) -> None:
        try:
            if self._listener is None or self._listener.closed:
                self._listener = psycopg.connect(self.url, autocommit=True)
                self._listener.execute(f"LISTEN {CHANNEL}")
            for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error:
            self._listener = None
            time.sleep(timeout)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.pool.close()
