"""Digital-PDF pages/s through the ledger vs the same extraction without it (target overhead <= 10 %).

- docledger: ``Ledger.ingest_many`` (batches of 200 files, as ``docledger ingest``/``run`` do:
  one group-commit sync per batch) -> classify -> extract-text with the real built-in stages
  and an in-process ``Worker`` (register, sniff + inspect, text/words/tables per page, every
  output a content-addressed artifact with lineage, timeline and events, one transaction per
  stage run);
- reference, same run, same PDFs: pypdfium2 text + pdfplumber words and tables per page,
  written as the same files (page text, page JSON, tables CSV, document JSON) to a folder —
  no registry, no classification, no ledger.

The ledger's own bookkeeping is reported apart: wall time minus the time spent inside the
stages' ``process`` (recorded on every stage run). Derived artifacts follow the settings
default (``fsync_artifacts=False``: originals are durable, derived files can be rebuilt).

Usage: python bench/pipeline_overhead.py [--docs 100] [--pages 5] [--store sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path

from _common import Timer, machine, make_pdf, scratch_store, stores, table, workdir

from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.stages import discover
from docledger.worker import Worker

PIPELINE = ["classify", "extract-text"]


def corpus(docs: int, pages: int) -> list[bytes]:
    return [make_pdf(f"Account statement {i}", pages=pages, table=i % 2 == 0) for i in range(docs)]


def _write(path: Path, text: str | bytes, durable: bool) -> None:
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
        if durable:
            f.flush()
            os.fsync(f.fileno())


def reference(pdfs: list[bytes], out: Path, *, durable: bool = False) -> None:
    """What a script without governance would do to get the same outputs (optionally fsyncing
    each file, as the ledger's blob store does)."""
    import pdfplumber
    import pypdfium2 as pdfium

    for i, data in enumerate(pdfs):
        folder = out / f"doc{i}"
        folder.mkdir(parents=True)
        src = folder / "original.pdf"
        _write(src, data, durable)
        doc = pdfium.PdfDocument(src)
        texts = []
        for page in doc:
            tp = page.get_textpage()
            texts.append(tp.get_text_range().replace("\r\n", "\n"))
            tp.close()
            page.close()
        doc.close()
        pages = []
        with pdfplumber.open(src) as plumber:
            for n, (page, text) in enumerate(zip(plumber.pages, texts, strict=True), start=1):
                words = [
                    {
                        "text": w["text"],
                        "bbox": [round(float(w[k]), 2) for k in ("x0", "top", "x1", "bottom")],
                    }
                    for w in page.extract_words()
                ]
                tables = page.extract_tables()
                _write(folder / f"page-{n}.txt", text, durable)
                _write(
                    folder / f"page-{n}.json",
                    json.dumps(
                        {
                            "page": n,
                            "width": float(page.width),
                            "height": float(page.height),
                            "text": text,
                            "tables": [{"rows": t} for t in tables],
                            "words": words,
                        },
                        indent=1,
                    ),
                    durable,
                )
                if tables:
                    buf = io.StringIO()
                    writer = csv.writer(buf)
                    for t in tables:
                        writer.writerows(t)
                    _write(folder / f"page-{n}-tables.csv", buf.getvalue(), durable)
                pages.append({"page": n, "text": text, "tables": [{"rows": t} for t in tables]})
        _write(folder / "document.json", json.dumps({"pages": pages}, indent=1), durable)


BATCH = 200  # paths per ingest_many call, as the CLI does


def through_ledger(pdfs: list[bytes], url: str, home: Path) -> tuple[float, dict[str, float], int]:
    """Wall seconds, seconds inside each stage's process(), documents SUCCEEDED."""
    settings = Settings(home=home, database_url=url, poll_interval_seconds=0.01)
    ledger = Ledger(settings, stages=discover(settings, only=PIPELINE))
    inbox = home / "inbox"  # the files a user ingests already exist: written before the clock starts
    inbox.mkdir(parents=True)
    paths = []
    for i, data in enumerate(pdfs):
        path = inbox / f"statement-{i}.pdf"
        path.write_bytes(data)
        paths.append(path)
    with Timer() as t:
        for start in range(0, len(paths), BATCH):
            ledger.ingest_many(paths[start : start + BATCH])
        Worker(ledger).run(until_idle=True)
    summary = ledger.summary()
    inside = {d["stage"]: d["total_ms"] / 1000.0 for d in summary["stage_durations"] if d["stage"] in PIPELINE}
    ok = summary["documents_by_status"].get("SUCCEEDED", 0)
    ledger.close()
    return t.seconds, inside, ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--store", default="sqlite", choices=["both", "sqlite", "postgres"])
    args = ap.parse_args()
    pdfs = corpus(args.docs, args.pages)
    total_pages = args.docs * args.pages
    print(f"# {args.docs} digital PDFs x {args.pages} pages = {total_pages} pages, half with a table ({machine()})")
    rows = []
    with workdir("dl-bench-pipe-") as tmp:
        reference(pdfs[:5], tmp / "warmup")  # imports and first-call costs are not the subject
        with Timer() as ref:
            reference(pdfs, tmp / "reference")
        ref_rate = total_pages / ref.seconds
        rows.append(
            [
                "reference: pypdfium2 + pdfplumber -> files",
                "-",
                f"{ref.seconds:.2f}",
                f"{ref_rate:.1f}",
                "1.00",
                "",
            ]
        )
        with Timer() as durable:
            reference(pdfs, tmp / "reference-durable", durable=True)
        rows.append(
            [
                "reference, each file fsynced",
                "-",
                f"{durable.seconds:.2f}",
                f"{total_pages / durable.seconds:.1f}",
                f"{ref.seconds / durable.seconds:.2f}",
                f"{durable.seconds / ref.seconds - 1:+.0%}",
            ]
        )
        for kind in stores(args.store):
            with scratch_store(kind, tmp) as url:
                through_ledger(pdfs[:5], url, tmp / f"warm-{kind}")
            with scratch_store(kind, tmp) as url:
                wall, inside, ok = through_ledger(pdfs, url, tmp / f"home-{kind}")
            if ok != args.docs:
                print(f"# WARNING: only {ok} of {args.docs} documents SUCCEEDED on {kind}")
            rate = total_pages / wall
            overhead = wall / ref.seconds - 1.0
            verdict = ("meets" if overhead <= 0.10 else "MISSES") + " <= 10 %"
            verdict += f"; {wall / durable.seconds - 1:+.0%} vs fsynced"
            rows.append(
                [
                    f"docledger register -> classify -> extract-text ({kind})",
                    f"{ok}/{args.docs}",
                    f"{wall:.2f}",
                    f"{rate:.1f}",
                    f"{rate / ref_rate:.2f}",
                    f"{overhead:+.0%} {verdict}",
                ]
            )
            for stage in PIPELINE:
                rows.append(
                    [
                        f"  inside {stage} (incl. its artifact writes)",
                        "",
                        f"{inside[stage]:.2f}",
                        "",
                        "",
                        f"{inside[stage] / ref.seconds:.0%} of reference",
                    ]
                )
            book = wall - sum(inside.values())
            rows.append(
                [
                    "  ledger bookkeeping (register, claim, commit, events)",
                    "",
                    f"{book:.2f}",
                    "",
                    "",
                    f"{book / ref.seconds:.0%} of reference",
                ]
            )
    print(table(["path", "succeeded", "seconds", "pages/s", "vs reference", "overhead"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
