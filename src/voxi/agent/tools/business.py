"""Tools that answer questions about the business: hours, services, areas, open now."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.config import describe_areas, describe_opening, describe_services
from voxi.agent.hours import BusinessHours
from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.common import Arguments, Tool, business_of
from voxi.tenancy.models import TenantConfig

_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


class BusinessInfoArgs(Arguments):
    topic: Literal["hours", "services", "areas", "open_now", "all"] = "all"


class ServiceAreaArgs(Arguments):
    location: str = Field(min_length=2, max_length=200, description="ZIP code, city or full address")


async def get_business_info(session: AsyncSession, ctx: CallContext, args: BusinessInfoArgs) -> ToolResult:
    tenant, config = await business_of(session, ctx)
    now = datetime.now(UTC)
    hours = BusinessHours.from_config(config, tenant.timezone)
    is_open = hours.is_open_at(now)
    opening = describe_opening(None if is_open else hours.next_opening(now), hours, now)
    answers = {
        "hours": f"Our hours are {hours.describe()}.",
        "services": f"We offer {describe_services(config)}.",
        "areas": f"We serve {describe_areas(config)}.",
        "open_now": "We're open right now." if is_open else f"We're closed right now; we open {opening}.",
    }
    topics = list(answers) if args.topic == "all" else [args.topic]
    if args.topic == "hours":
        topics.append("open_now")
    data = {
        "hours": hours.describe(),
        "services": describe_services(config),
        "service_areas": list(config.service_areas or []),
        "open_now": is_open,
        "timezone": hours.timezone.key,
    }
    return ToolResult(ok=True, say=" ".join(answers[t] for t in topics), data=data)


def area_matches(location: str, areas: list[str]) -> str | None:
    """The configured area `location` falls in: ZIP codes compare exactly, names as words."""
    wanted = location.lower()
    zips = set(_ZIP.findall(location))
    for area in areas:
        name = str(area).strip()
        if not name:
            continue
        if _ZIP.fullmatch(name):
            if name[:5] in zips:
                return name
        elif re.search(rf"\b{re.escape(name.split(',')[0].strip().lower())}\b", wanted):
            return name
    return None


def _areas(config: TenantConfig) -> list[str]:
    return [str(a).strip() for a in (config.service_areas or []) if str(a).strip()]


async def check_service_area(session: AsyncSession, ctx: CallContext, args: ServiceAreaArgs) -> ToolResult:
    _tenant, config = await business_of(session, ctx)
    areas = _areas(config)
    if not areas:
        return ToolResult(ok=True, say="Yes, we can come out to you.", data={"served": True, "area": None})
    match = area_matches(args.location, areas)
    if match:
        return ToolResult(
            ok=True, say=f"Yes, {match} is in our service area.", data={"served": True, "area": match}
        )
    return ToolResult(
        ok=True,
        say=f"I'm sorry, that's outside our service area. We serve {', '.join(areas)}.",
        data={"served": False, "area": None, "service_areas": areas},
    )


TOOLS = [
    Tool(
        "get_business_info",
        "Answer questions about the business: hours, services, service areas, whether it is open now.",
        BusinessInfoArgs,
        get_business_info,
    ),
    Tool(
        "check_service_area",
        "Check whether an address, city or ZIP code is inside the business's service area.",
        ServiceAreaArgs,
        check_service_area,
    ),
]
