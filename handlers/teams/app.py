"""The Teams bot: the Teams SDK app's handlers. Thin: translate activities, call the core, render cards.

In a channel or group chat people write ``@actionbot action ...`` (``actions``, ``meeting start|end``,
``drift``, ``help`` ...); in the personal chat the same without the mention. Card buttons arrive as
Action.Submit messages and call bot.actions.service with the person who pressed them. What only the speaker
should see goes to their 1:1 chat with the bot, never to the channel.

Every activity the bot receives tells it where people and conversations are (ConversationStore), so
the chaser can reach them proactively later. Database work runs in worker threads: the event loop the
app serves on is never blocked.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import date
from typing import Any

from fastapi import FastAPI
from microsoft_teams.api import ConversationUpdateActivity
from microsoft_teams.api.activities.install_update import InstalledActivity
from microsoft_teams.api.activities.message import MessageActivity
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment
from microsoft_teams.api.models import MentionEntity
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.apps.http import FastAPIAdapter

from bot.actions import authz
from bot.actions.messages import REASSIGN, Message, action_card
from bot.actions.outcome import Outcome
from bot.actions.service import ConversationRef, ServiceError
from bot.app import Core
from bot.capture.owners import OwnerRef
from handlers import serving
from handlers.teams.buttons import apply_button
from handlers.teams.cards import DIGEST_KEY, MEETING_FORM, MEETING_START, SUBMIT_KEY, card_activity
from handlers.teams.conversations import Connector, ConversationStore, base_conversation_id
from handlers.teams.directory import TeamsDirectory, roster_profile
from handlers.teams.identity import request_key, speaker_of
from handlers.teams.inbound import InboundGuard, InFlightLimit
from handlers.teams.meeting_form import start_from_form
from handlers.teams.reviews import ReviewCalendar
from handlers.teams.settings import TeamsSettings
from handlers.teams.text import Mentioned, command_text, split_command
from handlers.teams.webhook import add_webhook

log = logging.getLogger("actionbot.teams")

PRIVATE_FALLBACK = Message(
    "I could not send you a private message.",
    text="Open a chat with actionbot (search for it under Apps in Teams), then try again there.",
)
FAILED = Message(
    "Something went wrong on my side.",
    text="Check with \u201cactions\u201d before trying again: it may already have been recorded.",
)
#: Lines of the Markdown drift report shown in Teams (a card has a size limit; the CLI has it all).
DRIFT_LINES = 50
WELCOME = "actionbot will send you the actions agreed for you, and their reminders, here."


def create_app(
    settings: TeamsSettings,
    *,
    token: Any = None,
    cloud: CloudEnvironment | None = None,
) -> App:
    """The Teams SDK app. Inbound requests must carry a valid Bot Framework token: always on.

    ``token`` (a token provider) replaces the client secret, ``cloud`` the Microsoft endpoints (tests)."""
    common: dict[str, Any] = {
        "service_url": settings.service_url,
        "cloud": cloud,
        "http_server_adapter": FastAPIAdapter(),
        "dangerously_allow_unauthenticated_requests": False,  # whatever the environment says
        "state": False,
        "telemetry": {"agent365": False},
    }
    if token is None:
        client_id, secret, tenant = settings.require_bot()
        return App(client_id=client_id, client_secret=secret, tenant_id=tenant, **common)
    return App(client_id=settings.client_id, token=token, tenant_id=settings.tenant_id, **common)


def _tenant_of(activity: Any) -> str | None:
    tenant: str | None = activity.conversation.tenant_id
    if not tenant and activity.channel_data is not None and activity.channel_data.tenant is not None:
        tenant = activity.channel_data.tenant.id
    return tenant.lower() if tenant else None


class TeamsBot:
    """Registers the handlers on a Teams SDK App and serves it (plus the outgoing webhook, if set)."""

    def __init__(
        self,
        core: Core,
        settings: TeamsSettings,
        *,
        app: App,
        store: ConversationStore,
        directory: TeamsDirectory,
        reviews: ReviewCalendar | None = None,
    ) -> None:
        self.core = core
        self.settings = settings
        self.app = app
        self.store = store
        self.directory = directory
        self.reviews = reviews
        self.bot_app_id = app.id or ""
        self._background: set[asyncio.Task[Any]] = set()
        app.on_message(self.on_message)
        app.on_install_add(self.on_install)
        app.on_conversation_update(self.on_conversation_update)
        self.http_app.add_middleware(InboundGuard)
        self.http_app.add_middleware(InFlightLimit)  # added last, so it runs first
        if settings.webhook_secret is not None:
            add_webhook(self.http_app, core, settings.tenant_id, settings.webhook_secret)

    # -- serving ----------------------------------------------------------------------------------
    @property
    def http_app(self) -> FastAPI:
        adapter = self.app.server.adapter
        assert isinstance(adapter, FastAPIAdapter)
        return adapter.app

    async def serve(
        self, host: str, port: int, *, sockets: list[socket.socket] | None = None, server: list[Any] | None = None
    ) -> None:
        """Initialise the app (JWT validation, /api/messages) and serve it until stopped."""
        await self.app.initialize()
        running = serving.server(self.http_app)
        if server is not None:
            server.append(running)  # lets the caller (tests, a supervisor) stop it
        await running.serve(sockets=sockets)

    # -- helpers ----------------------------------------------------------------------------------
    def _today(self) -> date:
        return self.core.calendar.today(self.core.service.clock())

    def _card(self, message: Message) -> Any:
        return card_activity(message, self._today())

    def _ours(self, activity: Any) -> bool:
        """Only our own tenant's activities (a single-tenant bot; defence in depth)."""
        tenant = _tenant_of(activity)
        if self.settings.tenant_id and tenant != self.settings.tenant_id:
            log.warning("ignored an activity %s from another tenant", activity.id)
            return False
        return True

    async def _remember(self, activity: Any) -> None:
        """Where this person (and this channel or chat) can be reached later."""
        person = activity.from_
        object_id = person.aad_object_id
        service_url = activity.service_url
        tenant = _tenant_of(activity)
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

    def _later(self, coro: Any) -> None:
        """Work the reply need not wait for (kept referenced until done)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resolve(self, ctx: ActivityContext[MessageActivity], mentions: list[Mentioned]) -> dict[str, str]:
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
                await asyncio.to_thread(
                    self.store.remember_person,
                    object_id,
                    service_url=activity.service_url,
                    user_id=mention.id,
                    tenant_id=_tenant_of(activity),
                    now=self.core.service.clock(),
                )
        return resolved

    async def _private(self, ctx: ActivityContext[Any], message: Message) -> None:
        """To the speaker alone: in the personal chat, else in their 1:1 chat (opened if need be)."""
        activity = ctx.activity
        if activity.conversation.conversation_type == "personal":
            await ctx.send(self._card(message))
            return
        object_id = activity.from_.aad_object_id
        service_url = activity.service_url
        connector = Connector(ctx.api, self.bot_app_id)
        try:
            reference = await asyncio.to_thread(self.store.person, object_id) if object_id else None
            chat = reference.conversation_id if reference else None
            if not chat:
                chat = await connector.open_chat(service_url, activity.from_.id, _tenant_of(activity))
                if object_id:
                    await asyncio.to_thread(
                        self.store.remember_person,
                        object_id,
                        service_url=service_url,
                        conversation_id=chat,
                        now=self.core.service.clock(),
                    )
            await connector.post(service_url, chat, self._card(message))
        except Exception as error:
            log.warning("private reply to %s failed: %s", object_id, error.__class__.__name__)
            await ctx.send(self._card(PRIVATE_FALLBACK))

    async def _deliver(self, ctx: ActivityContext[Any], outcome: Outcome, conversation: str) -> None:
        if outcome.public is not None:
            try:
                await ctx.send(self._card(outcome.public))
            except Exception as error:
                log.warning("posting a card to a Teams conversation failed: %s", error.__class__.__name__)
                if outcome.action is not None:  # the sweep posts it later: the room's record is never lost
                    await asyncio.to_thread(self.core.chaser.enqueue_card, outcome.action.id, "teams", conversation)
                    self.core.sweeper.wake()
        if outcome.private is not None:
            await self._private(ctx, outcome.private)

    # -- handlers ---------------------------------------------------------------------------------
    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        if not self._ours(activity) or not activity.from_.aad_object_id:
            return
        try:
            await self._remember(activity)
            value = activity.value
            if isinstance(value, dict) and value.get(SUBMIT_KEY):
                await self._submit(ctx, value)
                return
            if activity.text:
                await self._command(ctx)
        except Exception as error:
            log.error("handling Teams activity %s failed: %s", activity.id, error.__class__.__name__)
            await ctx.send(self._card(FAILED))

    async def _command(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        object_id = activity.from_.aad_object_id
        assert object_id
        mentions = [
            Mentioned(e.text, e.mentioned.id, e.mentioned.name, e.mentioned.aad_object_id)
            for e in activity.entities or []
            if isinstance(e, MentionEntity)
        ]
        resolved = await self._resolve(ctx, mentions)
        command, rest = split_command(command_text(activity.text, mentions, resolved))
        command = command or "help"
        conversation = base_conversation_id(activity.conversation.id)
        speaker = speaker_of(object_id, activity.from_.name)
        if command == "meeting" and rest.lower() == "start":  # nothing after "start": the form
            await ctx.send(self._card(MEETING_FORM))
            return
        if command == "drift":
            await self._private(ctx, await asyncio.to_thread(self._drift, object_id, rest))
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
        await self._deliver(ctx, outcome, conversation)
        if outcome.ok:
            self.core.sweeper.wake()  # owners' confirmations, escalations: sent by the sweeper's thread
        action = outcome.action
        wanted = command == "action" and action is not None and action.review_on is not None and not outcome.duplicate
        if wanted and self.reviews is not None and action is not None:
            self._later(asyncio.to_thread(self.reviews.add, object_id, action))

    def _drift(self, object_id: str, text: str) -> Message:
        """The drift report (Markdown, bot.reports.render) for a DSL or admin; a refusal for anyone else."""
        from bot.actions.people import find_person
        from bot.reports.definitions import headline_text, parse_filter_text
        from bot.reports.drift import build_report
        from bot.reports.render import render

        with self.core.db.reading() as session:
            person = find_person(session, OwnerRef("teams", object_id.lower()))
            allowed = person is not None and authz.may_report(person)
        if not allowed:
            log.info("teams drift refused for %s", object_id)
            return Message("Drift reports are for DSLs and admins. Nothing was produced.")
        core = self.core
        report = build_report(core.db, core.settings, core.calendar, core.service.clock(), parse_filter_text(text))
        markdown = render(report, "md")
        assert isinstance(markdown, str)
        lines = markdown.splitlines()
        shown = "\n".join(lines[:DRIFT_LINES])
        if len(lines) > DRIFT_LINES:
            shown += "\n... the rest is in the full report: actionbot report drift (or the weekly report)."
        log.info("teams drift report sent to %s (%s drifting)", object_id, report.headline.drifting)
        return Message(f"Drift report: {report.filters.describe()}", text=f"{headline_text(report)}\n{shown}")

    # -- card buttons -----------------------------------------------------------------------------
    async def _submit(self, ctx: ActivityContext[MessageActivity], data: dict[str, Any]) -> None:
        activity = ctx.activity
        assert activity.from_.aad_object_id
        speaker = speaker_of(activity.from_.aad_object_id, activity.from_.name)
        action_id = str(data.get(SUBMIT_KEY))
        if action_id == MEETING_START:
            conversation = base_conversation_id(activity.conversation.id)
            outcome = await asyncio.to_thread(start_from_form, self.core, speaker, conversation, data)
            await self._deliver(ctx, outcome, conversation)
            return
        try:
            view, heading = await asyncio.to_thread(
                apply_button, self.core, self.directory, action_id, str(data.get("ref") or ""), data, speaker
            )
        except ServiceError as refusal:
            await self._private(ctx, Message(str(refusal)))
            return
        self.core.sweeper.wake()
        log.info("teams button %s on action %s by %s", action_id, view.id, activity.from_.aad_object_id)
        if action_id == REASSIGN and (notes := self.core.commands.owner_notes(view.owner)):
            await self._private(ctx, Message(title=f"Please check {view.ref}", notes=notes))  # how they are reached
        now = self.core.service.clock()
        card = self._card(action_card(view, self.core.calendar.zone, now, heading=heading))
        conversation = base_conversation_id(activity.conversation.id)
        personal = activity.conversation.conversation_type == "personal"
        if not personal and not authz.may_show_in(view.origin, "teams", conversation):
            # a card for an action recorded elsewhere is never shown to this room
            await self._private(ctx, action_card(view, self.core.calendar.zone, now, heading=heading))
            return
        if activity.reply_to_id and activity.service_url and not data.get(DIGEST_KEY):
            try:
                connector = Connector(ctx.api, self.bot_app_id)
                await connector.update(activity.service_url, activity.conversation.id, activity.reply_to_id, card)
                return
            except Exception as error:
                log.warning("updating a Teams card failed: %s", error.__class__.__name__)
                card = self._card(action_card(view, self.core.calendar.zone, now, heading=heading))
        await ctx.send(card)

    # -- installation and membership --------------------------------------------------------------
    async def on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        activity = ctx.activity
        if not self._ours(activity):
            return
        await self._remember(activity)
        if activity.conversation.conversation_type == "personal" and activity.from_.aad_object_id:
            speaker = speaker_of(activity.from_.aad_object_id, activity.from_.name)
            outcome = await asyncio.to_thread(self.core.commands.run, "actions", "mine", speaker)
            listed = outcome.private.text if outcome.private is not None and outcome.private.text else ""
            await ctx.send(self._card(Message("Hello from actionbot", text=f"{WELCOME}\n{listed}".strip())))
        else:
            await ctx.send(
                self._card(Message("actionbot is here", text="Type @actionbot help to see how to record actions."))
            )

    async def on_conversation_update(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        if not self._ours(activity) or not activity.service_url:
            return
        await self._remember(activity)
        tenant = _tenant_of(activity)
        for member in activity.members_added or []:
            if member.id == activity.recipient.id or not member.aad_object_id:
                continue
            # someone joined a team or chat the bot is in: the bot may now open a chat with them
            await asyncio.to_thread(
                self.store.remember_person,
                member.aad_object_id,
                service_url=activity.service_url,
                user_id=member.id,
                tenant_id=tenant,
                now=self.core.service.clock(),
            )
