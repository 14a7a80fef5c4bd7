"""Billing over HTTP: the Stripe webhook, the tenant billing API, and the sandbox card-update portal."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from voxi.billing import sandbox_clock, service
from voxi.billing.plans import PLANS
from voxi.billing.providers.base import Billing, BillingEvent, PaymentDeclined
from voxi.billing.providers.sandbox import DECLINED_CARDS, FAILS_ON_CHARGE, WORKING_CARDS
from voxi.billing.schemas import BillingOut, ChangePlan, PortalOut, PortalRequest, WebhookAck
from voxi.billing.webhooks import record_event
from voxi.core.db import Database
from voxi.core.errors import NotFound, ValidationFailed
from voxi.deps import CurrentTenant, DatabaseDep, SessionDep, SettingsDep, TenantAdmin
from voxi.tenancy.models import Plan
from voxi.web.browser_session import flash
from voxi.web.deps import CsrfProtected
from voxi.web.pages import render

router = APIRouter(tags=["billing"])
sandbox_router = APIRouter(include_in_schema=False)


async def _billing(request: Request) -> Billing:
    return request.app.state.providers.billing


BillingDep = Annotated[Billing, Depends(_billing)]


async def _verified_event(request: Request, billing: BillingDep) -> BillingEvent:
    # The signature covers the exact bytes Stripe sent: verify before anything parses the body.
    payload = await request.body()
    return billing.verify_webhook(payload, request.headers.get("stripe-signature", ""))


VerifiedEvent = Annotated[BillingEvent, Depends(_verified_event)]


@router.post("/api/stripe/webhook", response_model=WebhookAck)
async def stripe_webhook(event: VerifiedEvent, session: SessionDep, settings: SettingsDep) -> WebhookAck:
    """Stripe billing events: verified, stored once, processed by a background job."""
    stored = await record_event(session, settings.billing_provider, event)
    return WebhookAck(received=True, duplicate=not stored)


@router.get("/api/v1/billing", response_model=BillingOut)
async def get_billing(tenant: CurrentTenant, _admin: TenantAdmin) -> BillingOut:
    """The plan, subscription status, trial days left, period end and cancellation (owner/admin)."""
    return service.billing_view(tenant)


@router.post("/api/v1/billing/change-plan", response_model=BillingOut)
async def change_plan(
    body: ChangePlan,
    tenant: CurrentTenant,
    admin: TenantAdmin,
    session: SessionDep,
    billing: BillingDep,
    settings: SettingsDep,
) -> BillingOut:
    """Upgrade or downgrade now, prorated (owner/admin)."""
    return await service.change_plan(session, billing, settings, tenant, body.plan, actor=admin.actor)


@router.post("/api/v1/billing/cancel", response_model=BillingOut)
async def cancel(
    tenant: CurrentTenant, admin: TenantAdmin, session: SessionDep, billing: BillingDep, settings: SettingsDep
) -> BillingOut:
    """Cancel at the end of the current period; service continues until then (owner/admin)."""
    return await service.set_cancel_at_period_end(session, billing, settings, tenant, True, actor=admin.actor)


@router.post("/api/v1/billing/resume", response_model=BillingOut)
async def resume(
    tenant: CurrentTenant, admin: TenantAdmin, session: SessionDep, billing: BillingDep, settings: SettingsDep
) -> BillingOut:
    """Undo a pending cancellation (owner/admin)."""
    return await service.set_cancel_at_period_end(
        session, billing, settings, tenant, False, actor=admin.actor
    )


@router.post("/api/v1/billing/portal", response_model=PortalOut)
async def portal(
    tenant: CurrentTenant,
    _admin: TenantAdmin,
    billing: BillingDep,
    settings: SettingsDep,
    body: PortalRequest | None = None,
) -> PortalOut:
    """A link to change the card on file (Stripe Customer Portal; sandbox: a local page) (owner/admin)."""
    return PortalOut(
        url=await service.portal_url(billing, settings, tenant, body.return_url if body else None)
    )


async def _require_sandbox(settings: SettingsDep) -> None:
    if settings.billing_provider != "sandbox":
        raise NotFound("Page not found.")


SandboxOnly = Annotated[None, Depends(_require_sandbox)]
CARD_CHOICES = sorted(WORKING_CARDS) + sorted(FAILS_ON_CHARGE) + sorted(DECLINED_CARDS)


def _safe_return(return_url: str, base_url: str) -> str:
    # Only back into Voxi: never an open redirect to another site.
    local = return_url.startswith("/") and not return_url.startswith("//")
    return return_url if local or return_url.startswith(base_url + "/") else "/billing"


async def _portal_context(db: Database, customer_id: str, return_url: str) -> dict[str, Any]:
    customer, subscriptions = await sandbox_clock.portal_view(db, customer_id)
    return {
        "customer": customer,
        "subscriptions": [(sub, PLANS[Plan(sub.plan)]) for sub in subscriptions],
        "cards": CARD_CHOICES,
        "return_url": return_url,
    }


@sandbox_router.get("/sandbox/billing/portal/{customer_id}")
async def sandbox_portal(
    request: Request,
    customer_id: str,
    _sandbox: SandboxOnly,
    db: DatabaseDep,
    settings: SettingsDep,
    return_url: str = "/billing",
) -> Response:
    """Sandbox stand-in for Stripe's Customer Portal: see the card and open invoice, switch the card."""
    context = await _portal_context(db, customer_id, _safe_return(return_url, settings.voxi_base_url))
    return render(request, "billing/sandbox_portal.html", context)


@sandbox_router.post("/sandbox/billing/portal/{customer_id}")
async def sandbox_portal_update_card(
    request: Request,
    customer_id: str,
    _sandbox: SandboxOnly,
    _csrf: CsrfProtected,
    db: DatabaseDep,
    settings: SettingsDep,
    payment_method: Annotated[str, Form()] = "",
    return_url: Annotated[str, Form()] = "/billing",
) -> Response:
    """Switch the sandbox card; a working card pays the open invoice at once (the account becomes active)."""
    try:
        update = await sandbox_clock.update_card(db, customer_id, payment_method)
    except (PaymentDeclined, ValidationFailed) as exc:
        context = await _portal_context(db, customer_id, _safe_return(return_url, settings.voxi_base_url))
        return render(
            request, "billing/sandbox_portal.html", {**context, "error": exc.message}, status_code=400
        )
    paid = f" and paid {len(update.paid_subscriptions)} open invoice(s)" if update.paid_subscriptions else ""
    flash(request, f"Card updated to {update.payment_method}{paid}.")
    query = urlencode({"return_url": _safe_return(return_url, settings.voxi_base_url)})
    return RedirectResponse(f"/sandbox/billing/portal/{customer_id}?{query}", status_code=303)
