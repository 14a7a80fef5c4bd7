"""One place that turns errors into responses: JSON `{"error": {...}}` on the API, a page in the browser.

No stack trace ever reaches a client; unexpected errors are logged with the request id.
"""

from __future__ import annotations

from typing import Any

import psycopg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from voxi.core.errors import VoxiError

log = structlog.get_logger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
}
API_PREFIXES = ("/api/", "/admin/", "/twilio/", "/healthz", "/readyz")


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(API_PREFIXES) and not request.url.path.startswith("/admin/ui"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> Response:
    if wants_html(request):
        templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JSONResponse({"error": body}, status_code=status)


def _field_errors(exc: RequestValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")
        ]
        fields[".".join(location) or "body"] = str(error.get("msg", "Invalid value")).removeprefix(
            "Value error, "
        )
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VoxiError)
    async def _domain(request: Request, exc: VoxiError) -> Response:
        return error_response(request, exc.status_code, exc.code, exc.message, exc.fields)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(
            request, 422, "validation_error", "Some fields are invalid.", _field_errors(exc)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return error_response(request, exc.status_code, code, message)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # Two requests racing past a service's own check meet the database's unique key: still a 409.
        if isinstance(exc.orig, psycopg.errors.UniqueViolation):
            return error_response(
                request, 409, "conflict", "This conflicts with existing data. Please retry."
            )
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled_error", path=request.url.path, exc_info=exc)
        return error_response(
            request, 500, "internal_error", "Something went wrong on our side. Please try again."
        )
