from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from tests.browser import csrf_of, log_in
from tests.factories.admin import ADMIN_PASSWORD, make_platform_admin
from tests.factories.tenancy import OWNER_PASSWORD, make_tenant
from voxi.app import create_app
from voxi.auth.service import finish_password_reset, now, start_password_reset
from voxi.notifications.models import OutboxEmail
from voxi.tenancy.models import Tenant


async def test_dashboard_shows_only_the_logged_in_business(visitor, db):
    acme = await make_tenant(db, name="Acme Plumbing", phone_number="+15125550101")
    await make_tenant(db, name="Bolt Electric", phone_number="+15125550202")
    login = await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    assert login.status_code == 303
    assert login.headers["location"] == "/dashboard"
    page = await visitor.get("/dashboard")
    assert page.status_code == 200
    assert "Acme Plumbing" in page.text
    assert "+15125550101" in page.text
    assert "No calls yet" in page.text
    assert "Bolt Electric" not in page.text
    assert "+15125550202" not in page.text


async def test_logged_out_pages_redirect_to_login(visitor, db):
    for path, back in (
        ("/dashboard", "%2Fdashboard"),
        ("/admin/ui/tenants?q=a", "%2Fadmin%2Fui%2Ftenants%3Fq%3Da"),
    ):
        response = await visitor.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={back}"
    htmx = await visitor.get("/admin/ui/tenants", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")


async def test_wrong_password_rerenders_the_form_with_an_error(visitor, db):
    acme = await make_tenant(db)
    response = await log_in(visitor, acme.owner_email, "not-the-password")
    assert response.status_code == 400
    assert "The email or password is incorrect." in response.text
    assert 'name="password"' in response.text
    assert (await visitor.get("/dashboard")).status_code == 303


async def test_logout_ends_the_session(visitor, db):
    acme = await make_tenant(db)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/dashboard")
    response = await visitor.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You are logged out." in (await visitor.get("/login")).text
    assert (await visitor.get("/dashboard")).status_code == 303


async def test_posts_without_the_csrf_token_are_forbidden(visitor, db):
    acme = await make_tenant(db)
    await visitor.get("/login")
    missing = await visitor.post("/login", data={"email": acme.owner_email, "password": OWNER_PASSWORD})
    assert missing.status_code == 403
    assert "<html" in missing.text
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    wrong = await visitor.post("/logout", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    assert (await visitor.get("/dashboard")).status_code == 200
    page = await visitor.get("/dashboard")
    via_header = await visitor.post("/logout", headers={"X-CSRF-Token": csrf_of(page.text)})
    assert via_header.status_code == 303


async def test_login_ignores_an_offsite_next(visitor, db):
    acme = await make_tenant(db)
    for target in ("https://evil.com", "//evil.com", "/\\evil.com", "/\t/evil.com"):
        response = await log_in(visitor, acme.owner_email, OWNER_PASSWORD, next=target)
        assert response.headers["location"] == "/dashboard", target
    assert "evil.com" not in (await visitor.get("/login?next=https://evil.com")).text
    local = await log_in(visitor, acme.owner_email, OWNER_PASSWORD, next="/dashboard?tab=calls")
    assert local.headers["location"] == "/dashboard?tab=calls"


async def test_admin_search_returns_only_rows_for_htmx(visitor, db):
    admin = await make_platform_admin(db)
    await make_tenant(db, name="Acme Plumbing", phone_number="+15125550101")
    await make_tenant(db, name="Bolt Electric", phone_number="+17375550202")
    await log_in(visitor, admin.email, ADMIN_PASSWORD)
    full = await visitor.get("/admin/ui/tenants")
    assert full.status_code == 200
    assert "<html" in full.text
    assert "Acme Plumbing" in full.text and "Bolt Electric" in full.text
    by_name = await visitor.get("/admin/ui/tenants?q=plumb", headers={"HX-Request": "true"})
    assert by_name.status_code == 200
    assert "<html" not in by_name.text
    assert "Acme Plumbing" in by_name.text and "Bolt Electric" not in by_name.text
    by_number = await visitor.get("/admin/ui/tenants?q=(737) 555", headers={"HX-Request": "true"})
    assert "Bolt Electric" in by_number.text and "Acme Plumbing" not in by_number.text


async def test_a_deactivated_business_is_locked_out(visitor, db):
    acme = await make_tenant(db)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    async with db.cross_tenant("test: deactivate") as session:
        tenant = await session.get(Tenant, acme.id)
        tenant.deactivated_at = now()
        await session.commit()
    response = await visitor.get("/dashboard")
    assert response.status_code == 403
    assert "deactivated" in response.text


async def test_tenant_users_do_not_see_admin_pages(visitor, db):
    acme = await make_tenant(db)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    assert (await visitor.get("/admin/ui/tenants")).status_code == 404


async def test_password_reset_by_email_link(visitor, db):
    acme = await make_tenant(db)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/forgot-password")
    sent = await visitor.post(
        "/forgot-password", data={"email": acme.owner_email, "csrf_token": csrf_of(page.text)}
    )
    assert "If that email has an account" in sent.text
    async with db.sessions() as session:
        email = await session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == acme.owner_email))
    assert email is not None
    link = re.search(r"https://voxi\.test(/reset-password\?token=\S+)", email.body)
    assert link
    form = await visitor.get(link.group(1))
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
    fields = {"token": token, "csrf_token": csrf_of(form.text)}
    mismatch = await visitor.post(
        "/reset-password", data={**fields, "password": "new-password-1", "confirm": "x"}
    )
    assert mismatch.status_code == 400
    done = await visitor.post(
        "/reset-password", data={**fields, "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert done.headers["location"] == "/login"
    assert (await log_in(visitor, acme.owner_email, OWNER_PASSWORD)).status_code == 400
    assert (await log_in(visitor, acme.owner_email, "new-password-1")).headers["location"] == "/dashboard"
    fields["csrf_token"] = csrf_of((await visitor.get("/dashboard")).text)  # login rotated it
    again = await visitor.post(
        "/reset-password", data={**fields, "password": "other-pass-2", "confirm": "other-pass-2"}
    )
    assert again.status_code == 400


async def test_forgot_password_does_not_reveal_unknown_emails(visitor, db):
    page = await visitor.get("/forgot-password")
    response = await visitor.post(
        "/forgot-password", data={"email": "nobody@x.test", "csrf_token": csrf_of(page.text)}
    )
    assert "If that email has an account" in response.text
    async with db.sessions() as session:
        assert await session.scalar(select(OutboxEmail.id)) is None


async def test_reset_invalidates_sessions_opened_before_it(visitor, db):
    acme = await make_tenant(db)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    async with db.cross_tenant("test: reset") as session:
        _, token = await start_password_reset(session, acme.owner_email)
        user = await finish_password_reset(session, token, "brand-new-pass")
        # Sessions carry whole seconds: a reset in the login's own second would not end it.
        user.sessions_valid_after += timedelta(seconds=1)
        await session.commit()
    assert (await visitor.get("/dashboard")).status_code == 303


async def test_outbox_exists_only_in_development_and_test(settings, db):
    async with db.sessions() as session:
        session.add(
            OutboxEmail(to_address="a@b.test", subject="Hello there", body="Visit https://voxi.test/x")
        )
        await session.commit()
    pages = {}
    for env in ("test", "production"):
        app = create_app(settings.model_copy(update={"voxi_env": env}), db=db)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            pages[env] = await client.get("/dev/outbox", headers={"Accept": "text/html"})
    assert pages["test"].status_code == 200
    assert "Hello there" in pages["test"].text
    assert '<a href="https://voxi.test/x"' in pages["test"].text
    assert pages["production"].status_code == 404
    assert "Hello there" not in pages["production"].text
