"""The public signup API (DESIGN.md §4): `POST /api/signup`, its email check and the area-code list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, status

from voxi.core.ratelimit import RateLimiter
from voxi.deps import RateLimiterDep, SessionDep, SettingsDep
from voxi.signup import service
from voxi.signup.area_codes import AreaCodeStock
from voxi.signup.repository import email_taken
from voxi.signup.schemas import (
    AreaCodes,
    EmailAvailability,
    EmailCheck,
    SignupRequest,
    SignupResponse,
    normalise_email,
)
from voxi.signup.steps import EMAIL_TAKEN, SagaContext

router = APIRouter(tags=["signup"])

EMAIL_CHECK_LIMIT = "60/minute"


async def saga_context(request: Request) -> SagaContext:
    """The saga's providers, built once at start-up (tests pass their own through `create_app`)."""
    state = request.app.state
    return SagaContext(
        settings=state.settings,
        db=state.db,
        billing=state.providers.billing,
        telephony=state.providers.telephony,
        mailer=state.providers.mailer,
        provider_name=state.settings.telephony_provider,
    )


async def area_code_stock(request: Request) -> AreaCodeStock:
    state = request.app.state
    if getattr(state, "area_code_stock", None) is None:
        state.area_code_stock = AreaCodeStock(state.providers.telephony)
    return state.area_code_stock


SagaDep = Annotated[SagaContext, Depends(saga_context)]
AreaCodeStockDep = Annotated[AreaCodeStock, Depends(area_code_stock)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_signups(request: Request, limiter: RateLimiter, limit: str) -> None:
    await limiter.hit(limit, "signup", client_ip(request))


@router.post("/api/signup", response_model=SignupResponse, status_code=status.HTTP_201_CREATED)
async def sign_up(
    body: SignupRequest,
    request: Request,
    saga: SagaDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SignupResponse:
    """Create a business with a trial subscription, a phone number and its owner; idempotent per key."""
    await limit_signups(request, limiter, settings.signup_rate_limit)
    return await service.sign_up(saga, body, idempotency_key)


@router.post("/api/signup/check-email", response_model=EmailAvailability)
async def check_email(
    body: EmailCheck, request: Request, session: SessionDep, limiter: RateLimiterDep
) -> EmailAvailability:
    """Whether an email can still sign up (rate-limited: it tells who has an account)."""
    await limiter.hit(EMAIL_CHECK_LIMIT, "check-email", client_ip(request))
    try:
        email = normalise_email(body.email)
    except ValueError as exc:
        return EmailAvailability(available=False, reason=str(exc))
    if await email_taken(session, email):
        return EmailAvailability(available=False, reason=EMAIL_TAKEN)
    return EmailAvailability(available=True)


@router.get("/api/signup/area-codes", response_model=AreaCodes)
async def area_codes(stock: AreaCodeStockDep) -> AreaCodes:
    """US area codes with numbers available right now, with their city and state."""
    return AreaCodes(area_codes=await stock.available())
