"""SlackMessenger: the core's Messenger port over the Slack Web API (slack_sdk's WebClient).

Used by the running Slack app and, without any Bolt app, by ``actionbot chase`` and ``actionbot
scheduler``. Direct messages go to the app's DM with the person (chat.postMessage to their user id;
Slack answers with the DM channel, kept in the reference so the card can be updated in place).

Whether a bot may DM a member of a Slack Connect channel from another organisation is not documented, so it is
tried; when Slack answers that this user cannot be messaged directly, the message goes to the person's email
address instead (``fallback``: the email transport ACTIONBOT_EMAIL chose), as Teams does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.actions.messages import Message
from bot.actions.ports import Delivered, Messenger
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from handlers.slack import env
from handlers.slack.blocks import fallback, message_blocks
from handlers.slack.client import CALL_ERRORS, SlackDeliveryError, delivery_error, web_client

log = logging.getLogger("actionbot.slack.messenger")


#: The share of the workspace's pace the sweep's nudges may use.
NUDGE_SHARE = 0.9

#: Slack's answers that mean "this app cannot message this user directly", from the documented errors of
#: chat.postMessage (which opens the app's DM when given a user id) and conversations.open (docs.slack.dev,
#: "chat.postMessage method" and "conversations.open method", section Errors). Email may still reach them:
#: - channel_not_found: "Value passed for channel was invalid": Slack has no DM it will open with that user id;
#: - user_not_found: "Value(s) passed for users was invalid";
#: - user_not_visible: "The calling user is restricted from seeing the requested user" (someone outside);
#: - user_disabled: "A specified user has been disabled" (by their own organisation);
#: - invalid_user_combination: "To message people from multiple organizations, those organizations must be in
#:   at least one channel together";
#: - restricted_action: "A workspace preference prevents the authenticated user from posting" (either
#:   organisation's Slack Connect settings can forbid DMs with external people);
#: - cannot_dm_bot: the user id is a bot's.
#: Not these, though also permanent: they refuse every DM, not this person's, and an operator must fix them
#: (email would hide the fault): not_allowed_token_type (the token is not a bot token), messages_tab_disabled
#: (the app's Messages tab is off), missing_scope, invalid_auth, token_revoked, account_inactive (the token's
#: workspace or user was deleted), team_access_not_granted, ekm_access_denied.
CANNOT_DM = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "invalid_user_combination",
        "restricted_action",
        "cannot_dm_bot",
    }
)


def slack_limits(posts_per_minute: float = env.DEFAULT_POSTS_PER_MINUTE) -> SendLimits:
    """chat.postMessage's documented limits (https://docs.slack.dev/reference/methods/chat.postMessage, "Rate
    limiting"): about one message per second per channel (each DM is a channel), within a workspace-wide
    limit of "several hundred messages per minute". Nudges keep to 90% of the workspace's pace: the rest is
    for what requests post at once (a room's card, an owner's confirmation card). Calls overlap to hide
    each one's latency."""
    return SendLimits(per_minute=NUDGE_SHARE * posts_per_minute, gap_seconds=1.0, in_flight=16)


def _ref(response: SlackResponse) -> str:
    return f"{response['channel']}:{response['ts']}"


def split_ref(ref: str) -> tuple[str, str]:
    """``C123:1700000000.000100`` -> (channel, ts)."""
    channel, sep, ts = ref.partition(":")
    if not sep or not channel or not ts:
        raise SlackDeliveryError("slack message reference is malformed", code="bad_ref", permanent=True)
    return channel, ts


class SlackMessenger:
    channel = "slack"

    def __init__(self, client: WebClient, limits: SendLimits | None = None, fallback: Messenger | None = None) -> None:
        self.client = client
        self.limits = limits or slack_limits()
        #: Email, for people Slack will not let the app message directly (CANNOT_DM).
        self.fallback = fallback

    def _call(self, method: str, call: Callable[[], SlackResponse]) -> SlackResponse:
        try:
            return call()
        except CALL_ERRORS as error:
            failure = delivery_error(method, error)
            log.warning("%s (permanent=%s)", failure, failure.permanent)
            raise failure from None

    # -- the Messenger port -----------------------------------------------------------------------
    def can_reach(self, person: PersonView) -> bool:
        return bool(person.slack_user_id)

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.slack_user_id:
            raise SlackDeliveryError("slack: the person has no Slack user id", code="no_user_id", permanent=True)
        try:
            return self.post_to_conversation(person.slack_user_id, message)
        except SlackDeliveryError as error:
            if error.code not in CANNOT_DM or self.fallback is None or not self.fallback.can_reach(person):
                raise
            log.info(
                "Slack cannot message person %s directly (%s); using %s", person.id, error.code, self.fallback.channel
            )
            return self.fallback.send_direct(person, message)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        response = self._call(
            "chat.postMessage",
            lambda: self.client.chat_postMessage(
                channel=conversation_id,
                text=fallback(message),
                blocks=message_blocks(message),
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return Delivered(self.channel, _ref(response))

    def update(self, ref: str, message: Message) -> None:
        channel, ts = split_ref(ref)
        self._call(
            "chat.update",
            lambda: self.client.chat_update(
                channel=channel, ts=ts, text=fallback(message), blocks=message_blocks(message)
            ),
        )

    # -- Slack-only extras the app uses ---------------------------------------------------------
    def ephemeral(self, conversation_id: str, user_id: str, message: Message) -> None:
        """A message only ``user_id`` sees, in a conversation the bot is in."""
        self._call(
            "chat.postEphemeral",
            lambda: self.client.chat_postEphemeral(
                channel=conversation_id, user=user_id, text=fallback(message), blocks=message_blocks(message)
            ),
        )

    def open_dm(self, user_id: str) -> str:
        """The DM channel id with a person (conversations.open; file uploads need a channel id)."""
        response = self._call("conversations.open", lambda: self.client.conversations_open(users=user_id))
        channel: Any = response["channel"]
        return str(channel["id"])

    def upload(self, channel_id: str, filename: str, content: bytes, title: str, comment: str | None = None) -> None:
        """Upload a file into a conversation (files.getUploadURLExternal + files.completeUploadExternal)."""
        self._call(
            "files.upload",
            lambda: self.client.files_upload_v2(
                channel=channel_id, filename=filename, content=content, title=title, initial_comment=comment
            ),
        )


def slack_messenger_from_env(environ: Mapping[str, str], fallback: Messenger | None = None) -> SlackMessenger:
    """For processes without a Bolt app (``actionbot chase``, ``actionbot scheduler``)."""
    client = web_client(env.bot_token(environ), env.api_url(environ))
    return SlackMessenger(client, slack_limits(env.posts_per_minute(environ)), fallback)


def fall_back_to_email(messengers: Sequence[Messenger]) -> None:
    """Give each Slack messenger among ``messengers`` the email one among them (if any) as its fallback."""
    email = next((m for m in messengers if m.channel == "email"), None)
    for messenger in messengers:
        if email is not None and isinstance(messenger, SlackMessenger):
            messenger.fallback = email
