"""A business owner tests their AI from the dashboard, then finds that call in their call log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e


def test_a_test_call_takes_a_message_and_lands_in_the_call_log(page: Page, make_tenant) -> None:
    business = make_tenant("Lone Star Plumbing")
    log_in(page, business.owner_email, OWNER_PASSWORD)
    page.goto("/test-call")
    page.get_by_role("button", name=re.compile(r"^Call ")).click()
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text("Lone Star Plumbing")
    expect(transcript).to_contain_text("AI")  # the first sentence discloses the AI assistant

    # The same three turns as the scripted "takes a message" caller.
    for turn, said in enumerate(
        ("Can you take a message for the owner?", "Please call me back about my bill", "Dana Smith"), start=1
    ):
        page.get_by_label("You say").fill(said)
        page.get_by_role("button", name="Say it").click()
        expect(transcript.locator(".turn-caller")).to_have_count(turn)
    page.get_by_role("button", name="Hang up").click()
    page.get_by_role("link", name="See it in your call log").click()

    expect(page.locator("main")).to_contain_text("Please call me back about my bill")
    page.goto("/calls")
    expect(page.locator("#call-results")).to_contain_text(re.compile("message", re.I))
    expect(page.locator("#call-results")).to_contain_text(re.compile("test", re.I))
    page.goto("/messages")
    expect(page.locator("main")).to_contain_text("Please call me back about my bill")
