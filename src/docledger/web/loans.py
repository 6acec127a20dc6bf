"""Web UI: loan files (list) and one loan file (checklist, documents with their types, risk flags)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from docledger.exceptions import InvalidRequest
from docledger.ledger import Ledger
from docledger.web.rendering import render
from docledger.web.session import WebUser, current_user

router = APIRouter(prefix="/ui", include_in_schema=False)


def _render(request: Request, name: str, user: WebUser, **ctx: Any) -> Response:
    return render(request, name, user, **ctx)


def _ledger(request: Request) -> Ledger:
    return request.app.state.ledger


@router.get("/loans")
def loans_page(request: Request, user: WebUser = Depends(current_user)) -> Response:
    from docledger.services.loans import list_loans

    rows = [r for r in list_loans(_ledger(request)) if user.principal.can_see_tenant(r["tenant"])]
    return _render(request, "loans.html", user, loans=rows)


@router.get("/loans/{tenant}/{loan_id}")
def loan_page(
    request: Request, tenant: str, loan_id: str, as_of: str | None = None, user: WebUser = Depends(current_user)
) -> Response:
    from docledger.services.loans import show

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidRequest(f"as_of={as_of!r} is not a date", hint="Use YYYY-MM-DD.") from None
    loan = show(_ledger(request), loan_id, tenant=tenant, tenants=user.principal.scope, as_of=day)
    return _render(request, "loan.html", user, loan=loan)


def install(app: Any) -> None:
    app.include_router(router)
