"""Serving the API and web UI, and the self-contained demo: serve, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from docledger.cli.common import console, handle_errors, ledger_session
from docledger.cli.processing import process_with_progress, summary_table


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)


@handle_errors
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=0, help="In-process pipeline worker threads.")] = 1,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Local-only: no login (127.0.0.1 only).")] = False,
) -> None:
    """Serve the REST API and the web UI (and process uploads)."""
    from docledger.api.server import serve as do_serve

    def listening(url: str) -> None:
        typer.echo(f"docledger: listening on {url}/ (web UI {url}/ui/, API reference {url}/docs); Ctrl+C stops")

    with ledger_session() as ledger:
        do_serve(ledger, host, port, workers_in_process=workers, auth_required=not no_auth, on_listening=listening)


@handle_errors
def demo(
    serve_ui: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the UI afterwards.")] = True,
    port: Annotated[int, typer.Option()] = 8000,
    concurrency: Annotated[int, typer.Option(min=1)] = 2,
) -> None:
    """Generate ~20 sample documents, process them, print what happened, then serve the UI."""
    from docledger.demo.samples import generate_samples

    with ledger_session() as ledger:
        out = ledger.settings.home / "demo-input"
        samples = generate_samples(out)
        console.print(f"[bold]docledger demo[/]: generated {len(samples)} documents in {out}")
        regs = [
            ledger.ingest_path(
                s.path, owner=_demo_owner(s.kind), tenant="demo", classification=_demo_class(s.kind), source="demo"
            )
            for s in samples
        ]
        loan_regs = _demo_loan_file(ledger, out / "loan-file")
        process_with_progress(ledger, [r.document_id for r in regs + loan_regs], concurrency, quiet=False)
        docs = [ledger.get_document(d) for d in dict.fromkeys(r.document_id for r in regs)]
        summary_table(docs)
        ok = next((d for d in docs if d["status"] == "SUCCEEDED"), docs[0])
        console.print(f"\nLook at lineage:  docledger lineage {ok['document_id']} --format dot")
        console.print(f"Operations:       docledger status {ok['document_id']}")
        console.print(f"Export:           docledger export {ok['document_id']} --format json --out ./export")
        console.print("Loan file:        docledger loan show LN-DEMO-001 --tenant demo")
        if not serve_ui:
            return
        from docledger.api.server import serve as do_serve
        from docledger.auth.tokens import create_token

        token = create_token(ledger, "demo-admin", ["*"], "admin")
        console.print(f"\n[bold green]UI:[/] http://127.0.0.1:{port}/   login token: [bold]{token}[/]")
        do_serve(ledger, "127.0.0.1", port, workers_in_process=1, auth_required=True)


def _demo_loan_file(ledger: Any, out: Path) -> list[Any]:
    """Maria Gonzalez's loan file: a package to split, a scanned pay stub, a few inconsistencies."""
    from docledger.demo.loanfile import LOAN_ID, generate_loan_file
    from docledger.services.loans import assign

    regs = [
        ledger.ingest_path(p, owner="loan-operations", tenant="demo", classification="confidential", source="demo")
        for p in generate_loan_file(out)
    ]
    for r in regs:
        assign(ledger, r.document_id, LOAN_ID, actor="demo", product="conventional-purchase")
    console.print(f"[bold]loan file {LOAN_ID}[/]: {len(regs)} documents (one package to split)")
    return regs


def _demo_owner(kind: str) -> str:
    return "clinical-records" if "clinical" in kind else "loan-operations"


def _demo_class(kind: str) -> str:
    if "clinical" in kind:
        return "restricted"
    return "confidential" if kind not in ("xml", "contract") else "internal"
