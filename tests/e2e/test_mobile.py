from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 390


def _fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_pages_fit_a_phone_screen(page: Page, make_tenant):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    acme = make_tenant("Acme Heating, Cooling & Indoor Air Quality Specialists of Greater Austin")
    page.goto("/login")
    _fits_the_screen(page)
    log_in(page, acme.owner_email, acme.owner_password)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_text(acme.phone_number)).to_be_visible()
    _fits_the_screen(page)


def test_admin_tenants_list_fits_a_phone_screen(page: Page, make_tenant):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    make_tenant("Acme Plumbing")
    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.locator(".tenant-row").first).to_be_visible()
    expect(page.get_by_role("link", name="Tenants")).to_be_visible()
    _fits_the_screen(page)
