"""Web UI pages for sign-in, the dashboard, documents, uploads, document detail and artifacts.

Server-rendered with Jinja2 under /ui; the same tokens, tenant scopes and roles as the API
apply, because every page calls the same Ledger reads with the user's tenants.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from docledger.api.svg import lineage_svg
from docledger.api.uploads import register_uploads
from docledger.auth.session import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Signer,
    end_session,
    load_secret,
    start_session,
)
from docledger.auth.tokens import Unauthenticated, authenticate, hash_token
from docledger.exceptions import InvalidRequest, NotFound
from docledger.ledger import Ledger
from docledger.models import Classification, Status
from docledger.services import export as export_service
from docledger.services import redact as redact_service
from docledger.services.artifacts import content_type, download_name
from docledger.services.documents import list_visible, parse_time
from docledger.services.operations import visible_summary
from docledger.web import dlq_pages, query_page, search_pages
from docledger.web import review as review_pages
from docledger.web.display import boxes, throughput
from docledger.web.rendering import html_error, ledger_of, render
from docledger.web.session import WebUser, check_csrf, current_user, safe_next, signer

HERE = Path(__file__).parent
router = APIRouter(prefix="/ui", include_in_schema=False)
STATUSES = [s.value for s in Status]
CLASSIFICATIONS = [c.value for c in Classification]
PREVIEW_BYTES = 20_000


# ---- sign-in -----------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", None, csrf=signer(request).login_csrf(), next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/ui/",
) -> Response:
    sign: Signer = signer(request)
    if not sign.check_login_csrf(csrf):
        return render(
            request,
            "login.html",
            None,
            status_code=403,
            csrf=sign.login_csrf(),
            next=safe_next(next),
            error="The sign-in form expired. Please try again.",
        )
    try:
        authenticate(ledger_of(request), token)
    except Unauthenticated as exc:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            csrf=sign.login_csrf(),
            next=safe_next(next),
            error=f"{exc.message}. {exc.hint or ''}",
        )
    value, _ = start_session(ledger_of(request), sign, hash_token(token.strip()))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "", user: WebUser = Depends(current_user)) -> Response:
    check_csrf(request, user, csrf)
    if user.session is not None:
        end_session(ledger_of(request), user.session)  # the cookie stops working everywhere, not only here
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---- dashboard and documents -----------------------------------------------------------------------
@router.get("/")
def dashboard(request: Request, user: WebUser = Depends(current_user)) -> Response:
    ledger = ledger_of(request)
    summary = visible_summary(ledger, user.principal)
    recent = list_visible(ledger, user.principal, limit=500)
    return render(
        request,
        "dashboard.html",
        user,
        nav="dashboard",
        summary=summary,
        statuses=STATUSES,
        throughput=throughput(recent),
        recent=recent[:10],
    )


@router.get("/documents")
def documents(
    request: Request,
    status: str | None = None,
    owner: str | None = None,
    media_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    cursor: str | None = None,
    user: WebUser = Depends(current_user),
) -> Response:
    status = status.upper() if status and status.upper() in STATUSES else None
    docs = list_visible(
        ledger_of(request),
        user.principal,
        status=status,
        owner=owner or None,
        media_type=media_type or None,
        since=parse_time(date_from, "from"),
        until=parse_time(date_to, "to"),
        after=cursor or None,
        limit=50,
    )
    filters = {
        "status": status or "",
        "owner": owner or "",
        "media_type": media_type or "",
        "date_from": date_from or "",
        "date_to": date_to or "",
    }
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    next_url = f"/ui/documents?{query}&cursor={docs[-1]['document_id']}" if len(docs) == 50 else None
    tenants = [] if user.principal.all_tenants else list(user.principal.tenants)
    return render(
        request,
        "documents.html",
        user,
        nav="documents",
        docs=docs,
        filters=filters,
        statuses=STATUSES,
        classifications=CLASSIFICATIONS,
        tenants=tenants,
        next_url=next_url,
        can_upload=user.principal.may("operator"),
    )


@router.post("/upload")
def upload(
    request: Request,
    file: Annotated[list[UploadFile], File()],
    csrf: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    tenant: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "",
    user: WebUser = Depends(current_user),
) -> JSONResponse:
    """The upload form's XHR target: JSON like POST /v1/documents, with the session's CSRF token."""
    check_csrf(request, user, csrf)
    user.principal.require("operator", "upload documents")
    docs = register_uploads(
        ledger_of(request),
        file,
        principal=user.principal,
        owner=owner or None,
        tenant=tenant or None,
        classification=classification or None,
    )
    for d in docs:
        d["ui_url"] = f"/ui/documents/{d['document_id']}"
    return JSONResponse({"documents": docs}, status_code=202)


@router.get("/documents/{document_id}/status.json")
def status_json(request: Request, document_id: str, user: WebUser = Depends(current_user)) -> dict[str, Any]:
    doc = ledger_of(request).get_document(document_id, tenants=user.principal.scope)
    return {k: doc[k] for k in ("document_id", "name", "status", "stage", "reason", "message")}


def _export(ledger: Ledger, document_id: str, user: WebUser) -> dict[str, Any] | None:
    return export_service.document_export(ledger, document_id, tenants=user.principal.scope)


@router.get("/documents/{document_id}")
def document(request: Request, document_id: str, user: WebUser = Depends(current_user)) -> Response:
    ledger = ledger_of(request)
    scope = user.principal.scope
    doc = ledger.get_document(document_id, tenants=scope)
    ops = ledger.status(document_id, tenants=scope)
    graph = ledger.lineage(document_id, tenants=scope)
    arts = ledger.artifacts(document_id, tenants=scope)
    export = _export(ledger, document_id, user) if doc["status"] != "FAILED" or arts else None
    pages = (export or {}).get("pages") or []
    for p in pages:
        p["boxes"] = boxes(p)
    renderable = (
        doc.get("media_type") == "application/pdf"
        or any(a["kind"] == "page-image" for a in arts)
        or str(doc.get("media_type") or "").startswith("image/")
    )
    svg = lineage_svg(graph, link=lambda n: f"/ui/documents/{document_id}/artifacts/{n['id']}")
    return render(
        request,
        "document.html",
        user,
        nav="documents",
        doc=doc,
        ops=ops,
        export=export,
        pages=pages,
        artifacts=arts,
        lineage_svg=svg,
        renderable=renderable,
        classifications=CLASSIFICATIONS,
        can_review=user.principal.may("reviewer"),
    )


@router.get("/documents/{document_id}/pages/{page}.png")
def page_image(request: Request, document_id: str, page: int, user: WebUser = Depends(current_user)) -> Response:
    """The page as PNG: the pipeline's page-image artifact, else rendered from the original."""
    ledger = ledger_of(request)
    arts = ledger.artifacts(document_id, tenants=user.principal.scope)
    done = [a for a in arts if a["kind"] == "page-image" and a["page"] == page]
    if done:
        return FileResponse(ledger.blobs.path(done[-1]["sha256"]), media_type=done[-1]["media_type"] or "image/png")
    original = next((a for a in arts if a["kind"] == "original"), None)
    doc = ledger.get_document(document_id, tenants=user.principal.scope)
    if original is None:
        raise NotFound(f"document {document_id} has no stored original")
    data = ledger.blobs.read(original["sha256"])
    buf = io.BytesIO()
    if doc.get("media_type") == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(pdf):
                raise NotFound(f"document {document_id} has no page {page}")
            pdf[page - 1].render(scale=110 / 72).to_pil().save(buf, format="PNG")
        finally:
            pdf.close()
    elif str(doc.get("media_type") or "").startswith("image/") and page == 1:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            img.convert("RGB").save(buf, format="PNG")
    else:
        raise NotFound(f"no page image for page {page} of {document_id}")
    return Response(buf.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@router.post("/documents/{document_id}/ownership")
def ownership(
    request: Request,
    document_id: str,
    csrf: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "",
    retention_until: Annotated[str, Form()] = "",
    legal_hold: Annotated[str, Form()] = "",
    user: WebUser = Depends(current_user),
) -> Response:
    check_csrf(request, user, csrf)
    user.principal.require("reviewer", "change ownership")
    if classification and classification not in CLASSIFICATIONS:
        raise InvalidRequest(f"unknown classification {classification!r}")
    ledger_of(request).update_ownership(
        document_id,
        actor=user.principal.principal,
        tenants=user.principal.scope,
        owner=owner.strip() or None,
        classification=classification or None,
        retention_until=parse_time(retention_until or None, "retention"),
        legal_hold=legal_hold == "on",
    )
    return RedirectResponse(f"/ui/documents/{document_id}#ownership", status_code=303)


@router.post("/documents/{document_id}/redact")
def redact(
    request: Request,
    document_id: str,
    csrf: Annotated[str, Form()] = "",
    user: WebUser = Depends(current_user),
) -> Response:
    check_csrf(request, user, csrf)
    user.principal.require("reviewer", "request redactions")
    ledger = ledger_of(request)
    ledger.get_document(document_id, tenants=user.principal.scope)
    redact_service.request_redaction(
        ledger, document_id, tenants=user.principal.scope, types=None, actor=user.principal.principal
    )
    return RedirectResponse(f"/ui/documents/{document_id}#timeline", status_code=303)


@router.get("/documents/{document_id}/artifacts/{artifact_id}")
def artifact(request: Request, document_id: str, artifact_id: str, user: WebUser = Depends(current_user)) -> Response:
    ledger = ledger_of(request)
    art = ledger.artifact(artifact_id, tenants=user.principal.scope)
    if art["document_id"] != document_id:
        raise NotFound(f"document {document_id} has no artifact {artifact_id}")
    doc = ledger.get_document(document_id, tenants=user.principal.scope)
    lineage = ledger.artifact_lineage(artifact_id, tenants=user.principal.scope)
    media = content_type(doc, art)
    preview = None
    if media.startswith("text/") or media in ("application/json", "application/xml", "application/x-ndjson"):
        with open(ledger.blobs.path(art["sha256"]), "rb") as f:
            raw = f.read(PREVIEW_BYTES + 1)
        preview = raw[:PREVIEW_BYTES].decode("utf-8", "replace") + ("\n…" if len(raw) > PREVIEW_BYTES else "")
    graph = ledger.lineage(document_id, tenants=user.principal.scope)
    svg = lineage_svg(graph, link=lambda n: f"/ui/documents/{document_id}/artifacts/{n['id']}", selected=artifact_id)
    return render(
        request,
        "artifact.html",
        user,
        nav="documents",
        doc=doc,
        art=art,
        media=media,
        preview=preview,
        lineage=lineage,
        lineage_svg=svg,
        filename=download_name(doc, art, media),
    )


@router.get("/artifacts/{artifact_id}/download")
def download(
    request: Request, artifact_id: str, inline: bool = False, user: WebUser = Depends(current_user)
) -> FileResponse:
    ledger = ledger_of(request)
    art = ledger.artifact(artifact_id, tenants=user.principal.scope)
    doc = ledger.get_document(art["document_id"], tenants=user.principal.scope)
    media = content_type(doc, art)
    return FileResponse(
        ledger.blobs.path(art["sha256"]),
        media_type=media,
        filename=download_name(doc, art, media),
        content_disposition_type="inline" if inline else "attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


from docledger.web import loans as loans_pages  # noqa: E402  (loan files pages)


def install(app: FastAPI) -> None:
    """Mount the UI on an app built by ``docledger.api.create_app``."""
    app.state.signer = Signer(load_secret(app.state.ledger.settings.home))
    app.state.html_error = html_error
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
    app.include_router(search_pages.router)
    app.include_router(dlq_pages.router)
    app.include_router(loans_pages.router)
    app.include_router(review_pages.router)
    app.include_router(query_page.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)
