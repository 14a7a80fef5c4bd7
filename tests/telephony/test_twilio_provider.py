"""`TwilioTelephony` runs the real `twilio` SDK against a local fake of Twilio's REST API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TEST_SECRET
from tests.telephony.fake_twilio import FakeTwilio, serve_fake_twilio
from voxi.core.settings import Settings
from voxi.telephony.providers.base import NoNumbersAvailable, NumberWebhooks, TelephonyUnavailable
from voxi.telephony.providers.twilio import TwilioTelephony
from voxi.telephony.repoint import repoint_numbers

ACCOUNT = "AC" + "0" * 32
WEBHOOKS = NumberWebhooks.for_base_url("https://voxi.test")


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeTwilio]:
    with serve_fake_twilio() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeTwilio) -> FakeTwilio:
    fake_server.stock = {"512": ["+15125550123", "+15125550124"], "737": ["+17375550100"]}
    fake_server.owned.clear()
    fake_server.requests.clear()
    fake_server.placed.clear()
    fake_server.fail_next = 0
    return fake_server


@pytest.fixture
def telephony(fake: FakeTwilio) -> TwilioTelephony:
    settings = Settings(
        _env_file=None,
        voxi_env="test",
        voxi_secret_key=TEST_SECRET,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token="token",
        twilio_api_base=fake.base_url,
    )
    return TwilioTelephony(settings)


async def test_search_lists_local_numbers_in_the_area_code(telephony, fake):
    found = await telephony.search_available("512", limit=5)
    assert [n.e164 for n in found] == ["+15125550123", "+15125550124"]
    assert (found[0].locality, found[0].region) == ("Austin", "TX")
    method, path, params = fake.requests[-1]
    assert path == f"/2010-04-01/Accounts/{ACCOUNT}/AvailablePhoneNumbers/US/Local.json"
    assert params["AreaCode"] == "512" and params["PageSize"] == "5"


async def test_an_empty_area_code_names_nearby_codes_with_stock(telephony, fake):
    fake.stock = {"512": [], "214": ["+12145550100"]}  # 214 (Dallas): same state as 512 (Austin)
    with pytest.raises(NoNumbersAvailable) as none:
        await telephony.search_available("512")
    assert none.value.nearby == ["214"]
    assert none.value.status_code == 409 and "Try 214" in none.value.message


async def test_purchase_sets_voice_status_and_sms_webhooks_and_a_retry_returns_the_same_number(
    telephony, fake
):
    owned = await telephony.purchase("+15125550123", webhooks=WEBHOOKS)
    assert (owned.e164, owned.voice_url, owned.status_callback, owned.sms_url) == (
        "+15125550123",
        "https://voxi.test/twilio/voice",
        "https://voxi.test/twilio/status",
        "https://voxi.test/twilio/sms",
    )
    create = [r for r in fake.requests if r[0] == "POST" and r[1].endswith("/IncomingPhoneNumbers.json")]
    assert create[-1][2] == {
        "PhoneNumber": "+15125550123",
        "VoiceUrl": "https://voxi.test/twilio/voice",
        "VoiceMethod": "POST",
        "StatusCallback": "https://voxi.test/twilio/status",
        "StatusCallbackMethod": "POST",
        "SmsUrl": "https://voxi.test/twilio/sms",
        "SmsMethod": "POST",
    }
    again = await telephony.purchase("+15125550123", webhooks=WEBHOOKS)
    assert again.sid == owned.sid and len(fake.owned) == 1


async def test_update_list_release_and_release_again(telephony, fake):
    owned = await telephony.purchase("+15125550123", webhooks=WEBHOOKS)
    updated = await telephony.update_webhooks(
        owned.sid, webhooks=NumberWebhooks.for_base_url("https://new.test")
    )
    assert updated.webhooks == NumberWebhooks.for_base_url("https://new.test")
    update = fake.requests[-1]
    assert update[0] == "POST" and update[1].endswith(f"/IncomingPhoneNumbers/{owned.sid}.json")
    assert (update[2]["SmsUrl"], update[2]["SmsMethod"]) == ("https://new.test/twilio/sms", "POST")
    assert [(n.e164, n.voice_url, n.sms_url) for n in await telephony.list_owned()] == [
        ("+15125550123", "https://new.test/twilio/voice", "https://new.test/twilio/sms")
    ]
    await telephony.release(owned.sid)
    assert fake.owned == {}
    await telephony.release(owned.sid)  # already released: a no-op, not an error


async def test_redirect_call_replaces_the_twiml(telephony, fake):
    twiml = "<Response><Dial>+15125550000</Dial></Response>"
    await telephony.redirect_call("CA123", twiml)
    assert fake.calls["CA123"] == twiml


async def test_place_call_dials_out_with_the_twiml_and_returns_the_call_sid(telephony, fake):
    twiml = "<Response><Say>Emergency</Say></Response>"
    sid = await telephony.place_call(to="+15125550111", from_="+15125550123", twiml=twiml)
    assert sid.startswith("CA") and fake.calls[sid] == twiml
    method, path, params = fake.requests[-1]
    assert (method, path) == ("POST", f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
    assert params == {"To": "+15125550111", "From": "+15125550123", "Twiml": twiml}
    await telephony.place_call(
        to="+15125550111", from_="+15125550123", twiml=twiml, status_callback="https://voxi.test/cb"
    )
    assert fake.placed[-1]["StatusCallback"] == "https://voxi.test/cb"


async def test_a_failed_call_is_telephony_unavailable(telephony, fake):
    fake.fail_next = 1
    with pytest.raises(TelephonyUnavailable):
        await telephony.place_call(to="+15125550111", from_="+15125550123", twiml="<Response/>")
    assert fake.placed == []


async def test_provider_errors_are_telephony_unavailable(telephony, fake):
    fake.fail_next = 1
    with pytest.raises(TelephonyUnavailable):
        await telephony.search_available("512")


async def test_repoint_adds_the_sms_webhook_to_a_number_bought_without_one(telephony, fake):
    fake.owned["PN" + "1" * 32] = {  # voice and status already current, no SMS webhook
        "sid": "PN" + "1" * 32,
        "phone_number": "+15125550124",
        "voice_url": WEBHOOKS.voice_url,
        "status_callback": WEBHOOKS.status_callback,
        "sms_url": None,
    }
    report = await repoint_numbers(telephony, "https://voxi.test")
    assert report.summary() == "1 updated, 0 already current, 0 failed"
    assert fake.owned["PN" + "1" * 32]["sms_url"] == "https://voxi.test/twilio/sms"
    assert (await repoint_numbers(telephony, "https://voxi.test")).summary() == (
        "0 updated, 1 already current, 0 failed"
    )
