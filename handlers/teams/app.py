"""The Teams bot: the Teams SDK app and its handlers. Thin: translate activities, call the core, render cards.

In a channel or group chat people write ``@actionbot action ...`` (``actions``, ``meeting start|end``,
``drift``, ``help`` ...); in the personal chat the same without the mention. Card buttons arrive as
Action.Submit messages and call bot.actions.service with the person who pressed them. What only the speaker
should see goes to their 1:1 chat with the bot, never to the channel.

This module builds the app and wires the handlers onto it: each activity is first checked and recorded
(handlers.teams.membership: every activity tells the bot where people and conversations are, so the chaser
can reach them proactively later), then answered (handlers.teams.activities) through handlers.teams.replies.
Database work runs in worker threads: the event loop the app serves on is never blocked.
"""

from __future__ import annotations

import socket
from typing import Any

from fastapi import FastAPI
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment
from microsoft_teams.apps import App
from microsoft_teams.apps.http import FastAPIAdapter

from bot.app import Core
from handlers import serving
from handlers.teams.activities import ActivityHandlers
from handlers.teams.conversations import ConversationStore
from handlers.teams.directory import TeamsDirectory
from handlers.teams.inbound import InboundGuard, InFlightLimit
from handlers.teams.membership import Membership
from handlers.teams.replies import Replies
from handlers.teams.reviews import ReviewCalendar
from handlers.teams.settings import TeamsSettings
from handlers.teams.webhook import add_webhook


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
        self.membership = Membership(core, settings, store=store, directory=directory, bot_app_id=self.bot_app_id)
        self.replies = Replies(core, store, self.bot_app_id)
        self.handlers = ActivityHandlers(
            core,
            membership=self.membership,
            replies=self.replies,
            directory=directory,
            reviews=reviews,
            bot_app_id=self.bot_app_id,
        )
        app.on_message(self.handlers.on_message)
        app.on_install_add(self.handlers.on_install)
        app.on_conversation_update(self.membership.on_conversation_update)
        self.http_app.add_middleware(InboundGuard)
        self.http_app.add_middleware(InFlightLimit)  # added last, so it runs first
        if settings.webhook_secret is not None:
            add_webhook(self.http_app, core, settings.tenant_id, settings.webhook_secret)

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
