"""Shared CLI plumbing: opening the ledger, JSON/Rich output, error handling."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from rich.console import Console

from docledger.exceptions import DocledgerError

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def open_ledger() -> Any:
    from docledger.ledger import Ledger
    from docledger.settings import Settings

    return Ledger(Settings())


def cli_principal(ledger: Any) -> Any:
    """Who the CLI acts as: the principal of DOCLEDGER_TOKEN when it is set (the same tenants, role
    and access policy as the API and the UI), else the local administrator who owns the ledger home."""
    from docledger.auth.tokens import LOCAL_ADMIN, authenticate

    token = os.environ.get("DOCLEDGER_TOKEN", "").strip()
    return authenticate(ledger, token) if token else LOCAL_ADMIN


def cli_scope(ledger: Any, tenant: str | None = None) -> list[str] | None:
    """The ``tenants=`` argument of the CLI's reads (see :func:`cli_principal`), optionally one tenant."""
    from docledger.api.deps import scoped_tenants

    return scoped_tenants(cli_principal(ledger), tenant)


@contextmanager
def ledger_session() -> Iterator[Any]:
    ledger = open_ledger()
    try:
        yield ledger
    finally:
        ledger.close()


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def handle_errors(fn: F) -> F:
    """Turn DocledgerError into a one-line message (what happened + what to do) and its exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DocledgerError as exc:
            err_console.print(f"[bold red]error[/] [{exc.code}] {exc.message}")
            if exc.hint:
                err_console.print(f"[yellow]hint:[/] {exc.hint}")
            raise SystemExit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


STATUS_STYLE = {"SUCCEEDED": "green", "PARTIAL": "yellow", "FAILED": "red", "PROCESSING": "cyan",
                "RECEIVED": "cyan"}


def styled_status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"
