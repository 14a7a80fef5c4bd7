"""The settings page: every section saves on its own, errors show inline, staff may only look."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from sqlalchemy import select

from tests.browser import csrf_of, log_in
from tests.factories.tenancy import OWNER_PASSWORD, make_tenant
from voxi.admin.models import AuditLog
from voxi.auth.models import Role, TenantUser, User
from voxi.auth.passwords import hash_password
from voxi.core.db import activate_tenant
from voxi.emergencies.models import EscalationContact
from voxi.scheduling.models import SchedulingSettings
from voxi.tenancy.models import TenantConfig

HTMX = {"HX-Request": "true"}
FORM = {**HTMX, "Content-Type": "application/x-www-form-urlencoded"}


async def _owner_page(visitor, db, **tenant):
    acme = await make_tenant(db, name="Acme Heating", **tenant)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/settings")
    return acme, page, csrf_of(page.text)


async def _config(db, tenant_id) -> TenantConfig:
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        config = await session.get(TenantConfig, tenant_id)
        assert config is not None
        return config


async def test_settings_page_shows_every_section_with_current_values(visitor, db):
    _, page, _ = await _owner_page(visitor, db)
    assert page.status_code == 200
    for heading in ("Business hours", "Services", "Service areas", "Emergencies", "Phone", "AI receptionist"):
        assert f"<legend>{heading}</legend>" in page.text
    assert (
        'value="08:00-17:00"' in page.text and 'id="hours_sat" name="hours_sat" value="closed"' in page.text
    )
    assert "Thanks for calling Acme Heating!" in page.text


async def test_logged_out_visitors_are_sent_to_login(visitor, db):
    response = await visitor.get("/settings")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fsettings"


async def test_htmx_saves_hours_and_answers_the_section(visitor, db):
    acme, _, csrf = await _owner_page(visitor, db)
    form = {f"hours_{d}": "closed" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    form.update(hours_mon="9:00-12:00, 13:00-18:00", overrides="2026-12-25 closed", csrf_token=csrf)
    response = await visitor.post("/settings/hours", data=form, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card settings-section" id="hours">')
    assert "Saved." in response.text and "<html" not in response.text
    config = await _config(db, acme.id)
    assert config.business_hours["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert config.business_hours["tue"] == [] and config.hours_overrides == {"2026-12-25": []}
    async with db.cross_tenant("test") as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.tenant_id == acme.id))
    assert audit is not None and audit.action == "business.update"


async def test_bad_hours_and_phone_numbers_show_inline_errors_and_save_nothing(visitor, db):
    acme, _, csrf = await _owner_page(visitor, db)
    response = await visitor.post(
        "/settings/hours", data={"hours_mon": "nine to five", "csrf_token": csrf}, headers=HTMX
    )
    assert 'id="hours_mon-error">Use opening hours like 08:00-17:00' in response.text
    assert 'value="nine to five"' in response.text and "Saved." not in response.text
    phone = await visitor.post(
        "/settings/phone", data={"forwarding_number": "12345", "csrf_token": csrf}, headers=HTMX
    )
    assert 'id="forwarding_number-error">Enter a valid phone number' in phone.text
    assert 'aria-invalid="true"' in phone.text
    config = await _config(db, acme.id)
    assert config.business_hours["mon"] == [["08:00", "17:00"]] and config.forwarding_number is None


async def test_without_htmx_a_save_redirects_and_an_error_rerenders_the_page(visitor, db):
    acme, _, csrf = await _owner_page(visitor, db)
    form = {"greeting": "Hi from Acme!", "voice": "Polly.Joanna", "csrf_token": csrf}
    saved = await visitor.post("/settings/ai", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == "/settings#ai"
    config = await _config(db, acme.id)
    assert config.greeting == "Hi from Acme!" and config.recording_enabled is False
    bad = await visitor.post("/settings/ai", data={**form, "greeting": ""})
    assert bad.status_code == 422 and "<legend>Business hours</legend>" in bad.text
    assert 'id="greeting-error">' in bad.text


async def test_emergency_section_replaces_the_chain_and_settings(visitor, db):
    acme, _, csrf = await _owner_page(visitor, db)
    form = [
        ("contact_name", "Alice"), ("contact_phone", "512-555-0111"), ("contact_role", "on_call"),
        ("contact_name", "Olga"), ("contact_phone", "(512) 555-0133"), ("contact_role", "owner"),
        ("contact_name", ""), ("contact_phone", ""), ("contact_role", "on_call"),
        ("enabled", "on"), ("no_heat_at_or_below_f", "25"), ("no_ac_at_or_above_f", "100"),
        ("ack_timeout_minutes", "10"), ("escalate_kinds", "gas_leak"), ("csrf_token", csrf),
    ]  # fmt: skip
    response = await visitor.post("/settings/emergency", content=urlencode(form), headers=FORM)
    assert "Saved." in response.text
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        contacts = (
            await session.scalars(select(EscalationContact).order_by(EscalationContact.position))
        ).all()
        assert [(c.name, c.phone, c.role) for c in contacts] == [
            ("Alice", "+15125550111", "on_call"),
            ("Olga", "+15125550133", "owner"),
        ]
    config = await _config(db, acme.id)
    assert config.emergency_settings["no_heat_at_or_below_f"] == 25
    assert config.emergency_settings["escalate_kinds"] == ["gas_leak"]
    bad = [
        ("contact_name", "Bob"),
        ("contact_phone", "call me"),
        ("contact_role", "backup"),
        ("csrf_token", csrf),
    ]
    invalid = await visitor.post("/settings/emergency", content=urlencode(bad), headers=FORM)
    assert 'id="contact_phone_0-error">Enter a valid phone number' in invalid.text
    assert 'value="call me"' in invalid.text


async def test_staff_see_settings_but_cannot_change_them(visitor, db):
    acme = await make_tenant(db)
    email = f"staff-{uuid.uuid4().hex[:6]}@example.com"
    async with db.cross_tenant("test factory") as session:
        user = User(
            email=email, name="Sam Staff", password_hash=hash_password(OWNER_PASSWORD), last_tenant_id=acme.id
        )
        session.add(user)
        await session.flush()
        session.add(TenantUser(tenant_id=acme.id, user_id=user.id, role=Role.STAFF))
        await session.commit()
    await log_in(visitor, email, OWNER_PASSWORD)
    page = await visitor.get("/settings")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text and "Save hours" not in page.text
    response = await visitor.post(
        "/settings/ai",
        data={"greeting": "Hacked", "voice": "x", "csrf_token": csrf_of(page.text)},
        headers=HTMX,
    )
    assert response.status_code == 403
    assert (await _config(db, acme.id)).greeting != "Hacked"


async def test_saving_without_the_csrf_token_is_forbidden(visitor, db):
    acme, _, _ = await _owner_page(visitor, db)
    response = await visitor.post("/settings/ai", data={"greeting": "No token", "voice": "x"}, headers=HTMX)
    assert response.status_code == 403
    assert (await _config(db, acme.id)).greeting != "No token"


async def test_the_ai_section_names_the_engine_and_only_enterprise_may_choose_it(visitor, db):
    _, page, _ = await _owner_page(visitor, db)
    assert 'name="voice_engine"' not in page.text
    assert "Calls are answered with Twilio speech" in page.text


async def test_an_enterprise_owner_chooses_the_voice_engine_or_goes_back_to_the_default(visitor, db):
    acme, page, csrf = await _owner_page(visitor, db, plan="ENTERPRISE")
    assert 'name="voice_engine"' in page.text and "Voxi's default (Twilio speech)" in page.text
    assert 'value="openai"' not in page.text  # only engines this deployment can run (no OpenAI key here)
    form = {"greeting": "Hi!", "voice": "Polly.Joanna", "voice_engine": "twilio_speech", "csrf_token": csrf}
    saved = await visitor.post("/settings/ai", data=form, headers=HTMX)
    assert "Saved." in saved.text and 'value="twilio_speech" selected' in saved.text
    assert (await _config(db, acme.id)).voice_engine == "twilio_speech"
    cleared = await visitor.post("/settings/ai", data={**form, "voice_engine": ""}, headers=HTMX)
    assert "Saved." in cleared.text
    assert (await _config(db, acme.id)).voice_engine is None


async def test_booking_rules_save_from_the_page_and_bad_numbers_show_inline(visitor, db):
    acme, page, csrf = await _owner_page(visitor, db)
    assert (
        "<legend>Booking rules</legend>" in page.text and 'id="capacity" name="capacity" min="1"' in page.text
    )
    form = {
        "capacity": "2",
        "min_notice_hours": "4",
        "horizon_days": "14",
        "slot_minutes": "30",
        "hold_minutes": "5",
        "csrf_token": csrf,
    }
    saved = await visitor.post("/settings/booking", data=form, headers=HTMX)
    assert "Saved." in saved.text and 'value="2"' in saved.text
    bad = await visitor.post(
        "/settings/booking", data={**form, "capacity": "0", "slot_minutes": "20"}, headers=HTMX
    )
    assert 'id="capacity-error">Input should be greater than or equal to 1' in bad.text
    assert 'id="slot_minutes-error">Input should be a multiple of 15' in bad.text
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        rules = await session.get(SchedulingSettings, acme.id)
    assert rules is not None
    assert (rules.capacity, rules.min_notice_hours, rules.horizon_days, rules.slot_minutes) == (2, 4, 14, 30)


async def test_a_voice_of_another_engine_says_which_voice_callers_hear(visitor, db):
    _, page, _ = await _owner_page(visitor, db)  # the default voice, alloy, is OpenAI's
    assert "alloy — not a Twilio speech voice, so callers hear Joanna (Amazon Polly)" in page.text
