"""Request dependencies: the ledger and the calling principal (and the role it needs)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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
