"""Rendering pages: the common template context, HTMX fragments and the redirect to login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from voxi.web.browser_session import csrf_token, pop_flash

DEV_ENVIRONMENTS = ("development", "test")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def dev_tools_enabled(request: Request) -> bool:
    return request.app.state.settings.voxi_env in DEV_ENVIRONMENTS


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render `template` with what every page needs: CSRF token, flash message and navigation flags."""
    session = request.session
    common = {
        "csrf_token": csrf_token(request),
        "flash": pop_flash(request),
        "signed_in": "uid" in session,
        "has_business": bool(session.get("tid")),
        "platform_admin": bool(session.get("adm")),
        "dev_tools": dev_tools_enabled(request),
        # The logged-in business's IANA timezone (set by `WebUser`), for the `local_time` filter.
        "tenant_tz": getattr(request.state, "tenant_timezone", None),
    }
    response = request.app.state.templates.TemplateResponse(
        request, template, {**common, **(context or {})}, status_code=status_code
    )
    # The same URL answers a full page or an HTMX fragment; caches must keep them apart.
    response.headers["Vary"] = "HX-Request"
    return response


def login_redirect(request: Request) -> Response:
    """Send a logged-out visitor to the login page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"/login?{urlencode({'next': here})}"
    if is_htmx(request):
        # A 303 would be followed inside the XHR and swap the login page into a fragment.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
