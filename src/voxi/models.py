"""Every domain's ORM models, imported so `Base.metadata` is whole (Alembic, the isolation walker)."""

from voxi.admin.models import AuditLog
from voxi.auth.models import PasswordResetToken, PlatformAdmin, Role, TenantAPIKey, TenantUser, User
from voxi.calls.models import CallLog, Message
from voxi.core.db import Base, TenantScoped
from voxi.customers.models import Customer
from voxi.emergencies.models import EmergencyLog
from voxi.notifications.models import OutboxEmail
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.telephony.models import NumberRoute, PhoneNumber
from voxi.tenancy.models import Plan, Tenant, TenantConfig, TenantStatus, TenantUsage

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "Base",
    "CallLog",
    "Customer",
    "EmergencyLog",
    "Message",
    "NumberRoute",
    "OutboxEmail",
    "PasswordResetToken",
    "PhoneNumber",
    "Plan",
    "PlatformAdmin",
    "Role",
    "Tenant",
    "TenantAPIKey",
    "TenantConfig",
    "TenantScoped",
    "TenantStatus",
    "TenantUsage",
    "TenantUser",
    "User",
]
