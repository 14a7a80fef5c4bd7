"""The settings page in Chromium: hours and greeting saved in place and still there after a reload;
a bad phone number is refused next to its field; booking rules (crews, notice) saved."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e


def test_owner_changes_hours_and_greeting_and_sees_them_persisted(page: Page, make_tenant):
    acme = make_tenant(f"Acme {uuid.uuid4().hex[:6]} Heating")
    log_in(page, acme.owner_email, acme.owner_password)
    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings$"))

    hours = page.locator("section#hours")
    hours.get_by_label("Monday").fill("9:00-18:00")
    hours.get_by_label("Saturday").fill("10:00-14:00")
    hours.get_by_role("button", name="Save hours").click()
    expect(hours.get_by_role("status")).to_have_text("Saved.")
    expect(page).to_have_url(re.compile(r"/settings$"))  # saved in place by HTMX, no navigation

    ai = page.locator("section#ai")
    ai.get_by_label("Greeting").fill("Thanks for calling Acme, how can we help?")
    ai.get_by_role("button", name="Save AI settings").click()
    expect(ai.get_by_role("status")).to_have_text("Saved.")

    page.reload()
    expect(page.get_by_label("Monday")).to_have_value("09:00-18:00")
    expect(page.get_by_label("Saturday")).to_have_value("10:00-14:00")
    expect(page.get_by_label("Sunday")).to_have_value("closed")
    expect(page.get_by_label("Greeting")).to_have_value("Thanks for calling Acme, how can we help?")


def test_an_invalid_phone_number_shows_an_inline_error(page: Page, make_tenant):
    acme = make_tenant(f"Bolt {uuid.uuid4().hex[:6]} Electric")
    log_in(page, acme.owner_email, acme.owner_password)
    page.goto("/settings")
    phone = page.locator("section#phone")
    field = phone.get_by_label(re.compile(r"^Forwarding number"))
    field.fill("555-12")
    phone.get_by_role("button", name="Save phone numbers").click()
    error = phone.locator("#forwarding_number-error")
    expect(error).to_have_text(re.compile(r"Enter a valid phone number"))
    expect(phone.get_by_label(re.compile(r"^Forwarding number"))).to_have_attribute("aria-invalid", "true")
    expect(phone.get_by_role("status")).to_have_count(0)

    phone.get_by_label(re.compile(r"^Forwarding number")).fill("(512) 555-0142")
    phone.get_by_role("button", name="Save phone numbers").click()
    expect(phone.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label(re.compile(r"^Forwarding number"))).to_have_value("+15125550142")


def test_emergency_contacts_are_saved_in_order(page: Page, make_tenant):
    acme = make_tenant(f"Rapid {uuid.uuid4().hex[:6]} Plumbing")
    log_in(page, acme.owner_email, acme.owner_password)
    page.goto("/settings#emergency")
    section = page.locator("section#emergency")
    section.get_by_label("Contact name 1").fill("Alice Tech")
    section.get_by_label("Contact phone 1").fill("512-555-0111")
    section.get_by_label("Contact name 2").fill("Olga Owner")
    section.get_by_label("Contact phone 2").fill("512-555-0133")
    section.get_by_label("Contact role 2").select_option("owner")
    section.get_by_role("button", name="Save emergency settings").click()
    expect(section.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Contact phone 1")).to_have_value("+15125550111")
    expect(page.get_by_label("Contact role 2")).to_have_value("owner")


def test_booking_rules_are_saved_and_still_there_after_a_reload(page: Page, make_tenant):
    acme = make_tenant(f"Crew {uuid.uuid4().hex[:6]} Heating")
    log_in(page, acme.owner_email, acme.owner_password)
    page.goto("/settings#booking")
    booking = page.locator("section#booking")
    booking.get_by_label(re.compile(r"^Crews")).fill("3")
    booking.get_by_label(re.compile(r"^Minimum notice")).fill("4")
    booking.get_by_role("button", name="Save booking rules").click()
    expect(booking.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label(re.compile(r"^Crews"))).to_have_value("3")
    expect(page.get_by_label(re.compile(r"^Minimum notice"))).to_have_value("4")
    expect(page.get_by_label(re.compile(r"^Booking horizon"))).to_have_value("30")
