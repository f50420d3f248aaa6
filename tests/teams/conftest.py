"""Fixtures for the Teams adapter: the fake Bot Connector and Graph servers, and the real Teams SDK app
served over HTTP on a free port, over the ``core`` fixture (SQLite and PostgreSQL).

Inbound authentication is on, as in production: every request to /api/messages carries a Bot Framework
token that the SDK verifies against the fake's signing keys (a test CloudEnvironment points the SDK's
OpenID metadata at the fake). The bot's outbound token comes from a token provider (no Entra in tests),
and Graph is the real msgraph-sdk client with an anonymous authentication provider (tests only).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.api.auth.credentials import TokenCredentials
from sqlalchemy import func, select

from bot.actions.directory import set_role
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.owners import OwnerRef
from handlers.teams.app import TeamsBot, create_app
from handlers.teams.conversations import ConversationStore
from handlers.teams.directory import GraphDirectory, TeamsDirectory, warm_up
from handlers.teams.graph import graph_client
from handlers.teams.messenger import TeamsMessenger, build_messengers
from handlers.teams.reviews import ReviewCalendar
from handlers.teams.runner import LoopRunner
from handlers.teams.settings import TeamsSettings
from storage.models import Action, ActionEvent, Person, TeamsConversation
from tests.teams.fakes import FakeConnector, FakeGraph

BOT_ID = "b0b0b0b0-0000-4000-8000-000000000001"
TENANT = "7e7e7e7e-0000-4000-8000-000000000002"
MAIL_SENDER = "actionbot@council.example"
WEBHOOK_SECRET = base64.b64encode(b"a shared secret of thirty-two b!").decode()
CHANNEL = "19:c0ffee@thread.tacv2"
TEAM = "19:team0@thread.tacv2"


@dataclass(frozen=True)
class User:
    aad: str
    user_id: str
    name: str
    email: str | None

    @property
    def ref(self) -> PersonInput:
        return PersonInput(OwnerRef("teams", self.aad))

    def mention(self) -> dict[str, Any]:
        """A mention entity as Teams sends it (the Teams user id, no Entra id)."""
        return {
            "type": "mention",
            "text": f"<at>{self.name}</at>",
            "mentioned": {"id": self.user_id, "name": self.name},
        }


CHAIR = User("c1a1c1a1-0000-4000-8000-000000000011", "29:chair", "Chris Chair", "chris.chair@council.example")
OWNER = User("0a0a0a0a-0000-4000-8000-000000000012", "29:owner", "Olu Owner", "olu.owner@police.example")
MANAGER = User("3a3a3a3a-0000-4000-8000-000000000013", "29:manager", "Mo Manager", "mo.manager@police.example")
STRANGER = User("5e5e5e5e-0000-4000-8000-000000000014", "29:stranger", "Sam Stranger", "sam@council.example")
DSL = User("d5d5d5d5-0000-4000-8000-000000000015", "29:dsl", "Dee Lead", "dee.lead@council.example")
FRAN = User("f0f0f0f0-0000-4000-8000-000000000016", "29:fran", "Fran Feed", "fran.feed@council.example")


def outbound_token(scope: str | list[str], tenant: str | None = None) -> str:
    """What the bot presents to the Bot Connector in tests (in production MSAL gets it from Entra)."""
    return jwt.encode({"aud": "https://api.botframework.com", "appid": BOT_ID, "tid": TENANT}, "k" * 32, "HS256")


@dataclass
class Teams:
    """The running bot and everything around it."""

    core: Core
    url: str
    connector: FakeConnector
    graph: FakeGraph
    bot: TeamsBot
    store: ConversationStore
    messengers: list[Any]
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def teams_messenger(self) -> TeamsMessenger:
        found = self.messengers[0]
        assert isinstance(found, TeamsMessenger)
        return found

    # -- building activities ----------------------------------------------------------------------
    def activity(
        self,
        user: User,
        text: str | None = None,
        *,
        conversation: str = CHANNEL,
        kind: str = "channel",
        entities: list[dict[str, Any]] | None = None,
        value: dict[str, Any] | None = None,
        reply_to: str | None = None,
        type_: str = "message",
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": type_,
            "id": f"1700000000{next(self._ids):03d}",
            "timestamp": "2026-11-23T10:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad},
            "conversation": {
                "id": conversation if kind != "channel" else f"{conversation};messageid=1700000000000",
                "conversationType": kind,
                "tenantId": TENANT,
                "isGroup": kind != "personal",
            },
            "recipient": {"id": f"28:{BOT_ID}", "name": "actionbot"},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-GB",
            **extra,
        }
        if kind == "channel":
            activity["channelData"].update(team={"id": TEAM}, channel={"id": conversation})
        if text is not None:
            activity["text"] = text
            activity["textFormat"] = "plain"
        if entities:
            activity["entities"] = entities
        if value is not None:
            activity["value"] = value
        if reply_to is not None:
            activity["replyToId"] = reply_to
        return activity

    def command(self, user: User, text: str, *mentioned: User, **kwargs: Any) -> httpx.Response:
        """``@actionbot <text>`` in the channel, ``<at>Name</at>`` standing for each mentioned user."""
        bot = {
            "type": "mention",
            "text": "<at>actionbot</at>",
            "mentioned": {"id": f"28:{BOT_ID}", "name": "actionbot"},
        }
        personal = kwargs.get("kind") == "personal"
        body = text if personal else f"<at>actionbot</at> {text}"
        entities = ([] if personal else [bot]) + [u.mention() for u in mentioned]
        return self.post(self.activity(user, body, entities=entities, **kwargs))

    def press(self, user: User, data: dict[str, Any], *, reply_to: str = "act-card", **kwargs: Any) -> httpx.Response:
        """An Action.Submit on a card: a message activity whose value is the submit data plus inputs."""
        return self.post(self.activity(user, value=data, reply_to=reply_to, **kwargs))

    def install(self, user: User, conversation: str | None = None) -> httpx.Response:
        """The app added to the user's personal scope (installationUpdate)."""
        chat = conversation or f"a:1chat-{user.user_id[3:]}"
        return self.post(
            self.activity(user, conversation=chat, kind="personal", type_="installationUpdate", action="add")
        )

    def post(self, activity: dict[str, Any], *, token: str | None = "valid") -> httpx.Response:
        headers = {}
        if token == "valid":
            headers["Authorization"] = f"Bearer {self.connector.token()}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(f"{self.url}/api/messages", json=activity, headers=headers, timeout=30)

    # -- reading state ----------------------------------------------------------------------------
    def actions(self) -> list[Action]:
        with self.core.db.reading() as session:
            return list(session.scalars(select(Action).order_by(Action.id)).unique())

    def count(self, model: Any) -> int:
        with self.core.db.reading() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def person(self, user: User) -> Person | None:
        with self.core.db.reading() as session:
            return session.scalars(select(Person).where(Person.teams_object_id == user.aad)).first()

    def snapshot(self) -> tuple[int, ...]:
        """Row counts of everything an activity could write."""
        return tuple(self.count(m) for m in (Action, ActionEvent, Person, TeamsConversation))


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session", autouse=True)
def graph_models_loaded() -> None:
    """As ``actionbot serve teams`` does at start-up: load Graph's User model once (about 3 s)."""
    warm_up()


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector(BOT_ID).start()
    for user in (CHAIR, OWNER, MANAGER, STRANGER, DSL, FRAN):
        fake.add_member(user.user_id, user.aad, user.name, user.email)
    yield fake
    fake.stop()


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    fake.add_user(CHAIR.aad, CHAIR.name, CHAIR.email)
    fake.add_user(MANAGER.aad, MANAGER.name, MANAGER.email, company="Thames Valley Police")
    fake.add_user(OWNER.aad, OWNER.name, OWNER.email, manager=MANAGER.aad, company="Thames Valley Police")
    fake.add_user(FRAN.aad, FRAN.name, FRAN.email)
    fake.add_user(DSL.aad, DSL.name, DSL.email)
    yield fake
    fake.stop()


