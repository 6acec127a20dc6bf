"""Shared CLI plumbing: opening the ledger, JSON/Rich output, error handling."""

from __future__ import annotations

import json
import os
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
    logging.captureWarnings(True)  # warnings.warn() from libraries too, via the py.warnings logger
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)


F = TypeVar("F", bound=Callable[..., Any])
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON lines).")]


def open_ledger(only: list[str] | None = None) -> Ledger:
    """The ledger the DOCLEDGER_ settings describe, with the installed stages (or the ``only`` ones)."""
    from docledger.pipeline import open_ledger as open_pipeline_ledger
    from docledger.settings import Settings

    settings = Settings()
    ledger = open_pipeline_ledger(settings, only=only)
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
    from docledger.services.documents import scoped_tenants

    return scoped_tenants(cli_principal(ledger), tenant)


@contextmanager
def ledger_session(*, audited: bool = True) -> Iterator[Ledger]:
    """The ledger for one command; the command is appended to the audit log first (who ran what on which
    document), so a CLI read is on record like an API read."""
    ledger = open_ledger()
    try:
        if audited:
            audit_command(ledger)
        yield ledger
    finally:
        ledger.close()


def audit_command(ledger: Any) -> None:
    import getpass

    from typer.main import get_current_context  # typer vendors its own click

    from docledger.ledger import audit

    ctx = get_current_context(silent=True)
    if ctx is None:
        return
    params = {k: v for k, v in ctx.params.items() if v not in (None, False, (), [])}
    target = next((str(params[k]) for k in ("doc", "document", "document_id", "task", "case_id") if k in params), None)
    audit.record(
        ledger,
        principal=f"cli:{getpass.getuser()}",
        action="cli " + " ".join(_command_words(ctx)),
        target=target,
        client="localhost",
        detail={"params": sorted(params)},
    )


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


def _command_words(ctx: Any) -> list[str]:
    """["dlq", "replay"] for `docledger dlq replay`, however the program itself was invoked."""
    words: list[str] = []
    while ctx is not None and ctx.parent is not None:
        words.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return words
