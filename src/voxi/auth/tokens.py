"""Credentials that prove who is calling: JWTs, API keys and single-use reset tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from voxi.core.errors import Unauthorized

JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "vxk_"


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    platform_admin: bool
    issued_at: datetime


def issue_jwt(secret: str, claims: TokenClaims, ttl: timedelta) -> str:
    payload = {
        "sub": str(claims.user_id),
        "tid": str(claims.tenant_id) if claims.tenant_id else None,
        "adm": claims.platform_admin,
        "iat": int(claims.issued_at.timestamp()),
        "exp": int((claims.issued_at + ttl).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def decode_jwt(secret: str, token: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "exp", "iat"]}
        )
        return TokenClaims(
            user_id=uuid.UUID(payload["sub"]),
            tenant_id=uuid.UUID(payload["tid"]) if payload.get("tid") else None,
            platform_admin=bool(payload.get("adm")),
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Your token has expired. Request a new one.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized("The token is invalid.") from exc


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_api_key(tenant_id: uuid.UUID) -> tuple[str, str]:
    """Return (key, visible prefix). The key names its tenant, so resolving it never crosses tenants."""
    secret = secrets.token_urlsafe(30)
    return f"{API_KEY_PREFIX}{tenant_id.hex}_{secret}", f"{API_KEY_PREFIX}…{secret[:6]}"


def tenant_of_api_key(key: str) -> uuid.UUID:
    if not key.startswith(API_KEY_PREFIX):
        raise Unauthorized("The API key is invalid.")
    tenant_hex, _, secret = key.removeprefix(API_KEY_PREFIX).partition("_")
    try:
        tenant_id = uuid.UUID(hex=tenant_hex)
    except ValueError as exc:
        raise Unauthorized("The API key is invalid.") from exc
    if not secret:
        raise Unauthorized("The API key is invalid.")
    return tenant_id


def new_reset_token() -> tuple[str, str]:
    """Return (token for the email link, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, sha256_hex(token)
