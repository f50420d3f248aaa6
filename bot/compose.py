"""The composition root's one job that needs the adapters: which messengers the environment configures.

Adapters are imported here lazily and only when their credentials are present, so the core never loads
a chat SDK it does not use (and never imports one at module level).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.actions.ports import Messenger


def messengers_from_env(environ: Mapping[str, str]) -> list[Messenger]:
    """Slack, then Teams, then email: a person is reached on the first that knows them."""
    found: list[Messenger] = []
    if environ.get("SLACK_BOT_TOKEN"):
        from handlers.slack.messenger import slack_messenger_from_env

        found.append(slack_messenger_from_env(environ))
    if environ.get("TEAMS_CLIENT_ID") or environ.get("GRAPH_CLIENT_ID"):
        from handlers.teams.messenger import teams_messengers_from_env

        found.extend(teams_messengers_from_env(environ))
    return found
