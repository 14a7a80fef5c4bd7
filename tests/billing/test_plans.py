"""Plans and entitlements: one module decides, and gated routes answer `plan_required`."""

from __future__ import annotations

from tests.factories.admin import admin_headers, make_platform_admin
from tests.factories.tenancy import make_tenant, owner_headers
from voxi.billing.plans import PLANS, Feature, PlanRequired, has_feature, require_feature
from voxi.tenancy.models import Plan, Tenant


def test_prices_and_features_per_plan():
    assert [(PLANS[p].name, PLANS[p].price_cents) for p in Plan] == [
        ("Starter", 29_900),
        ("Professional", 79_900),
        ("Enterprise", 149_900),
    ]
    assert has_feature(Plan.STARTER, Feature.BOOKING) and has_feature(Plan.STARTER, Feature.CALENDAR_SYNC)
    assert not has_feature(Plan.STARTER, Feature.CRM) and has_feature(Plan.PROFESSIONAL, Feature.CRM)
    assert not has_feature(Plan.PROFESSIONAL, Feature.API_ACCESS) and has_feature(
        Plan.ENTERPRISE, Feature.API_ACCESS
    )
    assert PLANS[Plan.STARTER].max_numbers == 1 and PLANS[Plan.ENTERPRISE].max_numbers is None


def test_require_feature_names_the_plan_needed():
    try:
        require_feature(Tenant(name="x", plan=Plan.STARTER), Feature.ANALYTICS)
    except PlanRequired as exc:
        assert (exc.status_code, exc.code) == (403, "plan_required")
        assert "Professional plan" in exc.message and "Starter" in exc.message
    else:
        raise AssertionError("Starter must not include analytics")


async def test_api_keys_need_the_enterprise_plan(client, db, settings):
    for plan in ("STARTER", "PROFESSIONAL"):
        tenant = await make_tenant(db, plan=plan)
        response = await client.post(
            "/api/v1/api-keys", headers=owner_headers(settings, tenant), json={"name": "k"}
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "plan_required"
        assert "Enterprise plan" in response.json()["error"]["message"]
        assert (await client.get("/api/v1/api-keys", headers=owner_headers(settings, tenant))).json() == []
    enterprise = await make_tenant(db, plan="ENTERPRISE")
    created = await client.post(
        "/api/v1/api-keys", headers=owner_headers(settings, enterprise), json={"name": "k"}
    )
    assert created.status_code == 201


async def test_the_admin_api_may_still_create_keys_for_any_plan(client, db, settings):
    starter = await make_tenant(db, plan="STARTER")
    admin = await make_platform_admin(db)
    response = await client.post(
        f"/admin/tenants/{starter.id}/api-keys",
        headers=admin_headers(settings, admin.id),
        json={"name": "zapier"},
    )
    assert response.status_code == 201
