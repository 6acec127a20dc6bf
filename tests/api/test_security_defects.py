"""Regression tests for the defects and security findings of the access review (each failed before its fix)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docledger.api import create_app
from docledger.api.limits import RateLimiter
from docledger.auth import create_token
from docledger.exceptions import UnprocessableDocument
from docledger.ledger import Ledger
from docledger.settings import Settings
from docledger.stages.base import Stage, StageContext
from docledger.worker.runner import Worker

from .conftest import World, settings_for, upload
from .helpers import make_pdf
from .test_web_ui import _csrf, signed_in


def _cli(world: World, *args: str, **env: str) -> Any:
    from docledger.cli.main import app

    return CliRunner().invoke(app, list(args), env={"DOCLEDGER_HOME": str(world.ledger.settings.home), **env})


# ---- defect 1 and PII in e-mail addresses --------------------------------------------------------------
def test_a_document_can_be_redacted_again_and_person_covers_their_email(world: World) -> None:
    lines = ["Patient Zhang Wei was seen on Monday.", "Write to Zhang.Wei@example.com about the results."]
    doc = upload(
        world.client, world.h("operator"), "zhang.pdf", make_pdf(lines), "application/pdf", classification="restricted"
    ).json()["documents"][0]["document_id"]
    world.process()  # restricted: redacted once by policy
    for _ in range(2):  # and twice more on request
        r = world.client.post(f"/v1/documents/{doc}/redactions", headers=world.h("admin"), json={"types": ["PERSON"]})
        assert r.status_code == 202, r.text
        world.process()
    st = world.client.get(f"/v1/documents/{doc}/operations", headers=world.h("admin")).json()
    assert st["status"] == "SUCCEEDED", st
    assert not [d for d in world.ledger.dead_letters() if d["document_id"] == doc]
    arts = world.client.get(
        f"/v1/documents/{doc}/artifacts", headers=world.h("admin"), params={"kind": "redacted-text"}
    ).json()["artifacts"]
    assert len(arts) == 3 and len({a["key"] for a in arts}) == 3
    last = world.client.get(arts[-1]["content_url"], headers=world.h("admin")).text
    assert "Zhang" not in last and "example.com" not in last and "[EMAIL_ADDRESS]" in last


# ---- defect 2 --------------------------------------------------------------------------------------------
def test_graph_of_one_document(world: World) -> None:
    r = world.client.get("/v1/graph", params={"document_id": world.docs["pdf"]}, headers=world.h("reader"))
    assert r.status_code == 200, r.text
    assert r.json()["nodes"][0]["id"] == world.docs["pdf"]
    out = _cli(world, "graph", "--doc", world.docs["pdf"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["nodes"][0]["id"] == world.docs["pdf"]


# ---- defect 4 --------------------------------------------------------------------------------------------
def test_classification_change_to_restricted_redacts_and_is_on_the_timeline(world: World) -> None:
    doc = upload(
        world.client,
        world.h("operator"),
        "later.pdf",
        make_pdf(["Applicant Maria Garcia", "SSN 078-05-1120 on the form."]),
        "application/pdf",
        classification="internal",
    ).json()["documents"][0]["document_id"]
    world.process()
    arts = world.client.get(f"/v1/documents/{doc}/artifacts", headers=world.h("admin")).json()["artifacts"]
    assert not [a for a in arts if a["kind"] == "redacted-text"]
    r = world.client.patch(
        f"/v1/documents/{doc}/ownership", headers=world.h("admin"), json={"classification": "restricted"}
    )
    assert r.status_code == 200
    world.process()
    st = world.client.get(f"/v1/documents/{doc}/operations", headers=world.h("admin")).json()
    assert any(t["stage"] == "redact" and "by policy" in t["message"] for t in st["timeline"])
    assert st["status"] == "SUCCEEDED"
    red = world.client.get(
        f"/v1/documents/{doc}/artifacts", headers=world.h("admin"), params={"kind": "redacted-text"}
    ).json()["artifacts"]
    assert red and "078-05-1120" not in world.client.get(red[-1]["content_url"], headers=world.h("admin")).text


# ---- defect 5 --------------------------------------------------------------------------------------------
def test_unknown_values_are_422_naming_the_field(world: World) -> None:
    doc = world.docs["pdf"]
    r = world.client.post(f"/v1/documents/{doc}/redactions", headers=world.h("reviewer"), json={"types": ["NOPE"]})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert "types" in r.json()["detail"] and "NOPE" in r.json()["detail"]
    r = world.client.patch(f"/v1/documents/{doc}/ownership", headers=world.h("reviewer"), json={"tenant": "x"})
    assert r.status_code == 422 and "tenant" in r.json()["detail"]
    r = world.client.get("/v1/documents", params={"cursor": "garbage"}, headers=world.h("reader"))
    assert r.status_code == 422 and "cursor" in r.json()["detail"]
    out = _cli(world, "redact", doc, "--types", "NOPE", "--no-wait")
    assert out.exit_code == 2 and "NOPE" in out.output


# ---- defect 6 --------------------------------------------------------------------------------------------
def test_token_revoke_of_an_unknown_id_fails_and_create_returns_the_id(world: World) -> None:
    out = _cli(world, "token", "revoke", "tok_does_not_exist")
    assert out.exit_code == 3 and "no active token tok_does_not_exist" in out.output
    made = _cli(world, "token", "create", "--principal", "cli-made", "--tenant", "acme", "--json")
    assert made.exit_code == 0, made.output
    body = json.loads(made.output)
    assert body["token_id"].startswith("tok_") and body["token"].startswith("dl_")
    assert _cli(world, "token", "revoke", body["token_id"]).exit_code == 0
    assert _cli(world, "token", "revoke", body["token_id"]).exit_code == 3  # already revoked


# ---- defect 9 --------------------------------------------------------------------------------------------
def test_cli_output_is_not_wrapped_when_piped() -> None:
    code = (
        "from docledger.cli.common import console; "
        "console.print('UI: http://127.0.0.1:8000/   login token: dl_' + 'x' * 60)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.count("\n") == 1 and out.strip().endswith("x" * 60)


def test_library_warnings_go_to_the_log_not_the_console(tmp_path: Path) -> None:
    code = (
        "import logging; from docledger.cli.common import log_to_file; "
        f"log_to_file({str(tmp_path)!r}); logging.getLogger('ocrmypdf').warning('PDF/A conversion note')"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr == "" and run.stdout == ""
    log = tmp_path / "docledger.log"
    assert "PDF/A conversion note" in log.read_text() and stat.S_IMODE(log.stat().st_mode) == 0o600


# ---- sign-out ends the session -------------------------------------------------------------------------------
def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(world: World) -> None:
    c = signed_in(world, "reader")
    cookie = c.cookies.get("docledger_session")
    copy = TestClient(create_app(world.ledger), follow_redirects=False, cookies={"docledger_session": cookie})
    assert copy.get("/ui/documents").status_code == 200
    page = c.get("/ui/documents").text
    assert c.post("/ui/logout", data={"csrf": _csrf(page)}).status_code == 303
    r = copy.get("/ui/documents")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


# ---- data at rest ------------------------------------------------------------------------------------------
def test_home_ledger_and_blobs_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        ledger = Ledger(Settings(home=tmp_path / "home"), stages={})
        src = tmp_path / "in.txt"
        src.write_text("account 12345")
        ledger.ingest_path(src)
        ledger.close()
    finally:
        os.umask(old)
    home = tmp_path / "home"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "ledger.sqlite3" for p in files) and any(p.parent.parent.parent.name == "blobs" for p in files)
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    for d in (p for p in home.rglob("*") if p.is_dir()):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d


# ---- no existence oracle, no server paths ------------------------------------------------------------------
def test_foreign_and_missing_artifacts_answer_the_same_404(world: World) -> None:
    arts = world.client.get(f"/v1/documents/{world.docs['globex']}/artifacts", headers=world.h("globex")).json()
    art = arts["artifacts"][0]["artifact_id"]
    for suffix in ("", "/content", "/lineage"):
        foreign = world.client.get(f"/v1/artifacts/{art}{suffix}", headers=world.h("reader"))
        missing = world.client.get(f"/v1/artifacts/art_nope{suffix}", headers=world.h("reader"))
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == json.loads(missing.text.replace("art_nope", art))


class LosesItsFile(Stage):
    name = "loses-file"
    version = "1.0"
    subscribes = ("document.registered",)

    def process(self, ctx: StageContext) -> None:
        blob = self.settings.blob_dir / "ab" / "cd" / "abcdef0123"
        if ctx.document["name"].startswith("terminal"):
            raise UnprocessableDocument(f"cannot open {blob}", code="corrupt_file")
        raise FileNotFoundError(2, "No such file or directory", str(blob))


def test_no_server_paths_in_dead_letters_and_timelines(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "home")
    ledger = Ledger(settings, stages={"loses-file": LosesItsFile(settings)})
    token = create_token(ledger, "root", ["*"], "admin")
    for name in ("a.txt", "terminal.txt"):
        (tmp_path / name).write_text(name)
        ledger.ingest_path(tmp_path / name)
    Worker(ledger, worker_id="t").run(until_idle=True)
    home = str(settings.home.resolve())
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ledger)) as client:
        dlq = client.get("/v1/dlq", headers=h)
        assert dlq.json()["dead_letters"] and "abcdef0123" in dlq.text and home not in dlq.text
        for d in client.get("/v1/documents", headers=h).json()["documents"]:
            for url in (
                f"/v1/documents/{d['document_id']}/operations",
                f"/v1/documents/{d['document_id']}",
                f"/v1/documents/{d['document_id']}/lineage",
            ):
                body = client.get(url, headers=h).text
                assert home not in body and "/blobs/" not in body, url
        c = TestClient(create_app(ledger), follow_redirects=False)
        page = c.get("/ui/login")
        c.post("/ui/login", data={"token": token, "csrf": _csrf(page.text), "next": "/ui/"})
        assert home not in c.get("/ui/dlq").text
    ledger.close()


# ---- bounded work per request -----------------------------------------------------------------------------
def test_request_body_and_paragraph_caps_are_413_problems(tmp_path: Path) -> None:
    assert Settings().max_request_bytes < 1024**3
    ledger = Ledger(settings_for(tmp_path / "h", max_request_bytes=50_000, max_paragraph_chars=200), stages={})
    token = create_token(ledger, "op", ["acme"], "operator")
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ledger)) as client:
        r = upload(client, h, "big.pdf", b"%PDF-1.4\n" + b"0" * 60_000, "application/pdf")
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
        assert "50000-byte limit" in r.json()["detail"]
        body = {"input_sentence": "chest pain", "input_paragraph": "He has chest pain. " * 20}
        r = client.post("/invocations", json=body, headers=h)
        assert r.status_code == 413 and r.json()["code"] == "too_large" and "200-character" in r.json()["detail"]
        r = client.post("/v1/match", json={"restatement": "x", "paragraph": "y. " * 100}, headers=h)
        assert r.status_code == 413
    ledger.close()


def test_expensive_endpoints_are_rate_limited_per_token(world: World) -> None:
    app = create_app(world.ledger)
    app.state.rate_limiter = RateLimiter(3)
    with TestClient(app) as client:
        codes = [
            client.get("/v1/search", params={"q": "invoice"}, headers=world.h("reader")).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        r = client.get("/v1/search", params={"q": "invoice"}, headers=world.h("reader"))
        assert r.headers["content-type"] == "application/problem+json" and r.json()["code"] == "rate_limited"
        assert int(r.headers["retry-after"]) >= 1
        # another token has its own budget
        assert client.get("/v1/search", params={"q": "invoice"}, headers=world.h("operator")).status_code == 200
        body = {"restatement": "chest pain", "paragraph": "He has chest pain. He sleeps well."}
        codes = [client.post("/v1/match", json=body, headers=world.h("reviewer")).status_code for _ in range(4)]
        assert codes[-1] == 429
        inv = {"input_sentence": "chest pain", "input_paragraph": "He has chest pain. He sleeps well."}
        codes = [client.post("/invocations", json=inv, headers=world.h("both")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("who", ["reader"])
def test_cli_token_acts_as_its_principal(world: World, who: str) -> None:
    out = _cli(world, "list", "--json", DOCLEDGER_TOKEN=world.tokens[who])
    ids = {json.loads(line)["document_id"] for line in out.output.splitlines()}
    assert world.docs["globex"] not in ids and world.docs["pdf"] in ids


# ---- defect 8 --------------------------------------------------------------------------------------------
def test_docs_work_offline_favicon_and_openapi_problem_responses(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200 and "/v1/documents/{document_id}/redactions" in page.text
    assert "cdn" not in page.text.lower() and "<script" not in page.text
    assert not re.search(r'(src|href)="https?://', page.text)
    icon = world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/")
    spec = world.client.get("/openapi.json").json()
    op = spec["paths"]["/v1/documents/{document_id}"]["get"]["responses"]
    for code in ("400", "401", "403", "404", "413", "422", "429"):
        assert "application/problem+json" in op[code]["content"], code
    cursor = next(p for p in spec["paths"]["/v1/documents"]["get"]["parameters"] if p["name"] == "cursor")
    assert "pattern" in json.dumps(cursor["schema"])


def test_serve_prints_where_it_listens(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DOCLEDGER_HOME": str(tmp_path / "home"), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    env.pop("DOCLEDGER_DATABASE_URL", None)
    exe = str(Path(sys.executable).parent / "docledger")
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"listening on http://127.0.0.1:{port}/" in line, line
    finally:
        proc.terminate()
        proc.wait(30)


# ---- defect 7: upload names are capped -------------------------------------------------------------------------
def test_upload_names_are_capped_keeping_the_extension(world: World) -> None:
    name = "scan_" + "y" * 900 + ".pdf"
    r = upload(world.client, world.h("operator"), name, make_pdf(["Name cap check"]), "application/pdf")
    assert r.status_code == 202, r.text
    doc = world.client.get(r.json()["documents"][0]["document_url"], headers=world.h("operator")).json()
    assert len(doc["name"]) <= 200 and doc["name"].startswith("scan_yyy") and doc["name"].endswith(".pdf")


def test_ui_search_and_match_share_the_rate_limit(world: World) -> None:
    c = signed_in(world, "operator")
    c.app.state.rate_limiter = RateLimiter(2)  # type: ignore[attr-defined]
    pages = [c.get("/ui/search", params={"q": "invoice"}) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert "too many search requests" in pages[-1].text and "too many" not in pages[0].text
