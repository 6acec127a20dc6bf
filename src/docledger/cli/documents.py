"""Commands that read one document or the register: list, status, lineage, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import (
    JsonOpt,
    cli_principal,
    cli_scope,
    console,
    emit_json,
    handle_errors,
    ledger_session,
    styled_status,
)
from docledger.cli.processing import summary_table


def register(app: typer.Typer) -> None:
    app.command("list")(list_)
    app.command()(status)
    app.command()(lineage)
    app.command()(export)


@handle_errors
def list_(
    status: Annotated[str | None, typer.Option(help="SUCCEEDED | PARTIAL | FAILED | PROCESSING")] = None,
    tenant: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1)] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """List registered documents, newest first."""
    with ledger_session() as ledger:
        from docledger.services.documents import list_visible

        docs = list_visible(ledger, cli_principal(ledger), status=status, tenant=tenant, limit=limit)
        from docledger.services.doctypes import types_by_document

        types = types_by_document(ledger, tenant)
    if as_json:
        for d in docs:
            t = types.get(d["document_id"], {})
            emit_json(
                {
                    **{k: d[k] for k in ("document_id", "name", "status", "reason")},
                    "doc_type": t.get("doc_type"),
                    "doc_type_confidence": t.get("doc_type_confidence"),
                }
            )
    else:
        summary_table(docs)


@handle_errors
def status(document_id: str, as_json: JsonOpt = False) -> None:
    """Status, current stage, reason and the operations timeline of one document."""
    with ledger_session() as ledger:
        st = ledger.status(document_id, tenants=cli_scope(ledger))
    if as_json:
        emit_json(st)
        return
    console.print(
        f"[bold]{st['name']}[/] {st['document_id']}: {styled_status(st['status'])} "
        f"(stage {st['stage']}) {st['reason'] or ''}"
    )
    if st["message"]:
        console.print(st["message"])
    table = Table(title="timeline")
    for col in ("time", "stage", "status", "attempt", "message"):
        table.add_column(col, overflow="fold")
    for t in st["timeline"]:
        table.add_row(t["time"], t["stage"], t["status"], str(t["attempt"] or ""), t["message"])
    console.print(table)


@handle_errors
def lineage(
    document_id: str, format: Annotated[str, typer.Option("--format", "-f", help="json | dot | openlineage")] = "json"
) -> None:
    """Every artifact of a document back to the original, through the stage runs that made it."""
    from docledger.ledger.lineage import to_dot, to_openlineage

    with ledger_session() as ledger:
        graph = ledger.lineage(document_id, tenants=cli_scope(ledger))
    if format == "dot":
        typer.echo(to_dot(graph), nl=False)
    elif format == "openlineage":
        for ev in to_openlineage(graph):
            emit_json(ev)
    elif format == "json":
        emit_json(graph)
    else:
        from docledger.exceptions import InvalidRequest

        raise InvalidRequest(f"unknown lineage format {format!r}", hint="Use json, dot or openlineage.")


@handle_errors
def export(
    document_id: str,
    format: Annotated[
        str, typer.Option("--format", "-f", help="json | text | csv | original | searchable-pdf | redacted-pdf")
    ] = "json",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Write a document's outputs to a folder."""
    from docledger.services.export import export_document

    with ledger_session() as ledger:
        files = export_document(ledger, document_id, format, out, tenants=cli_scope(ledger))
    for f in files:
        if as_json:
            emit_json({"path": str(f)})
        else:
            console.print(str(f))
