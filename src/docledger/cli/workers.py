"""Running workers: in this process or as N processes; SIGTERM finishes the current run first."""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from collections.abc import Callable
from typing import Any

from docledger.cli.common import open_ledger


def _install_sigterm(worker: Any) -> None:
    def stop(signum: int, frame: Any) -> None:
        worker.stop_requested.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def worker_process(until_idle: bool, stages: list[str] | None = None) -> int:
    from docledger.worker import Worker

    ledger = open_ledger(only=stages or None)
    try:
        worker = Worker(ledger)
        _install_sigterm(worker)
        return worker.run(until_idle=until_idle)
    finally:
        ledger.close()


def _child(until_idle: bool, stages: list[str] | None) -> None:
    worker_process(until_idle, stages)


def run_workers(
    concurrency: int, *, until_idle: bool, stages: list[str] | None = None, on_tick: Callable[[], None] | None = None
) -> None:
    """Start ``concurrency`` worker processes and wait for them (ticking ``on_tick`` meanwhile)."""
    import os

    if concurrency > 1 and not os.environ.get("DOCLEDGER_COMPUTE_THREADS"):
        # N processes x all-core ONNX thread pools would oversubscribe the CPU
        os.environ["DOCLEDGER_COMPUTE_THREADS"] = str(max(1, (os.cpu_count() or 1) // concurrency))
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_child, args=(until_idle, stages), daemon=False) for _ in range(concurrency)]
    for p in procs:
        p.start()

    def forward(signum: int, frame: Any) -> None:
        for p in procs:
            if p.is_alive() and p.pid:
                import os

                os.kill(p.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        while any(p.is_alive() for p in procs):
            if on_tick:
                on_tick()
            time.sleep(0.3)
    finally:
        for p in procs:
            p.join()
        if on_tick:
            on_tick()
