"""`SandboxTelephony`: fictional +1 AREA 555-01xx numbers, stock shared through the database."""

from __future__ import annotations

import pytest

from tests.factories.tenancy import make_tenant
from voxi.core.errors import VoxiError
from voxi.telephony.models import SandboxCall, SandboxNumber
from voxi.telephony.providers.base import NoNumbersAvailable, NumberWebhooks, OwnedNumber
from voxi.telephony.providers.sandbox import SandboxTelephony
from voxi.telephony.repoint import repoint_numbers

OLD = NumberWebhooks.for_base_url("https://old.test")
NEW_BASE = "https://voxi.test"
NEW = NumberWebhooks.for_base_url(NEW_BASE)


@pytest.fixture
def telephony(db) -> SandboxTelephony:
    return SandboxTelephony(db.sessions)


async def test_search_offers_free_555_01xx_numbers_skipping_routed_ones(telephony, db):
    await make_tenant(db, phone_number="+15125550100")  # routed to a business: taken
    found = await telephony.search_available("512", limit=3)
    assert [n.e164 for n in found] == ["+15125550101", "+15125550102", "+15125550103"]
    assert (found[0].locality, found[0].region) == ("Austin", "TX")


async def test_an_exhausted_area_code_suggests_nearby_codes_that_have_numbers(telephony, db):
    async with db.sessions() as session:
        session.add_all(
            SandboxNumber(e164=f"+15125550{n}", sid=f"PN{n}", voice_url="v", status_callback="s")
            for n in range(100, 200)
        )
        await session.commit()
    with pytest.raises(NoNumbersAvailable) as none:
        await telephony.search_available("512")
    assert none.value.nearby == ["210", "214", "254"]  # Texas first
    assert none.value.fields == {"areaCode": "No numbers left in 512. Try 210, 214, 254."}
    with pytest.raises(NoNumbersAvailable):
        await telephony.search_available("999")  # not a code we offer


async def test_purchase_is_retry_safe_and_release_frees_the_number(telephony, db):
    bought = await telephony.purchase("+17375550142", webhooks=OLD)
    assert bought.webhooks == OLD  # voice, status and SMS
    again = await telephony.purchase("+17375550142", webhooks=OLD)
    assert again.sid == bought.sid
    assert "+17375550142" not in [n.e164 for n in await telephony.search_available("737", limit=100)]
    await telephony.release(bought.sid)
    await telephony.release(bought.sid)
    assert await telephony.list_owned() == []
    assert "+17375550142" in [n.e164 for n in await telephony.search_available("737", limit=100)]


async def test_a_number_routed_to_a_business_cannot_be_bought(telephony, db):
    await make_tenant(db, phone_number="+17375550150")
    with pytest.raises(NoNumbersAvailable):
        await telephony.purchase("+17375550150", webhooks=OLD)
    with pytest.raises(VoxiError):
        await telephony.purchase("+17375559999", webhooks=OLD)


class FailingFor:
    """Wraps a telephony provider; updating one number fails like a provider outage."""

    def __init__(self, inner: SandboxTelephony, e164: str) -> None:
        self.inner, self.e164 = inner, e164

    async def list_owned(self) -> list[OwnedNumber]:
        return await self.inner.list_owned()

    async def update_webhooks(self, sid: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        owned = {n.sid: n.e164 for n in await self.inner.list_owned()}
        if owned[sid] == self.e164:
            raise VoxiError("provider timed out")
        return await self.inner.update_webhooks(sid, webhooks=webhooks)


async def test_update_webhooks_sets_all_three_and_is_stored(telephony, db):
    bought = await telephony.purchase("+17375550160", webhooks=OLD)
    updated = await telephony.update_webhooks(bought.sid, webhooks=NEW)
    assert updated.webhooks == NEW
    async with db.sessions() as session:
        stored = await session.get_one(SandboxNumber, "+17375550160")
    assert (stored.voice_url, stored.status_callback, stored.sms_url) == (
        f"{NEW_BASE}/twilio/voice",
        f"{NEW_BASE}/twilio/status",
        f"{NEW_BASE}/twilio/sms",
    )


async def test_repoint_updates_what_is_stale_skips_what_is_current_and_lists_failures(telephony, db):
    for n in ("+15125550150", "+15125550151", "+15125550152"):
        await telephony.purchase(n, webhooks=OLD)
    await telephony.purchase("+15125550153", webhooks=NEW)
    async with db.sessions() as session:  # bought before numbers had an SMS webhook: voice is current
        session.add(
            SandboxNumber(
                e164="+15125550154", sid="PN154", voice_url=NEW.voice_url, status_callback=NEW.status_callback
            )
        )
        await session.commit()
    first = await repoint_numbers(FailingFor(telephony, "+15125550152"), NEW_BASE)  # type: ignore[arg-type]
    assert first.summary() == "3 updated, 1 already current, 1 failed"
    assert first.updated == ["+15125550150", "+15125550151", "+15125550154"]
    assert first.failed == [("+15125550152", "provider timed out")]
    resumed = await repoint_numbers(telephony, NEW_BASE)
    assert (resumed.updated, resumed.summary()) == (
        ["+15125550152"],
        "1 updated, 4 already current, 0 failed",
    )
    assert {n.webhooks for n in await telephony.list_owned()} == {NEW}


async def test_place_call_is_recorded_in_the_sandbox(telephony, db):
    twiml = "<Response><Say>Emergency</Say></Response>"
    sid = await telephony.place_call(to="+15125550111", from_="+15125550100", twiml=twiml)
    assert sid.startswith("CA")
    async with db.sessions() as session:
        call = await session.get_one(SandboxCall, sid)
    assert (call.to_number, call.from_number, call.twiml, call.status_callback) == (
        "+15125550111",
        "+15125550100",
        twiml,
        None,
    )
