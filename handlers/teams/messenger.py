"""The Teams and email messengers (bot.actions.ports.Messenger) and their construction from the environment.

Teams, per person (their Entra object id): the stored 1:1 chat with the bot; else open one from their
Teams user id (known once they spoke, were mentioned or joined a team with the bot); else an activity-
feed notification telling them to open the app; else, when Teams cannot reach them at all, email.
Someone in another tenant is never tried in Teams (apps are not supported in one-on-one chats with external
users, and the activity feed does not notify across tenants): they are left to email. A guest (a B2B account
in our tenant) is tried in Teams like anyone else: the bot reaches them when the app is installed for them.
Transient failures (429, 5xx, network) raise DeliveryError so the chaser keeps the nudge pending.

The port is synchronous and the SDKs are async: every call runs on this messenger's LoopRunner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import date
from typing import Any, TypeVar

import httpx
from microsoft_teams.api import ApiClient, ClientCredentials
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment
from microsoft_teams.api.auth.credentials import Credentials
from microsoft_teams.apps.token_manager import TokenManager
from microsoft_teams.apps.token_provider import AppTokenProvider
from microsoft_teams.common import ClientOptions

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError, Messenger
from bot.actions.records import PersonView
from bot.capture.dates import utcnow
from bot.chasing.pacing import SendLimits
from handlers.teams.cards import card_activity
from handlers.teams.conversations import Connector, ConversationStore
from handlers.teams.feed import ActivityFeed
from handlers.teams.graph import app_only_graph, delivery_error
from handlers.teams.logs import quiet_sdk_logs
from handlers.teams.mail import EmailMessenger
from handlers.teams.runner import LoopRunner, RunnerTimeout
from handlers.teams.settings import TeamsSettings, load

log = logging.getLogger("actionbot.teams.messenger")
T = TypeVar("T")

#: The Bot Framework's documented limits for proactive messages (learn.microsoft.com, "Optimize your bot:
#: rate limiting"): 7 messages a second per conversation, and 50 requests a second per bot per tenant.
TEAMS_LIMITS = SendLimits(per_minute=50 * 60, gap_seconds=1 / 7, in_flight=16)

#: Seconds one send may take, retries included, before the chaser is told to try again later.
SEND_TIMEOUT = 120.0


def connector_error(what: str, error: BaseException) -> DeliveryError:
    """A Bot Connector failure as the chaser understands it (no ids or text in the message)."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        if status == 429:
            raw = error.response.headers.get("Retry-After")
            try:
                wait = float(raw) if raw else 60.0
            except ValueError:
                wait = 60.0
            return DeliveryError(f"teams {what}: throttled (429)", retry_after=wait)
        if status >= 500:
            return DeliveryError(f"teams {what}: service error ({status})")
        if status in (401, 403, 404):
            # 403/404: the bot is not in that chat any more (uninstalled) or it does not exist;
            # 401: the bot's credentials are refused. Trying the same again cannot help.
            return DeliveryError(f"teams {what}: refused ({status})", permanent=True)
        return DeliveryError(f"teams {what}: unexpected status {status}", permanent=400 <= status < 500)
    if isinstance(error, (httpx.TransportError, RunnerTimeout, TimeoutError)):
        return DeliveryError(f"teams {what}: unreachable ({error.__class__.__name__})")
    return DeliveryError(f"teams {what}: {error.__class__.__name__}")


def bot_api(credentials: Credentials, service_url: str, cloud: CloudEnvironment = PUBLIC) -> ApiClient:
    """The Teams SDK's Bot Connector client, authenticated as the bot (tokens from Entra via MSAL)."""
    provider = AppTokenProvider(TokenManager(credentials, cloud), cloud)
    return ApiClient(
        service_url, ClientOptions(headers={"User-Agent": "actionbot"}), cloud=cloud, token_provider=provider
    )


def other_tenant(person: PersonView) -> bool:
    """In another organisation and not as a guest of ours: their account lives in another tenant, where this
    single-tenant bot cannot message them."""
    return person.outside and not person.guest


