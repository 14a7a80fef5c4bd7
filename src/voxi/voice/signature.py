"""Twilio webhook authentication: `X-Twilio-Signature` checked against VOXI_BASE_URL + path (+ query).

The public base URL, never the request's own Host: behind a TLS-terminating proxy the app sees
http://internal-host, while Twilio signed https://public-host.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from twilio.request_validator import RequestValidator

from voxi.core.errors import Forbidden
from voxi.deps import SettingsDep


def public_url(request: Request, base_url: str) -> str:
    query = request.url.query
    return f"{base_url}{request.url.path}" + (f"?{query}" if query else "")


async def _verified_twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    form = await request.form()
    params = {key: str(value) for key, value in form.multi_items()}
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.effective_twilio_auth_token)
    if not signature or not validator.validate(
        public_url(request, settings.voxi_base_url), params, signature
    ):
        raise Forbidden("Invalid Twilio signature.")
    return params


TwilioForm = Annotated[dict[str, str], Depends(_verified_twilio_form)]
