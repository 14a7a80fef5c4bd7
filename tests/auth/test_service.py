from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.factories.tenancy import make_tenant
from voxi.auth import service
from voxi.auth.models import PasswordResetToken
from voxi.auth.tokens import sha256_hex
from voxi.core.errors import BadRequest, Unauthorized


async def test_password_reset_is_single_use_and_ends_old_sessions(db):
    acme = await make_tenant(db)
    async with db.sessions() as session:
        user, token = await service.start_password_reset(session, acme.owner_email)
        before = user.sessions_valid_after
        await session.commit()
    async with db.sessions() as session:
        user = await service.finish_password_reset(session, token, "brand-new-password")
        assert user.sessions_valid_after > before
        await session.commit()
    async with db.sessions() as session:
        assert (
            await service.authenticate(session, acme.owner_email, "brand-new-password")
        ).id == acme.owner_id
        with pytest.raises(Unauthorized):
            await service.authenticate(session, acme.owner_email, "correct-horse-battery")
        with pytest.raises(BadRequest):
            await service.finish_password_reset(session, token, "again-and-again")


async def test_expired_reset_token_is_refused(db):
    acme = await make_tenant(db)
    async with db.sessions() as session:
        _, token = await service.start_password_reset(session, acme.owner_email)
        await session.flush()
        await session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.token_hash == sha256_hex(token))
            .values(expires_at=service.now() - timedelta(minutes=1))
        )
        with pytest.raises(BadRequest):
            await service.finish_password_reset(session, token, "brand-new-password")


async def test_reset_for_unknown_email_reveals_nothing(db):
    async with db.sessions() as session:
        assert await service.start_password_reset(session, "nobody@example.com") is None
