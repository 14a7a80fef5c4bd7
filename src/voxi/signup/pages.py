"""Signup pages: the 4-step form with live progress, the welcome page, and the terms and privacy pages."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import phonenumbers
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from voxi.auth.tokens import decode_jwt
from voxi.billing.plans import PLAN_ORDER, PLANS
from voxi.core.errors import NotFound, VoxiError
from voxi.deps import RateLimiterDep, SessionDep, SettingsDep
from voxi.signup import service
from voxi.signup.routes import AreaCodeStockDep, SagaDep, client_ip
from voxi.signup.schemas import SignupRequest
from voxi.signup.steps import TRIAL_DAYS, next_steps
from voxi.telephony.providers.base import NoNumbersAvailable
from voxi.tenancy.defaults import INDUSTRIES
from voxi.tenancy.service import business_view
from voxi.web.browser_session import start_session
from voxi.web.deps import CsrfProtected, WebUser
from voxi.web.pages import login_redirect, render

router = APIRouter(include_in_schema=False)

STRIPE_JS = "https://js.stripe.com"
# The signup page with Stripe's Payment Element: its script, its iframes and its API, nothing wider.
STRIPE_CSP = (
    "default-src 'self'; img-src 'self' data: https://*.stripe.com; style-src 'self'; "
    f"script-src 'self' {STRIPE_JS}; frame-src {STRIPE_JS} https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SANDBOX_CARDS = (
    ("pm_card_visa", "Visa ending 4242 — payment succeeds"),
    ("pm_card_mastercard", "Mastercard ending 4444 — payment succeeds"),
    ("pm_card_chargeDeclined", "Card ending 0002 — declined"),
)
FORM_FIELDS = tuple(SignupRequest.model_json_schema()["properties"])  # camelCase wire names
INDUSTRY_LABELS = {"hvac": "HVAC", "plumbing": "Plumbing", "electrical": "Electrical", "other": "Other"}


def display_number(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@router.get("/signup")
async def signup_page(request: Request, settings: SettingsDep, stock: AreaCodeStockDep) -> Response:
    """Start a business: details, plan, number and payment in four steps."""
    stripe = settings.billing_provider == "stripe"
    context = {
        "plans": [PLANS[plan] for plan in PLAN_ORDER],
        "industries": [(value, INDUSTRY_LABELS.get(value, value.title())) for value in INDUSTRIES],
        "area_codes": await stock.available(),
        "cards": SANDBOX_CARDS,
        "stripe_key": settings.stripe_publishable_key if stripe else None,
        "idempotency_key": str(uuid.uuid4()),
        "trial_days": TRIAL_DAYS,
        "selected_plan": request.query_params.get("plan", "PROFESSIONAL"),
    }
    response = render(request, "signup/signup.html", context)
    if stripe:
        response.headers["Content-Security-Policy"] = STRIPE_CSP
    return response


@router.post("/signup")
async def signup_submit(
    request: Request, _csrf: CsrfProtected, saga: SagaDep, settings: SettingsDep, limiter: RateLimiterDep
) -> Response:
    """Run the signup saga for the form; log the owner in and answer where to go next (JSON for signup.js)."""
    form = await request.form()
    data: dict[str, Any] = {name: form.get(name, "") for name in FORM_FIELDS}
    try:
        body = SignupRequest.model_validate(data)
        await limiter.hit(settings.signup_rate_limit, "signup", client_ip(request))
        created = await service.sign_up(saga, body, str(form.get("idempotencyKey") or "") or None)
    except ValidationError as exc:
        fields = {str(error["loc"][0]): error["msg"].removeprefix("Value error, ") for error in exc.errors()}
        return _error(422, "validation_error", "Please correct the highlighted fields.", fields)
    except VoxiError as exc:
        return _error(exc.status_code, exc.code, exc.message, exc.fields)
    claims = decode_jwt(settings.voxi_secret_key, created.token)
    start_session(request, claims.user_id, claims.tenant_id, False)
    return JSONResponse({"redirect": "/welcome"})


def _error(status: int, code: str, message: str, fields: dict[str, str] | None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status_code=status
    )


@router.get("/signup/progress")
async def signup_progress(
    request: Request, saga: SagaDep, key: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """HTMX fragment: each saga step of the signup running under `key`, ticked as it completes."""
    return render(request, "signup/_progress.html", {"steps": await service.progress(saga, key)})


@router.get("/signup/number-preview")
async def number_preview(
    request: Request, saga: SagaDep, area_code: Annotated[str, Query(alias="areaCode", max_length=3)] = ""
) -> Response:
    """HTMX fragment: the number a business would get in `areaCode`, or nearby codes with numbers."""
    context: dict[str, Any] = {"area_code": area_code}
    if area_code.isdigit() and len(area_code) == 3:
        try:
            numbers = await saga.telephony.search_available(area_code, limit=1)
        except NoNumbersAvailable as exc:
            numbers, context["nearby"] = [], exc.nearby
        if numbers:
            number = numbers[0]
            context.update(number=display_number(number.e164), place=f"{number.locality}, {number.region}")
    return render(request, "signup/_number_preview.html", context)


@router.get("/welcome")
async def welcome(request: Request, viewer: WebUser, session: SessionDep) -> Response:
    """After signup: the new number, a copy button and the first three things to do."""
    if viewer is None:
        return login_redirect(request)
    business = await business_view(session, viewer.tenant)
    if not business.phone_numbers:
        raise NotFound("This business has no number yet.")
    number = business.phone_numbers[0]
    context = {
        "business": business,
        "number": number,
        "pretty_number": display_number(number),
        "steps": next_steps(number),
    }
    return render(request, "signup/welcome.html", context)


@router.get("/terms")
async def terms(request: Request) -> Response:
    """The terms of service."""
    return render(request, "legal/terms.html")


@router.get("/privacy")
async def privacy(request: Request) -> Response:
    """The privacy policy."""
    return render(request, "legal/privacy.html")
