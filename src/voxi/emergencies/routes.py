from __future__ import annotations

from fastapi import APIRouter

from voxi.deps import CurrentTenant, SessionDep, TenantAdmin
from voxi.emergencies import service
from voxi.emergencies.schemas import ContactOut, ContactsIn

router = APIRouter(prefix="/api/v1/emergency-contacts", tags=["emergencies"])


@router.get("", response_model=list[ContactOut])
async def list_contacts(_tenant: CurrentTenant, session: SessionDep) -> list[ContactOut]:
    """The escalation chain, in the order it is worked (on-call, backup, owner)."""
    return [ContactOut.model_validate(c) for c in await service.list_contacts(session)]


@router.put("", response_model=list[ContactOut])
async def replace_contacts(
    data: ContactsIn, _tenant: CurrentTenant, admin: TenantAdmin, session: SessionDep
) -> list[ContactOut]:
    """Replace the escalation chain (owner/admin)."""
    rows = await service.replace_contacts(session, data.contacts, actor=admin.actor)
    return [ContactOut.model_validate(c) for c in rows]
