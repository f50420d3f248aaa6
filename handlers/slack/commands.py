"""Slash commands: /action, /actions, /away, /digest, /meeting, /case (and /drift, in drift.py), plus the /action modal.

Every command is written into the durable inbox and then acknowledged with an empty 200 (or a "busy"
note when the inbox is behind); an inbox worker does the work: record through bot.actions.commands, post the
card with chat.postMessage, answer the caller privately through the command's response_url.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App

from bot.actions.messages import Message
from bot.actions.outcome import Outcome
from bot.actions.people import PersonInput
from bot.actions.ports import DeliveryError
from bot.actions.service import ConversationRef, ServiceError
from bot.capture.pii import personal_data_warning
from bot.process.timescales import timescales
from handlers.slack.client import CALL_ERRORS, SlackDeliveryError, error_code
from handlers.slack.context import SlackContext, Work
from handlers.slack.modals import MEETING, RECORD, ModalAgain, ModalErrors, checker, meeting_modal, read_meeting
from handlers.slack.record_form import personal_data_ok, read_record, record_modal, record_modal_warned

MEETING_FORM_LATE = Message(title="Start the meeting with its type instead: /meeting start strategy #CR-1042")
log = logging.getLogger("actionbot.slack.commands")

FORM_LATE = Message(
    title="The form could not open in time.",
    text="Type /action again, or write the action after it: /action @owner task by Friday.",
)
#: A meeting channel larger than this is not recorded as the meeting's participants (see docs/slack.md).
MAX_PARTICIPANTS = 100


def _hint(error: DeliveryError) -> str:
    code = error.code if isinstance(error, SlackDeliveryError) else ""
    if code in ("not_in_channel", "channel_not_found"):
        return "Invite me to this channel (/invite @actionbot) so the room sees the cards."
    return "I will post it again shortly."


class SlashCommands:
    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx
        self.core = ctx.core

    # -- shared -----------------------------------------------------------------------------------
    def publish(self, outcome: Outcome, channel: str, response_url: str | None) -> None:
        """The room's message in the channel and the caller's private one; a card that cannot be
        posted is queued in the outbox for the next sweep (the action itself is already recorded)."""
        if outcome.public is not None:
            try:
                self.ctx.post(channel, outcome.public)
            except DeliveryError as error:
                if outcome.action is not None:
                    self.core.chaser.enqueue_card(outcome.action.id, "slack", channel)
                    log.info("card for action %s queued for channel %s", outcome.action.id, channel)
                    notice = Message(
                        title=f"{outcome.action.ref} is recorded, but I could not post its card in this channel.",
                        notes=(_hint(error),),
                    )
                    self.ctx.reply(response_url, notice)
                    self.ctx.reply(response_url, outcome.public)
                elif not self.ctx.reply(response_url, outcome.public, public=True):
                    self.ctx.reply(response_url, outcome.public)
        if outcome.private is not None:
            self.ctx.reply(response_url, outcome.private)

    # -- /action ----------------------------------------------------------------------------------
    def action(self, body: dict[str, Any]) -> None:
        user, channel = str(body["user_id"]), str(body["channel_id"])
        text = str(body.get("text") or "")
        response_url = body.get("response_url")
        if not text.strip():
            view = record_modal(channel, response_url, self.core.settings.max_text_length)
            try:
                self.ctx.client.views_open(trigger_id=body["trigger_id"], view=view)
            except CALL_ERRORS as error:  # a trigger id lives 3 seconds: a busy moment can outlast it
                log.warning("/action form could not be opened: %s", error_code(error))
                self.ctx.reply(response_url, FORM_LATE)
            return
        outcome = self.core.commands.run(
            "action",
            text,
            self.ctx.person(user),
            ConversationRef("slack", channel),
            idempotency_key=f"slack:{body['trigger_id']}",
        )
        if outcome.duplicate:
            action_id = outcome.action.id if outcome.action else None
            log.info("repeated /action for action %s: nothing recorded", action_id)
            return
        self.publish(outcome, channel, response_url)
        if outcome.action is not None or outcome.recorded:
            self.ctx.wake_sweeper()

    def read_record(self, view: dict[str, Any]) -> object:
        """The check in the ack: problems back into the modal; a task that looks like personal data shown again
        with the warning, as a typed one is held (warn mode), until the chair changes it or ticks to keep it."""
        limit = self.core.settings.max_text_length
        draft = read_record(view, self.ctx.now(), self.core.calendar, limit)
        if self.core.commands.held_for_personal_data(draft) and not personal_data_ok(view):
            raise ModalAgain(record_modal_warned(view, personal_data_warning(list(draft.personal_data)), limit))
        return draft

    def record(self, body: dict[str, Any]) -> None:
        view: dict[str, Any] = body["view"]
        user = str(body["user"]["id"])
        meta = json.loads(view.get("private_metadata") or "{}")
        channel, response_url = str(meta["channel"]), meta.get("response_url")
        now = self.ctx.now()
        try:
            draft = read_record(view, now, self.core.calendar, self.core.settings.max_text_length)
        except ModalErrors:
            return  # the ack sent the problems back to the modal; nothing to record
        try:
            outcome = self.core.commands.record(
                draft,
                self.ctx.person(user),
                ConversationRef("slack", channel),
                now,
                idempotency_key=f"slack:view:{view['id']}",
                owner_profile=self.ctx.person(draft.owner.value),
            )
        except ServiceError as error:
            refusal = Message(title=str(error))
            if not self.ctx.reply(response_url, refusal):
                self.ctx.tell(user, channel, refusal)
            return
        if outcome.duplicate:
            log.info(
                "repeated modal submission for action %s: nothing recorded",
                outcome.action.id if outcome.action else "?",
            )
            return
        self.publish(outcome, channel, response_url)
        self.ctx.wake_sweeper()

    # -- /actions, /away, /digest: answered to the caller alone ---------------------------------------------
    def private(self, name: str) -> Work:
        def run(body: dict[str, Any]) -> None:
            outcome = self.core.commands.run(
                name,
                str(body.get("text") or ""),
                self.ctx.person(str(body["user_id"])),
                ConversationRef("slack", str(body["channel_id"])),
            )
            if outcome.private is not None:
                self.ctx.reply(body.get("response_url"), outcome.private)

        return run

    # -- /meeting ---------------------------------------------------------------------------------
    def participants(self, channel: str) -> list[PersonInput] | None:
        """The channel's people (not bots), or None when they cannot be read or are too many."""
        members: list[str] = []
        cursor: str | None = None
        try:
            while True:
                page = self.ctx.client.conversations_members(channel=channel, limit=200, cursor=cursor)
                members.extend(str(m) for m in page.get("members") or [])
                if len(members) > MAX_PARTICIPANTS:
                    return None
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
            people = [m for m in members if m != self.ctx.bot_user_id and self.ctx.directory.is_person(m)]
        except CALL_ERRORS as error:
            log.warning("conversations.members for %s failed: %s", channel, error_code(error))
            return None
        return [self.ctx.person(m) for m in people]

    def meeting(self, body: dict[str, Any]) -> None:
        user, channel = str(body["user_id"]), str(body["channel_id"])
        text = " ".join(str(body.get("text") or "").split())
        response_url = body.get("response_url")
        conversation = ConversationRef("slack", channel)
        verb, _, rest = text.partition(" ")
        if verb.lower() != "start":
            outcome = self.core.commands.run("meeting", text, self.ctx.person(user), conversation)
            self.publish(outcome, channel, response_url)
            if outcome.ok and (verb.lower() == "end" or outcome.action is not None):
                self.ctx.wake_sweeper()  # each owner's written confirmation (a step's new owner's), with buttons
            return
        if not rest.strip():  # nothing after "start": the form, with the meeting types to choose from
            types = [(kind.key, kind.name) for kind in timescales().types]
            try:
                self.ctx.client.views_open(
                    trigger_id=body["trigger_id"], view=meeting_modal(channel, response_url, types)
                )
            except CALL_ERRORS as error:
                log.warning("/meeting form could not be opened: %s", error_code(error))
                self.ctx.reply(
                    response_url, Message(title="Start the meeting with its type: /meeting start strategy #CR-1042")
                )
            return
        self.start_meeting(rest, user, channel, response_url)

    def start_meeting(
        self, text: str, user: str, channel: str, response_url: str | None, kind: str | None = None
    ) -> None:
        """Start the meeting with the channel's people as participants, typed or from the form."""
        members = self.participants(channel)
        conversation = ConversationRef("slack", channel)
        started = self.core.commands.start_meeting(text, self.ctx.person(user), conversation, members or (), kind=kind)
        self.publish(started, channel, response_url)
        if started.ok and members is None:
            notes = (
                "I could not record this channel's members as participants (too many, or I cannot read them): "
                "only the chair and each action's owner will see its actions.",
            )
            self.ctx.reply(response_url, Message(title="Participants not recorded", notes=notes))

    def meeting_form(self, body: dict[str, Any]) -> None:
        view: dict[str, Any] = body["view"]
        meta = json.loads(view.get("private_metadata") or "{}")
        kind, title, case = read_meeting(view)
        text = f"{title} #{case}" if case else title
        self.start_meeting(text, str(body["user"]["id"]), str(meta["channel"]), meta.get("response_url"), kind=kind)

    def table(self) -> dict[str, Work]:
        return {
            "/action": self.action,
            "/actions": self.private("actions"),
            "/away": self.private("away"),
            "/digest": self.private("digest"),
            "/meeting": self.meeting,
            "/case": self.private("case"),
        }


def register(app: App, ctx: SlackContext, extra: dict[str, Work] | None = None) -> tuple[str, ...]:
    """Register the slash commands; returns their names (the manifest must declare exactly these)."""
    commands = SlashCommands(ctx)
    table = {**commands.table(), **(extra or {})}
    for name, work in table.items():
        app.command(name)(ctx.durable(name, work))
    app.view(RECORD)(ctx.durable("record modal", commands.record, check=checker(commands.read_record)))
    app.view(MEETING)(ctx.durable("meeting modal", commands.meeting_form, check=checker(read_meeting)))
    return tuple(table)
