"""`ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256 of "t.body">` verification.

Done here rather than with the SDK's `construct_event`, which accepts timestamps from the future and
compares digests with `!=`: we use `hmac.compare_digest` and a tolerance on both sides of now.
"""

from __future__ import annotations

import hashlib
import hmac
import time

# ElevenLabs retries a failed delivery for a while; 30 minutes either way also absorbs clock skew.
DEFAULT_TOLERANCE_SECONDS = 30 * 60


class BadSignature(Exception):
    pass


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v0={digest}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """The signed timestamp when `header` signs `body` with `secret` within tolerance; else BadSignature."""
    if not secret:
        raise BadSignature("ELEVENLABS_WEBHOOK_SECRET is not set")
    pairs = [part.strip().split("=", 1) for part in (header or "").split(",") if "=" in part]
    timestamp = next((value for key, value in pairs if key == "t"), "")
    signatures = [value for key, value in pairs if key == "v0"]
    if not timestamp.isdigit() or not signatures:
        raise BadSignature("missing timestamp or signature")
    expected = sign(secret, body, int(timestamp)).split("v0=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate.strip()) for candidate in signatures):
        raise BadSignature("signature does not match")
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > tolerance:
        raise BadSignature("signature timestamp is outside the tolerance")
    return int(timestamp)
