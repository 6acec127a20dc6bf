"""CLI for document types (label, types train/list/add) and loan files (loan assign/show/list)."""

from __future__ import annotations

import os
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import console, emit_json, handle_errors, ledger_session

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON).")]
TenantOpt = Annotated[str | None, typer.Option(help="Tenant (default: the configured default tenant).")]


def _actor() -> str:
    return os.environ.get("USER", "cli")


def register(app: typer.Typer) -> None:
    types_app = typer.Typer(
        help="Document types: the taxonomy, tenant types and the trainable classifier.", no_args_is_help=True
    )
    loan_app = typer.Typer(help="Loan files: documents of one case, checklist and risk flags.", no_args_is_help=True)
    app.add_typer(types_app, name="types")
    app.add_typer(loan_app, name="loan")

    @app.command("label")
    @handle_errors
    def label(
        document_id: str,
        doc_type: Annotated[str, typer.Argument(help="The document's type.")],
        as_json: JsonOpt = False,
    ) -> None:
        """Confirm or correct a document's type (it becomes a training example)."""
        from docledger.services.doctypes import label as do_label

        with ledger_session() as ledger:
            out = do_label(ledger, document_id, doc_type, actor=_actor())
        if as_json:
            emit_json(out)
        else:
            console.print(f"{document_id}: {out['doc_type']} (confirmed by {out['set_by']})")

    @types_app.command("train")
    @handle_errors
    def train(tenant: TenantOpt = None, as_json: JsonOpt = False) -> None:
        """Train the tenant's classifier from its documents with confirmed types."""
        from docledger.services.doctypes import train as do_train

        with ledger_session() as ledger:
            out = do_train(ledger, tenant or ledger.settings.default_tenant, actor=_actor())
        if as_json:
            emit_json(out)
        else:
            cv = "n/a" if out["cv_accuracy"] is None else f"{out['cv_accuracy']:.1%}"
            console.print(
                f"model version {out['model_version']}: {out['examples']} examples, "
                f"{len(out['classes'])} types, cross-validated accuracy {cv}"
            )

    @types_app.command("list")
    @handle_errors
    def list_types(tenant: TenantOpt = None, as_json: JsonOpt = False) -> None:
        """Built-in and tenant document types, and the tenant's current model."""
        from docledger.services.doctypes import list_types as do_list
        from docledger.services.doctypes import models

        with ledger_session() as ledger:
            t = tenant or ledger.settings.default_tenant
            rows, model = do_list(ledger, t), models(ledger, t)
        if as_json:
            emit_json({"types": rows, "model": model[0] if model else None})
            return
        table = Table(title=f"document types ({t})")
        for col in ("name", "label", "builtin"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["name"], r["label"], "yes" if r["builtin"] else "tenant")
        console.print(table)
        if model:
            console.print(
                f"model version {model[0]['model_version']}: {model[0]['examples']} examples, "
                f"cv accuracy {model[0]['cv_accuracy']}"
            )

    @types_app.command("add")
    @handle_errors
    def add_type(
        name: str, description: Annotated[str, typer.Option(help="What the type is.")] = "", tenant: TenantOpt = None
    ) -> None:
        """Define a tenant document type."""
        from docledger.services.doctypes import define_type

        with ledger_session() as ledger, ledger.store.transaction() as tx:
            n = define_type(tx, tenant or ledger.settings.default_tenant, name, description=description, actor=_actor())
        console.print(f"type {n} defined")

    @loan_app.command("assign")
    @handle_errors
    def assign(
        document_id: str,
        loan_id: str,
        product: Annotated[str | None, typer.Option(help="Loan product (checklist).")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Put a document (and any documents split from it) into a loan file."""
        from docledger.services.loans import assign as do_assign

        with ledger_session() as ledger:
            out = do_assign(ledger, document_id, loan_id, actor=_actor(), product=product)
        if as_json:
            emit_json(out)
        else:
            console.print(f"{len(out['documents'])} document(s) in loan file {loan_id}")

    @loan_app.command("show")
    @handle_errors
    def show(
        loan_id: str,
        tenant: TenantOpt = None,
        as_of: Annotated[str | None, typer.Option(help="Evaluate recency rules as of this date (YYYY-MM-DD).")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Checklist (what is missing) and risk flags with their evidence."""
        from docledger.exceptions import InvalidRequest
        from docledger.services.loans import show as do_show

        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise InvalidRequest(f"--as-of {as_of!r} is not a date", hint="Use YYYY-MM-DD.") from None
        with ledger_session() as ledger:
            out = do_show(ledger, loan_id, tenant=tenant, as_of=day)
        if as_json:
            emit_json(out)
            return
        cl = out["checklist"]
        console.print(
            f"[bold]loan file {loan_id}[/] ({out['product']}, checklist {cl['version']}): "
            + ("[green]complete[/]" if cl["complete"] else f"[red]missing {', '.join(cl['missing'])}[/]")
        )
        table = Table(title="documents")
        for col in ("document", "name", "type", "confidence", "source", "status"):
            table.add_column(col, overflow="fold")
        for d in out["documents"]:
            conf = d.get("doc_type_confidence")
            table.add_row(
                d["document_id"],
                d["name"],
                d["doc_type"] or "",
                "" if conf is None else f"{conf:.2f}",
                d.get("doc_type_source") or "",
                d["status"],
            )
        console.print(table)
        for f in out["flags"]:
            console.print(f"[bold red]{f['severity']}[/] {f['rule']}: {f['message']}\n  {f['explanation']}")
        if not out["flags"]:
            console.print("[green]no risk flags[/]")

    @loan_app.command("list")
    @handle_errors
    def list_loans(tenant: TenantOpt = None, as_json: JsonOpt = False) -> None:
        """Loan files and their document counts."""
        from docledger.services.loans import list_loans as do_list

        with ledger_session() as ledger:
            rows = do_list(ledger, tenant=tenant)
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            console.print(f"{r['loan_id']}  {r['product']}  {r['documents']} document(s)  tenant {r['tenant']}")
