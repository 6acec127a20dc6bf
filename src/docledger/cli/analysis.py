"""Commands over extracted content: search, ask, match, graph, redact."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import JsonOpt, cli_scope, console, emit_json, handle_errors, ledger_session
from docledger.cli.processing import process_with_progress


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(ask)
    app.command()(match)
    app.command()(graph)
    app.command()(redact)


@handle_errors
def search(
    query: str,
    tenant: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Hybrid full-text + semantic search (reciprocal-rank fusion)."""
    from docledger.services.search import search as do_search

    with ledger_session() as ledger:
        hits = do_search(ledger, query, tenants=cli_scope(ledger, tenant), owner=owner, limit=limit)
    if as_json:
        emit_json(hits)
        return
    table = Table(title=f"search: {query}")
    for col in ("score", "document", "page", "snippet"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(f"{h['score']:.4f}", h["document_id"], str(h["page"]), h["snippet"])
    console.print(table)


@handle_errors
def ask(
    question: str,
    tenant: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=20)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Extractive answers: the sentences that best support an answer, with their source spans."""
    from docledger.services.search import ask as do_ask

    with ledger_session() as ledger:
        answers = do_ask(ledger, question, tenants=cli_scope(ledger, tenant), limit=limit)
    if as_json:
        emit_json(answers)
        return
    for a in answers:
        console.print(
            f"[bold]{a['score']:.3f}[/] {a['document_id']} p{a['page']} [{a['start']}:{a['end']}] {a['sentence']}"
        )


@handle_errors
def match(
    text: Annotated[str, typer.Argument(help="The restatement (e.g. a summary of a patient's history).")],
    doc: Annotated[str | None, typer.Option("--doc", help="Document id to match against.")] = None,
    paragraph: Annotated[str | None, typer.Option(help="Raw paragraph instead of a document.")] = None,
    top_k: Annotated[int, typer.Option(min=1, max=50)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Find the sentences of a document (or paragraph) that support a restatement, with cosine distance."""
    from docledger.services.match import match as do_match

    with ledger_session() as ledger:
        results = do_match(ledger, text, document_id=doc, paragraph=paragraph, tenants=cli_scope(ledger), top_k=top_k)
    if as_json:
        emit_json(results)
        return
    table = Table(title="sentence matching")
    for col in ("rank", "distance", "page", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(
            str(r["rank"]), f"{r['distance']:.4f}", str(r.get("page") or ""), f"{r['start']}-{r['end']}", r["sentence"]
        )
    console.print(table)


@handle_errors
def graph(
    entity: Annotated[str | None, typer.Option(help="An entity and its neighbours.")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Entities of one document.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="json | graphml")] = "json",
) -> None:
    """The cross-document relationship graph (document-entity, entity-entity co-occurrence)."""
    from docledger.services.graph import graph as do_graph
    from docledger.services.graph import to_graphml

    with ledger_session() as ledger:
        g = do_graph(ledger, tenants=cli_scope(ledger), entity=entity, document_id=doc)
    if format == "graphml":
        typer.echo(to_graphml(g), nl=False)
    else:
        emit_json(g)


@handle_errors
def redact(
    document_id: str,
    types: Annotated[list[str] | None, typer.Option("--types", help="PII types (repeatable).")] = None,
    wait: Annotated[bool, typer.Option(help="Run a worker until the redaction is done.")] = True,
) -> None:
    """Produce a redacted text and PDF (PII removed, not covered) for a document."""
    from docledger.services.redact import request_redaction

    with ledger_session() as ledger:
        request_redaction(ledger, document_id, tenants=None, types=types, actor=os.environ.get("USER", "cli"))
        if wait:
            process_with_progress(ledger, [document_id], 1, quiet=False)
        arts = [a for a in ledger.artifacts(document_id) if a["kind"] in ("redacted-pdf", "redacted-text")]
    console.print(f"{len(arts)} redacted artifacts; `docledger export {document_id} --format redacted-pdf`")
