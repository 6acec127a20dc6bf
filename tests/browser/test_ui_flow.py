"""End to end in a real browser: sign in, upload, watch processing, lineage, matching, tenant isolation.

Screenshots at 1280 px and 390 px go to $DOCLEDGER_SCREENSHOTS (or a pytest temp folder).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from api.helpers import PARAGRAPH, make_pdf, make_png

from .conftest import Site

pytestmark = pytest.mark.slow


def sign_in(page: Any, site: Site, path: str = "/ui/") -> None:
    page.goto(site.url + path)
    assert "/ui/login" in page.url
    page.get_by_label("API token").fill(site.token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(site.url + path) + r"$"))


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_full_flow_at_1280(site: Site, browser: Any, tmp_path: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(site.url + "/ui/")
    page.screenshot(path=str(site.shots / "1280-login.png"))
    sign_in(page, site, "/ui/documents")

    pdf = tmp_path / "lab-report.pdf"
    pdf.write_bytes(
        make_pdf(
            [
                "Laboratory report for Jane Doe",
                "John Smith met Jane Doe in Paris.",
                *[s + "." for s in PARAGRAPH.split(". ")],
            ]
        )
    )
    png = tmp_path / "claim-form.png"
    png.write_bytes(make_png(["Claim number 55310", "Insured Mark Twain"]))
    page.get_by_label(re.compile("^Files")).set_input_files([str(pdf), str(png)])
    page.get_by_role("button", name="Upload", exact=True).click()
    rows = page.locator("#uploads li")
    rows.nth(1).wait_for()
    for i in range(2):
        badge = rows.nth(i).locator(".badge")
        page.wait_for_function(
            "(el) => /^(SUCCEEDED|PARTIAL|FAILED)$/.test(el.textContent)",
            arg=badge.element_handle(),
            timeout=120_000,
        )
    states = {rows.nth(i).locator("a").inner_text(): rows.nth(i).locator(".badge").inner_text() for i in range(2)}
    assert states == {"lab-report.pdf": "SUCCEEDED", "claim-form.png": "SUCCEEDED"}, states
    page.screenshot(path=str(site.shots / "1280-documents-uploaded.png"), full_page=True)

    page.get_by_role("link", name="lab-report.pdf").click()
    page.wait_for_url(re.compile(r"/ui/documents/doc_"))
    doc_url = page.url
    assert page.locator("#doc-status").inner_text() == "SUCCEEDED"
    assert "Laboratory report for Jane Doe" in page.locator("pre.text").first.inner_text()
    page.wait_for_function(
        "() => { const i = document.querySelector('.pageimg img'); return i && i.complete && i.naturalWidth > 0; }",
        timeout=20_000,
    )
    page.screenshot(path=str(site.shots / "1280-document.png"), full_page=True)

    text_node = page.locator("svg.lineage a.node", has=page.locator("title", has_text=re.compile(r"^text ")))
    text_node.first.click()
    page.wait_for_url(re.compile(r"/artifacts/art_"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("text.txt")
    assert "Laboratory report" in page.locator("pre.preview").inner_text()
    assert page.get_by_role("link", name=re.compile("^Download ")).get_attribute("href").endswith("/download")
    assert "original" in page.locator("section", has=page.get_by_role("heading", name="Derived from")).inner_text()
    page.screenshot(path=str(site.shots / "1280-artifact.png"), full_page=True)

    # Keyboard: a lineage node is a focusable link that Enter follows.
    page.goto(doc_url)
    page.locator("svg.lineage a.node").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/artifacts/art_"))

    page.goto(site.url + "/ui/match")
    page.get_by_label("Restatement").fill("Troponin results came back normal.")
    page.get_by_label("a pasted paragraph").check()
    page.get_by_label("Paragraph", exact=True).fill(PARAGRAPH)
    page.get_by_role("button", name="Find matching sentences").click()
    results = page.locator("#match-results li")
    results.first.wait_for()
    assert results.count() == 5
    distances = [float(d) for d in page.locator("#match-results .distance").all_inner_texts()]
    assert len(distances) == 5 and all(0 <= d <= 2 for d in distances)  # ranks blend in word overlap
    ranks = [t.split(" ")[1] for t in page.locator("#match-results .muted").all_inner_texts()]
    assert ranks == ["1", "2", "3", "4", "5"]
    assert "Troponin" in results.first.locator("strong").inner_text()
    assert results.first.locator("mark").inner_text() == results.first.locator("strong").inner_text()
    page.screenshot(path=str(site.shots / "1280-match.png"), full_page=True)

    page.goto(site.url + "/ui/match")
    page.get_by_label("Restatement").fill("The troponin result was normal.")
    page.get_by_label("Document", exact=True).select_option(value=doc_url.rsplit("/", 1)[1])
    page.get_by_role("button", name="Find matching sentences").click()
    page.locator("#match-results li").first.wait_for()
    assert "Troponin" in page.locator("#match-results li strong").first.inner_text()

    response = page.goto(f"{site.url}/ui/documents/{site.other_tenant_doc}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert "Globex" not in page.content()
    page.screenshot(path=str(site.shots / "1280-other-tenant.png"))

    page.goto(site.url + "/ui/")
    assert page.locator(".stat.status-succeeded .n").inner_text() == "2"
    page.screenshot(path=str(site.shots / "1280-dashboard.png"), full_page=True)
    page.goto(site.url + "/ui/graph")
    page.get_by_label(re.compile("^Entity")).fill("Jane Doe")
    page.get_by_role("button", name="Show neighbours").click()
    neighbour = page.locator("svg.graph a", has=page.locator("title", has_text="John Smith"))
    assert neighbour.count() == 1
    page.screenshot(path=str(site.shots / "1280-graph.png"), full_page=True)
    neighbour.click()
    page.wait_for_url(re.compile(r"entity=John"))
    assert page.locator("svg.graph").count() == 1
    ctx.close()


@pytest.mark.parametrize("path", ["/ui/", "/ui/documents", "/ui/match", "/ui/dlq"])
def test_pages_fit_390px(site: Site, browser: Any, path: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = ctx.new_page()
    sign_in(page, site, path)
    assert no_horizontal_overflow(page), f"{path} scrolls sideways at 390 px"
    name = path.strip("/").replace("/", "-") or "ui"
    page.screenshot(path=str(site.shots / f"390-{name}.png"), full_page=True)
    ctx.close()


def test_document_detail_fits_390px(site: Site, browser: Any) -> None:
    doc = site.ledger.list_documents(tenant="acme", limit=1)
    if not doc:
        pytest.skip("the upload flow did not run first")
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    sign_in(page, site, f"/ui/documents/{doc[0]['document_id']}")
    assert no_horizontal_overflow(page)
    page.screenshot(path=str(site.shots / "390-document.png"), full_page=True)
    ctx.close()
