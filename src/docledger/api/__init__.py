"""REST API and web UI: ``create_app(ledger, auth_required=True)``; ``server.serve`` runs it with workers."""

from docledger.api.app import create_app

__all__ = ["create_app"]
