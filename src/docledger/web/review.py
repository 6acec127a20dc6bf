"""Reviewer pages: the queue, one task at a time (page image with the value's box, keyboard-only
accept or correct, then the next task), and the accuracy dashboard with SVG charts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from docledger.exceptions import DocledgerError
from docledger.review.layout import load_page_words
from docledger.services.review import get_task, list_tasks, resolve_task
from docledger.services.review_accuracy import accuracy_report
from docledger.web import review_charts
from docledger.web.rendering import render
from docledger.web.session import WebUser, check_csrf, current_user

router = APIRouter(prefix="/ui/review", include_in_schema=False)


def _render(request: Request, name: str, user: WebUser, **ctx: Any) -> Response:
    return render(request, name, user, nav="review", **ctx)


def _box(ledger: Any, task: dict[str, Any]) -> dict[str, float] | None:
    """The value's box as percentages of its page image (boxes are in the page's own units)."""
    if task["page"] is None or not task["bbox"]:
        return None
    arts = [a for a in ledger.artifacts(task["document_id"]) if a["page"] == task["page"]]
    pages = load_page_words(arts, lambda a: ledger.blobs.read(a["sha256"]))
    if task["page"] not in pages:
        return None
    page = pages[task["page"]][0]
    x0, y0, x1, y1 = task["bbox"]
    pad = 0.004
    return {
        "left": max(0.0, 100 * (x0 / page.width - pad)),
        "top": max(0.0, 100 * (y0 / page.height - pad)),
        "width": 100 * ((x1 - x0) / page.width + 2 * pad),
        "height": 100 * ((y1 - y0) / page.height + 2 * pad),
    }


@router.get("")
def queue(request: Request, user: WebUser = Depends(current_user), done: int = 0) -> Response:
    ledger = request.app.state.ledger
    tasks = list_tasks(ledger, tenants=user.principal.scope, detail=True)
    names = {}
    for t in tasks:
        if t["document_id"] not in names:
            names[t["document_id"]] = ledger.get_document(t["document_id"])["name"]
    return _render(
        request,
        "review_queue.html",
        user,
        tasks=tasks,
        names=names,
        done=done,
        may_resolve=user.principal.may("operator"),
    )


@router.get("/next")
def next_task(request: Request, user: WebUser = Depends(current_user)) -> Response:
    tasks = list_tasks(request.app.state.ledger, tenants=user.principal.scope, limit=1)
    target = f"/ui/review/{tasks[0]['task_id']}" if tasks else "/ui/review?done=1"
    return RedirectResponse(target, status_code=303)


@router.get("/accuracy")
def accuracy(request: Request, user: WebUser = Depends(current_user)) -> Response:
    report = accuracy_report(request.app.state.ledger, tenants=user.principal.scope)
    charts = {
        "fields": review_charts.outcome_bars(report["by_field"], name="field") if report["by_field"] else None,
        "models": review_charts.outcome_bars(report["by_model_version"], name="model version")
        if report["by_model_version"]
        else None,
        "reliability": review_charts.reliability(report["calibration"]),
        "trend": review_charts.trend(report["trend"]) if report["trend"] else None,
    }
    return _render(request, "review_accuracy.html", user, report=report, charts=charts)


@router.get("/{task_id}")
def task_page(
    request: Request, task_id: str, user: WebUser = Depends(current_user), error: str | None = None
) -> Response:
    ledger = request.app.state.ledger
    task = get_task(ledger, task_id, tenants=user.principal.scope)
    doc = ledger.get_document(task["document_id"], tenants=user.principal.scope)
    left = len(list_tasks(ledger, tenants=user.principal.scope))
    return _render(
        request,
        "review_task.html",
        user,
        task=task,
        doc=doc,
        box=_box(ledger, task),
        left=left,
        error=error,
        may_resolve=user.principal.may("operator"),
    )


@router.post("/{task_id}")
def resolve(
    request: Request,
    task_id: str,
    csrf: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "enter",
    user: WebUser = Depends(current_user),
) -> Response:
    """Enter submits: an unchanged value is accepted, a changed one is a correction."""
    check_csrf(request, user, csrf)
    user.principal.require("operator", "review extracted fields")
    ledger = request.app.state.ledger
    task = get_task(ledger, task_id, tenants=user.principal.scope)
    original = "" if task["value"] is None else str(task["value"])
    accept = action == "accept" or (action == "enter" and value.strip() == original.strip())
    try:
        resolve_task(
            ledger,
            task_id,
            actor=user.principal.principal,
            tenants=user.principal.scope,
            accept=accept,
            value=None if accept else value.strip(),
        )
    except DocledgerError as exc:
        if getattr(exc, "http_status", 500) >= 500:
            raise
        return task_page(request, task_id, user, error=f"{exc.message}. {exc.hint or ''}")
    return RedirectResponse("/ui/review/next", status_code=303)