class TeamsMessenger:
    """The ``teams`` channel."""

    channel = "teams"
    limits = TEAMS_LIMITS

    def __init__(
        self,
        *,
        connector: Connector,
        store: ConversationStore,
        runner: LoopRunner,
        today: Callable[[], date],
        default_service_url: str,
        feed: ActivityFeed | None = None,
        fallback: Messenger | None = None,
        timeout: float = SEND_TIMEOUT,
    ) -> None:
        self.connector = connector
        self.store = store
        self.runner = runner
        self.today = today
        self.default_service_url = default_service_url
        self.feed = feed
        self.fallback = fallback
        self.timeout = timeout

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.teams_object_id) and not other_tenant(person)

    def _run(self, what: str, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return self.runner.run(coro, self.timeout)
        except Exception as error:
            raise connector_error(what, error) from None

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.teams_object_id:
            raise DeliveryError("teams: the person has no Entra object id", permanent=True)
        if other_tenant(person):  # no chat or feed call can reach them: straight to email
            return self._fall_back(person, message)
        object_id = person.teams_object_id
        reference = self.store.person(object_id)
        if reference is not None and reference.conversation_id:
            try:
                sent = self._run("send", self.connector.post(
                    reference.service_url, reference.conversation_id, card_activity(message, self.today())
                ))  # fmt: skip
                log.info("sent a Teams message to person %s", person.id)
                return Delivered(self.channel, f"{reference.conversation_id}|{sent}")
            except DeliveryError as error:
                if not error.permanent:
                    raise
                self.store.forget_chat(object_id, utcnow())
        if reference is not None and reference.user_id:
            try:
                chat = self._run("open chat", self.connector.open_chat(
                    reference.service_url, reference.user_id, reference.tenant_id
                ))  # fmt: skip
                self.store.remember_person(
                    object_id, service_url=reference.service_url, conversation_id=chat, now=utcnow()
                )
                sent = self._run("send", self.connector.post(
                    reference.service_url, chat, card_activity(message, self.today())
                ))  # fmt: skip
                log.info("opened a Teams chat with person %s", person.id)
                return Delivered(self.channel, f"{chat}|{sent}")
            except DeliveryError as error:
                if not error.permanent:
                    raise
        if self.feed is not None:
            try:
                self.runner.run(self.feed.notify(object_id, message), self.timeout)
                log.info("sent a Teams activity-feed notification to person %s", person.id)
                return Delivered(self.channel, f"feed:{object_id}")
            except Exception as error:
                failure = delivery_error("activity feed", error)
                if not failure.permanent:
                    raise failure from None
        return self._fall_back(person, message)

    def _fall_back(self, person: PersonView, message: Message) -> Delivered:
        if self.fallback is not None and self.fallback.can_reach(person):
            log.info("Teams cannot reach person %s; using %s", person.id, self.fallback.channel)
            return self.fallback.send_direct(person, message)
        raise DeliveryError("teams: no chat with the bot, no activity feed, and no email address", permanent=True)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        reference = self.store.conversation(conversation_id)
        service_url = reference.service_url if reference else self.default_service_url
        sent = self._run(
            "post", self.connector.post(service_url, conversation_id, card_activity(message, self.today()))
        )
        return Delivered(self.channel, f"{conversation_id}|{sent}")

    def update(self, ref: str, message: Message) -> None:
        conversation_id, _, activity_id = ref.rpartition("|")
        if not conversation_id or ref.startswith("feed:"):
            return  # a notification cannot be edited; the next one carries the new state
        reference = self.store.conversation(conversation_id)
        service_url = reference.service_url if reference else self.default_service_url
        self._run("update", self.connector.update(
            service_url, conversation_id, activity_id, card_activity(message, self.today())
        ))  # fmt: skip


def teams_messengers_from_env(environ: Mapping[str, str], *, email: Messenger | None = None) -> list[Messenger]:
    """The Teams messenger (when the bot is configured) and the email one, in that order, sharing one private
    event loop. The email one is ``email`` when given (the SMTP or GOV.UK Notify transport ACTIONBOT_EMAIL
    chose), else Graph sendMail when MAIL_SENDER is set; Teams falls back to it for people it cannot reach.
    Raises ConfigError naming a bad variable."""
    from bot.capture.dates import WorkCalendar
    from bot.config import ConfigError, load_settings
    from storage.db import Database

    settings = load(environ)
    quiet_sdk_logs()
    if not settings.bot_configured and settings.mail_sender is None:
        if settings.client_id:
            settings.require_bot()
        raise ConfigError("GRAPH_CLIENT_ID is set but neither the Teams bot (TEAMS_CLIENT_ID) nor MAIL_SENDER is")
    core_settings = load_settings(environ)
    calendar = WorkCalendar.from_settings(core_settings)
    return build_messengers(
        settings,
        LoopRunner(),
        store=ConversationStore(Database.from_url(core_settings.database_url), settings.service_url),
        today=lambda: calendar.today(utcnow()),
        email=email,
        minimal=core_settings.email.body == "minimal",
    )


def build_messengers(
    settings: TeamsSettings,
    runner: LoopRunner,
    *,
    store: ConversationStore,
    today: Callable[[], date],
    credentials: Credentials | None = None,
    cloud: CloudEnvironment = PUBLIC,
    graph: Any = None,
    email: Messenger | None = None,
    minimal: bool = True,
) -> list[Messenger]:
    """Messengers for configured settings. ``credentials``/``graph`` replace the production ones (tests).
    ``email``: the configured email transport (SMTP, GOV.UK Notify), used instead of Graph sendMail, both as
    Teams' fallback and as the email messenger; ``minimal``: Graph's emails show no task (``email.body``)."""
    if graph is None and settings.graph is not None:
        graph = app_only_graph(settings.graph)
    if email is None and settings.mail_sender and graph is not None:
        email = EmailMessenger(graph, runner, settings.mail_sender, minimal=minimal)
    found: list[Messenger] = []
    if settings.bot_configured or credentials is not None:
        if credentials is None:
            client_id, secret, tenant = settings.require_bot()
            credentials = ClientCredentials(client_id=client_id, client_secret=secret, tenant_id=tenant)
        bot_app_id = credentials.client_id
        feed = ActivityFeed(graph, bot_app_id, settings.app_id) if graph is not None else None
        found.append(
            TeamsMessenger(
                connector=Connector(bot_api(credentials, settings.service_url, cloud), bot_app_id),
                store=store,
                runner=runner,
                today=today,
                default_service_url=settings.service_url,
                feed=feed,
                fallback=email,
            )
        )
    if email is not None:
        found.append(email)
    return found
