"""Legal holds, retention and provable erasure, on both stores, through the real pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import drain
from docledger.exceptions import NotFound
from docledger.ledger import Ledger, erasure, retention
from docledger.models import Status
from docledger.pipeline import open_ledger
from sample_documents import text_pdf

SECRET = "Qzxvkw7731"  # one token to the full-text tokenizer, untouched by stemming


def processed(
    make_settings, tmp_path: Path, text_lines: list[str], name: str = "statement.pdf", **settings: object
) -> tuple[Ledger, str]:
    ledger = open_ledger(make_settings(**settings), only=["classify", "extract-text", "nlp", "index", "graph"])
    pdf = text_pdf(tmp_path / name, [text_lines])
    reg = ledger.ingest_path(pdf, tenant="bank-a", owner="loan-ops", classification="confidential")
    drain(ledger, timeout=240)
    assert ledger.get_document(reg.document_id)["status"] == Status.SUCCEEDED
    return ledger, reg.document_id


def database_files(ledger: Ledger) -> list[Path]:
    """The files that hold this test's database: the SQLite file and its WAL, or PostgreSQL's
    per-database directory (base/<oid>), read as the server stores it."""
    if ledger.store.dialect == "sqlite":
        return [p for p in ledger.settings.home.rglob("*") if p.is_file()]
    with ledger.store.read() as tx:
        data_dir = tx.raw("SHOW data_directory")[0]["data_directory"]
        oid = tx.raw("SELECT oid FROM pg_database WHERE datname = current_database()")[0]["oid"]
    return [p for p in (Path(data_dir) / "base" / str(oid)).iterdir() if p.is_file()]


def flush_to_disk(ledger: Ledger) -> None:
    """Write PostgreSQL's dirty buffers to its files (SQLite writes through its WAL at once)."""
    if ledger.store.dialect == "postgres":
        import psycopg

        with psycopg.connect(ledger.store.url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")


def files_containing(files: list[Path], needle: str) -> list[str]:
    variants = {needle.encode(), needle.lower().encode(), needle.upper().encode(), needle.encode("utf-16-le")}
    hits = []
    for path in files:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, PermissionError):
            continue
        if any(v in data for v in variants):
            hits.append(str(path))
    return hits


def test_erase_leaves_no_byte_of_the_text_in_the_data_directory_or_database(make_settings, tmp_path: Path) -> None:
    ledger, doc = processed(
        make_settings,
        tmp_path,
        [
            f"Borrower {SECRET} Whitfield applied for a mortgage of 320,000 dollars.",
            f"The account of {SECRET} at First Harbor Bank shows a closing balance of 12,400.00.",
        ],
    )
    other = ledger.ingest_path(
        text_pdf(tmp_path / "other.pdf", [["An unrelated escrow letter for Mary Jones."]]), tenant="bank-a"
    )
    drain(ledger, timeout=240)
    flush_to_disk(ledger)
    # the secret must be in the database files and the blobs before the erasure, else the scan proves nothing
    assert files_containing(database_files(ledger), SECRET)
    assert files_containing([p for p in ledger.settings.blob_dir.rglob("*") if p.is_file()], SECRET)

    report = erasure.erase(ledger, doc, reason="erasure request 2026-0042", actor="dpo@bank-a").to_json()

    assert report["status"] == "ERASED" and report["rows_removed"]["artifacts"] > 0
    assert report["rows_removed"]["search_pages"] >= 1 and len(report["blobs_removed"]) >= 3
    flush_to_disk(ledger)
    files = database_files(ledger) + [p for p in ledger.settings.home.rglob("*") if p.is_file()]
    assert files_containing(files, SECRET) == []
    # the tombstone and the status remain; the other document is untouched
    doc_row = ledger.get_document(doc)
    assert doc_row["status"] == Status.ERASED and doc_row["name"] == "[erased]"
    tomb = erasure.tombstone(ledger, doc)
    assert tomb["erased_by"] == "dpo@bank-a" and tomb["reason"] == "erasure request 2026-0042"
    assert tomb["sha256"] == report["sha256"] and tomb["report"]["rows_removed"] == report["rows_removed"]
    assert ledger.get_document(other.document_id)["status"] == Status.SUCCEEDED
    assert ledger.lineage(doc)["nodes"] == [] or all(n["kind"] != "artifact" for n in ledger.lineage(doc)["nodes"])
    ledger.close()


