"""A stage that runs longer than the lease keeps its delivery: the worker extends the lease."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from docledger.ledger import Ledger
from docledger.stages.base import Stage, StageContext
from docledger.worker import Worker


class SlowStage(Stage):
    name = "slow"
    version = "1.0.0"
    subscribes = ("document.registered",)

    def process(self, ctx: StageContext) -> None:
        time.sleep(3.0)
        ctx.add_artifact("slow.txt", "text", b"done")


def test_long_run_keeps_its_lease_and_runs_once(make_ledger: Callable[..., Ledger], tmp_path) -> None:  # type: ignore[no-untyped-def]
    probe = make_ledger({})
    ledger = make_ledger({"slow": SlowStage(probe.settings)}, lease_seconds=1.0)
    path = tmp_path / "a.txt"
    path.write_text("a")
    doc = ledger.ingest_path(path).document_id
    first = Worker(ledger, worker_id="first")
    runner = threading.Thread(target=first.run, kwargs={"until_idle": True})
    runner.start()
    time.sleep(1.8)  # past the 1 s lease: without the heartbeat a second worker could claim it now
    assert Worker(ledger, worker_id="second").claim() is None
    runner.join(timeout=30)
    runs = [r for r in ledger.lineage(doc)["runs"] if r["stage"] == "slow"]
    assert [(r["status"], r["attempt"], r["worker"]) for r in runs] == [("succeeded", 1, "first")]
    assert ledger.get_document(doc)["status"] == "SUCCEEDED"
