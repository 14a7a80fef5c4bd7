"""What a business wants to hear about (JSON on `tenant_configs.notification_settings`)."""

from __future__ import annotations

from pydantic import field_validator

from voxi.core.schemas import ApiModel
from voxi.telephony.numbers import to_e164


class NotificationSettings(ApiModel):
    """After-call summaries and the daily digest (Professional and up); an empty object means defaults."""

    summary_by_sms: bool = True
    summary_by_email: bool = True
    # Where summaries are texted; empty → the business's forwarding number.
    summary_phone: str | None = None
    daily_digest: bool = True
    booking_confirmations: bool = True

    @field_validator("summary_phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if not value:
            return None
        e164 = to_e164(value)
        if e164 is None:
            raise ValueError("Enter a valid phone number, e.g. +1 512 555 0123.")
        return e164
