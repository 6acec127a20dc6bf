"""The review contracts as users call them, on both stores: `docledger review list/resolve` (a real
subprocess) and /v1/review (the ASGI app in-process), tenant scopes and roles, accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import drain, worker_env
from docledger.api import create_app
from docledger.auth import create_token
from docledger.ledger import Ledger
from docledger.stages.review import ReviewStage
from review_forms import SpecFields, field, spec_bytes

BIN = Path(sys.executable).parent / "docledger"
CONTRACT = {"task_id", "document_id", "field", "value", "confidence", "page", "bbox"}


@pytest.fixture
def reviewed(make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]) -> tuple[Ledger, dict[str, str]]:
    s = make_settings()
    ledger = make_ledger({"fields": SpecFields(s), "review": ReviewStage(s)})
    docs = {
        "acme": ledger.ingest_bytes(
            spec_bytes(
                "pay-stub",
                [
                    field("gross", "4,200.00", 0.55, bbox=[120.5, 300.0, 190.0, 315.0]),
                    field("net", "3,100.00", 0.97),
                    field("employer", "Contoso", 0.95, valid=False, errors=["not in the employer register"]),
                ],
            ),
            "stub.json",
            tenant="acme",
        ).document_id,
        "globex": ledger.ingest_bytes(
            spec_bytes("w2", [field("wages", "9", 0.2)]), "w2.json", tenant="globex"
        ).document_id,
    }
    drain(ledger)
    return ledger, docs


def cli(ledger: Ledger, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**worker_env(ledger.settings), "USER": "carla"}
    if token:
        env["DOCLEDGER_TOKEN"] = token
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)


def test_cli_review_list_and_resolve(reviewed: tuple[Ledger, dict[str, str]]) -> None:
    ledger, docs = reviewed
    proc = cli(ledger, "review", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    tasks = json.loads(proc.stdout)
    assert isinstance(tasks, list) and len(tasks) == 3
    assert all(set(t) == CONTRACT for t in tasks)
    gross = next(t for t in tasks if t["field"] == "gross")
    assert gross == {
        "task_id": gross["task_id"],
        "document_id": docs["acme"],
        "field": "gross",
        "value": "4,200.00",
        "confidence": 0.55,
        "page": 1,
        "bbox": [120.5, 300.0, 190.0, 315.0],
    }

    both = cli(ledger, "review", "resolve", gross["task_id"], "--accept", "--value", "1")
    assert both.returncode == 2 and "either accept or a value" in both.stderr
    unknown = cli(ledger, "review", "resolve", "rvw_nope", "--accept")
    assert unknown.returncode == 3 and "no review task rvw_nope" in unknown.stderr

    done = cli(ledger, "review", "resolve", gross["task_id"], "--value", "4,250.00")
    assert done.returncode == 0, done.stderr
    assert "gross corrected to '4,250.00'" in done.stdout and "NEEDS_REVIEW" in done.stdout
    employer = next(t for t in tasks if t["field"] == "employer")
    done = cli(ledger, "review", "resolve", employer["task_id"], "--accept", "--json")
    out = json.loads(done.stdout)
    assert out["status"] == "accepted" and out["resolved_by"] == "carla" and out["document_status"] == "SUCCEEDED"
    again = cli(ledger, "review", "resolve", employer["task_id"], "--accept")
    assert again.returncode == 2 and "already accepted by carla" in again.stderr

    left = json.loads(cli(ledger, "review", "list", "--json").stdout)
    assert [t["document_id"] for t in left] == [docs["globex"]]
    report = json.loads(cli(ledger, "review", "accuracy", "--json", "--tenant", "acme").stdout)
    assert report["overall"]["accepted"] == 1 and report["overall"]["corrected"] == 1


def test_api_review_is_scoped_and_role_checked(reviewed: tuple[Ledger, dict[str, str]]) -> None:
    ledger, docs = reviewed
    tokens = {role: create_token(ledger, f"{role}-user", ["acme"], role) for role in ("reader", "operator")}
    tokens["globex"] = create_token(ledger, "gina", ["globex"], "reviewer")

    def h(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    with TestClient(create_app(ledger)) as client:
        assert client.get("/v1/review/tasks").status_code == 401
        tasks = client.get("/v1/review/tasks", headers=h("reader")).json()
        assert {t["document_id"] for t in tasks} == {docs["acme"]} and all(set(t) == CONTRACT for t in tasks)
        assert [t["document_id"] for t in client.get("/v1/review/tasks", headers=h("globex")).json()] == [
            docs["globex"]
        ]
        assert client.get("/v1/review/tasks?tenant=globex", headers=h("reader")).json() == []
        gross = next(t for t in tasks if t["field"] == "gross")
        url = f"/v1/review/tasks/{gross['task_id']}/resolve"

        denied = client.post(url, json={"accept": True}, headers=h("reader"))
        assert denied.status_code == 403 and "may not review extracted fields" in denied.json()["detail"]
        hidden = client.post(url, json={"accept": True}, headers=h("globex"))
        assert hidden.status_code == 404
        bad = client.post(url, json={"accept": True, "value": "x"}, headers=h("operator"))
        assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"

        detail = client.get(f"/v1/review/tasks/{gross['task_id']}", headers=h("reader")).json()
        assert detail["reason"] == "low confidence 0.55 < 0.80" and detail["doc_type"] == "pay-stub"
        ok = client.post(url, json={"value": "4,250.00"}, headers=h("operator"))
        assert ok.status_code == 200, ok.text
        assert ok.json()["status"] == "corrected" and ok.json()["resolved_by"] == "operator-user"
        assert client.post(url, json={"accept": True}, headers=h("operator")).status_code == 409
        employer = next(t for t in tasks if t["field"] == "employer")
        last = client.post(
            f"/v1/review/tasks/{employer['task_id']}/resolve", json={"accept": True}, headers=h("operator")
        ).json()
        assert last["document_status"] == "SUCCEEDED"

        export = client.get(f"/v1/documents/{docs['acme']}/export", headers=h("reader")).json()
        assert export["fields"]["gross"] == "4,250.00"
        gross_out = next(f for f in export["extracted_fields"]["fields"] if f["field"] == "gross")
        assert gross_out["extracted_value"] == "4,200.00" and gross_out["corrected_by"] == "operator-user"

        acc = client.get("/v1/review/accuracy", headers=h("reader")).json()
        (row,) = [r for r in acc["by_field"] if r["field"] == "gross"]
        assert (row["corrected"], row["accepted"], row["corrected_share"]) == (1, 0, 1.0)
        assert acc["overall"]["fields"] == 3 and acc["overall"]["straight_through_rate"] == pytest.approx(1 / 3, 1e-3)
        assert acc["by_doc_type"] == [{"doc_type": "pay-stub", **{k: acc["overall"][k] for k in acc["overall"]}}]
        bins = acc["calibration"]["bins"]
        assert [b["count"] for b in bins if b["count"]] == [1, 1]  # 0.55 corrected, 0.95 accepted
        assert acc["calibration"]["ece"] == pytest.approx((0.55 + 0.05) / 2, abs=1e-3)
        assert acc["by_model_version"][0]["model_version"] == "fields@0.test/t1"
        assert len(acc["trend"]) == 1 and acc["trend"][0]["fields"] == 3
        globex = client.get("/v1/review/accuracy", headers=h("globex")).json()
        assert globex["overall"]["fields"] == 1 and globex["overall"]["open"] == 1


def test_listing_documents_by_the_new_status(reviewed: tuple[Ledger, dict[str, str]]) -> None:
    ledger, docs = reviewed
    waiting = ledger.list_documents(status="needs_review")
    assert {d["document_id"] for d in waiting} == set(docs.values())


def test_confidential_values_go_only_to_those_who_may_read_them(reviewed: tuple[Ledger, dict[str, str]]) -> None:
    ledger, _ = reviewed
    secret = ledger.ingest_bytes(
        spec_bytes("w2", [field("ssn", "123-45-6789", 0.3)]),
        "w2-olga.json",
        tenant="acme",
        owner="olga",
        classification="confidential",
    ).document_id
    drain(ledger)
    assert ledger.get_document(secret)["status"] == "NEEDS_REVIEW"
    tokens = {
        "olga": create_token(ledger, "olga", ["acme"], "operator"),
        "otto": create_token(ledger, "otto", ["acme"], "operator"),
    }
    with TestClient(create_app(ledger)) as client:

        def tasks(who: str) -> list[dict[str, Any]]:
            return client.get(
                f"/v1/review/tasks?document_id={secret}", headers={"Authorization": f"Bearer {tokens[who]}"}
            ).json()

        assert tasks("otto") == []
        (task,) = tasks("olga")
        otto = {"Authorization": f"Bearer {tokens['otto']}"}
        assert client.get(f"/v1/review/tasks/{task['task_id']}", headers=otto).status_code == 404
        assert (
            client.post(f"/v1/review/tasks/{task['task_id']}/resolve", json={"accept": True}, headers=otto).status_code
            == 404
        )
        ok = client.post(
            f"/v1/review/tasks/{task['task_id']}/resolve",
            json={"value": "123-45-6780"},
            headers={"Authorization": f"Bearer {tokens['olga']}"},
        )
        assert ok.status_code == 200 and ok.json()["document_status"] == "SUCCEEDED"


def test_cli_acts_as_the_token_principal(reviewed: tuple[Ledger, dict[str, str]]) -> None:
    ledger, docs = reviewed
    gina = create_token(ledger, "gina", ["globex"], "operator")
    rita = create_token(ledger, "rita", ["acme"], "reader")
    (task,) = json.loads(cli(ledger, "review", "list", "--json", token=gina).stdout)
    assert task["document_id"] == docs["globex"]
    denied = cli(ledger, "review", "resolve", task["task_id"], "--accept", token=rita)
    assert denied.returncode == 4 and "may not review extracted fields" in denied.stderr
    done = json.loads(cli(ledger, "review", "resolve", task["task_id"], "--value", "10", "--json", token=gina).stdout)
    assert done["resolved_by"] == "gina" and done["document_status"] == "SUCCEEDED"
