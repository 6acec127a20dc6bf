"""The reviewer's pages in a real browser: the queue, a task with the page image and the value's box,
accept with Enter, correct by typing + Enter, the next task following, and the accuracy dashboard."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docledger.api.server import start_server
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.services.export import document_export
from docledger.settings import Settings
from docledger.stages import discover
from docledger.stages.review import ReviewStage
from docledger.worker.runner import Worker
from review_forms import NaiveFields, make_payroll_pdf, payroll_values

from .conftest import ARGS, CHROMIUM, _free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    settings = Settings(home=tmp_path_factory.mktemp("review-ledger"), database_url=None, poll_interval_seconds=0.1)
    stages = discover(settings, only=["classify", "extract-text"])
    naive = NaiveFields(settings)
    naive.unsure = ("net_pay",)
    stages.update({"fields": naive, "review": ReviewStage(settings)})
    ledger = Ledger(settings, stages=stages)
    rng = random.Random(3)
    docs = {}
    for i in range(2):
        values = payroll_values(rng)
        doc = ledger.ingest_bytes(make_payroll_pdf(values), f"statement-{i}.pdf", tenant="acme").document_id
        docs[doc] = values
    Worker(ledger).run(until_idle=True)
    token = create_token(ledger, "rosa", ["acme"], "operator")
    running = start_server(ledger, "127.0.0.1", _free_port(), workers_in_process=1)
    shots = Path(os.environ.get("DOCLEDGER_SCREENSHOTS") or tmp_path_factory.mktemp("review-shots"))
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield {"url": running.url, "ledger": ledger, "token": token, "docs": docs, "shots": shots}
    finally:
        running.stop()
        ledger.close()


def test_review_tasks_with_the_keyboard(review_site: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    url, ledger, docs = review_site["url"], review_site["ledger"], review_site["docs"]
    assert {ledger.get_document(d)["status"] for d in docs} == {"NEEDS_REVIEW"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(url + "/ui/review")
        page.get_by_label("API token").fill(review_site["token"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(url + "/ui/review")
        assert page.locator("#review-tasks tbody tr").count() == 4
        page.locator("#start-review").click()

        seen = []
        for _ in range(4):
            page.wait_for_url(re.compile(r"/ui/review/rvw_"))
            field = page.locator("h1 code").inner_text()
            doc_link = page.locator("p.muted a[href^='/ui/documents/']").first.get_attribute("href")
            doc = doc_link.rsplit("/", 1)[-1]
            seen.append((doc, field))
            page.wait_for_function(
                "() => { const i = document.querySelector('.review-page img');"
                " return i && i.complete && i.naturalWidth > 0; }",
                timeout=20_000,
            )
            box = page.locator("#value-box")
            value = page.locator("#review-value")
            assert value.evaluate("el => el === document.activeElement"), "the value field has the focus"
            if field == "net_pay":
                img = page.locator(".review-page img").bounding_box()
                b = box.bounding_box()
                assert img and b and img["x"] <= b["x"] and b["x"] + b["width"] <= img["x"] + img["width"]
                assert b["y"] >= img["y"] and b["y"] + b["height"] <= img["y"] + img["height"]
                # the box sits over the net pay line: upper part of the page, left half
                assert (b["y"] - img["y"]) / img["height"] < 0.35 and (b["x"] - img["x"]) / img["width"] < 0.5
                assert page.locator("#extracted-value").inner_text() == docs[doc]["net_pay"]
                assert page.locator("#extracted-confidence").inner_text().startswith("0.60")
                page.screenshot(path=str(review_site["shots"] / "review-task.png"), full_page=True)
                value.press("Enter")  # accept as it is
            else:
                assert field == "employee_number" and box.count() == 0
                value.fill(docs[doc]["employee_number"])
                value.press("Enter")  # correct
        page.wait_for_url(url + "/ui/review?done=1")
        assert "All caught up" in page.locator("#queue-done").inner_text()
        assert sorted(seen) == sorted((d, f) for d in docs for f in ("net_pay", "employee_number"))

        for doc, values in docs.items():
            assert ledger.get_document(doc)["status"] == "SUCCEEDED"
            exported = document_export(ledger, doc)
            assert exported["fields"]["employee_number"] == values["employee_number"]
            emp = next(f for f in exported["extracted_fields"]["fields"] if f["field"] == "employee_number")
            assert emp["corrected_by"] == "rosa" and emp["extracted_value"] is None
            net = next(f for f in exported["extracted_fields"]["fields"] if f["field"] == "net_pay")
            assert net["review"] == "accepted" and net["value"] == values["net_pay"]

        first = next(iter(docs))
        page.goto(url + f"/ui/documents/{first}")
        table = page.locator("#reviewed-fields").inner_text()
        assert "corrected by rosa" in table and "accepted by rosa" in table and "straight through" in table

        page.goto(url + "/ui/review/accuracy")
        cards = page.locator("#accuracy-cards").inner_text()
        assert "10 fields routed" in cards.replace("\n", " ") and "60 % straight through" in cards.replace("\n", " ")
        rows = page.locator("#accuracy-fields tbody tr")
        assert rows.count() == 5
        emp_row = page.locator("#accuracy-fields tbody tr", has_text="employee_number").inner_text()
        assert "100 %" in emp_row  # corrected share
        assert page.locator("svg.outcomes-field .seg-corrected").count() == 1
        assert page.locator("svg.outcomes-field .seg-accepted").count() == 1
        assert page.locator("svg.reliability .bin").count() == 2  # 0.0 (corrected) and 0.6 (accepted)
        assert page.locator("svg.trend .pt-straight_through").count() == 1
        assert page.locator("svg.outcomes-model-version .seg-straight_through").count() == 1
        assert page.locator("#ece").inner_text() == "0.2"
        page.screenshot(path=str(review_site["shots"] / "review-accuracy.png"), full_page=True)
        browser.close()


@pytest.fixture(scope="module")
def loan_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo loan file (its PDFs) through classify, extract-text, the real fields stage and review."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from docledger.demo.loanfile import generate_loan_file

    home = tmp_path_factory.mktemp("loan-ledger")
    settings = Settings(home=home, database_url=None, poll_interval_seconds=0.1)
    stages = discover(settings, only=["classify", "extract-text", "fields", "review"])
    ledger = Ledger(settings, stages=stages)
    for p in generate_loan_file(home / "loan"):
        if p.suffix == ".pdf":
            ledger.ingest_path(p, tenant="lending")
    Worker(ledger).run(until_idle=True)
    token = create_token(ledger, "uma", ["lending"], "reviewer")
    running = start_server(ledger, "127.0.0.1", _free_port(), workers_in_process=1)
    try:
        yield {"url": running.url, "ledger": ledger, "token": token}
    finally:
        running.stop()
        ledger.close()


def test_a_loan_package_is_reviewed_in_the_browser(loan_site: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    from docledger.services.review import list_tasks

    url, ledger = loan_site["url"], loan_site["ledger"]
    tasks = list_tasks(ledger, tenants=None, detail=True)
    assert tasks and {ledger.get_document(t["document_id"])["status"] for t in tasks} == {"NEEDS_REVIEW"}
    waiting = {t["document_id"] for t in tasks}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(url + "/ui/review")
        page.get_by_label("API token").fill(loan_site["token"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(url + "/ui/review")
        page.locator("#start-review").click()
        corrected = None
        for i in range(len(tasks)):
            page.wait_for_url(re.compile(r"/ui/review/rvw_"))
            task_id = page.url.rsplit("/", 1)[-1]
            task = next(t for t in tasks if t["task_id"] == task_id)
            if task["bbox"]:
                page.wait_for_function(
                    "() => { const i = document.querySelector('.review-page img');"
                    " return i && i.complete && i.naturalWidth > 0; }",
                    timeout=20_000,
                )
                assert page.locator("#value-box").is_visible()
            value = page.locator("#review-value")
            if i == 0:
                corrected = (task, "corrected in the browser")
                value.fill(corrected[1])
            value.press("Enter")
        page.wait_for_url(url + "/ui/review?done=1")
        browser.close()
    assert {ledger.get_document(d)["status"] for d in waiting} == {"SUCCEEDED"}
    assert corrected is not None
    exported = document_export(ledger, corrected[0]["document_id"])
    detail = next(d for d in exported["field_details"] if d.get("review") == "corrected")
    assert detail["name"] == corrected[0]["field"] and detail["value"] == corrected[1]
    assert detail["corrected_by"] == "uma" and detail["extracted_value"] == corrected[0]["value"]
