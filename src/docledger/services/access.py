"""The access policy: who may see a document, and whether they see its full text or a redacted one.

Tenants come first (a token sees only its tenants). Inside a tenant, the document's
classification and its ``readers`` list decide:

- ``public`` / ``internal``: every principal of the tenant sees everything;
- ``confidential``: the owner, the principals listed in ``readers`` and admins see everything;
  every other principal of the tenant sees the document's record, status and lineage, but
  only its *redacted* artifacts (redacted text and PDF), never the original, the text, the
  OCR/NLP JSON, the page images, tables or search snippets;
- ``restricted``: only the owner, the listed readers and admins know it exists; for everyone
  else it answers the same 404 as another tenant's document and is left out of lists,
  search, matching, the graph, summaries, metrics and the dead-letter queue.

The policy lives here and only here. Callers pass the principal's scope
(``Principal.scope``, an :class:`AccessScope`) as the ``tenants=`` argument of the ledger's
reads, so every read that goes through ``Ledger.get_document`` / ``artifacts`` /
``artifact`` and the ``list_visible`` / ``visible_summary`` / ``visible_dead_letters``
helpers applies it. A plain list of tenants (or ``None``) is a trusted, system-level scope
(workers, the local CLI without ``DOCLEDGER_TOKEN``) and sees everything in those tenants.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

FULL: Literal["full"] = "full"
REDACTED: Literal["redacted"] = "redacted"
View = Literal["full", "redacted"]
#: What a principal without full access may read of a confidential document.
REDACTED_KINDS = frozenset({"redacted-text", "redacted-pdf"})


class AccessScope(list[str]):
    """The tenants a principal may see, carrying who the principal is so the policy can apply.

    It is a list of tenant names, so every function taking ``tenants: list[str] | None``
    accepts it unchanged.
    """

    def __init__(self, tenants: Iterable[str], *, principal: str, role: str) -> None:
        super().__init__(tenants)
        self.principal = principal
        self.role = role

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def narrowed(self, tenants: Iterable[str]) -> AccessScope:
        return AccessScope(tenants, principal=self.principal, role=self.role)


def _readers(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def privileged(doc: dict[str, Any], scope: Any) -> bool:
    """Full access: a system scope, an admin, the owner or a listed reader."""
    if not isinstance(scope, AccessScope) or scope.admin:
        return True
    return scope.principal == doc.get("owner") or scope.principal in _readers(doc.get("readers"))


def view(doc: dict[str, Any], scope: Any) -> View | None:
    """What ``scope`` may see of ``doc`` (a document row with tenant, owner, classification,
    readers): ``"full"``, ``"redacted"`` or None (it must not learn that the document exists)."""
    if scope is not None and doc.get("tenant") not in scope:
        return None
    if privileged(doc, scope):
        return FULL
    classification = doc.get("classification")
    if classification == "restricted":
        return None
    if classification == "confidential":
        return REDACTED
    return FULL


def artifact_visible(art: dict[str, Any], doc_view: View) -> bool:
    return doc_view == FULL or art.get("kind") in REDACTED_KINDS


def _policy_rows(ledger: Any, scope: Any, classification: str) -> list[dict[str, Any]]:
    if not isinstance(scope, AccessScope) or scope.admin:
        return []
    rows: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        for tenant in dict.fromkeys(scope):
            rows.extend(tx.fetchall("access_documents_by_classification", classification=classification, tenant=tenant))
    return [r for r in rows if not privileged(r, scope)]


def hidden_documents(ledger: Any, scope: Any) -> dict[str, dict[str, Any]]:
    """Restricted documents in the scope's tenants that the principal may not know about, by id."""
    return {r["id"]: r for r in _policy_rows(ledger, scope, "restricted")}


def content_withheld(ledger: Any, scope: Any) -> set[str]:
    """Documents whose text the principal may not read in the clear: the hidden ones plus the
    confidential ones it is neither owner nor listed reader of (left out of search and the graph)."""
    return set(hidden_documents(ledger, scope)) | {r["id"] for r in _policy_rows(ledger, scope, "confidential")}
