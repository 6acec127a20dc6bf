"""Request dependencies: the ledger and the calling principal (and the role it needs)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from docledger.api.limits import count_call
from docledger.api.problems import TooLarge
from docledger.auth.tokens import LOCAL_ADMIN, Principal, authenticate
from docledger.ledger import Ledger

bearer = HTTPBearer(auto_error=False, description="An API token: `docledger token create`.")


def get_ledger(request: Request) -> Ledger:
    return request.app.state.ledger


def get_principal(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
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


def rate_limit(request: Request, principal: Principal | None, what: str) -> None:
    """Count one call of an expensive endpoint against the caller's token (429 when over the limit)."""
    count_call(request.app.state, principal, request.client.host if request.client else None, what)


def check_paragraph(request: Request, paragraph: str | None) -> None:
    """413 for a paragraph longer than DOCLEDGER_MAX_PARAGRAPH_CHARS (matching embeds every sentence)."""
    limit = request.app.state.ledger.settings.max_paragraph_chars
    if paragraph is not None and len(paragraph) > limit:
        raise TooLarge(
            f"the paragraph is {len(paragraph)} characters, over the {limit}-character limit",
            hint="Send a shorter paragraph (split long notes), or ask the operator to raise "
            "DOCLEDGER_MAX_PARAGRAPH_CHARS.",
        )
