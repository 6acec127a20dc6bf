"""Reading the register as a caller may see it: the API, the web UI and the CLI share these."""

from __future__ import annotations

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
        "after": after,
        "limit": limit + len(hidden),  # enough rows to fill the page once the hidden ones are dropped
    }
    if tenants is None:
        rows = ledger.list_documents(tenant=None, **args)
    else:
        rows = []
        for t in tenants:
            rows.extend(ledger.list_documents(tenant=t, **args))
        rows.sort(key=lambda d: d["document_id"], reverse=True)
    return [d for d in rows if d["document_id"] not in hidden][:limit]
