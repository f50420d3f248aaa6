"""The composition root's one job that needs the adapters: which messengers the environment configures.

Adapters are imported here lazily and only when their credentials are present, so the core never loads
a chat SDK it does not use (and never imports one at module level).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.actions.ports import Messenger
from bot.config import ConfigError, Settings, load_settings

GRAPH_NEEDED = (
    "ACTIONBOT_EMAIL=graph needs Microsoft Graph: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET"
)


def messengers_from_env(environ: Mapping[str, str], settings: Settings | None = None) -> list[Messenger]:
    """Slack, then Teams, then email: a person is reached on the first that knows them.

    Email goes by the transport ``ACTIONBOT_EMAIL`` chooses: ``smtp`` or ``notify`` (handlers.email), also used
    by Teams for people it cannot reach in Teams; ``graph``, Microsoft Graph sendMail (the Teams adapter's,
    which needs the GRAPH_* variables); none chosen, Graph sendMail when MAIL_SENDER and Graph are set. One
    email messenger at most. ``settings``: the core's (read from ``environ`` when not given). Raises
    ConfigError naming a missing or malformed variable."""
    settings = settings if settings is not None else load_settings(environ)
    transport = settings.email.transport
    found: list[Messenger] = []
    if environ.get("SLACK_BOT_TOKEN"):
        from handlers.slack.messenger import slack_messenger_from_env

        found.append(slack_messenger_from_env(environ))
    email: Messenger | None = None
    if transport in ("smtp", "notify"):
        from handlers.email.transports import email_transport_from_env

        email = email_transport_from_env(environ, settings)
    # Graph credentials alone mean Graph email; with SMTP or Notify chosen they matter only to a Teams bot.
    graph_wanted = bool(environ.get("GRAPH_CLIENT_ID")) and email is None
    if environ.get("TEAMS_CLIENT_ID") or graph_wanted:
        from handlers.teams.messenger import teams_messengers_from_env

        teams = teams_messengers_from_env(environ, email=email)
        if transport == "graph" and not any(m.channel == "email" for m in teams):
            raise ConfigError(GRAPH_NEEDED)
        found.extend(teams)
    elif transport == "graph":
        raise ConfigError(GRAPH_NEEDED)
    elif email is not None:
        found.append(email)
    if environ.get("SLACK_BOT_TOKEN"):  # people Slack will not let the bot DM (Slack Connect) get email
        from handlers.slack.messenger import fall_back_to_email

        fall_back_to_email(found)
    return found
