"""Build the Bolt app over a Core: the Web API client, the listeners, the Messenger and Directory.

``process_before_response=True`` makes Bolt run each ack function in the request's own thread: ours
check a modal, write the request into the durable inbox, and only then acknowledge it. The work runs on
the inbox's workers (registered here as the "slack" processor); what changes nothing (opening a modal,
the App Home) runs as a Bolt lazy listener on ``executor``. So a slow database or a rate-limited Web API
delays the work, never the ack, and nothing acknowledged lives only in memory.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError, BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.app import Core
from bot.config import ConfigError
from handlers.slack import actions, commands, drift, home, shortcuts
from handlers.slack.client import CALL_ERRORS, error_code, web_client
from handlers.slack.context import Overloaded, SlackContext
from handlers.slack.directory import Home, SlackDirectory
from handlers.slack.env import DEFAULT_API_URL, DEFAULT_POSTS_PER_MINUTE
from handlers.slack.messenger import SlackMessenger, slack_limits
from handlers.slack.server import RETRY_AFTER

log = logging.getLogger("actionbot.slack")

#: Payload kinds named in the log (anything else is logged as "unknown": the log never repeats input).
KNOWN_KINDS = ("block_actions", "view_submission", "view_closed", "event_callback", "command")
#: What the app listens to; the manifest must declare exactly these (tests/slack/test_manifest.py).
EVENTS = ("app_home_opened",)


def _listener_failed(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
    """Bolt's error handler for ack functions: codes only (the default would log the exception's text).
    An overloaded inbox answers 503 with Retry-After: Slack delivers the request again later."""
    if isinstance(error, Overloaded):
        log.warning("slack request refused for now: %s", error.reason)
        return BoltResponse(status=503, body="busy, try again shortly", headers={"Retry-After": str(RETRY_AFTER)})
    kind = body.get("type") if isinstance(body.get("type"), str) else "command" if "command" in body else "unknown"
    kind = kind if kind in KNOWN_KINDS else "unknown"
    if isinstance(error, BoltUnhandledRequestError):
        # Bolt's own warning would repeat the payload's type, callback id and action id: typed by anyone who
        # can sign a request. Only our known kind is logged; Slack gets Bolt's 404.
        log.info("slack %s request matched no listener", kind)
        return None
    log.error("slack %s listener failed: %s", kind, error_code(error))
    return None


def build_app(
    core: Core,
    *,
    bot_token: str,
    signing_secret: str | None,
    api_url: str | None = None,
    executor: ThreadPoolExecutor | None = None,
    posts_per_minute: float = DEFAULT_POSTS_PER_MINUTE,
) -> App:
    """The Slack app over ``core``. Checks the token with auth.test (a refusal is a ConfigError), adds the
    SlackMessenger to ``core.router`` and the SlackDirectory to ``core.commands``.

    ``signing_secret`` verifies HTTP requests (None only for Socket Mode, where nothing arrives by HTTP)."""
    base = api_url or DEFAULT_API_URL
    client = web_client(bot_token, base)
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({error_code(error)})") from None
    except CALL_ERRORS as error:
        raise ConfigError(f"cannot reach the Slack Web API at {base} ({error_code(error)})") from None
    try:
        app = App(
            client=client,
            signing_secret=signing_secret or "",
            request_verification_enabled=signing_secret is not None,
            process_before_response=True,
            raise_error_for_unhandled_request=True,  # to _listener_failed, which logs no payload values
            listener_executor=executor or ThreadPoolExecutor(max_workers=16, thread_name_prefix="slack-work"),
            logger=logging.getLogger("actionbot.slack.bolt"),
        )
    except BoltError as error:  # Bolt's own auth.test failed just after ours succeeded
        cause = error.__context__ if isinstance(error.__context__, Exception) else error
        raise ConfigError(f"SLACK_BOT_TOKEN could not be verified ({error_code(cause)})") from None
    app.error(_listener_failed)
    messenger = SlackMessenger(client, slack_limits(posts_per_minute))
    directory = SlackDirectory(client, home=Home(identity.get("team_id"), identity.get("enterprise_id")))
    core.router.add(messenger)
    core.commands.add_directory("slack", directory)
    ctx = SlackContext(core, messenger, directory, bot_user_id=identity.get("user_id"))
    register(app, ctx)
    core.inbox.register("slack", ctx.process)
    log.info("Slack app ready for team %s as bot user %s", identity.get("team_id"), identity.get("user_id"))
    return app


def register(app: App, ctx: SlackContext) -> tuple[str, ...]:
    """Every listener, by kind. Returns the slash commands registered."""
    names = commands.register(app, ctx, extra={"/drift": drift.DriftCommand(ctx).run})
    actions.register(app, ctx)
    shortcuts.register(app, ctx)
    home.register(app, ctx)
    return names
