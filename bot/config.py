"""Settings: one documented place for every tunable (docs/configuration.md).

Values come from an optional TOML file (``ACTIONBOT_CONFIG``) and then from the environment, which wins.
Secrets (Slack and Graph credentials) are read by the adapters straight from the environment and are
never stored here, so a settings object can be printed or logged safely.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///actionlog.db"

#: UK nations as the ``holidays`` package names their subdivisions. England and Wales share bank holidays but
#: not safeguarding timescales (bot.process): ``england-and-wales`` follows England's.
NATIONS: dict[str, str] = {
    "england-and-wales": "ENG",
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class ChaseSettings:
    """The nudge ladder (docs/chasing.md)."""

    nudge_hour: time = time(9, 0)
    due_soon_working_days: int = 1
    overdue_repeat_working_days: int = 2
    escalate_after_working_days: int = 3
    escalation_repeat_days: int = 7
    sweep_interval_seconds: int = 60
    max_send_attempts: int = 5
    retry_backoff_seconds: int = 300
    batch_size: int = 500
    #: Threads sending at once (each platform's own limits apply on top: bot.chasing.pacing).
    send_workers: int = 16
    #: After a reassignment, tell the old owner once that the action is now someone else's.
    handover_note: bool = True
    #: Nothing is sent to a person outside these local hours or on a day they do not work: it waits for
    #: the start of their next working hours.
    working_hours_start: time = time(8, 0)
    working_hours_end: time = time(18, 0)
    #: The partnership's default for people who have not chosen: one morning message with all their
    #: reminders (a digest) rather than one per action.
    digest: bool = False


@dataclass(frozen=True)
class DriftSettings:
    """What counts as drift (docs/drift.md)."""

    extensions_threshold: int = 2
    silence_working_days: int = 10
    weekly_report_weekday: int = 0  # Monday
    weekly_report_time: time = time(8, 30)
    trend_weeks: int = 8


@dataclass(frozen=True)
class RetentionSettings:
    """How long an action's personal data is kept after it is closed, in days, per status."""

    done_days: int = 6 * 365
    cancelled_days: int = 6 * 365


@dataclass(frozen=True)
class InboxSettings:
    """The durable inbox of inbound requests (docs/architecture.md, "The inbox")."""

    workers: int = 8
    #: Requests waiting (across every instance) at which acknowledgements say "this will take a moment".
    busy_backlog: int = 100
    #: Requests waiting at which new ones are refused with a status the platform retries later.
    max_backlog: int = 1000
    lease_seconds: int = 30
    max_attempts: int = 5
    retry_seconds: int = 2
    #: Hours a finished request's key is kept, so a late re-delivery is still recognised.
    keep_hours: int = 24


