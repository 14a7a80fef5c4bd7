"""`voxi numbers repoint`: point every number Voxi owns (voice, status, SMS) at the current `VOXI_BASE_URL`.

Resumable and safe to re-run: the provider is the record of where each number points, so a number
already pointing right is skipped and an interrupted run simply continues on the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from voxi.core.errors import VoxiError
from voxi.telephony.providers.base import NumberWebhooks, Telephony

log = structlog.get_logger(__name__)


@dataclass
class RepointReport:
    updated: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, why)

    def summary(self) -> str:
        return f"{len(self.updated)} updated, {len(self.current)} already current, {len(self.failed)} failed"


async def repoint_numbers(telephony: Telephony, base_url: str) -> RepointReport:
    webhooks = NumberWebhooks.for_base_url(base_url)
    report = RepointReport()
    for number in await telephony.list_owned():
        if number.webhooks == webhooks:  # voice, status and SMS all current
            report.current.append(number.e164)
            continue
        try:
            await telephony.update_webhooks(number.sid, webhooks=webhooks)
        except VoxiError as exc:
            log.warning("number_repoint_failed", number=number.e164, error=exc.message)
            report.failed.append((number.e164, exc.message))
        else:
            log.info("number_repointed", number=number.e164, base_url=base_url)
            report.updated.append(number.e164)
    return report
