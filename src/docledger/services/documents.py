"""Reading the register as a caller may see it: the API, the web UI and the CLI share these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from docledger.auth.tokens import Principal
from docledger.exceptions import InvalidRequest
from docledger.ledger import Ledger
from docledger.models import Document
from docledger.services import access
from docledger.services.access import AccessScope


def scoped_tenants(principal: Principal, tenant: str | None) -> list[str] | None:
    """Tenants to query: the requested one (if visible) or all visible ones (None = every tenant).

    The result keeps the principal's identity (an AccessScope), so the access policy applies."""
    if tenant is not None:
        visible = [tenant] if principal.can_see_tenant(tenant) else []
        return AccessScope(visible, principal=principal.principal, role=principal.role)
    return principal.scope


def parse_time(value: str | None, field: str) -> float | None:
    """ISO date or date-time (naive = UTC) to epoch seconds."""
    if value is None or value == "":
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequest(
            f"{field}={value!r} is not an ISO date", hint="Use 2024-03-01 or 2024-03-01T12:00:00Z."
        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def list_visible(
    ledger: Ledger,
    principal: Principal,
    *,
    tenant: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    media_type: str | None = None,
    since: float | None = None,
    until: float | None = None,
    after: str | None = None,
    limit: int = 50,
) -> list[Document]:
    """Newest first across the tenants the caller may see (merged per tenant, so the cursor stays exact),
    without the restricted documents the access policy hides from the caller."""
    tenants = scoped_tenants(principal, tenant)
    hidden = access.hidden_documents(ledger, tenants)
    args: dict[str, Any] = {
        "status": status,
        "owner": owner,
        "media_type": media_type,
        "since": since,
        "until": until,
    }
    if tenants is None:
        return _visible_page(ledger, None, args, after, limit, hidden)
    rows: list[Document] = []
    for t in tenants:
        rows.extend(_visible_page(ledger, t, args, after, limit, hidden))
    rows.sort(key=lambda d: d["document_id"], reverse=True)
    return rows[:limit]


def _visible_page(
    ledger: Ledger, tenant: str | None, args: dict[str, Any], after: str | None, limit: int, hidden: Mapping[str, Any]
) -> list[Document]:
    """Up to ``limit`` documents of one tenant after the cursor, the hidden ones skipped: further
    batches are read only when hidden documents fell into the page, so cursors stay exact."""
    out: list[Document] = []
    while len(out) < limit:
        batch = ledger.list_documents(tenant=tenant, after=after, limit=limit, **args)
        out.extend(d for d in batch if d["document_id"] not in hidden)
        if len(batch) < limit:
            break
        after = batch[-1]["document_id"]
    return out[:limit]
