"""Uploads: bounded request bodies and streaming of each file into the blob store.

The multipart parser spools each part to a temporary file (never all of it in memory); the
middleware below refuses a body that announces, or turns out, bigger than the limit allows,
and each file is streamed from its spool into the content-addressed store in 1 MiB chunks.
Unsupported or damaged files are *not* rejected here: the pipeline registers them and
explains the failure on the document's timeline.
"""

from __future__ import annotations

from typing import Any

from fastapi import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docledger.api.problems import TooLarge
from docledger.auth.tokens import Principal
from docledger.exceptions import InvalidRequest, PermissionDenied
from docledger.ledger import Ledger

MAX_FILES_PER_REQUEST = 20
MAX_NAME_CHARS = 200


def short_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """A file name of at most ``limit`` characters, keeping its extension (``long…name.pdf``)."""
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[: limit - 1] + "…"
    return stem[: limit - len(ext) - 2] + "…." + ext


_MULTIPART_SLACK = 1024 * 1024


def body_limit(max_file_bytes: int) -> int:
    return max_file_bytes * MAX_FILES_PER_REQUEST + _MULTIPART_SLACK


class BodyLimitMiddleware:
    """413 for POST bodies over the upload limit, checked on Content-Length and while streaming."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send_413(send, self.limit)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"the request body is over the {self.limit}-byte limit")
            return message

        await self.app(scope, counting, send)


async def _send_413(send: Send, limit: int) -> None:
    from docledger.api.problems import problem

    response = problem(
        413,
        f"the request body is over the {limit}-byte limit",
        code="too_large",
        hint="Upload fewer or smaller files per request, or raise DOCLEDGER_MAX_REQUEST_BYTES.",
    )
    await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def choose_tenant(principal: Principal, tenant: str | None, default: str) -> str:
    """The tenant an upload goes to: the one asked for (if allowed), else the caller's only one."""
    if tenant:
        if not principal.can_see_tenant(tenant):
            raise PermissionDenied(
                f"{principal.principal} may not upload to tenant {tenant!r}",
                hint=f"Use one of your tenants: {', '.join(principal.tenants)}.",
            )
        return tenant
    if principal.all_tenants:
        return default
    if len(principal.tenants) == 1:
        return principal.tenants[0]
    if default in principal.tenants:
        return default
    raise InvalidRequest(
        "this token covers several tenants; say which one the document belongs to",
        hint="Add the form field tenant=<name>.",
    )


def register_uploads(
    ledger: Ledger,
    files: list[UploadFile],
    *,
    principal: Principal,
    owner: str | None,
    tenant: str | None,
    classification: str | None,
) -> list[dict[str, Any]]:
    """Check every file first (so a bad one registers none), then stream and register each."""
    if not files:
        raise InvalidRequest("no file in the upload", hint="Send the document as multipart form field `file`.")
    if len(files) > MAX_FILES_PER_REQUEST:
        raise InvalidRequest(
            f"at most {MAX_FILES_PER_REQUEST} files per upload",
            hint="Split the upload into several requests.",
        )
    limit = ledger.settings.max_file_bytes
    target = choose_tenant(principal, tenant, ledger.settings.default_tenant)
    for f in files:
        name = f.filename or "upload"
        if f.size is not None and f.size > limit:
            raise TooLarge(
                f"{name} is {f.size} bytes, over the {limit}-byte limit",
                hint="Split the document, or ask the operator to raise DOCLEDGER_MAX_FILE_BYTES.",
            )
        if f.size == 0:
            raise InvalidRequest(
                f"{name} is empty (0 bytes)",
                code="empty_file",
                hint="Check that the file was selected and read correctly.",
            )
    out = []
    for f in files:
        name = short_name((f.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload")
        f.file.seek(0)
        try:
            sha, size = ledger.blobs.put_stream(f.file, max_bytes=limit)
        except ValueError as exc:
            raise TooLarge(
                f"{name} is over the {limit}-byte limit",
                hint="Split the document, or ask the operator to raise DOCLEDGER_MAX_FILE_BYTES.",
            ) from exc
        if size == 0:
            raise InvalidRequest(
                f"{name} is empty (0 bytes)",
                code="empty_file",
                hint="Check that the file was selected and read correctly.",
            )
        reg = ledger.ingest_path(
            ledger.blobs.path(sha),
            name=name,
            owner=owner or principal.principal,
            tenant=target,
            classification=classification,
            source="api",
        )
        out.append(
            reg.to_json()
            | {
                "status_url": f"/v1/documents/{reg.document_id}/operations",
                "document_url": f"/v1/documents/{reg.document_id}",
            }
        )
    return out
