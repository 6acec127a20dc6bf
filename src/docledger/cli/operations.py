"""Operating the pipeline: backfill, stages, summary and the dead-letter queue (`dlq`)."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer
from rich.table import Table

from docledger.cli.common import JsonOpt, cli_principal, console, emit_json, handle_errors, ledger_session


def register(app: typer.Typer) -> None:
    app.command()(backfill)
    app.command()(stages)
    app.command()(summary)
    dlq_app = typer.Typer(help="Dead-letter queue: list and replay failed deliveries.", no_args_is_help=True)
    dlq_app.command("list")(dlq_list)
    dlq_app.command("replay")(dlq_replay)
    app.add_typer(dlq_app, name="dlq")


@handle_errors
def backfill(
    stage: Annotated[str, typer.Argument(help="An installed stage (e.g. a new plugin).")],
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's documents.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a newly installed stage every past event it subscribes to; run a worker to process them."""
    with ledger_session() as ledger:
        n = ledger.backfill(stage, tenant=tenant, actor=os.environ.get("USER", "cli"))
    if as_json:
        emit_json({"stage": stage, "deliveries": n})
    else:
        console.print(f"{n} past events queued for {stage}; `docledger worker --until-idle` processes them")


@handle_errors
def stages(as_json: JsonOpt = False) -> None:
    """Installed stage plugins (entry-point group docledger.stages)."""
    with ledger_session() as ledger:
        rows: list[dict[str, Any]] = [
            {
                "name": s.name,
                "version": s.version,
                "subscribes": list(s.subscribes),
                "produces": list(s.produces),
                "description": s.description,
            }
            for s in ledger.stages.values()
        ]
    if as_json:
        for r in rows:
            emit_json(r)
        return
    table = Table(title="stages")
    for col in ("name", "version", "subscribes", "produces", "description"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], r["version"], ", ".join(r["subscribes"]), ", ".join(r["produces"]), r["description"])
    console.print(table)


@handle_errors
def summary(as_json: JsonOpt = False) -> None:
    """Counts by status and stage, failures by reason, queue depth."""
    with ledger_session() as ledger:
        from docledger.services.operations import visible_summary

        s = visible_summary(ledger, cli_principal(ledger))
    if as_json:
        emit_json(s)
    else:
        console.print_json(json.dumps(s))


@handle_errors
def dlq_list(as_json: JsonOpt = False) -> None:
    """Deliveries that failed max_attempts times."""
    with ledger_session() as ledger:
        from docledger.services.operations import visible_dead_letters

        dead = visible_dead_letters(ledger, cli_principal(ledger))
    if as_json:
        for d in dead:
            emit_json(d)
        return
    table = Table(title=f"dead-letter queue ({len(dead)})")
    for col in ("delivery", "document", "stage", "attempts", "error"):
        table.add_column(col, overflow="fold")
    for d in dead:
        table.add_row(
            str(d["delivery_id"]), d["document_id"] or "", d["subscriber"], str(d["attempts"]), d["error"] or ""
        )
    console.print(table)


@handle_errors
def dlq_replay(
    delivery_id: Annotated[int | None, typer.Argument(help="One delivery; all when omitted.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put dead deliveries back in the queue; run a worker to process them."""
    with ledger_session() as ledger:
        ids = ledger.replay(delivery_id, actor=os.environ.get("USER", "cli"))
    if as_json:
        emit_json({"replayed": ids})
    else:
        console.print(f"replayed {len(ids)} deliveries: {ids}")
