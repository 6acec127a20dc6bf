"""Store contract, part 3: lineage DAG, uniqueness of artifacts, finalize and summary counts."""

from __future__ import annotations

import json

import pytest

from conftest import drain
from docledger.exceptions import NotFound
from docledger.ids import new_id, now
from docledger.ledger.lineage import to_dot, to_openlineage
from docledger.models import Status


def test_lineage_is_a_dag_from_inputs_to_outputs(make_ledger):
    ledger = make_ledger(["upper", "reverse"])
    reg = ledger.ingest_bytes(b"trace me", "t.txt")
    drain(ledger)
    graph = ledger.lineage(reg.document_id)
    by_key = {n["key"]: n for n in graph["nodes"]}
    assert set(by_key) == {"original", "upper.txt", "reverse.txt"}
    edges = {(e["from"], e["to"]) for e in graph["edges"]}
    original, upper, reverse = by_key["original"], by_key["upper.txt"], by_key["reverse.txt"]
    assert edges == {(original["id"], upper["id"]), (upper["id"], reverse["id"])}
    # each edge names the run that made its target, and that run is recorded with its stage version
    run_by_id = {r["id"]: r for r in graph["runs"]}
    for e in graph["edges"]:
        target = next(n for n in graph["nodes"] if n["id"] == e["to"])
        assert e["run_id"] == target["run_id"]
        assert run_by_id[e["run_id"]]["stage"] == target["stage"]
        assert run_by_id[e["run_id"]]["status"] == "succeeded"
    assert {r["stage"] for r in graph["runs"]} == {"register", "upper", "reverse"}
    assert ledger.blobs.path(reverse["sha256"]).read_bytes() == b"EM ECART"

    dot = to_dot(graph)
    assert f'"{original["id"]}" -> "{upper["id"]}"' in dot
    events = to_openlineage(graph)
    (rev_event,) = [e for e in events if e["job"]["name"] == "reverse@1.0"]
    assert [i["name"] for i in rev_event["inputs"]] == [f"{reg.document_id}/upper.txt"]
    assert [o["name"] for o in rev_event["outputs"]] == [f"{reg.document_id}/reverse.txt"]


def test_artifact_upstream_and_downstream(make_ledger):
    ledger = make_ledger(["upper", "reverse", "audit"])
    reg = ledger.ingest_bytes(b"walk the graph", "w.txt")
    drain(ledger)
    arts = {a["key"]: a["artifact_id"] for a in ledger.artifacts(reg.document_id)}
    down = ledger.artifact_lineage(arts["original"])
    assert {n["key"] for n in down["downstream"]} == {"upper.txt", "reverse.txt", "audit.json"}
    assert down["upstream"] == []
    up = ledger.artifact_lineage(arts["reverse.txt"])
    assert [n["key"] for n in up["upstream"]] == ["upper.txt", "original"]
    assert up["downstream"] == [] and up["artifact"]["key"] == "reverse.txt"
    mid = ledger.artifact_lineage(arts["upper.txt"])
    assert [n["key"] for n in mid["upstream"]] == ["original"]
    assert [n["key"] for n in mid["downstream"]] == ["reverse.txt"]
    with pytest.raises(NotFound, match="no artifact art_missing"):
        ledger.artifact_lineage("art_missing")
    with pytest.raises(NotFound):
        ledger.artifact_lineage(arts["upper.txt"], tenants=["someone-else"])


def test_artifacts_are_unique_per_document_stage_version_and_key(make_ledger):
    ledger = make_ledger(["upper"])
    reg = ledger.ingest_bytes(b"unique", "u.txt")
    drain(ledger)
    (upper,) = [a for a in ledger.artifacts(reg.document_id) if a["stage"] == "upper"]

    def insert(tx, *, version: str, key: str) -> None:
        tx.execute(
            "insert_artifact",
            id=new_id("art_"),
            document_id=reg.document_id,
            run_id=upper["run_id"],
            stage="upper",
            stage_version=version,
            key=key,
            kind="text",
            sha256=upper["sha256"],
            size=upper["size"],
            media_type=None,
            page=None,
            meta="{}",
            created_at=now(),
        )

    with pytest.raises(Exception, match="(?i)unique"):
        with ledger.store.transaction() as tx:
            insert(tx, version="1.0", key="upper.txt")
    with ledger.store.transaction() as tx:  # another version or another key is a different artifact
        insert(tx, version="2.0", key="upper.txt")
        insert(tx, version="1.0", key="upper-2.txt")
    assert len([a for a in ledger.artifacts(reg.document_id) if a["stage"] == "upper"]) == 3


