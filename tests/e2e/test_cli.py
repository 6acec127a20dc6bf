"""The `docledger` command line end to end, as a user runs it (subprocesses, SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from document_schema import assert_valid_document
from sample_documents import encrypted_pdf, text_pdf

BIN = Path(sys.executable).parent / "docledger"


def cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCLEDGER_HOME": str(home), "DOCLEDGER_BACKOFF_BASE_SECONDS": "0.05"}
    env.pop("DOCLEDGER_DATABASE_URL", None)
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"docledger {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def lines(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("cli")
    inbox = root / "inbox"
    (inbox / "sub").mkdir(parents=True)
    text_pdf(
        inbox / "loan-letter.pdf",
        [["Loan application of Maria Garcia", "Requested amount 320,000"]],
        table=[["Item", "Amount"], ["Purchase price", "400,000"]],
    )
    text_pdf(inbox / "sub" / "w2.pdf", [["Form W-2 Wage and Tax Statement", "Employer Acme Corporation"]])
    encrypted_pdf(inbox / "locked.pdf")
    (inbox / "notes.txt").write_text("Underwriter note. Income verified by Dr. Lee on 3 March 2024.")
    home = root / "home"
    run = cli(
        home,
        "run",
        str(inbox),
        "--recursive",
        "--owner",
        "loan-ops",
        "--tenant",
        "bank-a",
        "--classification",
        "confidential",
        "--concurrency",
        "2",
        "--json",
    )
    return {"root": root, "home": home, "inbox": inbox, "run": lines(run)}


def test_run_processes_everything_to_a_terminal_status(workspace: dict) -> None:
    by_name = {r["name"]: r for r in workspace["run"]}
    assert set(by_name) == {"loan-letter.pdf", "w2.pdf", "locked.pdf", "notes.txt"}
    # typed lending documents whose fields are incomplete wait for a person; nothing else is open
    assert by_name["loan-letter.pdf"]["status"] in ("SUCCEEDED", "NEEDS_REVIEW")
    assert by_name["w2.pdf"]["status"] in ("SUCCEEDED", "NEEDS_REVIEW")
    assert by_name["notes.txt"]["status"] == "SUCCEEDED"
    assert (by_name["locked.pdf"]["status"], by_name["locked.pdf"]["reason"]) == ("FAILED", "encrypted_pdf")
    listed = lines(cli(workspace["home"], "list", "--json"))
    assert {d["document_id"] for d in listed} == {r["document_id"] for r in workspace["run"]}
    assert lines(cli(workspace["home"], "list", "--status", "FAILED", "--json"))[0]["name"] == "locked.pdf"


def test_ingest_reports_duplicates(workspace: dict) -> None:
    out = lines(
        cli(workspace["home"], "ingest", str(workspace["inbox"] / "loan-letter.pdf"), "--tenant", "bank-a", "--json")
    )
    original = next(r for r in workspace["run"] if r["name"] == "loan-letter.pdf")
    assert out == [
        {
            "document_id": original["document_id"],
            "name": "loan-letter.pdf",
            "status": "SUCCEEDED",
            "duplicate_of": original["document_id"],
        }
    ]


def test_status_lineage_and_export(workspace: dict) -> None:
    home = workspace["home"]
    doc = next(r for r in workspace["run"] if r["name"] == "loan-letter.pdf")["document_id"]
    status = lines(cli(home, "status", doc, "--json"))[0]
    assert status["status"] == "SUCCEEDED" and status["document_id"] == doc
    stages = [t["stage"] for t in status["timeline"]]
    assert stages[0] == "register" and "classify" in stages and "extract-text" in stages
    assert all({"time", "stage", "status", "message", "attempt"} <= set(t) for t in status["timeline"])
    graph = lines(cli(home, "lineage", doc, "--format", "json"))[0]
    assert graph["document_id"] == doc
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"original", "text", "page-json", "tables-csv", "document-json"} <= kinds
    assert all({"id", "kind", "sha256", "page", "stage", "stage_version"} <= set(n) for n in graph["nodes"])
    assert graph["edges"] and all({"from", "to", "run_id"} <= set(e) for e in graph["edges"])
    dot = cli(home, "lineage", doc, "--format", "dot").stdout
    assert dot.startswith("digraph lineage") and "->" in dot
    ol = lines(cli(home, "lineage", doc, "--format", "openlineage"))
    assert {e["job"]["name"].split("@")[0] for e in ol} >= {"register", "classify", "extract-text"}
    out = workspace["root"] / "export"
    cli(home, "export", doc, "--format", "json", "--out", str(out))
    data = json.loads((out / "document.json").read_text())
    assert_valid_document(data)
    assert data["document_id"] == doc
    assert "Maria Garcia" in data["pages"][0]["text"]
    assert ["Purchase price", "400,000"] in data["pages"][0]["tables"][0]["rows"]
    cli(home, "export", doc, "--format", "original", "--out", str(out))
    assert (out / "loan-letter.pdf").read_bytes() == (workspace["inbox"] / "loan-letter.pdf").read_bytes()
    cli(home, "export", doc, "--format", "text", "--out", str(out))
    assert "Requested amount" in (out / "document.txt").read_text()


def test_errors_are_explained_with_exit_codes(workspace: dict) -> None:
    proc = cli(workspace["home"], "status", "doc_does_not_exist", check=False)
    assert proc.returncode == 3 and "no document doc_does_not_exist" in proc.stderr
    proc = cli(workspace["home"], "ingest", str(workspace["inbox"] / "nope.pdf"), check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = cli(
        workspace["home"], "ingest", str(workspace["inbox"] / "notes.txt"), "--classification", "secret", check=False
    )
    assert proc.returncode == 2 and "public, internal, confidential, restricted" in proc.stderr


def test_dlq_is_empty_and_search_finds_text(workspace: dict) -> None:
    assert lines(cli(workspace["home"], "dlq", "list", "--json")) == []
    hits = lines(cli(workspace["home"], "search", "Acme Corporation W-2", "--tenant", "bank-a", "--json"))[0]
    w2 = next(r for r in workspace["run"] if r["name"] == "w2.pdf")["document_id"]
    assert hits[0]["document_id"] == w2 and "Acme" in hits[0]["snippet"]
    assert lines(cli(workspace["home"], "search", "Acme Corporation W-2", "--tenant", "bank-b", "--json"))[0] == []
    stages = {s["name"] for s in lines(cli(workspace["home"], "stages", "--json"))}
    assert {"classify", "extract-text", "ocr", "nlp", "index", "graph", "redact", "xml"} <= stages
