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


def _console(stderr: bool = False) -> Console:
    """Rich output that never wraps: ids, tokens and commands must copy whole. On a terminal the
    width is the terminal's; piped or redirected, lines are as long as they need to be."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 100_000
    return Console(stderr=stderr, soft_wrap=True, width=width)


console = _console()
err_console = _console(stderr=True)
LOG_FILE = "docledger.log"


def log_to_file(home: Any) -> None:
    """Send warnings (ours and libraries', e.g. ocrmypdf's PDF/A notes) to ``<home>/docledger.log``
    instead of the console, where they would interleave with progress bars and results."""
    import logging
    from pathlib import Path

    root = logging.getLogger()
    path = (Path(home) / LOG_FILE).resolve()
    if any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
F = TypeVar("F", bound=Callable[..., Any])


def open_ledger() -> Any:
    from docledger.ledger import Ledger
    from docledger.settings import Settings

    settings = Settings()
    ledger = Ledger(settings)
    log_to_file(settings.home)
    return ledger


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
