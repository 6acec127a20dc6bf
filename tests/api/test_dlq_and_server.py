"""Dead-letter queue over the API (with a real plugin stage that always fails) and the server runner."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from docledger.api import create_app
from docledger.api.server import check_bind, start_server
from docledger.auth import create_token
from docledger.exceptions import ConfigurationError
from docledger.ledger import Ledger
from docledger.models import Events
from docledger.stages.base import Stage, StageContext
from docledger.worker.runner import Worker

from .conftest import settings_for
from .helpers import make_pdf


class AlwaysFails(Stage):
    """A plugin whose dependency is down: every attempt raises, so deliveries end in the DLQ."""

    name = "always-fails"
    version = "0.1.0"
    subscribes: ClassVar[tuple[str, ...]] = (Events.REGISTERED,)

    def process(self, ctx: StageContext) -> None:
        raise RuntimeError("the downstream archive is unreachable")


def test_dead_letters_list_and_replay_scoped_by_tenant(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    ledger = Ledger(settings, stages={"always-fails": AlwaysFails(settings)})
    try:
        op = {"Authorization": f"Bearer {create_token(ledger, 'ops', ['acme'], 'operator')}"}
        other = {"Authorization": f"Bearer {create_token(ledger, 'x', ['globex'], 'operator')}"}
        c = TestClient(create_app(ledger))
        r = c.post("/v1/documents", headers=op, files=[("file", ("a.pdf", make_pdf(["dlq"]), "application/pdf"))])
        doc_id = r.json()["documents"][0]["document_id"]
        Worker(ledger).run(until_idle=True)
        dead = c.get("/v1/dlq", headers=op).json()["dead_letters"]
        assert len(dead) == 1 and dead[0]["document_id"] == doc_id and dead[0]["subscriber"] == "always-fails"
        assert "unreachable" in dead[0]["error"] and dead[0]["attempts"] == 2
        assert c.get("/v1/dlq", headers=other).json()["dead_letters"] == []
        assert c.get("/v1/operations/summary", headers=op).json()["dlq_size"] == 1
        assert "docledger_dlq_size 1" in c.get("/metrics", headers=op).text
        delivery = dead[0]["delivery_id"]
        assert c.post(f"/v1/dlq/{delivery}/replay", headers=other).status_code == 404
        r = c.post(f"/v1/dlq/{delivery}/replay", headers=op)
        assert r.status_code == 200 and r.json() == {"replayed": [delivery]}
        assert c.get("/v1/dlq", headers=op).json()["dead_letters"] == []
        timeline = c.get(f"/v1/documents/{doc_id}/operations", headers=op).json()["timeline"]
        assert timeline[-1]["status"] == "replayed" and "ops replayed delivery" in timeline[-1]["message"]
    finally:
        ledger.close()


def test_no_auth_refused_off_loopback() -> None:
    with pytest.raises(ConfigurationError, match="refusing to serve without authentication on 0.0.0.0"):
        check_bind("0.0.0.0", auth_required=False)
    check_bind("127.0.0.1", auth_required=False)
    check_bind("::1", auth_required=False)
    check_bind("0.0.0.0", auth_required=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_processes_uploads_with_in_process_workers(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    from .helpers import installed_stages

    ledger = Ledger(
        settings,
        stages={k: v for k, v in installed_stages(settings).items() if k in ("classify", "extract-text")},
    )
    running = start_server(ledger, "127.0.0.1", _free_port(), workers_in_process=1, auth_required=False)
    try:
        with httpx.Client(base_url=running.url, timeout=10) as c:
            r = c.post("/v1/documents", files=[("file", ("s.pdf", make_pdf(["served"]), "application/pdf"))])
            assert r.status_code == 202
            url = r.json()["documents"][0]["document_url"]
            import time

            deadline = time.monotonic() + 30
            while c.get(url).json()["status"] not in ("SUCCEEDED", "PARTIAL", "FAILED"):
                assert time.monotonic() < deadline, "upload was not processed by the in-process worker"
                time.sleep(0.1)
            assert c.get(url).json()["status"] == "SUCCEEDED"
    finally:
        running.stop()
        ledger.close()
    assert not running.thread.is_alive() and not any(t.is_alive() for t in running.worker_threads)
