"""Property-based run of the OpenAPI schema: no generated request may produce a 5xx.

Bounded (few examples per operation) so it stays well under a minute. Requests carry an
admin token for a ledger with real processed documents, so the handlers run their real paths.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from docledger.api import create_app  # noqa: E402
from docledger.auth import create_token  # noqa: E402
from docledger.ledger import Ledger  # noqa: E402
from docledger.worker.runner import Worker  # noqa: E402

from .conftest import settings_for  # noqa: E402
from .helpers import installed_stages, make_pdf  # noqa: E402

_home = Path(__import__("tempfile").mkdtemp(prefix="docledger-schemathesis-"))
__import__("atexit").register(__import__("shutil").rmtree, _home, True)
_settings = settings_for(_home)
_ledger = Ledger(
    _settings,
    stages={k: v for k, v in installed_stages(_settings).items() if k in ("classify", "extract-text")},
)
_TOKEN = create_token(_ledger, "fuzz", ["*"], "admin")
_ledger.ingest_bytes(make_pdf(["Schema fuzzing document"]), "fuzz.pdf", tenant="acme")
Worker(_ledger).run(until_idle=True)
app = create_app(_ledger)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {_TOKEN}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), response.text[:200]
