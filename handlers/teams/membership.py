"""Where people and conversations are: the bookkeeping every activity does before anything else. It keeps
the bot to its own tenant's activities, records where the speaker (and a channel or group chat) can be
reached later (ConversationStore), looks up the people a message mentions in the conversation's roster, and
records people added to a team or chat. It never replies: what the bot says is handlers.teams.replies'."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_teams.api import ConversationUpdateActivity
from microsoft_teams.api.activities.message import MessageActivity
from microsoft_teams.apps import ActivityContext

from bot.app import Core
from handlers.teams.conversations import Connector, ConversationStore, base_conversation_id
from handlers.teams.directory import TeamsDirectory, roster_profile
from handlers.teams.settings import TeamsSettings
from handlers.teams.text import Mentioned

log = logging.getLogger("actionbot.teams")


def tenant_of(activity: Any) -> str | None:
    """The activity's tenant (lower case): the conversation's, else the channel data's."""
    tenant: str | None = activity.conversation.tenant_id
    if not tenant and activity.channel_data is not None and activity.channel_data.tenant is not None:
        tenant = activity.channel_data.tenant.id
    return tenant.lower() if tenant else None


class Membership:
    """Which activities are ours, and where the people and conversations in them can be reached later."""

    def __init__(
        self,
        core: Core,
        settings: TeamsSettings,
        *,
        store: ConversationStore,
        directory: TeamsDirectory,
        bot_app_id: str,
    ) -> None:
        self.core = core
        self.settings = settings
        self.store = store
        self.directory = directory
        self.bot_app_id = bot_app_id

    def ours(self, activity: Any) -> bool:
        """Only our own tenant's activities (a single-tenant bot; defence in depth)."""
        tenant = tenant_of(activity)
        if self.settings.tenant_id and tenant != self.settings.tenant_id:
            log.warning("ignored an activity %s from another tenant", activity.id)
            return False
        return True

    async def remember(self, activity: Any) -> None:
        """Where this person (and this channel or chat) can be reached later."""
        person = activity.from_
        object_id = person.aad_object_id
        service_url = activity.service_url
        tenant = tenant_of(activity)
        kind = activity.conversation.conversation_type or "channel"
        now = self.core.service.clock()
        if object_id and service_url:
            personal = kind == "personal"
            await asyncio.to_thread(
                self.store.remember_person,
                object_id,
                service_url=service_url,
                user_id=person.id,
                conversation_id=activity.conversation.id if personal else None,
                tenant_id=tenant,
                now=now,
            )
        if kind != "personal" and service_url:
            await asyncio.to_thread(
                self.store.remember_conversation,
                activity.conversation.id,
                kind,
                service_url=service_url,
                tenant_id=tenant,
                now=now,
            )

    async def _remember_member(self, object_id: str, user_id: str, service_url: str, tenant: str | None) -> None:
        """A member of a team or chat the bot is in: the bot may open a chat with them."""
        await asyncio.to_thread(
            self.store.remember_person,
            object_id,
            service_url=service_url,
            user_id=user_id,
            tenant_id=tenant,
            now=self.core.service.clock(),
        )

    async def resolve(self, ctx: ActivityContext[MessageActivity], mentions: list[Mentioned]) -> dict[str, str]:
        """Entra object ids for mentioned people (from the conversation's roster when not in the entity)."""
        activity = ctx.activity
        connector = Connector(ctx.api, self.bot_app_id)
        channel_data = activity.channel_data
        roster = (
            channel_data.team.id
            if channel_data is not None and channel_data.team is not None and channel_data.team.id
            else base_conversation_id(activity.conversation.id)
        )
        resolved: dict[str, str] = {}
        for mention in mentions:
            if mention.is_bot:
                continue
            object_id, name, email = mention.object_id, mention.name, None
            tenant: str | None = None
            role: str | None = None
            if object_id is None and mention.id.startswith("29:") and activity.service_url:
                try:
                    member = await connector.member(activity.service_url, roster, mention.id)
                except Exception as error:  # the mention stays the person's name (the grammar's name form)
                    log.warning("could not look up a mentioned member: %s", error.__class__.__name__)
                    continue
                object_id = member.aad_object_id.lower() if member.aad_object_id else None
                name = member.name or name
                email = (member.email or member.user_principal_name or "").lower() or None
                if email and "@" not in email:
                    email = None
                tenant, role = member.tenant_id, member.user_role  # another tenant, or a guest: outside
            if object_id is None:
                continue
            resolved[mention.id] = object_id
            self.directory.seen(roster_profile(object_id, name, email, tenant, role, self.settings.tenant_id))
            if mention.id.startswith("29:") and activity.service_url:
                await self._remember_member(object_id, mention.id, activity.service_url, tenant_of(activity))
        return resolved

    async def on_conversation_update(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        if not self.ours(activity) or not activity.service_url:
            return
        await self.remember(activity)
        tenant = tenant_of(activity)
        for member in activity.members_added or []:
            if member.id == activity.recipient.id or not member.aad_object_id:
                continue
            # someone joined a team or chat the bot is in: the bot may now open a chat with them
            await self._remember_member(member.aad_object_id, member.id, activity.service_url, tenant)
