"""The billing emails a business owner receives, one per lifecycle transition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voxi.tenancy.models import Tenant


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str


def _billing_link(base_url: str) -> str:
    return f"{base_url}/billing"


def trial_ending(tenant: Tenant, trial_end: datetime, base_url: str) -> Notice:
    return Notice(
        f"Your Voxi trial ends on {trial_end:%B %d}",
        f"Your free trial for {tenant.name} ends on {trial_end:%A, %B %d}. Your card on file will be "
        f"charged then and your AI receptionist keeps answering without a break.\n\n"
        f"Change plan or card: {_billing_link(base_url)}",
    )


def payment_failed(tenant: Tenant, base_url: str) -> Notice:
    return Notice(
        "Your Voxi payment failed",
        f"We could not charge your card for {tenant.name}. Your receptionist keeps answering for now; "
        f"please update your card so your service is not suspended.\n\n"
        f"Update your card: {_billing_link(base_url)}",
    )


def suspended(tenant: Tenant, base_url: str) -> Notice:
    return Notice(
        "Your Voxi account is suspended",
        f"We still could not collect payment for {tenant.name}, so your account is suspended: calls are "
        f"forwarded to your own phone instead of the AI receptionist. Update your card to restore it.\n\n"
        f"Update your card: {_billing_link(base_url)}",
    )


def restored(tenant: Tenant, base_url: str) -> Notice:
    return Notice(
        "Your Voxi account is active again",
        f"Thank you, your payment went through. The AI receptionist for {tenant.name} is answering "
        f"again.\n\nBilling: {_billing_link(base_url)}",
    )
