"""`docledger audit`: list, verify, seal and export the tamper-evident audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import JsonOpt, console, emit_json, err_console, handle_errors, ledger_session


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="Audit log: every access and change, hash-chained and signed.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")

    @audit_app.command("list")
    @handle_errors
    def audit_list(
        document: Annotated[str | None, typer.Option("--document", help="Only entries about this document")] = None,
        limit: Annotated[int, typer.Option(help="How many entries, newest first")] = 100,
        as_json: JsonOpt = False,
    ) -> None:
        """Who did what, when, from where (newest first)."""
        from docledger.ledger import audit

        with ledger_session() as ledger:
            rows = audit.listing(ledger.store, target=document, limit=limit)
        if as_json:
            emit_json(rows)
            return
        table = Table("seq", "time", "principal", "action", "target", "client", "status")
        for r in rows:
            table.add_row(
                str(r["seq"]),
                r["time"],
                r["principal"],
                r["action"],
                r["target"] or "",
                r["client"] or "",
                str(r["detail"].get("status", "")),
            )
        console.print(table)

    @audit_app.command("verify")
    @handle_errors
    def audit_verify(
        checkpoints: Annotated[
            Path | None,
            typer.Option("--checkpoints", help="A checkpoint export kept outside the database (audit export)"),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Check the hash chain and the signed checkpoints; exit 0 when intact, 1 naming the first bad entry."""
        from docledger.ledger import audit

        exported = json.loads(checkpoints.read_text()) if checkpoints else None
        with ledger_session(audited=False) as ledger:
            result = audit.verify_ledger(ledger, exported=exported)
        if as_json:
            emit_json(result.to_json())
        elif result.ok:
            console.print(
                f"audit log intact: {result.entries} entries, {result.checkpoints} signed checkpoints", soft_wrap=True
            )
        else:
            err_console.print(f"audit log NOT intact at entry {result.first_bad_seq}: {result.problem}", soft_wrap=True)
        raise SystemExit(0 if result.ok else 1)

    @audit_app.command("seal")
    @handle_errors
    def audit_seal(as_json: JsonOpt = False) -> None:
        """Sign the chain's head now (it is also sealed every DOCLEDGER_AUDIT_CHECKPOINT_EVERY entries)."""
        from docledger.ledger import audit

        with ledger_session() as ledger:
            checkpoint = audit.seal(ledger)
        if as_json:
            emit_json(checkpoint or {})
        else:
            console.print(f"sealed entry {checkpoint['seq']}" if checkpoint else "nothing new to seal", soft_wrap=True)

    @audit_app.command("export")
    @handle_errors
    def audit_export(out: Annotated[Path, typer.Option("--out", help="Where to write the checkpoints JSON")]) -> None:
        """Write the public key and every checkpoint to a file to keep outside the database."""
        from docledger.ledger import audit

        with ledger_session() as ledger:
            data = audit.export_checkpoints(ledger.store, audit.signer_for(ledger.settings))
        out.write_text(json.dumps(data, indent=2))
        console.print(f"{len(data['checkpoints'])} checkpoints written to {out}", soft_wrap=True)
