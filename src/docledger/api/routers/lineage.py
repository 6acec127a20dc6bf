"""Lineage API: a document's artifact DAG (JSON, DOT, SVG, OpenLineage) and one artifact's ancestry."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from docledger.api.deps import get_ledger, get_principal
from docledger.api.svg import lineage_svg
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.ledger.lineage import to_dot, to_openlineage

router = APIRouter(prefix="/v1", tags=["lineage"])


@router.get(
    "/documents/{document_id}/lineage",
    responses={200: {"content": {"application/json": {}, "text/vnd.graphviz": {}, "image/svg+xml": {}}}},
)
def document_lineage(
    document_id: str,
    format: Literal["json", "dot", "svg", "openlineage"] = "json",
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> Response:
    """Artifacts (nodes), derivations (edges) and stage runs; SVG nodes link to the artifact download."""
    graph = ledger.lineage(document_id, tenants=principal.scope)
    if format == "dot":
        return Response(to_dot(graph), media_type="text/vnd.graphviz")
    if format == "svg":
        return Response(lineage_svg(graph), media_type="image/svg+xml")
    if format == "openlineage":
        return JSONResponse(to_openlineage(graph))
    return JSONResponse(graph)


@router.get("/artifacts/{artifact_id}/lineage")
def artifact_lineage(
    artifact_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    """What the artifact was derived from (upstream) and what was derived from it (downstream)."""
    return ledger.artifact_lineage(artifact_id, tenants=principal.scope)
