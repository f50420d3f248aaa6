"""Slack credentials and endpoints from the environment, checked once at start-up.

Every problem is a ConfigError naming the variable, never its value (these are secrets).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"
#: Messages a minute across the workspace (chat.postMessage allows "several hundred"; see SLACK_LIMITS).
DEFAULT_POSTS_PER_MINUTE = 600.0
_TOKEN_BODY = re.compile(r"[A-Za-z0-9-]{10,}")
_SECRET = re.compile(r"[A-Za-z0-9]{16,128}")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class SlackEnv:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str
    posts_per_minute: float = DEFAULT_POSTS_PER_MINUTE


def _token(environ: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: {what}")
    if not value.startswith(prefix) or not _TOKEN_BODY.fullmatch(value[len(prefix) :]):
        raise ConfigError(f"{name} is malformed: {what}")
    return value


def bot_token(environ: Mapping[str, str]) -> str:
    return _token(
        environ, "SLACK_BOT_TOKEN", "xoxb-", "give the Bot User OAuth Token (xoxb-...) from OAuth & Permissions"
    )


def app_token(environ: Mapping[str, str]) -> str:
    return _token(
        environ,
        "SLACK_APP_TOKEN",
        "xapp-",
        "Socket Mode needs an app-level token (xapp-...) with connections:write, from Basic Information",
    )


def signing_secret(environ: Mapping[str, str]) -> str:
    value = environ.get("SLACK_SIGNING_SECRET", "").strip()
    what = "HTTP mode needs the Signing Secret from Basic Information > App Credentials"
    if not value:
        raise ConfigError(f"SLACK_SIGNING_SECRET is not set: {what}")
    if not _SECRET.fullmatch(value):
        raise ConfigError(f"SLACK_SIGNING_SECRET is malformed: {what}")
    return value


def api_url(environ: Mapping[str, str]) -> str:
    """The Web API base URL (``https://slack.com/api/`` unless SLACK_API_URL overrides it), ending in ``/``.

    Plain http is accepted only for a loopback host (a test server): the bot token travels in every call."""
    raw = environ.get("SLACK_API_URL", "").strip()
    if not raw:
        return DEFAULT_API_URL
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError("SLACK_API_URL is malformed: give a base URL such as https://slack.com/api/")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ConfigError("SLACK_API_URL must use https (plain http only for 127.0.0.1 or localhost)")
    return raw if raw.endswith("/") else raw + "/"


def posts_per_minute(environ: Mapping[str, str]) -> float:
    """ACTIONBOT_SLACK_POSTS_PER_MINUTE: the workspace-wide pace of nudges (default 600)."""
    raw = environ.get("ACTIONBOT_SLACK_POSTS_PER_MINUTE", "").strip()
    if not raw:
        return DEFAULT_POSTS_PER_MINUTE
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 100_000:
        raise ConfigError("ACTIONBOT_SLACK_POSTS_PER_MINUTE must be a number of messages a minute, 1 to 100000")
    return value


def read_env(environ: Mapping[str, str], *, http: bool) -> SlackEnv:
    """What ``actionbot serve slack`` needs: the bot token always; the signing secret in HTTP mode; the
    app-level token in Socket Mode."""
    token = bot_token(environ)
    base = api_url(environ)
    pace = posts_per_minute(environ)
    if http:
        return SlackEnv(token, signing_secret(environ), None, base, pace)
    secret = signing_secret(environ) if environ.get("SLACK_SIGNING_SECRET", "").strip() else None
    return SlackEnv(token, secret, app_token(environ), base, pace)
