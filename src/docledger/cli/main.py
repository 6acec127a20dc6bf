"""The `docledger` command line: thin commands that parse, call the ledger, render."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docledger.cli.common import console, emit_json, handle_errors, ledger_session, styled_status
from docledger.cli.workers import run_workers, worker_process
from docledger.models import TERMINAL

app = typer.Typer(help="docledger: a governed document-processing pipeline.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
dlq_app = typer.Typer(help="Dead-letter queue: list and replay failed deliveries.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (stored hashed).", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(token_app, name="token")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON lines).")]


def _collect(paths: list[Path], recursive: bool) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            it = p.rglob("*") if recursive else p.iterdir()
            files.extend(sorted(f for f in it if f.is_file() and not f.name.startswith(".")))
        elif p.is_file():
            files.append(p)
        else:
            from docledger.exceptions import InvalidRequest

            raise InvalidRequest(f"{p} does not exist")
    return files


def _ingest(ledger, files, owner, tenant, classification, as_json: bool):
    """Register in batches (one sync + one transaction per batch: group commit)."""
    results = []
    with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json or len(files) < 50) as bar:
        task = bar.add_task("ingest", total=len(files))
        for i in range(0, len(files), 200):
            batch = files[i:i + 200]
            regs = ledger.ingest_many(batch, owner=owner, tenant=tenant, classification=classification)
            results.extend(regs)
            if as_json:
                for reg in regs:
                    emit_json({k: v for k, v in reg.to_json().items()
                               if k in ("document_id", "name", "status", "duplicate_of")})
            bar.advance(task, len(batch))
    return results


@app.command()
@handle_errors
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
           owner: Annotated[str | None, typer.Option(help="Owner principal.")] = None,
           tenant: Annotated[str | None, typer.Option(help="Tenant.")] = None,
           classification: Annotated[str | None, typer.Option(
               help="public | internal | confidential | restricted")] = None,
           recursive: Annotated[bool, typer.Option("--recursive", "-r")] = False,
           as_json: JsonOpt = False) -> None:
    """Register documents (stored once, deduplicated per tenant); workers process them."""
    with ledger_session() as ledger:
        results = _ingest(ledger, _collect(paths, recursive), owner, tenant, classification, as_json)
        if not as_json:
            for r in results:
                dup = f" (duplicate of {r.duplicate_of})" if r.duplicate_of else ""
                console.print(f"{r.document_id}  {r.name}  {styled_status(r.status)}{dup}")


@app.command()
@handle_errors
def worker(concurrency: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
           until_idle: Annotated[bool, typer.Option("--until-idle", help="Exit when no work is left.")] = False,
           stage: Annotated[list[str] | None, typer.Option(help="Only run these stages (repeatable).")] = None
           ) -> None:
    """Claim deliveries and run stages. SIGTERM finishes the current run and exits."""
    if concurrency == 1:
        worker_process(until_idle, stage)
    else:
        run_workers(concurrency, until_idle=until_idle, stages=stage)


@app.command()
@handle_errors
def run(paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
        owner: Annotated[str | None, typer.Option()] = None,
        tenant: Annotated[str | None, typer.Option()] = None,
        classification: Annotated[str | None, typer.Option()] = None,
        recursive: Annotated[bool, typer.Option("--recursive", "-r")] = False,
        concurrency: Annotated[int, typer.Option(min=1)] = 2,
        as_json: JsonOpt = False) -> None:
    """Ingest and process until idle, with a progress bar and a summary table."""
    with ledger_session() as ledger:
        regs = _ingest(ledger, _collect(paths, recursive), owner, tenant, classification, False)
        _process_with_progress(ledger, [r.document_id for r in regs], concurrency, quiet=as_json)
        docs = [ledger.get_document(d) for d in dict.fromkeys(r.document_id for r in regs)]
        if as_json:
            for d in docs:
                emit_json({k: d[k] for k in ("document_id", "name", "status", "reason", "message")})
        else:
            _summary_table(docs)


def _process_with_progress(ledger, doc_ids: list[str], concurrency: int, *, quiet: bool) -> None:
    ids = list(dict.fromkeys(doc_ids))
    with Progress(TextColumn("[bold]processing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, disable=quiet) as bar:
        task = bar.add_task("", total=len(ids))

        def tick() -> None:
            done = sum(1 for d in ids if ledger.get_document(d)["status"] in TERMINAL)
            bar.update(task, completed=done)

        run_workers(concurrency, until_idle=True, on_tick=tick)


def _summary_table(docs: list[dict[str, Any]]) -> None:
    table = Table(title="docledger run")
    for col in ("document", "name", "status", "reason", "message"):
        table.add_column(col, overflow="fold")
    for d in docs:
        table.add_row(d["document_id"], d["name"], styled_status(d["status"]), d["reason"] or "",
                      (d["message"] or "")[:90])
    console.print(table)
    counts: dict[str, int] = {}
    for d in docs:
        counts[d["status"]] = counts.get(d["status"], 0) + 1
    console.print("  ".join(f"{styled_status(k)}: {v}" for k, v in sorted(counts.items())))


@app.command("list")
@handle_errors
def list_(status: Annotated[str | None, typer.Option(help="SUCCEEDED | PARTIAL | FAILED | PROCESSING")] = None,
          tenant: Annotated[str | None, typer.Option()] = None,
          limit: Annotated[int, typer.Option(min=1)] = 1000, as_json: JsonOpt = False) -> None:
    """List registered documents, newest first."""
    with ledger_session() as ledger:
        docs = ledger.list_documents(status=status, tenant=tenant, limit=limit)
    if as_json:
        for d in docs:
            emit_json({k: d[k] for k in ("document_id", "name", "status", "reason")})
    else:
        _summary_table(docs)


@app.command()
@handle_errors
def status(document_id: str, as_json: JsonOpt = False) -> None:
    """Status, current stage, reason and the operations timeline of one document."""
    with ledger_session() as ledger:
        st = ledger.status(document_id)
    if as_json:
        emit_json(st)
        return
    console.print(f"[bold]{st['name']}[/] {st['document_id']}: {styled_status(st['status'])} "
                  f"(stage {st['stage']}) {st['reason'] or ''}")
    if st["message"]:
        console.print(st["message"])
    table = Table(title="timeline")
    for col in ("time", "stage", "status", "attempt", "message"):
        table.add_column(col, overflow="fold")
    for t in st["timeline"]:
        table.add_row(t["time"], t["stage"], t["status"], str(t["attempt"] or ""), t["message"])
    console.print(table)


@app.command()
@handle_errors
def lineage(document_id: str,
            format: Annotated[str, typer.Option("--format", "-f", help="json | dot | openlineage")] = "json"
            ) -> None:
    """Every artifact of a document back to the original, through the stage runs that made it."""
    from docledger.ledger.lineage import to_dot, to_openlineage

    with ledger_session() as ledger:
        graph = ledger.lineage(document_id)
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


@app.command()
@handle_errors
def export(document_id: str,
           format: Annotated[str, typer.Option("--format", "-f",
                                               help="json | text | csv | original | searchable-pdf | redacted-pdf")
                             ] = "json",
           out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("."),
           as_json: JsonOpt = False) -> None:
    """Write a document's outputs to a folder."""
    from docledger.services.export import export_document

    with ledger_session() as ledger:
        files = export_document(ledger, document_id, format, out)
    for f in files:
        if as_json:
            emit_json({"path": str(f)})
        else:
            console.print(str(f))


