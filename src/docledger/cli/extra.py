"""CLI commands over the NLP/search services, the server, tokens and the demo."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import console, emit_json, handle_errors, ledger_session
from docledger.cli.main import JsonOpt, _process_with_progress, _summary_table, app, token_app


@app.command()
@handle_errors
def search(query: str, tenant: Annotated[str | None, typer.Option()] = None,
           owner: Annotated[str | None, typer.Option()] = None,
           limit: Annotated[int, typer.Option(min=1, max=100)] = 10, as_json: JsonOpt = False) -> None:
    """Hybrid full-text + semantic search (reciprocal-rank fusion)."""
    from docledger.services.search import search as do_search

    with ledger_session() as ledger:
        hits = do_search(ledger, query, tenants=[tenant] if tenant else None, owner=owner, limit=limit)
    if as_json:
        emit_json(hits)
        return
    table = Table(title=f"search: {query}")
    for col in ("score", "document", "page", "snippet"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(f"{h['score']:.4f}", h["document_id"], str(h["page"]), h["snippet"])
    console.print(table)


@app.command()
@handle_errors
def ask(question: str, tenant: Annotated[str | None, typer.Option()] = None,
        limit: Annotated[int, typer.Option(min=1, max=20)] = 5, as_json: JsonOpt = False) -> None:
    """Extractive answers: the sentences that best support an answer, with their source spans."""
    from docledger.services.search import ask as do_ask

    with ledger_session() as ledger:
        answers = do_ask(ledger, question, tenants=[tenant] if tenant else None, limit=limit)
    if as_json:
        emit_json(answers)
        return
    for a in answers:
        console.print(f"[bold]{a['score']:.3f}[/] {a['document_id']} p{a['page']} [{a['start']}:{a['end']}] "
                      f"{a['sentence']}")


@app.command()
@handle_errors
def match(text: Annotated[str, typer.Argument(help="The restatement (e.g. a summary of a patient's history).")],
          doc: Annotated[str | None, typer.Option("--doc", help="Document id to match against.")] = None,
          paragraph: Annotated[str | None, typer.Option(help="Raw paragraph instead of a document.")] = None,
          top_k: Annotated[int, typer.Option(min=1, max=50)] = 5, as_json: JsonOpt = False) -> None:
    """Find the sentences of a document (or paragraph) that support a restatement, with cosine distance."""
    from docledger.services.match import match as do_match

    with ledger_session() as ledger:
        results = do_match(ledger, text, document_id=doc, paragraph=paragraph, tenants=None, top_k=top_k)
    if as_json:
        emit_json(results)
        return
    table = Table(title="sentence matching")
    for col in ("rank", "distance", "page", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(str(r["rank"]), f"{r['distance']:.4f}", str(r.get("page") or ""),
                      f"{r['start']}-{r['end']}", r["sentence"])
    console.print(table)


@app.command()
@handle_errors
def graph(entity: Annotated[str | None, typer.Option(help="An entity and its neighbours.")] = None,
          doc: Annotated[str | None, typer.Option("--doc", help="Entities of one document.")] = None,
          format: Annotated[str, typer.Option("--format", "-f", help="json | graphml")] = "json") -> None:
    """The cross-document relationship graph (document-entity, entity-entity co-occurrence)."""
    from docledger.services.graph import graph as do_graph
    from docledger.services.graph import to_graphml

    with ledger_session() as ledger:
        g = do_graph(ledger, tenants=None, entity=entity, document_id=doc)
    if format == "graphml":
        typer.echo(to_graphml(g), nl=False)
    else:
        emit_json(g)


@app.command()
@handle_errors
def redact(document_id: str,
           types: Annotated[list[str] | None, typer.Option("--types", help="PII types (repeatable).")] = None,
           wait: Annotated[bool, typer.Option(help="Run a worker until the redaction is done.")] = True) -> None:
    """Produce a redacted text and PDF (PII removed, not covered) for a document."""
    from docledger.services.redact import request_redaction

    with ledger_session() as ledger:
        request_redaction(ledger, document_id, tenants=None, types=types, actor=os.environ.get("USER", "cli"))
        if wait:
            _process_with_progress(ledger, [document_id], 1, quiet=False)
        arts = [a for a in ledger.artifacts(document_id) if a["kind"] in ("redacted-pdf", "redacted-text")]
    console.print(f"{len(arts)} redacted artifacts; `docledger export {document_id} --format redacted-pdf`")


@app.command()
@handle_errors
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1", port: Annotated[int, typer.Option()] = 8000,
          workers: Annotated[int, typer.Option(min=0, help="In-process pipeline worker threads.")] = 1,
          no_auth: Annotated[bool, typer.Option("--no-auth", help="Local-only: no login (127.0.0.1 only).")] = False
          ) -> None:
    """Serve the REST API and the web UI (and process uploads)."""
    from docledger.api.server import serve as do_serve

    with ledger_session() as ledger:
        do_serve(ledger, host, port, workers_in_process=workers, auth_required=not no_auth)


@token_app.command("create")
@handle_errors
def token_create(principal: Annotated[str, typer.Option()],
                 tenant: Annotated[list[str], typer.Option(help="Tenant (repeatable; * = all).")],
                 role: Annotated[str, typer.Option(help="reader | operator | reviewer | admin")] = "reader",
                 as_json: JsonOpt = False) -> None:
    """Create an API token (shown once; stored hashed)."""
    from docledger.auth.tokens import create_token

    with ledger_session() as ledger:
        token = create_token(ledger, principal, tenant, role)
    if as_json:
        emit_json({"principal": principal, "tenants": tenant, "role": role, "token": token})
    else:
        console.print(f"token for {principal} ({role} on {', '.join(tenant)}):\n{token}")


@token_app.command("list")
@handle_errors
def token_list(as_json: JsonOpt = False) -> None:
    """Tokens (hashes are never shown)."""
    from docledger.auth.tokens import list_tokens

    with ledger_session() as ledger:
        rows = list_tokens(ledger)
    for r in rows:
        emit_json(r) if as_json else console.print(r)


@token_app.command("revoke")
@handle_errors
def token_revoke(token_id: str) -> None:
    """Revoke a token by id."""
    from docledger.auth.tokens import revoke_token

    with ledger_session() as ledger:
        revoke_token(ledger, token_id)
    console.print(f"revoked {token_id}")


@app.command()
@handle_errors
def demo(serve_ui: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the UI afterwards.")] = True,
         port: Annotated[int, typer.Option()] = 8000,
         concurrency: Annotated[int, typer.Option(min=1)] = 2) -> None:
    """Generate ~20 sample documents, process them, print what happened, then serve the UI."""
    from docledger.demo.samples import generate_samples

    with ledger_session() as ledger:
        out = ledger.settings.home / "demo-input"
        samples = generate_samples(out)
        console.print(f"[bold]docledger demo[/]: generated {len(samples)} documents in {out}")
        regs = [ledger.ingest_path(s.path, owner=_demo_owner(s.kind), tenant="demo",
                                   classification=_demo_class(s.kind), source="demo") for s in samples]
        _process_with_progress(ledger, [r.document_id for r in regs], concurrency, quiet=False)
        docs = [ledger.get_document(d) for d in dict.fromkeys(r.document_id for r in regs)]
        _summary_table(docs)
        ok = next((d for d in docs if d["status"] == "SUCCEEDED"), docs[0])
        console.print(f"\nLook at lineage:  docledger lineage {ok['document_id']} --format dot")
        console.print(f"Operations:       docledger status {ok['document_id']}")
        console.print(f"Export:           docledger export {ok['document_id']} --format json --out ./export")
        if not serve_ui:
            return
        from docledger.api.server import serve as do_serve
        from docledger.auth.tokens import create_token

        token = create_token(ledger, "demo-admin", ["*"], "admin")
        console.print(f"\n[bold green]UI:[/] http://127.0.0.1:{port}/   login token: [bold]{token}[/]")
        do_serve(ledger, "127.0.0.1", port, workers_in_process=1, auth_required=True)


def _demo_owner(kind: str) -> str:
    return "clinical-records" if "clinical" in kind else "loan-operations"


def _demo_class(kind: str) -> str:
    if "clinical" in kind:
        return "restricted"
    return "confidential" if kind not in ("xml", "contract") else "internal"


from docledger.cli import loans as _loans  # noqa: E402

_loans.register(app)
