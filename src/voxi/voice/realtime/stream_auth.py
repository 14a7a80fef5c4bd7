"""Signed `<Stream>` parameters: only a stream our own TwiML started may open an upstream session.

Twilio passes `<Parameter>`s back in the stream's `start` message. We sign tenant, call and CallSid
with a key derived from VOXI_SECRET_KEY and a short expiry, so a forged or replayed-later stream is
refused before anything is opened upstream.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

# Twilio opens the stream within a second or two of fetching the TwiML; a minute covers slow starts.
STREAM_TTL_SECONDS = 60


@dataclass(frozen=True)
class StreamGrant:
    tenant_id: uuid.UUID
    call_id: uuid.UUID
    call_sid: str


class StreamRejected(Exception):
    """The stream's parameters are missing, forged or expired."""


def _signature(key: str, tenant_id: str, call_id: str, call_sid: str, expires: str) -> str:
    message = f"{tenant_id}.{call_id}.{call_sid}.{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def sign_stream(
    key: str, grant: StreamGrant, *, now: float | None = None, ttl: int = STREAM_TTL_SECONDS
) -> dict[str, str]:
    """The `<Parameter>` name/value pairs for this call's stream."""
    expires = str(int((now if now is not None else time.time()) + ttl))
    tenant_id, call_id = str(grant.tenant_id), str(grant.call_id)
    return {
        "tenantId": tenant_id,
        "callId": call_id,
        "callSid": grant.call_sid,
        "expires": expires,
        "signature": _signature(key, tenant_id, call_id, grant.call_sid, expires),
    }


def verify_stream(
    key: str,
    parameters: dict[str, str],
    *,
    call_sid: str,
    now: float | None = None,
    ttl: int = STREAM_TTL_SECONDS,
) -> StreamGrant:
    """The grant in `parameters`, or `StreamRejected`; the CallSid must be the stream's own."""
    try:
        tenant_id, call_id = parameters["tenantId"], parameters["callId"]
        signed_sid, expires, signature = parameters["callSid"], parameters["expires"], parameters["signature"]
        expiry = int(expires)
    except (KeyError, ValueError) as exc:
        raise StreamRejected("unsigned stream") from exc
    expected = _signature(key, tenant_id, call_id, signed_sid, expires)
    if not hmac.compare_digest(expected, signature):
        raise StreamRejected("forged stream signature")
    current = now if now is not None else time.time()
    if not current <= expiry <= current + ttl + 5:
        raise StreamRejected("expired stream signature")
    if signed_sid != call_sid:
        raise StreamRejected("stream signed for another call")
    try:
        return StreamGrant(uuid.UUID(tenant_id), uuid.UUID(call_id), signed_sid)
    except ValueError as exc:
        raise StreamRejected("malformed stream parameters") from exc
