from __future__ import annotations

import uuid

import pytest

from voxi.voice.realtime.stream_auth import StreamGrant, StreamRejected, sign_stream, verify_stream

KEY = "k" * 32
GRANT = StreamGrant(uuid.uuid4(), uuid.uuid4(), "CA123")


def test_a_fresh_signature_names_the_call():
    params = sign_stream(KEY, GRANT, now=1000)
    assert verify_stream(KEY, params, call_sid="CA123", now=1010) == GRANT


@pytest.mark.parametrize(
    ("change", "now", "call_sid"),
    [
        ({}, 1061, "CA123"),  # expired
        ({"tenantId": str(uuid.uuid4())}, 1000, "CA123"),  # another tenant
        ({"signature": "0" * 64}, 1000, "CA123"),  # forged
        ({}, 1000, "CA999"),  # replayed on another call
        ({"expires": "999999"}, 1000, "CA123"),  # expiry pushed out
    ],
)
def test_forged_expired_or_moved_streams_are_rejected(change, now, call_sid):
    params = {**sign_stream(KEY, GRANT, now=1000), **change}
    with pytest.raises(StreamRejected):
        verify_stream(KEY, params, call_sid=call_sid, now=now)


def test_unsigned_stream_is_rejected():
    with pytest.raises(StreamRejected):
        verify_stream(KEY, {"tenantId": str(GRANT.tenant_id)}, call_sid="CA123")
