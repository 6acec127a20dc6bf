"""Shared CLI plumbing: opening the ledger, JSON/Rich output, error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from docledger.exceptions import DocledgerError

if TYPE_CHECKING:
    from docledger.ledger import Ledger

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON lines).")]


def open_ledger(only: list[str] | None = None) -> Ledger:
    """The ledger the DOCLEDGER_ settings describe, with the installed stages (or the ``only`` ones)."""
    from docledger.pipeline import open_ledger as open_pipeline_ledger
    from docledger.settings import Settings

    return open_pipeline_ledger(Settings(), only=only)


@contextmanager
def ledger_session() -> Iterator[Ledger]:
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


STATUS_STYLE = {"SUCCEEDED": "green", "PARTIAL": "yellow", "FAILED": "red", "PROCESSING": "cyan"}


def styled_status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"
