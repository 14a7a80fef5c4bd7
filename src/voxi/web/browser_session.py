"""The signed `voxi_session` cookie: who logged in, the CSRF token and one-shot flash messages.

The cookie only says who *claimed* to log in and when; `voxi.web.deps` re-checks it against the
database on every request, exactly as a JWT is re-checked.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.requests import Request

from voxi.auth.service import now
from voxi.auth.tokens import TokenClaims


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use so logged-out forms (login, reset) carry one too."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def start_session(
    request: Request, user_id: uuid.UUID, tenant_id: uuid.UUID | None, platform_admin: bool
) -> None:
    # A fresh session (and CSRF token) at login, so nothing planted before it survives.
    request.session.clear()
    request.session.update(
        uid=str(user_id), adm=platform_admin, iat=int(now().timestamp()), csrf=secrets.token_urlsafe(32)
    )
    if tenant_id is not None:
        request.session["tid"] = str(tenant_id)


def end_session(request: Request) -> None:
    request.session.clear()


def session_claims(request: Request) -> TokenClaims | None:
    """The login the cookie claims, or None when logged out (or the cookie is malformed)."""
    data = request.session
    try:
        return TokenClaims(
            user_id=uuid.UUID(data["uid"]),
            tenant_id=uuid.UUID(data["tid"]) if data.get("tid") else None,
            platform_admin=bool(data.get("adm")),
            issued_at=datetime.fromtimestamp(int(data["iat"]), UTC),
        )
    except (KeyError, ValueError, TypeError):
        return None


def home_path(request: Request) -> str:
    if request.session.get("tid"):
        return "/dashboard"
    if request.session.get("adm"):
        return "/admin/ui/tenants"
    return "/login"


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def pop_flash(request: Request) -> str | None:
    return request.session.pop("flash", None)


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site; None for anything that could leave it (open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    # Browsers drop tabs/newlines and read "\" as "/", which could turn "/\t/evil.com" into "//evil.com".
    if any(char.isspace() or char == "\\" or ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
