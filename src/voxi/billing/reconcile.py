"""Nightly reconciliation: the provider is the source of truth for subscriptions; repair what drifted
(a lost webhook, a change made in the provider's dashboard) and log each repair."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from voxi.billing.repository import tenants_with_subscriptions
from voxi.billing.sync import apply_subscription
from voxi.core.errors import VoxiError
from voxi.core.jobs import JobServices
from voxi.core.tenant_context import tenant_context
from voxi.tenancy.models import Tenant

log = structlog.get_logger(__name__)


@dataclass
class ReconcileReport:
    checked: int = 0
    repaired: list[str] = field(default_factory=list)  # "tenant: field old → new, …"
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.checked} checked, {len(self.repaired)} repaired, {len(self.failed)} failed"


async def reconcile(svc: JobServices) -> ReconcileReport:
    report = ReconcileReport()
    for tenant_id, subscription_id in await tenants_with_subscriptions(svc.db):
        report.checked += 1
        try:
            state = await svc.providers.billing.get_subscription(subscription_id)
        except VoxiError as exc:
            report.failed.append(f"{tenant_id}: {exc.message}")
            continue
        with tenant_context(tenant_id):
            async with svc.db.sessions() as session:
                tenant = await session.get(Tenant, tenant_id)
                if tenant is None:
                    continue
                changes = await apply_subscription(session, tenant, state, settings=svc.settings)
                await session.commit()
        if changes:
            drift = ", ".join(f"{key} {old} → {new}" for key, (old, new) in changes.items())
            log.warning("billing_drift_repaired", tenant_id=str(tenant_id), drift=drift)
            report.repaired.append(f"{tenant_id}: {drift}")
    log.info("billing_reconciled", summary=report.summary())
    return report
