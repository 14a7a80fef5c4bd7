"""Every domain's ORM models, imported so `Base.metadata` is whole (Alembic, the isolation walker)."""

from voxi.admin.models import AuditLog
from voxi.agent.models import ToolInvocation
from voxi.auth.models import PasswordResetToken, PlatformAdmin, Role, TenantAPIKey, TenantUser, User
from voxi.billing.models import BillingEventRecord, SandboxClock, SandboxCustomer, SandboxSubscription
from voxi.calls.models import CallLog, Message
from voxi.core.db import Base, TenantScoped
from voxi.customers.models import Customer
from voxi.emergencies.models import EmergencyLog, EscalationAttempt, EscalationContact
from voxi.notifications.models import NotificationSent, OutboxEmail, OutboxSms, SmsOptOut
from voxi.scheduling.models import Appointment, AppointmentStatus, SchedulingSettings
from voxi.signup.models import SignupAttempt, SignupState
from voxi.telephony.models import NumberRoute, PhoneNumber, SandboxNumber
from voxi.tenancy.models import Plan, Tenant, TenantConfig, TenantStatus, TenantUsage
from voxi.voice.elevenlabs.models import CallRecording, VoiceWebhookEvent

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "Base",
    "BillingEventRecord",
    "CallLog",
    "CallRecording",
    "Customer",
    "EmergencyLog",
    "EscalationAttempt",
    "EscalationContact",
    "Message",
    "NumberRoute",
    "NotificationSent",
    "OutboxEmail",
    "OutboxSms",
    "SmsOptOut",
    "PasswordResetToken",
    "PhoneNumber",
    "Plan",
    "PlatformAdmin",
    "Role",
    "SignupAttempt",
    "SignupState",
    "SchedulingSettings",
    "SandboxClock",
    "SandboxCustomer",
    "SandboxNumber",
    "SandboxSubscription",
    "Tenant",
    "TenantAPIKey",
    "TenantConfig",
    "TenantScoped",
    "TenantStatus",
    "TenantUsage",
    "ToolInvocation",
    "TenantUser",
    "User",
    "VoiceWebhookEvent",
]
