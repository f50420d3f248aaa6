"""The email transport ``ACTIONBOT_EMAIL`` chooses, built from settings and the environment's secrets.

``smtp`` and ``notify`` are built here; ``graph`` (Microsoft Graph sendMail) needs the Teams adapter's Graph
client and is built there (handlers.teams.messenger), as it was before the other transports existed.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.actions.ports import Messenger
from bot.config import Settings


def email_transport_from_env(environ: Mapping[str, str], settings: Settings) -> Messenger | None:
    """The SMTP or GOV.UK Notify messenger when one is chosen, else None. Raises ConfigError naming a missing or
    malformed variable."""
    if settings.email.transport == "smtp":
        from handlers.email.smtp import smtp_messenger_from_env

        return smtp_messenger_from_env(environ, settings)
    if settings.email.transport == "notify":
        from handlers.email.notify import notify_messenger_from_env

        return notify_messenger_from_env(environ, settings)
    return None
