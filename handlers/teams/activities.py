"""What the bot does with the activities that ask for an answer: a message, which is either a typed command
(``@actionbot action ...`` in a channel or group chat, the same without the mention in the personal chat)
run through bot.actions.commands, or a card's Action.Submit run through bot.actions.service as the person who
pressed it; and the app's installation, answered with a welcome. Each is first checked and recorded
(handlers.teams.membership); database work runs in worker threads, never on the event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_teams.api.activities.install_update import InstalledActivity
from microsoft_teams.api.activities.message import MessageActivity
from microsoft_teams.api.models import MentionEntity
from microsoft_teams.apps import ActivityContext

from bot.actions import authz
from bot.actions.messages import REASSIGN, Message, action_card, for_the_room
from bot.actions.service import ConversationRef, ServiceError
from bot.app import Core
from handlers.teams.buttons import apply_button
from handlers.teams.cards import DIGEST_KEY, MEETING_FORM, MEETING_START, SUBMIT_KEY
from handlers.teams.conversations import Connector, base_conversation_id
from handlers.teams.directory import TeamsDirectory
from handlers.teams.drift import drift_message
from handlers.teams.identity import request_key, speaker_of
from handlers.teams.meeting_form import start_from_form
from handlers.teams.membership import Membership
from handlers.teams.replies import Replies
from handlers.teams.reviews import ReviewCalendar
from handlers.teams.text import Mentioned, command_text, split_command

log = logging.getLogger("actionbot.teams")

FAILED = Message(
    "Something went wrong on my side.",
    text="Check with \u201cactions\u201d before trying again: it may already have been recorded.",
)
WELCOME = "actionbot will send you the actions agreed for you, and their reminders, here."


class ActivityHandlers:
    """The message and installation handlers registered on the Teams SDK App (handlers.teams.app)."""

    def __init__(
        self,
        core: Core,
        *,
        membership: Membership,
        replies: Replies,
        directory: TeamsDirectory,
        reviews: ReviewCalendar | None,
        bot_app_id: str,
    ) -> None:
        self.core = core
        self.membership = membership
        self.replies = replies
        self.directory = directory
        self.reviews = reviews
        self.bot_app_id = bot_app_id
        self._background: set[asyncio.Task[Any]] = set()

    def _later(self, coro: Any) -> None:
        """Work the reply need not wait for (kept referenced until done)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- messages ---------------------------------------------------------------------------------
    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        if not self.membership.ours(activity) or not activity.from_.aad_object_id:
            return
        try:
            await self.membership.remember(activity)
            value = activity.value
            if isinstance(value, dict) and value.get(SUBMIT_KEY):
                await self._submit(ctx, value)
                return
            if activity.text:
                await self._command(ctx)
        except Exception as error:
            log.error("handling Teams activity %s failed: %s", activity.id, error.__class__.__name__)
            await ctx.send(self.replies.card(FAILED))

    async def _command(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        object_id = activity.from_.aad_object_id
        assert object_id
        mentions = [
            Mentioned(e.text, e.mentioned.id, e.mentioned.name, e.mentioned.aad_object_id)
            for e in activity.entities or []
            if isinstance(e, MentionEntity)
        ]
        resolved = await self.membership.resolve(ctx, mentions)
        command, rest = split_command(command_text(activity.text, mentions, resolved))
        command = command or "help"
        conversation = base_conversation_id(activity.conversation.id)
        speaker = speaker_of(object_id, activity.from_.name)
        if command == "meeting" and rest.lower() == "start":  # nothing after "start": the form
            await ctx.send(self.replies.card(MEETING_FORM))
            return
        if command == "drift":
            await self.replies.private(ctx, await asyncio.to_thread(drift_message, self.core, object_id, rest))
            return
        outcome = await asyncio.to_thread(
            self.core.commands.run,
            command,
            rest,
            speaker,
            ConversationRef("teams", conversation),
            idempotency_key=request_key(conversation, activity.id),
        )
        known = command if command in self.core.commands.names else "?"
        log.info("teams command %s from %s: %s", known, object_id, "ok" if outcome.ok else "refused")
        await self.replies.deliver(ctx, outcome, conversation)
        if outcome.ok:
            self.core.sweeper.wake()  # owners' confirmations, escalations: sent by the sweeper's thread
        action = outcome.action
        wanted = command == "action" and action is not None and action.review_on is not None and not outcome.duplicate
        if wanted and self.reviews is not None and action is not None:
            self._later(asyncio.to_thread(self.reviews.add, object_id, action))

    # -- card buttons -----------------------------------------------------------------------------
    async def _submit(self, ctx: ActivityContext[MessageActivity], data: dict[str, Any]) -> None:
        activity = ctx.activity
        assert activity.from_.aad_object_id
        speaker = speaker_of(activity.from_.aad_object_id, activity.from_.name)
        action_id = str(data.get(SUBMIT_KEY))
        if action_id == MEETING_START:
            conversation = base_conversation_id(activity.conversation.id)
            outcome = await asyncio.to_thread(start_from_form, self.core, speaker, conversation, data)
            await self.replies.deliver(ctx, outcome, conversation)
            return
        try:
            view, heading = await asyncio.to_thread(
                apply_button, self.core, self.directory, action_id, str(data.get("ref") or ""), data, speaker
            )
        except ServiceError as refusal:
            await self.replies.private(ctx, Message(str(refusal)))
            return
        self.core.sweeper.wake()
        log.info("teams button %s on action %s by %s", action_id, view.id, activity.from_.aad_object_id)
        if action_id == REASSIGN and (notes := self.core.commands.owner_notes(view.owner)):
            # how the new owner is reached
            await self.replies.private(ctx, Message(title=f"Please check {view.ref}", notes=notes))
        now = self.core.service.clock()
        conversation = base_conversation_id(activity.conversation.id)
        personal = activity.conversation.conversation_type == "personal"
        # in a channel or group chat, a task that looks like personal data is not shown again
        shown = view if personal else for_the_room(view, now.astimezone(self.core.calendar.zone).date())
        card = self.replies.card(action_card(shown, self.core.calendar.zone, now, heading=heading))
        if not personal and not authz.may_show_in(view.origin, "teams", conversation):
            # a card for an action recorded elsewhere is never shown to this room
            await self.replies.private(ctx, action_card(view, self.core.calendar.zone, now, heading=heading))
            return
        if activity.reply_to_id and activity.service_url and not data.get(DIGEST_KEY):
            try:
                connector = Connector(ctx.api, self.bot_app_id)
                await connector.update(activity.service_url, activity.conversation.id, activity.reply_to_id, card)
                return
            except Exception as error:
                log.warning("updating a Teams card failed: %s", error.__class__.__name__)
                card = self.replies.card(action_card(shown, self.core.calendar.zone, now, heading=heading))
        await ctx.send(card)

    # -- installation -----------------------------------------------------------------------------
    async def on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        activity = ctx.activity
        if not self.membership.ours(activity):
            return
        await self.membership.remember(activity)
        if activity.conversation.conversation_type == "personal" and activity.from_.aad_object_id:
            speaker = speaker_of(activity.from_.aad_object_id, activity.from_.name)
            outcome = await asyncio.to_thread(self.core.commands.run, "actions", "mine", speaker)
            listed = outcome.private.text if outcome.private is not None and outcome.private.text else ""
            await ctx.send(self.replies.card(Message("Hello from actionbot", text=f"{WELCOME}\n{listed}".strip())))
        else:
            await ctx.send(
                self.replies.card(
                    Message("actionbot is here", text="Type @actionbot help to see how to record actions.")
                )
            )
