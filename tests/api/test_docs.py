"""docs/api.md stays honest: every endpoint in the OpenAPI schema is documented there."""

from __future__ import annotations

from pathlib import Path

from .conftest import World

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_endpoint_is_in_the_api_guide(world: World) -> None:
    guide = (DOCS / "api.md").read_text()
    paths = world.client.get("/openapi.json").json()["paths"]
    missing = [p for p in paths if p not in guide]
    assert not missing, f"document these endpoints in docs/api.md: {missing}"


def test_ui_tour_names_every_page() -> None:
    tour = (DOCS / "ui.md").read_text()
    for page in ("/ui/documents", "/ui/search", "/ui/match", "/ui/graph", "/ui/dlq", "DOCLEDGER_SCREENSHOTS"):
        assert page in tour
