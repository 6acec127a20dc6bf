"""Data-quality rules and signed webhooks, with a real HTTP receiver on 127.0.0.1, on both stores."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import drain
from docledger.pipeline import open_ledger
from docledger.services import rules
from sample_documents import text_pdf

SECRET = "s3cret-for-tests"
PIPELINE = ["classify", "extract-text", "nlp", "rules", "notify", "redact"]


class Receiver:
    """An HTTP endpoint that records what it receives and checks the signature like a consumer would."""

    def __init__(self, port: int) -> None:
        self.port, self.received, self.server = port, [], None

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                ts = self.headers["x-docledger-timestamp"]
                expected = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                received.append(
                    {
                        "body": json.loads(body),
                        "valid": hmac.compare_digest(expected, self.headers["x-docledger-signature"]),
                        "id": self.headers["x-docledger-event-id"],
                    }
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rules_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(f"""
version: "2026.11.1"
webhooks:
  loan-ops: {{url: "http://127.0.0.1:{port}/hook", secret_env: DOCLEDGER_TEST_WEBHOOK_SECRET}}
rules:
  - name: pii-in-open-document
    when: {{pii_found: true, classification: [public, internal]}}
    then: {{reclassify: restricted, notify: [loan-ops]}}
  - name: retention-expiring
    when: {{retention_expiring_within_days: 30}}
    then: {{notify: [loan-ops]}}
""")
    return path


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOCLEDGER_TEST_WEBHOOK_SECRET", SECRET)
    r = Receiver(free_port())
    yield r
    r.stop()


def test_pii_in_an_internal_document_reclassifies_and_notifies_once(make_settings, tmp_path, receiver) -> None:
    receiver.start()
    ledger = open_ledger(make_settings(rules_file=rules_file(tmp_path, receiver.port)), only=PIPELINE)
    reg = ledger.ingest_path(
        text_pdf(tmp_path / "letter.pdf", [["Dear Mr. Daniel Okafor, your SSN 219-09-9999 is on file."]]),
        tenant="bank-a",
        owner="loan-ops",
        classification="internal",
    )
    clean = ledger.ingest_path(
        text_pdf(tmp_path / "notice.pdf", [["Branch opening hours change in May."]]),
        tenant="bank-a",
        classification="internal",
    )
    drain(ledger, timeout=240)
    doc = ledger.get_document(reg.document_id)
    assert doc["classification"] == "restricted"
    assert ledger.get_document(clean.document_id)["classification"] == "internal"
    assert len(receiver.received) == 1 and receiver.received[0]["valid"]
    event = receiver.received[0]["body"]
    assert event["subject"] == reg.document_id and event["data"]["rule"] == "pii-in-open-document"
    assert "US_SSN" in event["data"]["facts"]["pii_types"]
    timeline = " | ".join(t["message"] for t in ledger.status(reg.document_id)["timeline"])
    assert "rule pii-in-open-document fired" in timeline and "rule:pii-in-open-document changed" in timeline
    assert "redaction of all PII requested by policy" in timeline
    kinds = {a["kind"] for a in ledger.artifacts(reg.document_id)}
    assert {"rules-json", "notification-json"} <= kinds
    ledger.close()


def test_a_receiver_outage_delays_but_loses_nothing(make_settings, tmp_path, receiver) -> None:
    settings = make_settings(rules_file=rules_file(tmp_path, receiver.port), backoff_base_seconds=0.5, max_attempts=8)
    ledger = open_ledger(settings, only=PIPELINE)
    reg = ledger.ingest_path(
        text_pdf(tmp_path / "w.pdf", [["Applicant Maria Lindqvist, SSN 219-09-9999."]]),
        tenant="bank-a",
        classification="internal",
    )
    timer = threading.Timer(3.0, receiver.start)  # the receiver comes up only after the first attempts failed
    timer.start()
    try:
        drain(ledger, timeout=240)
    finally:
        timer.join()
    assert [r["body"]["subject"] for r in receiver.received] == [reg.document_id]
    log = next(a for a in ledger.artifacts(reg.document_id) if a["kind"] == "notification-json")
    assert json.loads(ledger.blobs.read(log["sha256"]))["attempt"] >= 2
    assert ledger.dead_letters() == []
    ledger.close()


def test_retention_reminders_are_sent_once(make_settings, tmp_path, receiver) -> None:
    receiver.start()
    ledger = open_ledger(
        make_settings(rules_file=rules_file(tmp_path, receiver.port)), only=["classify", "extract-text", "notify"]
    )
    reg = ledger.ingest_path(
        text_pdf(tmp_path / "p.pdf", [["Public rate sheet."]]), tenant="bank-a", classification="public"
    )
    drain(ledger, timeout=120)
    arrived = datetime.fromisoformat(ledger.get_document(reg.document_id)["arrived_at"].replace("Z", "+00:00"))
    near_expiry = arrived.timestamp() + (366 - 10) * 86400  # public documents are kept 366 days
    assert rules.tick(ledger, as_of=arrived.timestamp()) == []
    first = rules.tick(ledger, as_of=near_expiry)
    assert [q["rule"] for q in first] == ["retention-expiring"]
    assert rules.tick(ledger, as_of=near_expiry + 86400) == []
    drain(ledger, timeout=120)
    assert len(receiver.received) == 1 and receiver.received[0]["valid"]
    assert "retention ends in 10 days" in receiver.received[0]["body"]["data"]["reasons"][0]
    ledger.close()


def test_an_invalid_rules_file_is_refused_with_the_rule_named(tmp_path: Path) -> None:
    from docledger.exceptions import ConfigurationError

    bad = tmp_path / "bad.yaml"
    bad.write_text('version: "1"\nrules:\n  - name: typo\n    when: {pii_fund: true}\n    then: {notify: [x]}\n')
    with pytest.raises(ConfigurationError, match=r"rule typo is invalid \(unknown keys \['pii_fund'\]\)"):
        rules.load_rules(bad)