def test_shared_bytes_stay_for_the_other_tenant(make_settings, tmp_path: Path) -> None:
    ledger = open_ledger(make_settings(), only=["classify", "extract-text"])
    pdf = text_pdf(tmp_path / "same.pdf", [["The same bytes arrive in two tenants."]])
    a = ledger.ingest_path(pdf, tenant="bank-a")
    b = ledger.ingest_path(pdf, tenant="bank-b")
    drain(ledger, timeout=120)
    sha = ledger.get_document(a.document_id)["sha256"]
    report = erasure.erase(ledger, a.document_id, reason="request", actor="dpo").to_json()
    assert sha in report["blobs_kept_shared"] and ledger.blobs.exists(sha)
    assert ledger.blobs.read(sha) == pdf.read_bytes()
    assert ledger.get_document(b.document_id)["status"] == Status.SUCCEEDED
    ledger.close()


def test_a_held_document_survives_erase_and_retention(make_settings, tmp_path: Path) -> None:
    ledger = open_ledger(make_settings(), only=["classify", "extract-text"])
    held = ledger.ingest_path(
        text_pdf(tmp_path / "held.pdf", [["Held for litigation."]]), tenant="bank-a", classification="public"
    )
    free = ledger.ingest_path(
        text_pdf(tmp_path / "free.pdf", [["Free to go."]]), tenant="bank-a", classification="public"
    )
    drain(ledger, timeout=120)
    erasure.set_hold(ledger, held.document_id, reason="matter 2026-114", actor="legal@bank-a")
    with pytest.raises(erasure.LegalHoldActive, match="under legal hold"):
        erasure.erase(ledger, held.document_id, reason="request", actor="dpo")
    assert ledger.get_document(held.document_id)["status"] == Status.SUCCEEDED

    in_two_years = datetime(2029, 1, 1, tzinfo=UTC).timestamp()  # public documents are kept 1 year
    assert retention.run(ledger, actor="ops", as_of=datetime(2026, 1, 1, tzinfo=UTC).timestamp())["disposed"] == []
    out = retention.run(ledger, actor="ops", as_of=in_two_years)
    assert [d["document_id"] for d in out["disposed"]] == [free.document_id]
    assert [d["document_id"] for d in out["held"]] == [held.document_id]
    assert "rule public-1y" in out["disposed"][0]["report"]["reason"]
    assert ledger.get_document(free.document_id)["status"] == Status.ERASED
    assert ledger.get_document(held.document_id)["status"] == Status.SUCCEEDED

    erasure.release_hold(ledger, held.document_id, actor="legal@bank-a")
    assert retention.run(ledger, actor="ops", as_of=in_two_years)["disposed"][0]["document_id"] == held.document_id
    with pytest.raises(NotFound):
        erasure.release_hold(ledger, held.document_id, actor="legal@bank-a")
    ledger.close()


def cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCLEDGER_HOME": str(settings.home), "DOCLEDGER_DATABASE_URL": settings.resolved_database_url}
    return subprocess.run(
        [sys.executable, "-m", "docledger.cli.main", *args], env=env, capture_output=True, text=True, timeout=180
    )


def test_cli_hold_and_erase_refuse_clearly_then_report(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    ledger = open_ledger(settings, only=["classify", "extract-text"])
    reg = ledger.ingest_path(text_pdf(tmp_path / "x.pdf", [["Customer file for erasure."]]), tenant="bank-a")
    drain(ledger, timeout=120)
    ledger.close()
    assert cli(settings, "hold", "set", reg.document_id, "--reason", "audit 7").returncode == 0
    refused = cli(settings, "erase", reg.document_id, "--reason", "request 9")
    assert refused.returncode == 5 and "legal hold" in refused.stderr
    assert cli(settings, "hold", "release", reg.document_id).returncode == 0
    done = cli(settings, "erase", reg.document_id, "--reason", "request 9", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "ERASED" and report["reason"] == "request 9" and report["blobs_removed"]
    status = json.loads(cli(settings, "status", reg.document_id, "--json").stdout)
    assert status["status"] == "ERASED"
    audit = json.loads(cli(settings, "audit", "list", "--document", reg.document_id, "--json").stdout)
    assert {"cli erase", "cli hold set", "cli hold release"} <= {r["action"] for r in audit}