@dataclass(frozen=True)
class EmailSettings:
    """Email to people on neither chat platform, and the web page its answer links open (docs/email.md).

    Secrets (``NOTIFY_API_KEY``, ``ACTIONBOT_SMTP_PASSWORD``, ``ACTIONBOT_LINK_SECRET``) are read from the
    environment by the adapters and never stored here."""

    #: ``notify`` (GOV.UK Notify), ``smtp`` (an authenticated relay such as NHSmail's), ``graph`` (Microsoft
    #: Graph sendMail) or empty: no email (Teams' Graph mail still works when MAIL_SENDER is set).
    transport: str = ""
    #: The address mail comes from (MAIL_SENDER).
    sender: str = ""
    #: ``minimal``: the case reference, the deadline and the link, the task shown only on the web page;
    #: ``full``: the whole card in the email.
    body: str = "minimal"
    #: Days an answer link works (it stops sooner when its action is closed, reassigned or re-dated).
    link_days: int = 28
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_starttls: bool = True
    #: GOV.UK Notify: the email template (personalisation ``subject`` and ``body``) and the API's base URL.
    notify_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    end_of_day: time = time(17, 0)
    nation: str = "england-and-wales"
    #: What the personal-data guard does when a task looks like it holds personal data: warn or refuse.
    pii_mode: str = "warn"
    max_text_length: int = 1000
    chase: ChaseSettings = field(default_factory=ChaseSettings)
    drift: DriftSettings = field(default_factory=DriftSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    inbox: InboxSettings = field(default_factory=InboxSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    #: The https address people reach actionbot's web page on (answer links); plain http only for loopback.
    public_url: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def holiday_subdivision(self) -> str:
        return NATIONS[self.nation]


# Environment variable -> (section or "" for top level, field name).
_ENV: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("", "database_url"),
    "ACTIONBOT_TIMEZONE": ("", "timezone"),
    "ACTIONBOT_END_OF_DAY": ("", "end_of_day"),
    "ACTIONBOT_NATION": ("", "nation"),
    "ACTIONBOT_PII_MODE": ("", "pii_mode"),
    "ACTIONBOT_NUDGE_HOUR": ("chase", "nudge_hour"),
    "ACTIONBOT_SWEEP_INTERVAL": ("chase", "sweep_interval_seconds"),
    "ACTIONBOT_SEND_WORKERS": ("chase", "send_workers"),
    "ACTIONBOT_HANDOVER_NOTE": ("chase", "handover_note"),
    "ACTIONBOT_DIGEST": ("chase", "digest"),
    "ACTIONBOT_RETENTION_DONE_DAYS": ("retention", "done_days"),
    "ACTIONBOT_RETENTION_CANCELLED_DAYS": ("retention", "cancelled_days"),
    "ACTIONBOT_INBOX_WORKERS": ("inbox", "workers"),
    "ACTIONBOT_INBOX_BUSY_BACKLOG": ("inbox", "busy_backlog"),
    "ACTIONBOT_INBOX_MAX_BACKLOG": ("inbox", "max_backlog"),
    "ACTIONBOT_INBOX_LEASE_SECONDS": ("inbox", "lease_seconds"),
    "ACTIONBOT_PUBLIC_URL": ("", "public_url"),
    "ACTIONBOT_EMAIL": ("email", "transport"),
    "ACTIONBOT_EMAIL_BODY": ("email", "body"),
    "MAIL_SENDER": ("email", "sender"),
    "ACTIONBOT_SMTP_HOST": ("email", "smtp_host"),
    "ACTIONBOT_SMTP_PORT": ("email", "smtp_port"),
    "ACTIONBOT_SMTP_USER": ("email", "smtp_user"),
    "ACTIONBOT_SMTP_STARTTLS": ("email", "smtp_starttls"),
    "NOTIFY_TEMPLATE_ID": ("email", "notify_template_id"),
    "NOTIFY_BASE_URL": ("email", "notify_base_url"),
}

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _validate_email(settings: Settings) -> None:
    email = settings.email
    if email.transport not in {"", "notify", "smtp", "graph"}:
        raise ConfigError(f"setting ACTIONBOT_EMAIL: use notify, smtp or graph, not {email.transport!r}")
    if email.body not in {"minimal", "full"}:
        raise ConfigError(f"setting email.body: use minimal or full, not {email.body!r}")
    if email.link_days < 1:
        raise ConfigError("setting email.link_days: use 1 or more")
    if settings.public_url:
        url = urlsplit(settings.public_url)
        loopback = url.hostname in LOOPBACK_HOSTS
        if url.scheme not in {"https", "http"} or not url.hostname or (url.scheme == "http" and not loopback):
            raise ConfigError(
                "setting ACTIONBOT_PUBLIC_URL: use an https:// address (plain http only for a loopback host)"
            )
    if email.transport and "@" not in email.sender:
        raise ConfigError(f"setting MAIL_SENDER: ACTIONBOT_EMAIL={email.transport} needs the address mail comes from")
    if email.transport == "smtp":
        if not email.smtp_host:
            raise ConfigError("setting ACTIONBOT_SMTP_HOST: ACTIONBOT_EMAIL=smtp needs the relay's host name")
        if not 0 < email.smtp_port < 65536:
            raise ConfigError("setting ACTIONBOT_SMTP_PORT: use a port number from 1 to 65535")
        if not email.smtp_starttls and email.smtp_host not in LOOPBACK_HOSTS:
            raise ConfigError("setting ACTIONBOT_SMTP_STARTTLS: it may be off only for a loopback relay")
    if email.transport == "notify":
        if not email.notify_template_id:
            raise ConfigError("setting NOTIFY_TEMPLATE_ID: ACTIONBOT_EMAIL=notify needs the email template's id")
        if not _UUID.match(email.notify_template_id):
            raise ConfigError("setting NOTIFY_TEMPLATE_ID: use the template's id as Notify shows it (a UUID)")
        base = urlsplit(email.notify_base_url)
        if (
            base.scheme not in {"https", "http"}
            or not base.hostname
            or (base.scheme == "http" and base.hostname not in LOOPBACK_HOSTS)
        ):
            raise ConfigError("setting NOTIFY_BASE_URL: use an https:// address (plain http only for a loopback host)")


def _convert(name: str, current: Any, raw: Any) -> Any:
    """Convert a raw TOML/env value to the type of the default it replaces."""
    try:
        if isinstance(current, bool):
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(current, int):
            value = int(raw)
            if value < 0:
                raise ValueError("must not be negative")
            return value
        if isinstance(current, time):
            if isinstance(raw, time):
                return raw
            hours, _, minutes = str(raw).strip().partition(":")
            return time(int(hours), int(minutes or 0))
        return str(raw).strip()
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: cannot use {raw!r} ({exc})") from None


def _apply(obj: Any, values: Mapping[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in known:
            raise ConfigError(f"unknown setting {prefix}{key}")
        current = getattr(obj, key)
        if isinstance(raw, Mapping):
            changes[key] = _apply(current, raw, f"{prefix}{key}.")
        else:
            changes[key] = _convert(prefix + key, current, raw)
    return replace(obj, **changes)


def _validate(settings: Settings) -> Settings:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"setting timezone: unknown time zone {settings.timezone!r}") from None
    if settings.nation not in NATIONS:
        raise ConfigError(f"setting nation: use one of {', '.join(NATIONS)}, not {settings.nation!r}")
    if settings.pii_mode not in {"warn", "refuse"}:
        raise ConfigError(f"setting pii_mode: use warn or refuse, not {settings.pii_mode!r}")
    if not settings.database_url:
        raise ConfigError("setting DATABASE_URL is empty")
    if not 0 <= settings.drift.weekly_report_weekday <= 6:
        raise ConfigError("setting drift.weekly_report_weekday: use 0 (Monday) to 6 (Sunday)")
    if settings.drift.trend_weeks < 1:
        raise ConfigError("setting drift.trend_weeks: use 1 or more")
    if not 1 <= settings.inbox.workers <= 64:
        raise ConfigError("setting inbox.workers: use 1 to 64")
    if settings.inbox.max_backlog < 1 or settings.inbox.busy_backlog > settings.inbox.max_backlog:
        raise ConfigError("setting inbox.max_backlog: use 1 or more, and at least inbox.busy_backlog")
    chase = settings.chase
    if not chase.working_hours_start <= chase.nudge_hour < chase.working_hours_end:
        raise ConfigError("setting chase.nudge_hour: it must fall within chase.working_hours_start and _end")
    if settings.inbox.lease_seconds < 5:
        raise ConfigError("setting inbox.lease_seconds: use 5 or more")
    _validate_email(settings)
    return settings


def load_settings(environ: Mapping[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Settings from the config file (if any) with the environment on top."""
    env = os.environ if environ is None else environ
    settings = Settings()
    path = config_file or (Path(env["ACTIONBOT_CONFIG"]) if env.get("ACTIONBOT_CONFIG") else None)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"ACTIONBOT_CONFIG: cannot read {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"ACTIONBOT_CONFIG: {path} is not valid TOML: {exc}") from None
        settings = _apply(settings, data, "")
    for var, (section, name) in _ENV.items():
        if env.get(var):
            patch: dict[str, Any] = {name: env[var]} if not section else {section: {name: env[var]}}
            settings = _apply(settings, patch, "")
    return _validate(settings)
