"""`POST /api/signup` and its helpers, camelCase on the wire (DESIGN.md §4)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator

from voxi.core.schemas import ApiModel
from voxi.tenancy.models import Plan
from voxi.tenancy.schemas import check_industry, check_phone

_AREA_CODE = re.compile(r"^[2-9]\d{2}$")
MIN_PASSWORD_LENGTH = 8


def normalise_email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError("Enter a valid email address.") from exc


class SignupRequest(ApiModel):
    business_name: Annotated[str, Field(min_length=1, max_length=200)]
    owner_name: Annotated[str, Field(min_length=1, max_length=120)]
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
    phone: str
    industry: str
    plan: Plan
    payment_method_id: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^pm_[A-Za-z0-9_]+$")]
    area_code: str

    _industry = field_validator("industry")(check_industry)

    @field_validator("business_name", "owner_name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("This field is required.")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        e164 = check_phone(value)
        if e164 is None:
            raise ValueError("Enter your business phone number, e.g. +1 512 555 0123.")
        return e164

    @field_validator("area_code")
    @classmethod
    def _area_code(cls, value: str) -> str:
        value = value.strip()
        if not _AREA_CODE.match(value):
            raise ValueError("Enter a 3-digit US area code, e.g. 512.")
        return value

    def fingerprint(self) -> str:
        """Hash of the normalised body without the password: identifies a retried identical request."""
        body = self.model_dump(mode="json", exclude={"password"})
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class BusinessCreated(ApiModel):
    id: uuid.UUID
    name: str
    phone_number: str
    trial_ends_at: datetime


class NextSteps(ApiModel):
    step1: str
    step2: str
    step3: str


class SignupResponse(ApiModel):
    success: bool = True
    token: str
    business: BusinessCreated
    next_steps: NextSteps


class EmailCheck(ApiModel):
    email: Annotated[str, Field(max_length=254)]


class EmailAvailability(ApiModel):
    available: bool
    reason: str | None = None


class AreaCode(ApiModel):
    area_code: str
    city: str
    state: str


class AreaCodes(ApiModel):
    area_codes: list[AreaCode]
