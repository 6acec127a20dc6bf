"""Web UI pages that search documents: full-text search, sentence matching and the entity graph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from docledger.api.limits import count_call
from docledger.api.problems import TooLarge
from docledger.exceptions import DocledgerError, InvalidRequest, NotFound
from docledger.ledger import Ledger
from docledger.services import export as export_service
from docledger.services import graph as graph_service
from docledger.services import match as match_service
from docledger.services import search as search_service
from docledger.services.documents import list_visible
from docledger.web.display import graph_svg, highlight, locate
from docledger.web.rendering import ledger_of, render
from docledger.web.session import WebUser, check_csrf, current_user

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/search")
def search(request: Request, q: str = "", user: WebUser = Depends(current_user)) -> Response:
    results: list[dict[str, Any]] = []
    error = None
    if q.strip():
        try:
            count_call(request.app.state, user.principal, None, "search")
            results = search_service.search(ledger_of(request), q[:1000], tenants=user.principal.scope, limit=20)
        except DocledgerError as exc:
            error = exc
    names = {}
    for r in results:
        if r["document_id"] not in names:
            names[r["document_id"]] = ledger_of(request).get_document(r["document_id"])["name"]
    return render(request, "search.html", user, nav="search", q=q, results=results, names=names, error=error)


def _in_context(ledger: Ledger, user: WebUser, document_id: str, results: list[dict[str, Any]]) -> None:
    """Attach each matched sentence in the context of its page text (highlighted)."""
    try:
        export = export_service.document_export(ledger, document_id, tenants=user.principal.scope)
    except DocledgerError:
        return
    pages = {p["page"]: p.get("text") or "" for p in export.get("pages", [])}
    for r in results:
        text = pages.get(r.get("page"), "")
        span = locate(text, r["sentence"], r.get("start"), r.get("end")) if text else None
        if span is not None:
            r["context"] = highlight(text, *span)


@router.get("/match")
def match_page(request: Request, document_id: str | None = None, user: WebUser = Depends(current_user)) -> Response:
    docs = list_visible(ledger_of(request), user.principal, status="SUCCEEDED", limit=200)
    return render(
        request,
        "match.html",
        user,
        nav="match",
        docs=docs,
        form={"document_id": document_id or ""},
        results=None,
        error=None,
    )


@router.post("/match")
def match(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    restatement: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "document",
    document_id: Annotated[str, Form()] = "",
    paragraph: Annotated[str, Form()] = "",
    user: WebUser = Depends(current_user),
) -> Response:
    check_csrf(request, user, csrf)
    ledger = ledger_of(request)
    docs = list_visible(ledger, user.principal, status="SUCCEEDED", limit=200)
    form = {"restatement": restatement, "source": source, "document_id": document_id, "paragraph": paragraph}
    results: list[dict[str, Any]] | None = None
    error: DocledgerError | None = None
    try:
        if not restatement.strip():
            raise InvalidRequest("type the restatement to check", hint="For example a sentence of a summary.")
        count_call(request.app.state, user.principal, None, "match")
        limit = ledger.settings.max_paragraph_chars
        if source == "paragraph" and len(paragraph) > limit:
            raise TooLarge(
                f"the paragraph is {len(paragraph)} characters, over the {limit}-character limit",
                hint="Paste a shorter paragraph.",
            )
        fn = match_service.match
        if source == "paragraph":
            results = fn(ledger, restatement, paragraph=paragraph, tenants=user.principal.scope, top_k=5)
            for r in results or []:
                span = locate(paragraph, r["sentence"], r.get("start"), r.get("end"))
                if span is not None:
                    r["context"] = highlight(paragraph, *span)
        else:
            if not document_id:
                raise InvalidRequest("pick a document, or paste a paragraph instead")
            ledger.get_document(document_id, tenants=user.principal.scope)
            results = fn(ledger, restatement, document_id=document_id, tenants=user.principal.scope, top_k=5)
            _in_context(ledger, user, document_id, results or [])
    except DocledgerError as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc
    return render(
        request,
        "match.html",
        user,
        nav="match",
        docs=docs,
        form=form,
        results=results,
        error=error,
        status_code=200 if error is None else int(getattr(error, "http_status", 400) or 400),
    )


@router.get("/graph")
def graph(request: Request, entity: str = "", document_id: str = "", user: WebUser = Depends(current_user)) -> Response:
    ledger = ledger_of(request)
    error = None
    g: dict[str, Any] = {"nodes": [], "edges": []}
    center = None
    try:
        fn = graph_service.graph
        if document_id:
            g = fn(ledger, tenants=user.principal.scope, document_id=document_id)
            center = document_id
        elif entity.strip():
            g = fn(ledger, tenants=user.principal.scope, entity=entity.strip())
            center = next((n["id"] for n in g["nodes"] if n.get("type") == "entity"), None)
        else:
            g = fn(ledger, tenants=user.principal.scope)
    except DocledgerError as exc:
        if isinstance(exc, NotFound) and document_id:
            raise
        error = exc
    svg = graph_svg(g, center) if center else None
    return render(request, "graph.html", user, nav="graph", entity=entity, graph=g, svg=svg, error=error, center=center)