def test_finalize_succeeded_partial_failed(make_ledger):
    ledger = make_ledger(["upper", "split", "page"])
    ok = ledger.ingest_bytes(b"all good", "fine.txt")
    partial = ledger.ingest_bytes(b"some pages fail", "badpage.txt")
    failed = ledger.ingest_bytes(b"bad document", "broken.txt")
    drain(ledger, workers=2)

    s_ok, s_partial, s_failed = (ledger.status(r.document_id) for r in (ok, partial, failed))
    assert s_ok["status"] == Status.SUCCEEDED and s_ok["reason"] is None and s_ok["problems"] == []
    assert s_ok["message"] == "All stages completed."

    assert s_partial["status"] == Status.PARTIAL and s_partial["reason"] == "page_unreadable"
    assert s_partial["problems"] == [
        {
            "stage": "page",
            "page": 2,
            "code": "page_unreadable",
            "message": "page 2 is unreadable",
            "terminal": True,
        }
    ]
    assert "page 2 (page): page 2 is unreadable" in s_partial["message"]
    partial_pages = {a["page"] for a in ledger.artifacts(partial.document_id) if a["stage"] == "page"}
    assert partial_pages == {1}  # the good page's output is kept

    assert s_failed["status"] == Status.FAILED and s_failed["reason"] == "corrupt_file"
    assert s_failed["message"] == "the toy cannot read this Submit a file that does not start with 'bad'."
    (failed_run,) = [r for r in ledger.lineage(failed.document_id)["runs"] if r["stage"] == "upper"]
    assert failed_run["status"] == "failed" and failed_run["error_code"] == "corrupt_file"
    assert failed_run["attempt"] == 1  # terminal failures are not retried
    # every document ended in exactly one terminal timeline entry, the last one
    for s in (s_ok, s_partial, s_failed):
        assert s["timeline"][-1]["stage"] == "pipeline" and s["timeline"][-1]["status"] == s["status"]
    assert ledger.dead_letters() == []


def test_summary_counts(make_ledger):
    ledger = make_ledger(["upper", "reverse"], max_attempts=2)
    for i in range(3):
        ledger.ingest_bytes(f"good {i}".encode(), f"g{i}.txt", tenant="bank")
    ledger.ingest_bytes(b"bad one", "bad.txt", tenant="bank")
    ledger.ingest_bytes(b"boom one", "boom.txt", tenant="clinic")
    waiting = ledger.summary()
    assert waiting["documents_by_status"] == {"PROCESSING": 5} and waiting["queue"] == {"pending": 5}
    drain(ledger)
    s = ledger.summary()
    assert s["documents_by_status"] == {"SUCCEEDED": 3, "FAILED": 2}
    assert s["failures_by_reason"] == {"corrupt_file": 1, "stage_error": 1}
    assert s["dlq_size"] == 1 and s["queue"] == {"done": 7, "dead": 1}
    durations = {d["stage"]: d for d in s["stage_durations"]}
    assert durations["upper"]["runs"] == 3 + 1 + 2 and durations["reverse"]["runs"] == 3
    assert durations["register"]["runs"] == 5
    bank = ledger.summary(tenant="bank")
    assert bank["documents_by_status"] == {"SUCCEEDED": 3, "FAILED": 1}
    assert bank["failures_by_reason"] == {"corrupt_file": 1}
    assert [d["subscriber"] for d in ledger.dead_letters(tenant="clinic")] == ["upper"]
    assert ledger.dead_letters(tenant="bank") == []


def test_run_records_carry_config_hash_and_event(make_ledger):
    ledger = make_ledger(["upper"])
    reg = ledger.ingest_bytes(b"provenance", "p.txt")
    drain(ledger)
    (run,) = [r for r in ledger.lineage(reg.document_id)["runs"] if r["stage"] == "upper"]
    assert run["config_hash"] == ledger.stages["upper"].config_hash() and len(run["config_hash"]) == 16
    assert run["meta"]["event"] == "document.registered"
    assert run["duration_ms"] >= 0 and run["worker"] == "w0"
    last = ledger.artifacts(reg.document_id)[-1]["artifact_id"]
    with ledger.store.read() as tx:
        raw = tx.fetchone("artifact_by_id", id=last)
    assert raw is not None and json.loads(raw["run_meta"])["event"] == "document.registered"
