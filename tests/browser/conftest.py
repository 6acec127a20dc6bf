"""A real uvicorn server on a free 127.0.0.1 port with an in-process worker, and Debian's chromium."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from api.helpers import installed_stages, make_pdf  # noqa: E402
from docledger.api.server import RunningServer, start_server  # noqa: E402
from docledger.auth import create_token  # noqa: E402
from docledger.ledger import Ledger  # noqa: E402
from docledger.settings import Settings  # noqa: E402
from docledger.worker.runner import Worker  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Site:
    url: str
    ledger: Ledger
    token: str
    other_tenant_doc: str
    shots: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    shots = Path(os.environ.get("DOCLEDGER_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    settings = Settings(home=tmp_path_factory.mktemp("ledger"), database_url=None, poll_interval_seconds=0.1)
    ledger = Ledger(settings, stages=installed_stages(settings))
    token = create_token(ledger, "olivia", ["acme"], "reviewer")
    other = ledger.ingest_bytes(make_pdf(["Globex board minutes"]), "globex-minutes.pdf", tenant="globex").document_id
    Worker(ledger).run(until_idle=True)
    running: RunningServer = start_server(ledger, "127.0.0.1", _free_port(), workers_in_process=1)
    try:
        yield Site(running.url, ledger, token, other, shots)
    finally:
        running.stop()
        ledger.close()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()
