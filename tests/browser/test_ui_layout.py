"""Long names, long errors and wide extracted tables must not make pages scroll sideways at 390 px."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.helpers import installed_stages
from docledger.api.server import RunningServer, start_server
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.stages.base import Stage, StageContext
from docledger.worker.runner import Worker

from .conftest import ARGS, CHROMIUM, Site, _free_port
from .test_ui_flow import no_horizontal_overflow, sign_in

pytestmark = pytest.mark.slow
LONG_NAME = "statement_" + "x" * 230 + ".pdf"


class Crashes(Stage):
    """Dead-letters documents whose name starts with ``dead`` with a long, unbreakable error."""

    name = "crashes"
    version = "1.0"
    subscribes = ("document.registered",)

    def process(self, ctx: StageContext) -> None:
        if ctx.document["name"].startswith("dead"):
            raise RuntimeError("unreadable:" + "Q" * 300)


def _wide_table_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4))
    c.setFont("Helvetica", 8)
    rows = [[f"Column{k}" for k in range(8)]] + [[f"value_{r}_{k}_ABCDEFGHIJ" for k in range(8)] for r in range(3)]
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            c.rect(30 + k * 95, 500 - r * 18, 95, 18)
            c.drawString(33 + k * 95, 505 - r * 18, cell)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    settings = Settings(
        home=tmp_path_factory.mktemp("wide"),
        database_url=None,
        poll_interval_seconds=0.1,
        max_attempts=1,
        backoff_base_seconds=0.0,
    )
    stages = {**installed_stages(settings), "crashes": Crashes(settings)}
    ledger = Ledger(settings, stages=stages)
    token = create_token(ledger, "olivia", ["acme"], "reviewer")
    ledger.ingest_bytes(_wide_table_pdf(), LONG_NAME, tenant="acme")
    ledger.ingest_bytes(b"dead letter", "dead.txt", tenant="acme")
    Worker(ledger).run(until_idle=True)
    assert ledger.dead_letters(), "the crashing stage should have dead-lettered dead.txt"
    running: RunningServer = start_server(ledger, "127.0.0.1", _free_port(), workers_in_process=0)
    try:
        yield Site(running.url, ledger, token, "", tmp_path_factory.mktemp("shots"))
    finally:
        running.stop()
        ledger.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_long_names_errors_and_tables_do_not_widen_pages(wide_site: Site, chromium: Any, width: int) -> None:
    doc = next(d for d in wide_site.ledger.list_documents(tenant="acme") if d["name"] == LONG_NAME)
    ctx = chromium.new_context(viewport={"width": width, "height": 844})
    page = ctx.new_page()
    for path in ("/ui/documents", "/ui/", "/ui/dlq", f"/ui/documents/{doc['document_id']}"):
        if path == "/ui/documents":
            sign_in(page, wide_site, path)
        else:
            page.goto(wide_site.url + path)
        assert no_horizontal_overflow(page), f"{path} scrolls sideways at {width} px"
    page.goto(wide_site.url + "/ui/documents")
    link = page.locator(f'a[title="{LONG_NAME}"]')
    assert link.count() == 1 and link.bounding_box()["width"] < width  # truncated, full name in the tooltip
    ctx.close()
