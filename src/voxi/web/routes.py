"""Browser pages: login and password reset, the tenant dashboard, the admin tenants list, the dev outbox."""

from __future__ import annotations

import math
from typing import Annotated, get_args

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from voxi.admin import service as admin_service
from voxi.admin.jobs import JobStatus, list_jobs
from voxi.admin.schemas import TenantQuery
from voxi.auth import service
from voxi.billing.plans import PLAN_ORDER, PLANS
from voxi.calls.repository import recent_calls
from voxi.core.errors import BadRequest, NotFound, RateLimited, Unauthorized
from voxi.deps import DatabaseDep, RateLimiterDep, SessionDep, SettingsDep
from voxi.notifications.providers.mailer import Mailer
from voxi.signup.steps import TRIAL_DAYS
from voxi.tenancy.service import business_view
from voxi.web.browser_session import end_session, flash, home_path, safe_next, start_session
from voxi.web.deps import CsrfProtected, WebPlatformAdmin, WebUser
from voxi.web.pages import dev_tools_enabled, is_htmx, login_redirect, render
from voxi.web.repository import recent_outbox_emails, recent_outbox_sms, recent_sandbox_calls

router = APIRouter(include_in_schema=False)

MIN_PASSWORD_LENGTH = 8
RESET_SENT = "If that email has an account, we sent a link to reset its password."
TENANTS_PER_PAGE = 25


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/")
async def root(request: Request) -> Response:
    """The marketing page: what Voxi does, how it works and the plans (logged-in users see it too)."""
    plans = [PLANS[plan] for plan in PLAN_ORDER]
    return render(request, "marketing/home.html", {"plans": plans, "trial_days": TRIAL_DAYS})


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    return render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(
    request: Request,
    _csrf: CsrfProtected,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Log in with email and password (rate-limited), then go to `next` or the home page."""
    context = {"next": safe_next(next), "email": email}
    try:
        claims = await service.sign_in(
            db,
            session,
            limiter,
            limit=settings.login_rate_limit,
            client=_client_ip(request),
            email=email,
            password=password,
        )
    except (RateLimited, Unauthorized) as exc:
        status = 429 if isinstance(exc, RateLimited) else 400
        return render(request, "auth/login.html", {**context, "error": exc.message}, status_code=status)
    start_session(request, claims.user_id, claims.tenant_id, claims.platform_admin)
    return _see_other(safe_next(next) or home_path(request))


@router.post("/logout")
async def logout(request: Request, _csrf: CsrfProtected) -> RedirectResponse:
    """End the browser session."""
    end_session(request)
    flash(request, "You are logged out.")
    return _see_other("/login")


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    """The form asking for the email to send a reset link to."""
    return render(request, "auth/forgot.html")


@router.post("/forgot-password")
async def forgot_password(
    request: Request,
    _csrf: CsrfProtected,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    email: Annotated[str, Form()] = "",
) -> Response:
    """Email a reset link; the answer is the same whether or not the account exists."""
    try:
        await limiter.hit(settings.login_rate_limit, "reset", _client_ip(request), email.strip().lower())
    except RateLimited as exc:
        return render(request, "auth/forgot.html", {"error": exc.message}, status_code=429)
    started = await service.start_password_reset(session, email)
    if started is not None:
        user, token = started
        link = f"{settings.voxi_base_url}/reset-password?token={token}"
        mailer: Mailer = request.app.state.providers.mailer
        await mailer.send(user.email, "Reset your Voxi password", _reset_email(user.name, link))
    return render(request, "auth/forgot.html", {"sent": RESET_SENT})


def _reset_email(name: str, link: str) -> str:
    return (
        f"Hi {name},\n\nSet a new Voxi password here (the link works for one hour):\n{link}\n\n"
        "If you did not ask for this, you can ignore this email."
    )


@router.get("/reset-password")
async def reset_password_page(request: Request, token: str = "") -> Response:
    """The form setting a new password from an emailed link."""
    return render(request, "auth/reset.html", {"token": token})


@router.post("/reset-password")
async def reset_password(
    request: Request,
    _csrf: CsrfProtected,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password; every earlier session and token stops working."""
    error = None
    if len(password) < MIN_PASSWORD_LENGTH:
        error = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    elif password != confirm:
        error = "The two passwords do not match."
    else:
        try:
            await service.finish_password_reset(session, token, password)
        except BadRequest as exc:
            error = exc.message
    if error:
        return render(request, "auth/reset.html", {"token": token, "error": error}, status_code=400)
    end_session(request)
    flash(request, "Your new password is set. Log in with it.")
    return _see_other("/login")


@router.get("/dashboard")
async def dashboard(request: Request, viewer: WebUser, session: SessionDep) -> Response:
    """The business's home: its name, Voxi numbers and first steps."""
    if viewer is None:
        return login_redirect(request)
    business = await business_view(session, viewer.tenant)
    calls = await recent_calls(session)
    return render(request, "dashboard/home.html", {"business": business, "recent_calls": calls})


@router.get("/admin/ui/tenants")
async def admin_tenants(
    request: Request,
    admin: WebPlatformAdmin,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Platform admin: every tenant, searchable by name or phone number; HTMX gets only the rows."""
    if admin is None:
        return login_redirect(request)
    query = TenantQuery(q=q.strip(), page=page, per_page=TENANTS_PER_PAGE)
    results = await admin_service.list_tenants(admin.session, query)
    template = "admin/_tenant_rows.html" if is_htmx(request) else "admin/tenants.html"
    pages = max(1, math.ceil(results.total / results.per_page))
    return render(request, template, {"results": results, "pages": pages, "q": query.q})


@router.get("/admin/ui/jobs")
async def admin_jobs(
    request: Request, admin: WebPlatformAdmin, status: JobStatus | None = "failed"
) -> Response:
    """Platform admin: background jobs, failed ones first by default."""
    if admin is None:
        return login_redirect(request)
    jobs = await list_jobs(admin.session, status)
    return render(
        request, "admin/jobs.html", {"jobs": jobs, "status": status, "statuses": get_args(JobStatus)}
    )


@router.get("/dev/outbox")
async def dev_outbox(request: Request, session: SessionDep) -> Response:
    """Development only: the emails, texts and calls the sandbox providers "sent", newest first."""
    if not dev_tools_enabled(request):
        raise NotFound("Page not found.")
    emails, texts = await recent_outbox_emails(session), await recent_outbox_sms(session)
    calls = await recent_sandbox_calls(session)
    return render(request, "dev/outbox.html", {"emails": emails, "texts": texts, "calls": calls})
