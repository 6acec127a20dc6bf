"""`docledger review`: the queue of extracted values waiting for a person, resolving them, accuracy."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import cli_principal, cli_scope, console, emit_json, handle_errors, ledger_session

review_app = typer.Typer(help="Human review of extracted fields: list, resolve, accuracy.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (one JSON document).")]


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


@review_app.command("list")
@handle_errors
def review_list(
    as_json: JsonOpt = False,
    document: Annotated[str | None, typer.Option(help="Only this document's tasks.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's tasks.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 500,
) -> None:
    """Open review tasks, oldest first: task id, document, field, value, confidence, page, bbox."""
    from docledger.services.review import list_tasks

    with ledger_session() as ledger:
        tasks = list_tasks(ledger, tenants=cli_scope(ledger, tenant), document_id=document, limit=limit)
    if as_json:
        typer.echo(json.dumps(tasks, ensure_ascii=False))
        return
    table = Table(title=f"{len(tasks)} open review task(s)")
    for col in ("task", "document", "field", "value", "confidence", "page"):
        table.add_column(col, overflow="fold")
    for t in tasks:
        table.add_row(
            t["task_id"],
            t["document_id"],
            t["field"],
            "" if t["value"] is None else str(t["value"]),
            f"{t['confidence']:.2f}" if t["confidence"] is not None else "",
            str(t["page"] or ""),
        )
    console.print(table)


@review_app.command("resolve")
@handle_errors
def review_resolve(
    task_id: Annotated[str, typer.Argument(help="A task id from `docledger review list`.")],
    accept: Annotated[bool, typer.Option("--accept", help="The extracted value is right.")] = False,
    value: Annotated[str | None, typer.Option("--value", help="The right value.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Accept a task's value (--accept) or correct it (--value V); a correction is kept with its lineage.

    Acts as DOCLEDGER_TOKEN's principal when set (role operator or higher), else as the local user."""
    from docledger.services.review import resolve_task

    with ledger_session() as ledger:
        who = cli_principal(ledger)
        who.require("operator", "review extracted fields")
        # with DOCLEDGER_TOKEN the reviewer is the token's principal; locally, the operating-system user
        actor = who.principal if who.token_id else (os.environ.get("USER") or "cli")
        out = resolve_task(ledger, task_id, actor=actor, tenants=who.scope, accept=accept, value=value)
        status = ledger.get_document(out["document_id"])["status"]
    if as_json:
        emit_json(out | {"document_status": status})
        return
    what = f"corrected to {out['corrected_value']!r}" if out["status"] == "corrected" else f"accepted {out['value']!r}"
    console.print(
        f"{task_id}: {out['field']} {what}; document {out['document_id']} is {status} "
        f"({out['open_tasks_left']} task(s) left)"
    )


@review_app.command("accuracy")
@handle_errors
def review_accuracy(
    as_json: JsonOpt = False, tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None
) -> None:
    """Accepted, corrected and straight-through shares per document type and field; calibration."""
    from docledger.services.review_accuracy import accuracy_report

    with ledger_session() as ledger:
        report = accuracy_report(ledger, tenants=cli_scope(ledger, tenant))
    if as_json:
        emit_json(report)
        return
    table = Table(title="review accuracy")
    for col in ("doc type", "field", "fields", "straight-through", "accepted", "corrected", "open"):
        table.add_column(col)
    for r in report["by_field"]:
        table.add_row(
            r["doc_type"],
            r["field"],
            str(r["fields"]),
            _pct(r["straight_through_rate"]),
            _pct(r["accepted_share"]),
            _pct(r["corrected_share"]),
            str(r["open"]),
        )
    console.print(table)
    console.print(f"expected calibration error: {report['calibration']['ece']}")


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f} %"
