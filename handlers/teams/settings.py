"""The Teams adapter's configuration, from the environment. Secrets come only from there."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config import ConfigError

DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ON = {"1", "true", "yes", "on"}
_OFF = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class GraphCredentials:
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    base_url: str = DEFAULT_GRAPH_BASE_URL


@dataclass(frozen=True)
class TeamsSettings:
    #: The bot's Entra app registration (the Azure Bot's Microsoft App ID), its secret and tenant.
    client_id: str | None
    client_secret: str | None = field(repr=False)
    tenant_id: str | None
    #: Microsoft Graph (app-only); None when not configured.
    graph: GraphCredentials | None
    #: The Bot Connector service URL used when no conversation has told us its own.
    service_url: str = DEFAULT_SERVICE_URL
    #: The mailbox email is sent from (Graph /users/{MAIL_SENDER}/sendMail); None: no Graph email (none is
    #: configured, or ACTIONBOT_EMAIL chose SMTP or GOV.UK Notify, which sends it instead).
    mail_sender: str | None = None
    #: The outgoing webhook's shared secret (decoded); None: no /api/webhook.
    webhook_secret: bytes | None = field(default=None, repr=False)
    #: The Teams app id in the manifest (activity-feed notifications name it); defaults to the bot's id.
    app_id: str | None = None
    #: Put review dates in the chair's Outlook calendar (needs Calendars.ReadWrite).
    calendar_reviews: bool = False
    #: Read leave from Outlook automatic replies once a day (needs MailboxSettings.Read).
    outlook_leave: bool = False

    @property
    def bot_configured(self) -> bool:
        return bool(self.client_id and self.client_secret and self.tenant_id)

    def require_bot(self) -> tuple[str, str, str]:
        for name, value in (
            ("TEAMS_CLIENT_ID", self.client_id),
            ("TEAMS_CLIENT_SECRET", self.client_secret),
            ("TEAMS_TENANT_ID", self.tenant_id),
        ):
            if not value:
                raise ConfigError(f"{name} is not set (the Azure Bot's app registration; see docs/teams.md)")
        assert self.client_id and self.client_secret and self.tenant_id
        return self.client_id, self.client_secret, self.tenant_id


def guid_var(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    if not _GUID.match(value):
        raise ConfigError(f"{name} must be a GUID such as 00000000-0000-0000-0000-000000000000")
    return value.lower()


def url_var(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip() or default
    parts = urlsplit(value)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
        raise ConfigError(f"{name} must be an https:// URL (http:// only for localhost), not {value!r}")
    return value.rstrip("/")


def _secret(environ: Mapping[str, str], name: str) -> bytes | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name} must be the base64 security token Teams showed when the webhook was made") from None
    if len(decoded) < 16:
        raise ConfigError(f"{name} is too short to be a Teams outgoing webhook token")
    return decoded


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise ConfigError(f"{name} must be on or off, not {value!r}")


def load(environ: Mapping[str, str]) -> TeamsSettings:
    """Read and check the Teams/Graph variables. Raises ConfigError naming the variable at fault."""
    client_id = guid_var(environ, "TEAMS_CLIENT_ID")
    tenant_id = guid_var(environ, "TEAMS_TENANT_ID")
    client_secret = environ.get("TEAMS_CLIENT_SECRET", "").strip() or None

    graph_client = guid_var(environ, "GRAPH_CLIENT_ID") or client_id
    graph_tenant = guid_var(environ, "GRAPH_TENANT_ID") or tenant_id
    graph_secret = environ.get("GRAPH_CLIENT_SECRET", "").strip() or (
        client_secret if graph_client == client_id else None
    )
    graph_base = url_var(environ, "GRAPH_BASE_URL", DEFAULT_GRAPH_BASE_URL)
    graph: GraphCredentials | None = None
    if environ.get("GRAPH_CLIENT_ID", "").strip() or environ.get("GRAPH_CLIENT_SECRET", "").strip():
        # Graph asked for explicitly: every part must be there.
        if not graph_tenant:
            raise ConfigError("GRAPH_TENANT_ID is not set (or TEAMS_TENANT_ID for the same tenant)")
        if not graph_client:
            raise ConfigError("GRAPH_CLIENT_ID is not set")
        if not graph_secret:
            raise ConfigError("GRAPH_CLIENT_SECRET is not set")
    if graph_tenant and graph_client and graph_secret:
        graph = GraphCredentials(graph_tenant, graph_client, graph_secret, graph_base)

    mail_sender = environ.get("MAIL_SENDER", "").strip() or None
    if environ.get("ACTIONBOT_EMAIL", "").strip() in ("smtp", "notify"):
        mail_sender = None  # that transport sends the email (handlers.email), not Graph
    if mail_sender is not None:
        if not _EMAIL.match(mail_sender):
            raise ConfigError(
                "MAIL_SENDER must be the address of the mailbox that sends (e.g. actionbot@council.gov.uk)"
            )
        if graph is None:
            raise ConfigError(
                "MAIL_SENDER needs Microsoft Graph: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET"
            )

    calendar_reviews = _flag(environ, "TEAMS_CALENDAR_REVIEWS")
    if calendar_reviews and graph is None:
        raise ConfigError("TEAMS_CALENDAR_REVIEWS needs Microsoft Graph: set the GRAPH_* variables")
    outlook_leave = _flag(environ, "TEAMS_OUTLOOK_LEAVE")
    if outlook_leave and graph is None:
        raise ConfigError("TEAMS_OUTLOOK_LEAVE needs Microsoft Graph: set the GRAPH_* variables")

    return TeamsSettings(
        client_id=client_id,
        client_secret=client_secret,
        tenant_id=tenant_id,
        graph=graph,
        service_url=url_var(environ, "TEAMS_SERVICE_URL", DEFAULT_SERVICE_URL),
        mail_sender=mail_sender,
        webhook_secret=_secret(environ, "TEAMS_WEBHOOK_SECRET"),
        app_id=guid_var(environ, "TEAMS_APP_ID") or client_id,
        calendar_reviews=calendar_reviews,
        outlook_leave=outlook_leave,
    )