@dlq_app.command("list")
@handle_errors
def dlq_list(as_json: JsonOpt = False) -> None:
    """Deliveries that failed max_attempts times."""
    with ledger_session() as ledger:
        dead = ledger.dead_letters()
    if as_json:
        for d in dead:
            emit_json(d)
        return
    table = Table(title=f"dead-letter queue ({len(dead)})")
    for col in ("delivery", "document", "stage", "attempts", "error"):
        table.add_column(col, overflow="fold")
    for d in dead:
        table.add_row(str(d["delivery_id"]), d["document_id"] or "", d["subscriber"], str(d["attempts"]),
                      d["error"] or "")
    console.print(table)


@dlq_app.command("replay")
@handle_errors
def dlq_replay(delivery_id: Annotated[int | None, typer.Argument(help="One delivery; all when omitted.")] = None,
               as_json: JsonOpt = False) -> None:
    """Put dead deliveries back in the queue; run a worker to process them."""
    with ledger_session() as ledger:
        ids = ledger.replay(delivery_id, actor=os.environ.get("USER", "cli"))
    if as_json:
        emit_json({"replayed": ids})
    else:
        console.print(f"replayed {len(ids)} deliveries: {ids}")


@app.command()
@handle_errors
def backfill(stage: Annotated[str, typer.Argument(help="An installed stage (e.g. a new plugin).")],
             tenant: Annotated[str | None, typer.Option(help="Only this tenant's documents.")] = None,
             as_json: JsonOpt = False) -> None:
    """Give a newly installed stage every past event it subscribes to; run a worker to process them."""
    with ledger_session() as ledger:
        n = ledger.backfill(stage, tenant=tenant, actor=os.environ.get("USER", "cli"))
    if as_json:
        emit_json({"stage": stage, "deliveries": n})
    else:
        console.print(f"{n} past events queued for {stage}; `docledger worker --until-idle` processes them")


@app.command()
@handle_errors
def stages(as_json: JsonOpt = False) -> None:
    """Installed stage plugins (entry-point group docledger.stages)."""
    with ledger_session() as ledger:
        rows = [{"name": s.name, "version": s.version, "subscribes": list(s.subscribes),
                 "produces": list(s.produces), "description": s.description} for s in ledger.stages.values()]
    if as_json:
        for r in rows:
            emit_json(r)
        return
    table = Table(title="stages")
    for col in ("name", "version", "subscribes", "produces", "description"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], r["version"], ", ".join(r["subscribes"]), ", ".join(r["produces"]),
                      r["description"])
    console.print(table)


@app.command()
@handle_errors
def summary(as_json: JsonOpt = False) -> None:
    """Counts by status and stage, failures by reason, queue depth."""
    with ledger_session() as ledger:
        s = ledger.summary()
    if as_json:
        emit_json(s)
    else:
        console.print_json(json.dumps(s))


from docledger.cli import extra  # noqa: E402,F401  (search, match, graph, redact, serve, demo, token)
from docledger.cli.query import register as _register_query  # noqa: E402

_register_query(app)

if __name__ == "__main__":
    app()
