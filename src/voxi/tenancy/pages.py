"""The dashboard settings page: one page, one form per section, each saved on its own (HTMX)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from voxi.agent.voices import ENGINE_LABELS, VoiceOption, voice_catalogue
from voxi.billing.plans import Feature, has_feature
from voxi.core.errors import Forbidden, NotFound
from voxi.deps import SessionDep
from voxi.emergencies.schemas import CONTACT_ROLES, EMERGENCY_KINDS, KIND_LABELS
from voxi.emergencies.service import list_contacts, replace_contacts
from voxi.tenancy.defaults import WEEKDAYS
from voxi.tenancy.schemas import BusinessOut
from voxi.tenancy.service import business_view, update_business
from voxi.tenancy.settings_forms import DAY_NAMES, SECTIONS, FormData, Parsed, format_intervals, parse_section
from voxi.web.browser_session import flash
from voxi.web.deps import CsrfProtected, WebMember, WebUser
from voxi.web.pages import is_htmx, login_redirect, render

router = APIRouter(include_in_schema=False)
SAVED = "Saved."


async def _context(request: Request, session: SessionDep, viewer: WebMember) -> dict[str, Any]:
    business = await business_view(session, viewer.tenant)
    settings = request.app.state.settings
    engine = settings.engine_for(business.config.voice_engine)
    voices = voice_catalogue(engine)
    chosen = business.config.voice
    if voices and chosen not in {v.id for v in voices}:
        # Another engine's voice (e.g. the default `alloy` on Twilio speech): say what callers hear.
        label = f"{chosen} — not a {ENGINE_LABELS[engine]} voice, so callers hear {voices[0].label}"
        voices = [*voices, VoiceOption(chosen, label)]
    return {
        "business": business,
        "can_edit": viewer.principal.is_admin,
        "values": form_values(business),
        "contacts": await list_contacts(session),
        "voices": voices,
        "engine": ENGINE_LABELS[engine],
        "engine_choice": has_feature(viewer.tenant.plan, Feature.VOICE_ENGINE_CHOICE),
        "engines": [(name, ENGINE_LABELS[name]) for name in settings.voice_engines],
        "default_engine": ENGINE_LABELS[settings.voice_engine],
        "weekdays": WEEKDAYS,
        "day_names": DAY_NAMES,
        "roles": CONTACT_ROLES,
        "kinds": [(kind, KIND_LABELS[kind]) for kind in EMERGENCY_KINDS],
        "errors": {},
        "saved": None,
    }


def form_values(business: BusinessOut) -> dict[str, Any]:
    """The current configuration as the forms show it."""
    config = business.config
    values: dict[str, Any] = {
        f"hours_{day}": format_intervals(config.business_hours.get(day, [])) for day in WEEKDAYS
    }
    values["overrides"] = "\n".join(
        f"{day} {format_intervals(intervals)}" for day, intervals in sorted(config.hours_overrides.items())
    )
    values["service_areas"] = ", ".join(config.service_areas)
    values["forwarding_number"] = config.forwarding_number or ""
    values["emergency_number"] = config.emergency_number or ""
    values["greeting"], values["personality"], values["voice"] = (
        config.greeting,
        config.personality,
        config.voice,
    )
    values["voice_engine"] = config.voice_engine or ""
    values["recording_enabled"] = config.recording_enabled
    values["emergency"] = config.emergency_settings
    values["notifications"] = config.notification_settings
    values.update(config.booking_rules.model_dump())
    return values


@router.get("/settings")
async def settings_page(request: Request, viewer: WebUser, session: SessionDep) -> Response:
    """Business settings: hours, services, areas, emergencies, phone, the AI and notifications."""
    if viewer is None:
        return login_redirect(request)
    return render(request, "settings/page.html", await _context(request, session, viewer))


@router.post("/settings/{section}")
async def save_section(
    request: Request, section: str, viewer: WebUser, session: SessionDep, _csrf: CsrfProtected
) -> Response:
    """Save one section (owner/admin); HTMX gets the section back with inline errors or "Saved"."""
    if viewer is None:
        return login_redirect(request)
    if section not in SECTIONS:
        raise NotFound("Page not found.")
    if not viewer.principal.is_admin:
        raise Forbidden("Only the business owner or an admin can change settings.")
    form = FormData([(k, str(v)) for k, v in (await request.form()).multi_items()])
    patch, parsed = parse_section(section, form)
    if patch is not None:
        await update_business(session, viewer.tenant, patch, actor=viewer.principal.actor)
        if parsed.contacts is not None:
            await replace_contacts(session, parsed.contacts, actor=viewer.principal.actor)
    context = await _context(request, session, viewer)
    status = 200
    if patch is None:
        context.update(errors=parsed.errors, values=_submitted(context["values"], section, form, parsed))
        status = 422
    else:
        context["saved"] = section
    if is_htmx(request):
        # htmx swaps only 2xx answers: the section with its inline errors comes back as a 200.
        return render(request, f"settings/_{section}.html", context)
    if patch is None:
        return render(request, "settings/page.html", context, status_code=status)
    flash(request, SAVED)
    return RedirectResponse(f"/settings#{section}", status_code=303)


def _submitted(values: dict[str, Any], section: str, form: FormData, parsed: Parsed) -> dict[str, Any]:
    """What the owner typed, shown again next to the errors (the saved values for everything else)."""
    shown = {**values, **{key: form.text(key) for key in form}}
    shown["recording_enabled"] = (
        form.checked("recording_enabled") if section == "ai" else values["recording_enabled"]
    )
    if section == "emergency":
        rows = zip(
            form.all("contact_name"), form.all("contact_phone"), form.all("contact_role"), strict=False
        )
        shown["contact_rows"] = [{"name": n, "phone": p, "role": r} for n, p, r in rows]
    return shown
