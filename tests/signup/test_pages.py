"""Signup, welcome, billing, marketing and legal pages, on the real sandbox billing and telephony."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import select

from tests.browser import csrf_of
from tests.signup.conftest import signup_body
from voxi.app import create_app
from voxi.billing.models import SandboxSubscription
from voxi.providers import build_providers


async def _sign_up(visitor: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    page = await visitor.get("/signup")
    form = {**signup_body(**overrides), "csrf_token": csrf_of(page.text), "idempotencyKey": str(uuid.uuid4())}
    return await visitor.post("/signup", data=form, headers={"Accept": "application/json"})


async def test_the_marketing_page_shows_the_plans_and_the_signup_link(visitor):
    page = await visitor.get("/")
    assert page.status_code == 200
    assert "Never Miss Another Call" in page.text
    for price in ("$299", "$799", "$1,499"):
        assert price in page.text
    assert 'href="/signup"' in page.text
    assert "Go to dashboard" not in page.text


async def test_the_signup_page_offers_sandbox_test_cards_and_no_stripe(visitor):
    page = await visitor.get("/signup")
    assert page.status_code == 200
    assert 'value="pm_card_visa"' in page.text and 'value="pm_card_chargeDeclined"' in page.text
    assert "js.stripe.com" not in page.text
    assert "js.stripe.com" not in page.headers["content-security-policy"]
    assert re.search(r'<option value="512">512 — Austin, TX</option>', page.text)


async def test_with_stripe_the_page_loads_the_payment_element_and_widens_the_csp_only_there(settings, db):
    stripe = settings.model_copy(
        update={"billing_provider": "stripe", "stripe_publishable_key": "pk_test_123"}
    )
    app = create_app(stripe, db=db, providers=build_providers(settings, db))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        signup = await client.get("/signup")
        login = await client.get("/login")
    assert '<script src="https://js.stripe.com/v3/"></script>' in signup.text
    assert 'data-stripe-key="pk_test_123"' in signup.text and "pm_card_visa" not in signup.text
    assert signup.headers.get_list("content-security-policy") == [signup.headers["content-security-policy"]]
    assert "script-src 'self' https://js.stripe.com" in signup.headers["content-security-policy"]
    assert "stripe" not in login.headers["content-security-policy"]


async def test_signing_up_in_the_browser_logs_in_and_welcomes_with_the_number(visitor):
    response = await _sign_up(visitor)

    assert response.status_code == 200, response.text
    assert response.json() == {"redirect": "/welcome"}
    welcome = await visitor.get("/welcome")
    assert welcome.status_code == 200
    number = re.search(r'data-number="(\+1512555010\d)"', welcome.text)
    assert number, welcome.text
    assert "Copy number" in welcome.text and "/static/welcome.js" in welcome.text
    assert "Forward your business line" in welcome.text
    dashboard = await visitor.get("/dashboard")
    assert "Acme Plumbing" in dashboard.text and number.group(1) in dashboard.text


async def test_signup_errors_come_back_per_field(visitor):
    response = await _sign_up(visitor, email="not-an-email", areaCode="12", password="short")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"email", "areaCode", "password"}


async def test_a_declined_test_card_is_reported_on_the_payment_step(visitor):
    response = await _sign_up(visitor, paymentMethodId="pm_card_chargeDeclined")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "payment_declined"
    assert (await visitor.get("/welcome")).status_code == 303  # not logged in


async def test_progress_ticks_every_step_of_a_finished_signup(visitor):
    page = await visitor.get("/signup")
    key = str(uuid.uuid4())
    form = {**signup_body(), "csrf_token": csrf_of(page.text), "idempotencyKey": key}
    assert (await visitor.post("/signup", data=form)).status_code == 200
    progress = await visitor.get(f"/signup/progress?key={key}", headers={"HX-Request": "true"})
    assert progress.text.count('data-status="done"') == 6
    assert "<html" not in progress.text
    unknown = await visitor.get("/signup/progress?key=nothing", headers={"HX-Request": "true"})
    assert unknown.text.count('data-status="waiting"') == 6


async def test_the_number_preview_shows_a_number_or_nearby_area_codes(visitor):
    preview = await visitor.get("/signup/number-preview?areaCode=512", headers={"HX-Request": "true"})
    assert "+1 512-555-0100" in preview.text and "Austin, TX" in preview.text
    unknown = await visitor.get("/signup/number-preview?areaCode=999", headers={"HX-Request": "true"})
    assert "No numbers left in 999" in unknown.text and "Numbers are available in" in unknown.text


async def test_terms_and_privacy_pages(visitor):
    assert "Terms of service" in (await visitor.get("/terms")).text
    assert "Privacy policy" in (await visitor.get("/privacy")).text


async def test_the_billing_page_shows_the_trial_and_changes_the_plan_and_cancellation(visitor, db):
    assert (await _sign_up(visitor)).status_code == 200
    page = await visitor.get("/billing")
    assert "Professional plan" in page.text
    assert "14 days left in your free trial" in page.text or "13 days left" in page.text
    csrf = csrf_of(page.text)

    upgraded = await visitor.post("/billing/plan", data={"plan": "ENTERPRISE", "csrf_token": csrf})
    assert upgraded.status_code == 303
    page = await visitor.get("/billing")
    assert "You are now on the Enterprise plan." in page.text and "Enterprise plan" in page.text

    await visitor.post("/billing/cancel", data={"csrf_token": csrf})
    page = await visitor.get("/billing")
    assert "Your subscription ends" in page.text and "Resume subscription" in page.text
    async with db.cross_tenant("test") as session:
        subscription = await session.scalar(select(SandboxSubscription))
    assert subscription.plan == "ENTERPRISE" and subscription.cancel_at_period_end

    await visitor.post("/billing/resume", data={"csrf_token": csrf})
    assert "Cancel at period end" in (await visitor.get("/billing")).text

    portal = await visitor.post("/billing/portal", data={"csrf_token": csrf})
    assert portal.status_code == 303 and "/sandbox/billing/portal/" in portal.headers["location"]


async def test_billing_needs_a_login_and_a_csrf_token(visitor):
    assert (await visitor.get("/billing")).headers["location"] == "/login?next=%2Fbilling"
    assert (await _sign_up(visitor)).status_code == 200
    assert (await visitor.post("/billing/cancel", data={})).status_code == 403


async def test_a_logged_in_owner_sees_the_marketing_page_with_a_dashboard_link(visitor):
    assert (await _sign_up(visitor)).status_code == 200
    page = await visitor.get("/")
    assert "Go to dashboard" in page.text and 'href="/billing"' in page.text
