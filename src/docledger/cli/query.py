"""`docledger query DOC "TEXT"`: ask a processed document for a value by name or printed question."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from docledger.cli.common import console, handle_errors, ledger_session


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def query(
        document_id: Annotated[str, typer.Argument(help="Document id.")],
        text: Annotated[str, typer.Argument(help='A field name or printed question, e.g. "total" or "Date:".')],
        as_json: Annotated[bool, typer.Option("--json", help="Print the answers as one JSON list.")] = False,
        limit: Annotated[int, typer.Option(min=1, max=100, help="Answers at most.")] = 10,
    ) -> None:
        """Answers best first: value, confidence, page, bbox and source (form, table, text or field)."""
        from docledger.services.query import query_document

        with ledger_session() as ledger:
            answers = query_document(ledger, document_id, text, limit=limit)
        if as_json:
            typer.echo(json.dumps(answers, ensure_ascii=False))
            return
        if not answers:
            console.print(f"No answer to {text!r} in {document_id}.")
            return
        table = Table(title=f"query: {text}")
        for col in ("value", "confidence", "page", "bbox", "source"):
            table.add_column(col, overflow="fold")
        for a in answers:
            table.add_row(
                a["value"],
                f"{a['confidence']:.2f}",
                str(a["page"] or ""),
                " ".join(map(str, a["bbox"] or [])),
                a["source"],
            )
        console.print(table)
