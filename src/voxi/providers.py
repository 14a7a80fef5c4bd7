"""Every vendor adapter, built once at start-up from settings and injected (never configured at import).

Each is an interface with a real implementation on the vendor's SDK and a sandbox one; the real one is
chosen when its credentials are set (see `Settings`).
"""

from __future__ import annotations

from dataclasses import dataclass

from voxi.core.db import Database
from voxi.core.settings import Settings
from voxi.notifications.providers.mailer import Mailer, build_mailer


@dataclass
class Providers:
    mailer: Mailer


def build_providers(settings: Settings, db: Database) -> Providers:
    return Providers(mailer=build_mailer(settings.smtp_url, settings.mail_from, db.sessions))
