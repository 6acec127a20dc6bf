"""Metadata stores: one contract (base.Store), two implementations."""

from __future__ import annotations

from docledger.exceptions import ConfigurationError
from docledger.store.base import Store, Tx


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the store a URL names (sqlite:///path or postgresql://...) and bring its schema up to date."""
    store: Store
    if url.startswith("sqlite:"):
        from docledger.store.sqlite import SqliteStore

        store = SqliteStore(url)
    elif url.startswith(("postgresql:", "postgres:")):
        from docledger.store.postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise ConfigurationError(
            f"unsupported database URL {url!r}",
            hint="Use sqlite:///path/to/ledger.sqlite3 or postgresql://user@host/db in DOCLEDGER_DATABASE_URL.",
        )
    if migrate:
        store.migrate()
    return store


__all__ = ["Store", "Tx", "open_store"]
