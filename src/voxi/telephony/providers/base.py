"""The telephony provider interface. `TwilioTelephony` (official `twilio` SDK) and `SandboxTelephony`
(fictional +1 AREA 555-01xx numbers) implement it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voxi.core.errors import VoxiError


class NoNumbersAvailable(VoxiError):
    status_code = 409
    code = "no_numbers_available"
    message = "No numbers are available in that area code."

    def __init__(self, area_code: str, nearby: list[str]) -> None:
        hint = f" Try {', '.join(nearby)}." if nearby else ""
        super().__init__(
            f"No numbers are available in area code {area_code}.{hint}",
            fields={"areaCode": f"No numbers left in {area_code}.{hint}"},
        )
        self.nearby = nearby


class TelephonyUnavailable(VoxiError):
    status_code = 503
    code = "telephony_unavailable"
    message = "Our phone provider is unavailable right now. Please try again in a minute."


@dataclass(frozen=True)
class AvailableNumber:
    e164: str
    locality: str
    region: str


@dataclass(frozen=True)
class NumberWebhooks:
    """Where the provider sends a number's calls, call status and inbound texts."""

    voice_url: str
    status_callback: str
    sms_url: str

    @classmethod
    def for_base_url(cls, base_url: str) -> NumberWebhooks:
        """The webhooks every Voxi number must have, for a deployment at `base_url`."""
        return cls(f"{base_url}/twilio/voice", f"{base_url}/twilio/status", f"{base_url}/twilio/sms")


@dataclass(frozen=True)
class OwnedNumber:
    e164: str
    sid: str
    voice_url: str | None = None
    status_callback: str | None = None
    sms_url: str | None = None

    @property
    def webhooks(self) -> NumberWebhooks | None:
        """The number's webhooks, or None when the provider lacks any of them."""
        if self.voice_url and self.status_callback and self.sms_url:
            return NumberWebhooks(self.voice_url, self.status_callback, self.sms_url)
        return None


class Telephony(Protocol):
    """Numbers, live-call control and outbound calls at the phone provider."""

    async def search_available(self, area_code: str, *, limit: int = 5) -> list[AvailableNumber]: ...

    async def purchase(self, e164: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        """Buy `e164` with its webhooks set. Buying a number already ours returns it (retry-safe)."""

    async def update_webhooks(self, sid: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        """Point an owned number's voice, status and SMS webhooks at `webhooks`."""

    async def release(self, sid: str) -> None:
        """Give the number back; a no-op when already released."""

    async def list_owned(self) -> list[OwnedNumber]: ...

    async def redirect_call(self, call_sid: str, twiml: str) -> None:
        """Replace a live call's TwiML (transfer to a human, play a message, hang up)."""

    async def place_call(self, *, to: str, from_: str, twiml: str, status_callback: str | None = None) -> str:
        """Phone `to` from our number `from_` and play `twiml` when answered; returns the call sid."""
