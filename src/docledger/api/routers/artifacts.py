"""Artifacts: list a document's outputs and download any of them with its media type and a filename."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from docledger.api.deps import get_ledger, get_principal
from docledger.auth.tokens import Principal
from docledger.exceptions import NotFound
from docledger.ledger import Ledger
from docledger.services.artifacts import content_type, download_name

router = APIRouter(prefix="/v1", tags=["artifacts"])


@router.get("/documents/{document_id}/artifacts")
def list_artifacts(
    document_id: str,
    kind: str | None = None,
    page: Annotated[int | None, Query(ge=0)] = None,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    arts = ledger.artifacts(document_id, tenants=principal.scope)
    listed = [
        {**a, "content_url": f"/v1/artifacts/{a['artifact_id']}/content"}
        for a in arts
        if (kind is None or a["kind"] == kind) and (page is None or a["page"] == page)
    ]
    return {"document_id": document_id, "artifacts": listed}


@router.get("/artifacts/{artifact_id}", summary="One artifact's record")
def get_artifact(
    artifact_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    art = ledger.artifact(artifact_id, tenants=principal.scope)
    return art | {"content_url": f"/v1/artifacts/{artifact_id}/content"}


@router.get(
    "/artifacts/{artifact_id}/content",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def artifact_content(
    artifact_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> FileResponse:
    art = ledger.artifact(artifact_id, tenants=principal.scope)
    doc = ledger.get_document(art["document_id"], tenants=principal.scope)
    path = ledger.blobs.path(art["sha256"])
    if not path.is_file():
        raise NotFound(
            f"the bytes of artifact {artifact_id} are missing from the blob store",
            code="blob_missing",
            hint="Restore the blob directory from backup, then retry.",
        )
    media = content_type(doc, art)
    return FileResponse(
        path,
        media_type=media,
        filename=download_name(doc, art, media),
        headers={"X-Content-Type-Options": "nosniff", "ETag": f'"{art["sha256"]}"'},
    )