@pytest.fixture
def runner() -> Iterator[LoopRunner]:
    loop = LoopRunner("test-teams-io")
    yield loop
    loop.close()


def teams_settings(connector: FakeConnector, **overrides: Any) -> TeamsSettings:
    values: dict[str, Any] = {
        "client_id": BOT_ID,
        "client_secret": None,
        "tenant_id": TENANT,
        "graph": None,
        "service_url": connector.url,
        "mail_sender": MAIL_SENDER,
        "webhook_secret": base64.b64decode(WEBHOOK_SECRET),
        "app_id": BOT_ID,
        "calendar_reviews": False,
    }
    values.update(overrides)
    return TeamsSettings(**values)


@pytest.fixture
def teams_options() -> dict[str, Any]:
    """Per-test overrides of the TeamsSettings (e.g. calendar_reviews=True)."""
    return {}


@pytest.fixture
def teams(
    core: Core,
    connector: FakeConnector,
    graph: FakeGraph,
    runner: LoopRunner,
    teams_options: dict[str, Any],
) -> Iterator[Teams]:
    settings = teams_settings(connector, **teams_options)
    client = graph_client(AnonymousAuthenticationProvider(), graph.base_url, retry_delay=0.0)
    store = ConversationStore(core.db, settings.service_url)
    credentials = TokenCredentials(client_id=BOT_ID, tenant_id=TENANT, token=outbound_token)
    cloud = with_overrides(PUBLIC, openid_metadata_url=f"{connector.url}/v1/.well-known/openidconfiguration")
    messengers = build_messengers(
        settings,
        runner,
        store=store,
        today=lambda: core.calendar.today(core.service.clock()),
        credentials=credentials,
        cloud=cloud,
        graph=client,
    )
    for messenger in messengers:
        core.router.add(messenger)
    directory = TeamsDirectory(GraphDirectory(client, runner))
    core.commands.add_directory("teams", directory)
    reviews = ReviewCalendar(client, runner, core.settings.timezone) if settings.calendar_reviews else None
    bot = TeamsBot(
        core,
        settings,
        app=create_app(settings, token=outbound_token, cloud=cloud),
        store=store,
        directory=directory,
        reviews=reviews,
    )
    sock = free_socket()
    servers: list[Any] = []
    thread = threading.Thread(
        target=lambda: asyncio.run(bot.serve("127.0.0.1", 0, sockets=[sock], server=servers)),
        name="teams-app",
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not (servers and servers[0].started):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Teams app did not start")
        time.sleep(0.02)
    set_role(core.db, DSL.ref, "dsl", now=core.service.clock())
    set_role(core.db, CHAIR.ref, "chair", now=core.service.clock())  # only chairs, DSLs and admins start meetings
    yield Teams(core, f"http://127.0.0.1:{sock.getsockname()[1]}", connector, graph, bot, store, messengers)
    servers[0].should_exit = True
    thread.join(15)
    sock.close()
