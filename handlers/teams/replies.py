"""How the bot answers an activity: a card in the conversation, a private answer to the speaker alone (in the
personal chat, else in their 1:1 chat with the bot, opened if need be, never in the channel), and a command's
outcome sent to both, a card that could not be posted being left to the sweep so the room's record is never
lost."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_teams.apps import ActivityContext

from bot.actions.messages import Message
from bot.actions.outcome import Outcome
from bot.app import Core
from handlers.teams.cards import card_activity
from handlers.teams.conversations import Connector, ConversationStore
from handlers.teams.membership import tenant_of

log = logging.getLogger("actionbot.teams")

PRIVATE_FALLBACK = Message(
    "I could not send you a private message.",
    text="Open a chat with actionbot (search for it under Apps in Teams), then try again there.",
)


class Replies:
    """Cards back to an activity's conversation and to its speaker."""

    def __init__(self, core: Core, store: ConversationStore, bot_app_id: str) -> None:
        self.core = core
        self.store = store
        self.bot_app_id = bot_app_id

    def card(self, message: Message) -> Any:
        """The message as an Adaptive Card activity, its dates read from today."""
        return card_activity(message, self.core.calendar.today(self.core.service.clock()))

    async def private(self, ctx: ActivityContext[Any], message: Message) -> None:
        """To the speaker alone: in the personal chat, else in their 1:1 chat (opened if need be)."""
        activity = ctx.activity
        if activity.conversation.conversation_type == "personal":
            await ctx.send(self.card(message))
            return
        object_id = activity.from_.aad_object_id
        service_url = activity.service_url
        connector = Connector(ctx.api, self.bot_app_id)
        try:
            reference = await asyncio.to_thread(self.store.person, object_id) if object_id else None
            chat = reference.conversation_id if reference else None
            if not chat:
                chat = await connector.open_chat(service_url, activity.from_.id, tenant_of(activity))
                if object_id:
                    await asyncio.to_thread(
                        self.store.remember_person,
                        object_id,
                        service_url=service_url,
                        conversation_id=chat,
                        now=self.core.service.clock(),
                    )
            await connector.post(service_url, chat, self.card(message))
        except Exception as error:
            log.warning("private reply to %s failed: %s", object_id, error.__class__.__name__)
            await ctx.send(self.card(PRIVATE_FALLBACK))

    async def deliver(self, ctx: ActivityContext[Any], outcome: Outcome, conversation: str) -> None:
        """A command's outcome: its public card to the conversation, its private answer to the speaker."""
        if outcome.public is not None:
            try:
                await ctx.send(self.card(outcome.public))
            except Exception as error:
                log.warning("posting a card to a Teams conversation failed: %s", error.__class__.__name__)
                if outcome.action is not None:  # the sweep posts it later: the room's record is never lost
                    await asyncio.to_thread(self.core.chaser.enqueue_card, outcome.action.id, "teams", conversation)
                    self.core.sweeper.wake()
        if outcome.private is not None:
            await self.private(ctx, outcome.private)
