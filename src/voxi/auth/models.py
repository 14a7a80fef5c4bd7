from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import str_enum, uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    STAFF = "staff"


class User(Timestamped, Base):
    """A person who logs in. Global: one person may belong to several businesses."""

    __tablename__ = "users"
    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    # Bumped on password reset: sessions and JWTs issued before it stop working.
    sessions_valid_after: Mapped[datetime] = mapped_column(server_default=func.now())
    # The business the user last worked in; login enters it (membership re-checked under RLS).
    last_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))


class TenantUser(TenantScoped, Timestamped, Base):
    """Membership of a user in a tenant, with a role."""

    __tablename__ = "tenant_users"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "tenant_role"), default=Role.STAFF)


class PlatformAdmin(Timestamped, Base):
    """A Voxi operator: may use the admin API and dashboard across tenants."""

    __tablename__ = "platform_admins"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class TenantAPIKey(TenantScoped, Timestamped, Base):
    """A tenant API key. Only its SHA-256 is stored; the key is shown once at creation."""

    __tablename__ = "tenant_api_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "key_hash"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PasswordResetToken(Timestamped, Base):
    """A single-use, expiring reset token; only its hash is stored."""

    __tablename__ = "password_reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
