"""`docledger ingest --doc-type/--loan-file`, `label`, `types train --json`, `list --json`, `export`
and `loan show --json` as a user runs them (subprocesses, SQLite)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from docledger.demo.lending import Borrower, bank_statement, pay_stub, urla, w2, write_pdf

BIN = Path(sys.executable).parent / "docledger"
STAGES = ["--stage", "classify", "--stage", "extract-text", "--stage", "fields"]


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCLEDGER_HOME": str(home)}
    env.pop("DOCLEDGER_DATABASE_URL", None)
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"docledger {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def rows(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_types_labels_training_and_loan_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rng = random.Random(4)
    inbox = {k: tmp_path / k for k in ("memo", "note", "new")}
    for d in inbox.values():
        d.mkdir()
    for i in range(4):
        (inbox["memo"] / f"m{i}.txt").write_text(
            f"MEMORANDUM\nTo: staff\nFrom: office {i}\nSubject: parking\n"
            f"Please move cars by Friday {rng.random():.4f}.\n"
        )
        (inbox["note"] / f"n{i}.txt").write_text(
            f"Shopping list\n- eggs\n- milk {i}\n- bread\nremember the {rng.random():.4f} coupon\n"
        )
    (inbox["new"] / "x.txt").write_text("MEMORANDUM\nTo: managers\nFrom: director\nSubject: parking rules\n")
    memo = rows(cli(home, "ingest", str(inbox["memo"]), "--doc-type", "memo", "--json"))
    note = rows(cli(home, "ingest", str(inbox["note"]), "--doc-type", "memo", "--json"))
    for r in note:  # typed wrongly at ingest, corrected one by one
        assert rows(cli(home, "label", r["document_id"], "note", "--json"))[0]["doc_type"] == "note"
    cli(home, "worker", "--until-idle", *STAGES)
    trained = rows(cli(home, "types", "train", "--json"))[0]
    assert set(trained) == {"model_version", "examples", "classes", "cv_accuracy"}
    assert trained["examples"] == 8 and trained["classes"] == ["memo", "note"] and trained["model_version"] == 1
    new = rows(cli(home, "ingest", str(inbox["new"]), "--json"))[0]
    cli(home, "worker", "--until-idle", *STAGES)
    listed = {r["document_id"]: r for r in rows(cli(home, "list", "--json"))}
    assert listed[new["document_id"]]["doc_type"] == "memo"
    assert 0 < listed[new["document_id"]]["doc_type_confidence"] <= 1
    assert listed[memo[0]["document_id"]]["doc_type_confidence"] == 1.0
    cli(home, "export", new["document_id"], "--format", "json", "--out", str(tmp_path / "out"))
    exported = json.loads((tmp_path / "out" / "document.json").read_text())
    assert (exported["doc_type"], exported["doc_type_source"]) == ("memo", "model")

    # a loan file: given at ingest, checked against the checklist and the risk rules
    b = Borrower.random(random.Random(8))
    today = date.today()
    lf = tmp_path / "loan"
    lf.mkdir()
    for name, doc in {
        "app": urla(b, rng),
        "w2": w2(b, rng, today.year - 1),
        "stub": pay_stub(b, rng, today - timedelta(days=3)),
        "bank": bank_statement(b, rng, today - timedelta(days=120), pages=1),
    }.items():
        write_pdf(lf / f"{name}.pdf", [doc])
    cli(home, "ingest", str(lf), "--loan-file", "LN-42", "--json")
    cli(home, "worker", "--until-idle", *STAGES)
    shown = rows(cli(home, "loan", "show", "LN-42", "--json"))[0]
    assert shown["checklist"]["missing"] == ["id-document"]
    assert sorted(d["doc_type"] for d in shown["documents"]) == ["bank-statement", "pay-stub", "urla-1003", "w2"]
    assert [f["rule"] for f in shown["flags"]] == ["stale-bank-statement"]
    text = cli(home, "loan", "show", "LN-42").stdout
    assert "missing id-document" in text and "stale-bank-statement" in text
