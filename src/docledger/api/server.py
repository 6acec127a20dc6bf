"""Run the API with uvicorn plus in-process pipeline workers (``docledger serve``).

The workers are threads running ``Worker(ledger).run()``; on shutdown (Ctrl-C, SIGTERM or
``stop()``) each one finishes its current delivery and exits; the caller closes the ledger.
No-auth mode is refused on any address other than loopback, so an unauthenticated ledger
is never reachable from the network by accident.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from docledger.api.app import create_app
from docledger.exceptions import ConfigurationError
from docledger.ledger import Ledger
from docledger.worker.runner import Worker

log = logging.getLogger("docledger.serve")


def check_bind(host: str, auth_required: bool) -> None:
    """Refuse no-auth mode unless bound to a loopback address."""
    if auth_required:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ConfigurationError(
            f"refusing to serve without authentication on {host}",
            hint="Bind to 127.0.0.1 for local no-auth use, or keep authentication on (create tokens with "
            "`docledger token create`).",
        )


@dataclass
class RunningServer:
    """A uvicorn server and its worker threads, started in the background."""

    server: uvicorn.Server
    thread: threading.Thread
    workers: list[Worker] = field(default_factory=list)
    worker_threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        cfg = self.server.config
        return f"http://{cfg.host}:{cfg.port}"

    def stop(self, timeout: float = 30.0) -> None:
        for w in self.workers:
            w.stop_requested.set()
        self.server.should_exit = True
        self.thread.join(timeout)
        for t in self.worker_threads:
            t.join(timeout)


def start_workers(ledger: Ledger, n: int) -> tuple[list[Worker], list[threading.Thread]]:
    workers = [Worker(ledger, worker_id=f"serve-{i}") for i in range(n)]
    threads = []
    for i, w in enumerate(workers):

        def loop(worker: Worker = w) -> None:
            while not worker.stop_requested.is_set():
                try:
                    worker.run()
                except Exception:  # keep serving; the delivery's lease expires and is retried
                    log.exception("worker %s crashed; restarting in 1 s", worker.worker_id)
                    worker.stop_requested.wait(1.0)

        t = threading.Thread(target=loop, name=f"docledger-worker-{i}", daemon=True)
        t.start()
        threads.append(t)
    return workers, threads


def _config(ledger: Ledger, host: str, port: int, auth_required: bool) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(ledger, auth_required=auth_required),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def start_server(
    ledger: Ledger,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers_in_process: int = 1,
    auth_required: bool = True,
    timeout: float = 15.0,
) -> RunningServer:
    """Start uvicorn and the workers in background threads; returns once the socket accepts."""
    check_bind(host, auth_required)
    server = uvicorn.Server(_config(ledger, host, port, auth_required))
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # not the main thread
    thread = threading.Thread(target=server.run, name="docledger-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ConfigurationError(
                f"the API server did not start on {host}:{port}",
                hint="Is the port already in use? Pick another with --port.",
            )
        time.sleep(0.02)
    workers, threads = start_workers(ledger, workers_in_process)
    return RunningServer(server, thread, workers, threads)


def serve(
    ledger: Ledger,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers_in_process: int = 1,
    auth_required: bool = True,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until interrupted, with ``workers_in_process`` pipeline worker threads.

    ``on_listening`` is called with the base URL once the socket accepts connections."""
    check_bind(host, auth_required)
    _ = ledger.stages  # discover stages (and fail early) before accepting uploads
    workers, threads = start_workers(ledger, workers_in_process)
    server = uvicorn.Server(_config(ledger, host, port, auth_required))
    if on_listening is not None:

        def announce() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                on_listening(f"http://{host}:{port}")

        threading.Thread(target=announce, name="docledger-announce", daemon=True).start()
    try:
        server.run()
    finally:
        for w in workers:
            w.stop_requested.set()
        for t in threads:
            t.join(60.0)
