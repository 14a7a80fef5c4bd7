from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from voxi.core.migrate import current_revisions, head_revisions

router = APIRouter(tags=["operations"])
_HEADS = head_revisions()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the latest migration."""
    try:
        async with request.app.state.db.app_engine.connect() as conn:
            await conn.execute(text("select 1"))
            current = await conn.run_sync(current_revisions)
    except Exception:  # noqa: BLE001 - any database failure means "not ready", never a 500
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    migrations = {"current": sorted(current), "head": sorted(_HEADS)}
    if current != _HEADS:
        return JSONResponse({"status": "unavailable", "migrations": migrations}, status_code=503)
    return JSONResponse({"status": "ok", "migrations": migrations})


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
