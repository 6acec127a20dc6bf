"""Ingesting in batches and processing until idle, with progress bars and a summary table.

Shared by the commands that ingest (`ingest`, `run`, `demo`) and wait for work (`redact`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docledger.cli.common import console, emit_json, styled_status
from docledger.cli.workers import run_workers
from docledger.models import TERMINAL


def collect_files(paths: list[Path], recursive: bool) -> list[Path]:
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


def ingest_files(ledger, files, owner, tenant, classification, as_json: bool):
    """Register in batches (one sync + one transaction per batch: group commit)."""
    results = []
    with Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json or len(files) < 50,
    ) as bar:
        task = bar.add_task("ingest", total=len(files))
        for i in range(0, len(files), 200):
            batch = files[i : i + 200]
            regs = ledger.ingest_many(batch, owner=owner, tenant=tenant, classification=classification)
            results.extend(regs)
            if as_json:
                for reg in regs:
                    emit_json(
                        {
                            k: v
                            for k, v in reg.to_json().items()
                            if k in ("document_id", "name", "status", "duplicate_of")
                        }
                    )
            bar.advance(task, len(batch))
    return results


def process_with_progress(ledger, doc_ids: list[str], concurrency: int, *, quiet: bool) -> None:
    ids = list(dict.fromkeys(doc_ids))
    with Progress(
        TextColumn("[bold]processing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=quiet,
    ) as bar:
        task = bar.add_task("", total=len(ids))

        def tick() -> None:
            done = sum(1 for d in ids if ledger.get_document(d)["status"] in TERMINAL)
            bar.update(task, completed=done)

        run_workers(concurrency, until_idle=True, on_tick=tick)


def summary_table(docs: Sequence[Mapping[str, Any]]) -> None:
    table = Table(title="docledger run")
    for col in ("document", "name", "status", "reason", "message"):
        table.add_column(col, overflow="fold")
    for d in docs:
        table.add_row(
            d["document_id"], d["name"], styled_status(d["status"]), d["reason"] or "", (d["message"] or "")[:90]
        )
    console.print(table)
    counts: dict[str, int] = {}
    for d in docs:
        counts[d["status"]] = counts.get(d["status"], 0) + 1
    console.print("  ".join(f"{styled_status(k)}: {v}" for k, v in sorted(counts.items())))
