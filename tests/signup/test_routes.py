"""`POST /api/signup` validation and rate limit, the email check and the area-code list."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.tenancy import make_tenant
from tests.signup.conftest import SignupWorld, signup_body
from voxi.app import create_app
from voxi.providers import build_providers

FIELDS = (
    "businessName",
    "ownerName",
    "email",
    "password",
    "phone",
    "industry",
    "plan",
    "paymentMethodId",
    "areaCode",
)
BAD_VALUES = {
    "businessName": "   ",
    "ownerName": "",
    "email": "pat-at-example",
    "password": "short",
    "phone": "12",
    "industry": "astrology",
    "plan": "GOLD",
    "paymentMethodId": "4242 4242 4242 4242",
    "areaCode": "012",
}


async def test_a_missing_body_names_every_field(world: SignupWorld):
    response = await world.client.post("/api/signup", json={})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == set(FIELDS)


@pytest.mark.parametrize("field", FIELDS)
async def test_each_invalid_field_is_named_with_its_wire_name(world: SignupWorld, field: str):
    response = await world.client.post("/api/signup", json=signup_body(**{field: BAD_VALUES[field]}))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {field}
    assert world.billing.customers == {} and world.telephony.owned == {}


async def test_signups_are_rate_limited_per_address(settings, db):
    providers = build_providers(settings, db)
    app = create_app(settings.model_copy(update={"signup_rate_limit": "2/hour"}), db=db, providers=providers)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        codes = [
            (
                await client.post(
                    "/api/signup",
                    json=signup_body(email=f"p{n}@example.com", paymentMethodId="pm_card_chargeDeclined"),
                )
            ).status_code
            for n in range(3)
        ]
    assert codes == [402, 402, 429]


async def test_check_email_tells_whether_an_email_can_sign_up(world: SignupWorld, db):
    owner = await make_tenant(db)
    taken = await world.client.post("/api/signup/check-email", json={"email": owner.owner_email.upper()})
    free = await world.client.post("/api/signup/check-email", json={"email": "new@example.com"})
    invalid = await world.client.post("/api/signup/check-email", json={"email": "nope"})
    assert taken.json()["available"] is False and "already" in taken.json()["reason"]
    assert free.json() == {"available": True, "reason": None}
    assert invalid.json()["available"] is False and invalid.json()["reason"] == "Enter a valid email address."


async def test_area_codes_lists_only_codes_with_numbers_with_city_and_state(world: SignupWorld):
    response = await world.client.get("/api/signup/area-codes")
    assert response.status_code == 200
    assert response.json() == {"areaCodes": [{"areaCode": "512", "city": "Austin", "state": "TX"}]}
    world.telephony.stock["512"] = []
    cached = await world.client.get("/api/signup/area-codes")
    assert cached.json() == response.json()  # cached briefly: the provider is not asked on every page view
