"""The assembled pipeline: a ledger together with the installed stage plugins.

The ledger never imports stages; this is the one place that joins the two. Everything that processes
documents (the CLI, the API server, workers, tests) opens its ledger here.
"""

from __future__ import annotations

from docledger.ledger import Ledger
from docledger.settings import Settings, get_settings
from docledger.stages import discover
from docledger.store import Store


def open_ledger(
    settings: Settings | None = None, *, store: Store | None = None, only: list[str] | None = None
) -> Ledger:
    """A ledger whose stages are the installed plugins (or the ``only`` ones), discovered when first needed."""
    settings = settings or get_settings()
    return Ledger(settings, store=store, stages=lambda: discover(settings, only=only))
