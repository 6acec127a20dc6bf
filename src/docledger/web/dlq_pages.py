"""Web UI page of the dead-letter queue: list and replay failed deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from docledger.exceptions import NotFound
from docledger.services.operations import visible_dead_letters
from docledger.web.rendering import ledger_of, render
from docledger.web.session import WebUser, check_csrf, current_user

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/dlq")
def dlq(request: Request, user: WebUser = Depends(current_user)) -> Response:
    dead = visible_dead_letters(ledger_of(request), user.principal)
    return render(
        request,
        "dlq.html",
        user,
        nav="dlq",
        dead=dead,
        can_replay=user.principal.may("operator"),
        replayed=request.query_params.get("replayed"),
    )


@router.post("/dlq/{delivery_id}/replay")
def replay(
    request: Request,
    delivery_id: int,
    csrf: Annotated[str, Form()] = "",
    user: WebUser = Depends(current_user),
) -> Response:
    check_csrf(request, user, csrf)
    user.principal.require("operator", "replay dead letters")
    ledger = ledger_of(request)
    if not any(d["delivery_id"] == delivery_id for d in visible_dead_letters(ledger, user.principal)):
        raise NotFound(f"no dead-lettered delivery {delivery_id}")
    ledger.replay(delivery_id, actor=user.principal.principal)
    return RedirectResponse(f"/ui/dlq?replayed={delivery_id}", status_code=303)
