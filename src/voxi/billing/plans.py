"""Plans and entitlements: the one place that decides what each plan may do (DESIGN.md §2).

Every gated feature asks `has_feature` / `require_feature`; nothing else compares plan names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from voxi.core.errors import VoxiError
from voxi.tenancy.models import Plan, Tenant


class Feature(enum.StrEnum):
    UNLIMITED_CALLS = "unlimited_calls"
    BOOKING = "booking"
    CALENDAR_SYNC = "calendar_sync"
    SMS_NOTIFICATIONS = "sms_notifications"
    EMAIL_NOTIFICATIONS = "email_notifications"
    ANALYTICS = "analytics"
    CRM = "crm"
    MULTIPLE_NUMBERS = "multiple_numbers"
    CUSTOM_PROMPT = "custom_prompt"
    CUSTOM_VOICE = "custom_voice"
    VOICE_ENGINE_CHOICE = "voice_engine_choice"
    API_ACCESS = "api_access"


@dataclass(frozen=True)
class PlanInfo:
    plan: Plan
    name: str
    price_cents: int  # per month, USD
    features: frozenset[Feature]
    max_numbers: int | None  # None: as many as the business needs
    highlights: tuple[str, ...]  # what the marketing and billing pages list

    @property
    def price_dollars(self) -> int:
        return self.price_cents // 100


_STARTER = frozenset({Feature.UNLIMITED_CALLS, Feature.BOOKING, Feature.CALENDAR_SYNC})
_PROFESSIONAL = _STARTER | {
    Feature.SMS_NOTIFICATIONS,
    Feature.EMAIL_NOTIFICATIONS,
    Feature.ANALYTICS,
    Feature.CRM,
}
_ENTERPRISE = _PROFESSIONAL | {
    Feature.MULTIPLE_NUMBERS,
    Feature.CUSTOM_PROMPT,
    Feature.CUSTOM_VOICE,
    Feature.VOICE_ENGINE_CHOICE,
    Feature.API_ACCESS,
}

PLANS: dict[Plan, PlanInfo] = {
    Plan.STARTER: PlanInfo(
        Plan.STARTER,
        "Starter",
        29_900,
        _STARTER,
        1,
        ("1 phone number", "Unlimited calls", "Appointment booking", "Calendar sync"),
    ),
    Plan.PROFESSIONAL: PlanInfo(
        Plan.PROFESSIONAL,
        "Professional",
        79_900,
        _PROFESSIONAL,
        1,
        ("Everything in Starter", "SMS and email notifications", "Call analytics", "Customer CRM"),
    ),
    Plan.ENTERPRISE: PlanInfo(
        Plan.ENTERPRISE,
        "Enterprise",
        149_900,
        _ENTERPRISE,
        None,
        (
            "Everything in Professional",
            "Multiple numbers",
            "Custom AI prompt, voice and voice engine",
            "API access",
        ),
    ),
}

# Cheapest first: the plan a feature first appears in is the one an upgrade message names.
PLAN_ORDER = (Plan.STARTER, Plan.PROFESSIONAL, Plan.ENTERPRISE)


class PlanRequired(VoxiError):
    status_code = 403
    code = "plan_required"
    message = "Your plan does not include this feature."


def has_feature(plan: Plan, feature: Feature) -> bool:
    return feature in PLANS[plan].features


def cheapest_plan_with(feature: Feature) -> PlanInfo:
    return next(PLANS[plan] for plan in PLAN_ORDER if has_feature(plan, feature))


def require_feature(tenant: Tenant, feature: Feature) -> None:
    """Raise `PlanRequired` (403, code `plan_required`) naming the plan that includes `feature`."""
    if has_feature(tenant.plan, feature):
        return
    needed = cheapest_plan_with(feature)
    label = feature.value.replace("_", " ")
    raise PlanRequired(
        f"{label.capitalize()} is part of the {needed.name} plan; "
        f"you are on {PLANS[tenant.plan].name}. Upgrade under Billing to use it."
    )
