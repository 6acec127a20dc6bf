"""Chaos: 200 real PDFs through the built-in pipeline while a worker is SIGKILLed again and again.

Three `docledger worker` processes (classify + extract-text, the digital-PDF path) share one
ledger; one of them is killed with SIGKILL the moment it holds a lease, restarted, killed
again. Half of the documents arrive while this goes on. With 3-second leases the killed
work is picked up by the survivors, and at the end:

- every document is terminal (SUCCEEDED: they are all good PDFs), the queue and DLQ are empty;
- each (document, stage, version) has exactly one artifact set, made by one succeeded run,
  and that set is complete (text + page JSON per page, tables where drawn, document JSON);
- every derived artifact has an upstream path to the original.

The NLP/index stages are left out of this run on purpose: they load models for seconds per
process start and would make the test about model loading, not about the ledger.
"""

from __future__ import annotations

import signal
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import make_pdf, spawn_worker, worker_lease
from docledger.ledger import Ledger
from docledger.models import TERMINAL, Status
from docledger.settings import Settings
from docledger.stages import discover

pytestmark = pytest.mark.slow

PIPELINE = ["classify", "extract-text"]
DOCS = 200
KILLS = 6
DEADLINE = 400.0  # an upper bound for a loaded machine, not a speed target
KILL_PHASE = 150.0


