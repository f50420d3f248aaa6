"""Where Teams can be reached proactively, and the Bot Connector calls that use it.

ConversationStore keeps, per person (Entra object id), their 1:1 chat with the bot or at least their
Teams user id (``29:...``, from which the bot can open that chat), and per channel or group chat the
service URL to post to (table ``teams_conversations``). Connector wraps the Teams SDK's ApiClient:
post or update an activity, open a 1:1 chat, look a conversation member up.

A service URL is where the bot sends its own credentials, so only Microsoft's Bot Connector hosts (or
the one configured in TEAMS_SERVICE_URL) are ever stored or used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from microsoft_teams.api import Account, ApiClient
from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models import ConversationAccount, TeamsChannelAccount
from microsoft_teams.api.models.conversation.conversation_reference import ConversationReference
from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import TeamsConversation

log = logging.getLogger("actionbot.teams.conversations")

#: Hosts of Microsoft's Bot Connector service (public and government clouds).
CONNECTOR_HOSTS = (".botframework.com", ".trafficmanager.net", ".botframework.azure.us", ".botframework.azure.cn")


def trusted_service_url(url: str | None, configured: str) -> bool:
    """Whether ``url`` is a Bot Connector endpoint we may send the bot's token to."""
    if not url:
        return False
    parts, mine = urlsplit(url), urlsplit(configured)
    if (parts.scheme, parts.netloc) == (mine.scheme, mine.netloc):
        return True
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host.endswith(suffix) for suffix in CONNECTOR_HOSTS)


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without ``;messageid=...``: meetings and cards belong to the channel."""
    return conversation_id.split(";", 1)[0]


@dataclass(frozen=True)
class Reference:
    aad_object_id: str | None
    user_id: str | None
    conversation_id: str | None
    kind: str
    service_url: str
    tenant_id: str | None

    @classmethod
    def of(cls, row: TeamsConversation) -> Reference:
        return cls(row.aad_object_id, row.user_id, row.conversation_id, row.kind, row.service_url, row.tenant_id)


class ConversationStore:
    """The ``teams_conversations`` table. Synchronous (call it from a worker thread in async code)."""

    def __init__(self, db: Database, configured_service_url: str) -> None:
        self.db = db
        self.configured_service_url = configured_service_url

    def _trusted(self, service_url: str | None) -> bool:
        if trusted_service_url(service_url, self.configured_service_url):
            return True
        log.warning("ignored a Teams conversation with an unexpected service URL host")
        return False

    def _upsert(
        self,
        match: ColumnElement[bool],
        create: Callable[[], TeamsConversation],
        fill: Callable[[TeamsConversation], None],
        what: str,
    ) -> None:
        """Find the row ``match`` selects (or add ``create()``), then ``fill`` it. A concurrent first insert
        of the same row loses to the unique key once: the retry finds that row and updates it."""
        for _attempt in range(2):
            try:
                with self.db.transaction() as session:
                    row = session.scalars(select(TeamsConversation).where(match)).first()
                    if row is None:
                        row = create()
                        session.add(row)
                    fill(row)
                return
            except IntegrityError:
                continue
        log.warning("could not record the Teams reference for %s", what)

    def remember_person(
        self,
        aad_object_id: str,
        *,
        service_url: str,
        now: datetime,
        user_id: str | None = None,
        conversation_id: str | None = None,
        tenant_id: str | None = None,
    ) -> None:
        """Record (or refresh) how to reach a person; ``conversation_id`` is their 1:1 chat, when known."""
        if not self._trusted(service_url):
            return
        key = aad_object_id.lower()

        def fill(row: TeamsConversation) -> None:
            row.user_id = user_id or row.user_id
            row.conversation_id = conversation_id or row.conversation_id
            row.service_url = service_url
            row.tenant_id = tenant_id or row.tenant_id
            row.updated_at = now

        self._upsert(
            TeamsConversation.aad_object_id == key,
            lambda: TeamsConversation(aad_object_id=key, kind="personal"),
            fill,
            key,
        )

    def remember_conversation(
        self, conversation_id: str, kind: str, *, service_url: str, now: datetime, tenant_id: str | None = None
    ) -> None:
        """Record a channel or group chat (by its base id) so a card can be re-posted there later."""
        if not self._trusted(service_url):
            return
        key = base_conversation_id(conversation_id)

        def fill(row: TeamsConversation) -> None:
            if row.aad_object_id is None:
                row.kind = kind
            row.service_url = service_url
            row.tenant_id = tenant_id or row.tenant_id
            row.updated_at = now

        self._upsert(
            TeamsConversation.conversation_id == key,
            lambda: TeamsConversation(conversation_id=key, kind=kind),
            fill,
            "a conversation",
        )

    def person(self, aad_object_id: str) -> Reference | None:
        with self.db.reading() as session:
            row = session.scalars(
                select(TeamsConversation).where(TeamsConversation.aad_object_id == aad_object_id.lower())
            ).first()
            return Reference.of(row) if row else None

    def conversation(self, conversation_id: str) -> Reference | None:
        with self.db.reading() as session:
            row = session.scalars(
                select(TeamsConversation).where(
                    TeamsConversation.conversation_id == base_conversation_id(conversation_id)
                )
            ).first()
            return Reference.of(row) if row else None

    def forget_chat(self, aad_object_id: str, now: datetime) -> None:
        """The 1:1 chat is gone (the app was uninstalled): keep the user id, drop the chat."""
        with self.db.transaction() as session:
            row = session.scalars(
                select(TeamsConversation).where(TeamsConversation.aad_object_id == aad_object_id.lower())
            ).first()
            if row is not None:
                row.conversation_id = None
                row.updated_at = now


class Connector:
    """The Bot Connector calls the adapter makes, through the Teams SDK's ApiClient (bot token and all)."""

    def __init__(self, api: ApiClient, bot_app_id: str) -> None:
        self.api = api
        self.bot = Account(id=f"28:{bot_app_id}")

    def _scoped(self, service_url: str) -> ApiClient:
        return self.api if service_url.rstrip("/") == self.api.service_url else self.api.clone(service_url=service_url)

    async def post(self, service_url: str, conversation_id: str, activity: MessageActivityInput) -> str:
        """POST {serviceUrl}/v3/conversations/{id}/activities; returns the new activity's id."""
        from microsoft_teams.apps.activity_send import send_or_update_activity

        reference = ConversationReference(
            service_url=service_url,
            bot=self.bot,
            channel_id="msteams",
            conversation=ConversationAccount(id=conversation_id),
        )
        sent = await send_or_update_activity(self._scoped(service_url), activity, reference)
        return sent.id

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: MessageActivityInput
    ) -> None:
        """PUT {serviceUrl}/v3/conversations/{id}/activities/{activityId}: replace a card."""
        activity.id = activity_id
        await self.post(service_url, conversation_id, activity)

    async def open_chat(self, service_url: str, user_id: str, tenant_id: str | None) -> str:
        """POST {serviceUrl}/v3/conversations: the 1:1 chat between the bot and a Teams user."""
        params = CreateConversationParams(
            members=[Account(id=user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        created = await self._scoped(service_url).conversations.create(params)
        return created.id

    async def member(self, service_url: str, conversation_id: str, member_id: str) -> TeamsChannelAccount:
        """GET {serviceUrl}/v3/conversations/{id}/members/{memberId}: who a mention is (Entra id, email)."""
        member: TeamsChannelAccount = await self._scoped(service_url).conversations.get_member_by_id(
            conversation_id, member_id
        )
        return member
