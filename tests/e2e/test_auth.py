from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import log_in, log_out

pytestmark = pytest.mark.e2e


def test_owner_logs_in_to_their_dashboard(page: Page, make_tenant):
    acme = make_tenant("Acme Plumbing")
    log_in(page, acme.owner_email, acme.owner_password)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Plumbing")
    expect(page.get_by_text(acme.phone_number)).to_be_visible()
    expect(page.get_by_text("No calls yet — forward your line to your Voxi number to start")).to_be_visible()


def test_wrong_password_shows_an_error_on_the_login_page(page: Page, make_tenant):
    acme = make_tenant("Acme Heating")
    log_in(page, acme.owner_email, "not-my-password")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_have_text("The email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value(acme.owner_email)


def test_logout_returns_to_login_and_closes_the_dashboard(page: Page, make_tenant):
    acme = make_tenant("Acme Roofing")
    log_in(page, acme.owner_email, acme.owner_password)
    log_out(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fdashboard$"))
    log_in_after_redirect = page.get_by_role("button", name="Log in")
    expect(log_in_after_redirect).to_be_visible()


def test_forgotten_password_is_reset_through_the_emailed_link(page: Page, make_tenant):
    acme = make_tenant("Acme Drains")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(acme.owner_email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text("If that email has an account, we sent a link")

    page.goto("/dev/outbox")
    email = page.locator("article.email", has_text=acme.owner_email).first
    expect(email).to_contain_text("Reset your Voxi password")
    email.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(r"/reset-password\?token="))
    page.get_by_label("New password").fill("a-brand-new-password")
    page.get_by_label("Repeat it").fill("a-brand-new-password")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("status")).to_have_text("Your new password is set. Log in with it.")

    log_in(page, acme.owner_email, acme.owner_password)
    expect(page.get_by_role("alert")).to_have_text("The email or password is incorrect.")
    log_in(page, acme.owner_email, "a-brand-new-password")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Drains")
