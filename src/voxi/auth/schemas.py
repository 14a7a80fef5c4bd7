from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from voxi.core.schemas import ApiModel


class TokenRequest(ApiModel):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    tenant_id: uuid.UUID | None = Field(default=None, description="Which business, for users of several.")


class TokenOut(ApiModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class ApiKeyCreate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class ApiKeyOut(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="Shown once. Store it now; Voxi keeps only a hash.")
