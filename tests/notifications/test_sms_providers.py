"""TwilioSms runs the real twilio SDK against a local fake of the Messaging API; SandboxSms fills
the outbox."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from tests.conftest import TEST_SECRET
from tests.factories.notifications import texts_to
from voxi.core.settings import Settings
from voxi.notifications.providers.sms import SandboxSms, SmsUnavailable, TwilioSms, build_sms

ACCOUNT, TOKEN = "AC" + "a" * 32, "twilio-auth-token"


@dataclass
class FakeMessaging:
    """Twilio's `POST /2010-04-01/Accounts/{sid}/Messages.json`, as much as the SDK needs."""

    received: list[dict[str, str]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    fail_with: int | None = None

    async def create(self, request: web.Request) -> web.Response:
        self.auth.append(request.headers.get("Authorization", ""))
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.received.append({"account": request.match_info["account"], **form})
        if self.fail_with:
            body = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}
            return web.json_response(body, status=self.fail_with)
        sid = f"SM{len(self.received):032d}"
        return web.json_response(
            {"sid": sid, "account_sid": request.match_info["account"], "to": form["To"], "from": form["From"],
             "body": form["Body"], "status": "queued", "num_segments": "1"},
            status=201,
        )  # fmt: skip


@pytest.fixture
async def fake_twilio() -> AsyncIterator[tuple[FakeMessaging, str]]:
    fake = FakeMessaging()
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", fake.create)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{port}"
    await runner.cleanup()


def _settings(base: str, **extra) -> Settings:
    return Settings(
        _env_file=None,
        voxi_env="test",
        voxi_secret_key=TEST_SECRET,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_api_base=base,
        sms_from_number="+15125550100",
        **extra,
    )


async def test_twilio_sms_sends_through_the_messaging_api(fake_twilio):
    fake, base = fake_twilio
    sms = TwilioSms(_settings(base))
    sid = await sms.send(
        "+15125550111",
        "Reply 1 to acknowledge.",
        from_="+15125550101",
        status_callback="https://voxi.test/cb",
    )
    assert sid == f"SM{1:032d}"
    [sent] = fake.received
    assert sent == {
        "account": ACCOUNT,
        "To": "+15125550111",
        "From": "+15125550101",
        "Body": "Reply 1 to acknowledge.",
        "StatusCallback": "https://voxi.test/cb",
    }
    assert fake.auth[0] == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()


async def test_twilio_sms_uses_the_default_sender_without_a_business_number(fake_twilio):
    fake, base = fake_twilio
    await TwilioSms(_settings(base)).send("+15125550111", "Hello")
    assert fake.received[0]["From"] == "+15125550100"
    assert "StatusCallback" not in fake.received[0]


async def test_a_refusal_becomes_sms_unavailable(fake_twilio):
    fake, base = fake_twilio
    fake.fail_with = 400
    with pytest.raises(SmsUnavailable):
        await TwilioSms(_settings(base)).send("+15125550111", "Hello")


async def test_an_unreachable_twilio_becomes_sms_unavailable():
    with pytest.raises(SmsUnavailable):
        await TwilioSms(_settings("http://127.0.0.1:9")).send("+15125550111", "Hello")


async def test_the_provider_follows_settings(db, settings):
    assert isinstance(build_sms(settings, db.sessions), SandboxSms)
    assert isinstance(build_sms(_settings("http://127.0.0.1:9"), db.sessions), TwilioSms)
    sandboxed = _settings("http://127.0.0.1:9", sms_provider="sandbox")
    assert isinstance(build_sms(sandboxed, db.sessions), SandboxSms)


async def test_sandbox_sms_lands_in_the_outbox(db):
    sid = await SandboxSms(db.sessions, "+15125550100").send("+15125550111", "Hi there")
    assert sid.startswith("SM")
    assert await texts_to(db, "+15125550111") == ["Hi there"]
