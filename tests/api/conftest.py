"""One processed ledger for the API tests (models load once).

Documents in tenants "acme" and "globex", and one token per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from docledger.api import create_app
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.worker.runner import Worker

from .helpers import PARAGRAPH, installed_stages, make_pdf, make_png

MAX_FILE_BYTES = 300_000


@dataclass
class World:
    ledger: Ledger
    client: TestClient
    tokens: dict[str, str]
    docs: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def process(self) -> None:
        Worker(self.ledger, worker_id="test").run(until_idle=True)


def settings_for(home: Path, **kw: Any) -> Settings:
    return Settings(
        home=home,
        database_url=kw.pop("database_url", None),
        max_file_bytes=MAX_FILE_BYTES,
        max_attempts=2,
        backoff_base_seconds=0.0,
        poll_interval_seconds=0.05,
        **kw,
    )


def upload(client: TestClient, headers: dict[str, str], name: str, data: bytes, media: str, **form: str) -> Any:
    return client.post("/v1/documents", headers=headers, files=[("file", (name, data, media))], data=form)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = settings_for(tmp_path_factory.mktemp("ledger"))
    ledger = Ledger(settings, stages=installed_stages(settings))
    tokens = {
        "admin": create_token(ledger, "root", ["*"], "admin"),
        "reader": create_token(ledger, "rita", ["acme"], "reader"),
        "operator": create_token(ledger, "otto", ["acme"], "operator"),
        "reviewer": create_token(ledger, "rev", ["acme"], "reviewer"),
        "globex": create_token(ledger, "gina", ["globex"], "operator"),
        "both": create_token(ledger, "bo", ["acme", "globex"], "reader"),
    }
    client = TestClient(create_app(ledger))
    w = World(ledger, client, tokens, {})
    op, gx = w.h("operator"), w.h("globex")
    pdf = make_pdf(["Invoice 2024-0042 issued to John Smith", "Total due: 45.50 EUR", *PARAGRAPH.split(". ")])
    w.docs["pdf"] = upload(
        client, op, "invoice.pdf", pdf, "application/pdf", owner="alice", classification="confidential"
    ).json()["documents"][0]["document_id"]
    w.docs["png"] = upload(
        client, op, "scan.png", make_png(["Policy number 7731", "Holder Jane Doe"]), "image/png"
    ).json()["documents"][0]["document_id"]
    w.docs["garbage"] = upload(
        client, op, "notes.pdf", b"this is not a pdf at all \x00\x01\x02" * 20, "application/pdf"
    ).json()["documents"][0]["document_id"]
    w.docs["globex"] = upload(
        client, gx, "globex.pdf", make_pdf(["Globex confidential memo"]), "application/pdf"
    ).json()["documents"][0]["document_id"]
    # The confidential invoice is owned by alice; the acme principals of these tests are its listed
    # readers, so they see it in full (tests/api/test_access_policy.py covers unlisted principals).
    ledger.update_ownership(w.docs["pdf"], actor="setup", readers=["rita", "otto", "rev", "bo"])
    w.process()
    yield w
    client.close()
    ledger.close()
