"""Request dependencies: the ledger, the calling principal and the optional service modules."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from docledger.api.problems import NotAvailable
from docledger.auth.tokens import LOCAL_ADMIN, Principal, authenticate
from docledger.ledger import Ledger

bearer = HTTPBearer(auto_error=False, description="An API token: `docledger token create`.")


def get_ledger(request: Request) -> Ledger:
    return request.app.state.ledger


def get_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    """The caller: from the Bearer token, or the local admin when the app runs without auth."""
    if not request.app.state.auth_required:
        principal = LOCAL_ADMIN
    else:
        principal = authenticate(request.app.state.ledger, credentials.credentials if credentials else None)
    request.state.principal = principal  # named in the request's audit entry
    return principal


def invocation_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal | None:
    """/invocations only reads the paragraph it is sent, so DOCLEDGER_PUBLIC_INVOCATIONS=true lets
    existing clients of the sentence-relevance service call it without a token (nothing stored is read)."""
    if credentials is None and request.app.state.ledger.settings.public_invocations:
        return None
    return get_principal(request, credentials)


def requires(role: str, action: str) -> Callable[..., Principal]:
    """A dependency that authenticates and then checks the role (403 when too low)."""

    def check(principal: Principal = Depends(get_principal)) -> Principal:
        principal.require(role, action)
        return principal

    return check


def service(module: str, function: str) -> Callable[..., Any]:
    """A function of ``docledger.services.<module>``, or a 501 problem when this build lacks it."""
    try:
        mod = importlib.import_module(f"docledger.services.{module}")
        return getattr(mod, function)
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(
            f"{module}.{function} is not available in this build",
            hint="Install a docledger build that includes this service.",
        ) from exc


def scoped_tenants(principal: Principal, tenant: str | None) -> list[str] | None:
    """Tenants to query: the requested one (if visible) or all visible ones (None = every tenant)."""
    if tenant is not None:
        return [tenant] if principal.can_see_tenant(tenant) else []
    return principal.scope
