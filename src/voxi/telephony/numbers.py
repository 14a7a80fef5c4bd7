"""Phone-number parsing (E.164 via `phonenumbers`)."""

from __future__ import annotations

import phonenumbers

from voxi.core.errors import ValidationFailed


def to_e164(raw: str, *, region: str = "US") -> str | None:
    """The E.164 form of `raw`, or None when it is not a possible phone number."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def require_e164(raw: str, field: str) -> str:
    e164 = to_e164(raw)
    if e164 is None:
        raise ValidationFailed(fields={field: "Enter a valid phone number, e.g. +1 512 555 0123."})
    return e164
