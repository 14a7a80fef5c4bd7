from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from voxi.core.migrate import current_revision, head_revision

router = APIRouter(tags=["operations"])
_HEAD = head_revision()


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
            revision = await conn.run_sync(current_revision)
    except Exception:  # noqa: BLE001 - any database failure means "not ready", never a 500
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if revision != _HEAD:
        return JSONResponse(
            {"status": "unavailable", "migrations": {"current": revision, "head": _HEAD}}, status_code=503
        )
    return JSONResponse({"status": "ok", "migrations": {"current": revision, "head": _HEAD}})


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