def handles_sigterm(pid: int, timeout: float = 60.0) -> bool:
    """Wait (bounded) until the process has installed its SIGTERM handler (Linux: SigCgt in /proc)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False
        caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt:")), 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return True
        time.sleep(0.05)
    return False


def shape(i: int) -> tuple[int, bool]:
    """Pages and whether each page carries a table, for document number i."""
    return 1 + i % 2, i % 5 == 0


def expected_keys(stage: str, name: str) -> set[str]:
    pages, table = shape(int(name.removeprefix("chaos-").removesuffix(".pdf")))
    if stage == "register":
        return {"original"}
    if stage == "classify":
        return {"classification.json"}
    per_page = ["text.txt", "page.json"] + (["tables.csv"] if table else [])
    return {"document.json"} | {f"page-{n}/{k}" for n in range(1, pages + 1) for k in per_page}


def _stage_args() -> list[str]:
    return [a for s in PIPELINE for a in ("--stage", s)]


def test_sigkilled_workers_lose_nothing(store_url: str, tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "home",
        database_url=store_url,
        lease_seconds=3.0,
        max_attempts=10,
        backoff_base_seconds=0.2,
        poll_interval_seconds=0.1,
    )
    ledger = Ledger(settings, stages=discover(settings, only=PIPELINE))
    pdfs = [make_pdf(f"Chaos document number {i}", pages=shape(i)[0], table=shape(i)[1]) for i in range(DOCS)]
    ids = [ledger.ingest_bytes(p, f"chaos-{i:03d}.pdf").document_id for i, p in enumerate(pdfs[: DOCS // 2])]

    logs = tmp_path / "logs"
    logs.mkdir()
    survivors = [spawn_worker(settings, *_stage_args(), log=logs / f"survivor{n}.log") for n in range(2)]
    victim = spawn_worker(settings, *_stage_args(), log=logs / "victim.log")
    kills: list[dict | None] = []
    started = time.monotonic()
    try:
        ids += [
            ledger.ingest_bytes(p, f"chaos-{i:03d}.pdf").document_id
            for i, p in enumerate(pdfs[DOCS // 2 :], start=DOCS // 2)
        ]
        while len(kills) < KILLS and time.monotonic() - started < KILL_PHASE:
            # a restarted worker may take seconds to import and claim on a loaded machine: wait for its lease
            held, wait_until = None, time.monotonic() + 20.0
            while held is None and time.monotonic() < wait_until and victim.poll() is None:
                held = worker_lease(ledger.store, victim.pid)
                if held is None:
                    time.sleep(0.005)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            kills.append(held)
            victim = spawn_worker(settings, *_stage_args(), log=logs / "victim.log")
        while time.monotonic() - started < DEADLINE:
            docs = {d["document_id"]: d for d in ledger.list_documents(limit=DOCS + 10)}
            if all(docs[i]["status"] in TERMINAL for i in ids) and ledger.summary()["queue"].keys() <= {"done"}:
                break
            time.sleep(0.5)
    finally:
        for p in [*survivors, victim]:
            if p.poll() is None:
                handles_sigterm(p.pid)  # a worker still importing would die of the signal, not drain
                p.send_signal(signal.SIGTERM)
        codes = [p.wait(30) for p in [*survivors, victim]]
    elapsed = time.monotonic() - started
    logs_text = "\n".join(f.read_text(errors="replace")[-2000:] for f in logs.iterdir())

    # the chaos really happened: the victim died holding leases, several times
    mid_run = [k for k in kills if k is not None]
    print(
        f"chaos on {ledger.store.dialect}: {DOCS} documents, {len(kills)} SIGKILLs "
        f"({len(mid_run)} holding a lease: {[k['subscriber'] for k in mid_run]}), {elapsed:.1f}s"
    )
    assert len(kills) == KILLS and len(mid_run) >= KILLS // 2, f"kills {kills}"
    assert codes == [0, 0, 0], f"workers did not stop cleanly on SIGTERM: {codes}\n{logs_text}"

    # every document terminal and good, nothing left in the queue or the DLQ
    docs = {d["document_id"]: d for d in ledger.list_documents(limit=DOCS + 10)}
    assert len(set(ids)) == DOCS and set(ids) == set(docs)
    statuses = Counter(docs[i]["status"] for i in ids)
    assert statuses == {Status.SUCCEEDED: DOCS}, f"{statuses} after {elapsed:.1f}s\n{logs_text}"
    summary = ledger.summary()
    assert summary["queue"] == {"done": len(PIPELINE) * DOCS} and summary["dlq_size"] == 0
    assert ledger.dead_letters() == []

    with ledger.store.read() as tx:
        deliveries = {r["id"]: r for r in tx.raw("SELECT id, attempts, status FROM deliveries")}
    for k in mid_run:  # the killed work was redone by someone else
        assert deliveries[k["id"]]["status"] == "done" and deliveries[k["id"]]["attempts"] >= 2

    for doc_id in ids:
        graph = ledger.lineage(doc_id)
        runs = {r["id"]: r for r in graph["runs"]}
        by_stage: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for n in graph["nodes"]:
            by_stage[(n["stage"], n["stage_version"])].append(n)
        assert {s for s, _ in by_stage} == {"register", *PIPELINE}
        for (stage, _version), arts in by_stage.items():
            run_ids = {a["run_id"] for a in arts}
            assert len(run_ids) == 1, f"{doc_id}: {stage} has artifacts from {len(run_ids)} runs"
            assert runs[run_ids.pop()]["status"] == "succeeded"
            keys = [a["key"] for a in arts]
            assert len(keys) == len(set(keys))
            assert set(keys) == expected_keys(stage, docs[doc_id]["name"]), f"{doc_id}: incomplete {stage}"
        succeeded = Counter(r["stage"] for r in graph["runs"] if r["status"] == "succeeded")
        assert succeeded == {"register": 1, **{s: 1 for s in PIPELINE}}, f"{doc_id}: {succeeded}"
        # complete lineage: every derived artifact reaches the original
        parents: dict[str, set[str]] = defaultdict(set)
        for e in graph["edges"]:
            parents[e["to"]].add(e["from"])
        (original,) = [n["id"] for n in graph["nodes"] if n["kind"] == "original"]
        for n in graph["nodes"]:
            seen, frontier = set(), {n["id"]}
            while frontier and original not in seen:
                seen |= frontier
                frontier = {p for f in frontier for p in parents[f]} - seen
            assert original in seen, f"{doc_id}: {n['key']} ({n['stage']}) has no path to the original"
    ledger.close()
