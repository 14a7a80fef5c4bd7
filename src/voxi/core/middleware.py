"""Pure-ASGI middleware: request ids in logs, metrics, security headers and a request body limit."""

from __future__ import annotations

import json
import time
import uuid

import structlog
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxi.core.logging import bind_log_context
from voxi.core.metrics import HTTP_LATENCY, HTTP_REQUESTS
from voxi.core.tenant_context import reset_tenant_context, restore_tenant_context

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
]
_TOO_LARGE = json.dumps({"error": {"code": "payload_too_large", "message": "The request body is too large."}})


class LabelledRoute(Route):
    """A plain Starlette route that names itself in the scope, as FastAPI's routes do: the metrics'
    `route` label (FastAPI sets `scope["route"]` only for its own routes)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


class HttpSessionMiddleware(SessionMiddleware):
    """Starlette's cookie sessions, for HTTP only.

    The only websockets are Twilio's media streams, which carry no browser session; Starlette's
    session wrapper would otherwise sit on every audio frame sent to the caller.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, larger_bodies: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.larger_bodies = larger_bodies or {}  # exact path → its own limit (e.g. call audio webhooks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        bind_log_context(request_id=request_id)
        limit = self.larger_bodies.get(scope["path"], self.max_body_bytes)
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send)
            return
        # Each request starts with no tenant (in-process test clients share the caller's context).
        tenant_token = reset_tenant_context()
        started = time.perf_counter()
        status = 500
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # FastAPI re-raises HTTPException from body parsing, so the error handler renders a 413.
                raise HTTPException(413, "The request body is too large.")
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                own = message.get("headers", [])
                # A page may set a narrower-purpose CSP of its own (signup with Stripe's Payment Element).
                has_csp = any(key.lower() == b"content-security-policy" for key, _ in own)
                skip = {b"content-security-policy"} if has_csp else set()
                defaults = [header for header in SECURITY_HEADERS if header[0] not in skip]
                message["headers"] = [*own, *defaults, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        finally:
            restore_tenant_context(tenant_token)
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_too_large(send: Send) -> None:
    body = _TOO_LARGE.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
