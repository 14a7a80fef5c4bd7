"""The billing page: plan, trial days left, upgrade/downgrade, cancel/resume and the card portal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.billing import service
from voxi.billing.providers.base import Billing
from voxi.core.errors import Forbidden, VoxiError
from voxi.core.settings import Settings
from voxi.deps import SessionDep, SettingsDep
from voxi.tenancy.models import Plan
from voxi.web.browser_session import flash
from voxi.web.deps import CsrfProtected, WebMember, WebUser
from voxi.web.pages import login_redirect, render

router = APIRouter(include_in_schema=False)

OWNERS_ONLY = "Only the business owner or an admin can change billing."


def _billing(request: Request) -> Billing:
    return request.app.state.providers.billing


def _back() -> RedirectResponse:
    return RedirectResponse("/billing", status_code=303)


def _require_admin(viewer: WebMember) -> None:
    if not viewer.principal.is_admin:
        raise Forbidden(OWNERS_ONLY)


@router.get("/billing")
async def billing_page(request: Request, viewer: WebUser) -> Response:
    """The business's plan and subscription, with the actions an owner can take."""
    if viewer is None:
        return login_redirect(request)
    view = service.billing_view(viewer.tenant)
    return render(request, "billing/billing.html", {"billing": view, "can_manage": viewer.principal.is_admin})


async def _act(
    request: Request, viewer: WebMember, action: Callable[[], Awaitable[object]], done: str
) -> Response:
    """Run an owner's billing action; success or the provider's refusal comes back as a flash message."""
    _require_admin(viewer)
    try:
        await action()
    except VoxiError as exc:
        done = exc.message
    flash(request, done)
    return _back()


@router.post("/billing/plan")
async def change_plan(
    request: Request,
    _csrf: CsrfProtected,
    viewer: WebUser,
    session: SessionDep,
    settings: SettingsDep,
    plan: Annotated[Plan, Form()],
) -> Response:
    """Switch to another plan (prorated)."""
    if viewer is None:
        return login_redirect(request)
    member = viewer

    def action() -> Awaitable[object]:
        billing = _billing(request)
        return service.change_plan(
            session, billing, settings, member.tenant, plan, actor=member.principal.actor
        )

    return await _act(request, viewer, action, f"You are now on the {plan.value.title()} plan.")


@router.post("/billing/cancel")
async def cancel(
    request: Request, _csrf: CsrfProtected, viewer: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Cancel at the end of the current period."""
    done = "Your subscription will end at the close of this period."
    return await _set_cancel_at_period_end(request, viewer, session, settings, True, done)


@router.post("/billing/resume")
async def resume(
    request: Request, _csrf: CsrfProtected, viewer: WebUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Undo a pending cancellation."""
    return await _set_cancel_at_period_end(
        request, viewer, session, settings, False, "Your subscription continues."
    )


async def _set_cancel_at_period_end(
    request: Request,
    viewer: WebMember | None,
    session: AsyncSession,
    settings: Settings,
    cancel: bool,
    done: str,
) -> Response:
    if viewer is None:
        return login_redirect(request)
    member = viewer

    def action() -> Awaitable[object]:
        return service.set_cancel_at_period_end(
            session, _billing(request), settings, member.tenant, cancel, actor=member.principal.actor
        )

    return await _act(request, viewer, action, done)


@router.post("/billing/portal")
async def portal(request: Request, _csrf: CsrfProtected, viewer: WebUser, settings: SettingsDep) -> Response:
    """Go to the billing provider's page for changing the card."""
    if viewer is None:
        return login_redirect(request)
    _require_admin(viewer)
    url = await service.portal_url(
        _billing(request), settings, viewer.tenant, f"{settings.voxi_base_url}/billing"
    )
    return RedirectResponse(url, status_code=303)
