"""Commands that bring documents in and process them: ingest, worker, run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from docledger.cli.common import JsonOpt, console, emit_json, handle_errors, ledger_session, styled_status
from docledger.cli.processing import collect_files, ingest_files, process_with_progress, summary_table
from docledger.cli.workers import run_workers, worker_process

DocTypeOpt = Annotated[str | None, typer.Option("--doc-type", help="Confirmed document type (w2, pay-stub, memo...).")]
LoanFileOpt = Annotated[str | None, typer.Option("--loan-file", help="Loan file (case id) the documents belong to.")]


def _after_ingest(ledger, regs, doc_type: str | None, loan_file: str | None) -> None:
    """Record the confirmed type and the loan file given at ingest (duplicates included)."""
    if doc_type or loan_file:
        import os

        from docledger.services.doctypes import after_ingest

        after_ingest(
            ledger,
            [r.document_id for r in regs],
            doc_type=doc_type,
            loan_file=loan_file,
            actor=os.environ.get("USER", "cli"),
        )


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(worker)
    app.command()(run)


@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
    owner: Annotated[str | None, typer.Option(help="Owner principal.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant.")] = None,
    classification: Annotated[str | None, typer.Option(help="public | internal | confidential | restricted")] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r")] = False,
    doc_type: DocTypeOpt = None,
    loan_file: LoanFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register documents (stored once, deduplicated per tenant); workers process them."""
    with ledger_session() as ledger:
        results = ingest_files(ledger, collect_files(paths, recursive), owner, tenant, classification, as_json)
        _after_ingest(ledger, results, doc_type, loan_file)
        if not as_json:
            for r in results:
                dup = f" (duplicate of {r.duplicate_of})" if r.duplicate_of else ""
                console.print(f"{r.document_id}  {r.name}  {styled_status(r.status)}{dup}")


@handle_errors
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="Exit when no work is left.")] = False,
    stage: Annotated[list[str] | None, typer.Option(help="Only run these stages (repeatable).")] = None,
) -> None:
    """Claim deliveries and run stages. SIGTERM finishes the current run and exits."""
    if concurrency == 1:
        worker_process(until_idle, stage)
    else:
        run_workers(concurrency, until_idle=until_idle, stages=stage)


@handle_errors
def run(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
    owner: Annotated[str | None, typer.Option()] = None,
    tenant: Annotated[str | None, typer.Option()] = None,
    classification: Annotated[str | None, typer.Option()] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r")] = False,
    concurrency: Annotated[int, typer.Option(min=1)] = 2,
    doc_type: DocTypeOpt = None,
    loan_file: LoanFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest and process until idle, with a progress bar and a summary table."""
    with ledger_session() as ledger:
        regs = ingest_files(ledger, collect_files(paths, recursive), owner, tenant, classification, False)
        _after_ingest(ledger, regs, doc_type, loan_file)
        process_with_progress(ledger, [r.document_id for r in regs], concurrency, quiet=as_json)
        docs = [ledger.get_document(d) for d in dict.fromkeys(r.document_id for r in regs)]
        if as_json:
            for d in docs:
                emit_json({k: d[k] for k in ("document_id", "name", "status", "reason", "message")})
        else:
            summary_table(docs)
