"""GraphDirectory: who a Teams user or an email address is, from Microsoft Graph (``/users``).

Implements bot.actions.ports.Directory for the core (synchronous; the Graph calls run on a LoopRunner). A
profile carries the person's manager (``/users/{id}/manager``): the core makes the manager their
escalation contact unless one was set by hand. Needs User.Read.All (application).

A name as minutes write it ("Jo", "Dr Khan") is looked up with ``$filter=startswith(...)`` on displayName,
givenName and surname (enabled accounts only) for its longest word, and the answers are kept only when
``bot.actions.names.name_matches`` says the written name is theirs. Graph cannot search by initials ("JB"
finds nobody there); people seen in recent messages are matched by them.

A profile also says whether the person is outside the organisation: a guest (Graph's ``userType`` Guest, or a
user principal name with ``#EXT#``, as Entra B2B names guest accounts), or in another tenant (Teams said their
tenant id, and it is not ours; or Graph has no user with their object id in our tenant).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import replace

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.names import MAX_CHOICES, may_mean, name_matches, words
from bot.actions.people import Profile
from handlers.teams.graph import status_of
from handlers.teams.runner import LoopRunner
from handlers.teams.text import is_object_id

log = logging.getLogger("actionbot.teams.directory")

FIELDS = ["id", "displayName", "mail", "userPrincipalName", "companyName", "userType"]
#: How Entra B2B names a guest account's user principal name (``jo_partner.example#EXT#@council.onmicrosoft.com``).
GUEST_UPN = "#EXT#"
_EMAIL = re.compile(r"^[^@\s'\"]+@[^@\s'\"]+\.[^@\s'\"]+$")
#: How many users a name search asks Graph for (before keeping those the name matches).
NAME_SEARCH_TOP = 25


def warm_up() -> None:
    """Load the SDK's User model with everything it refers to (about 3 s, once per process), so the first
    message that mentions someone is not the one that waits for it."""
    User().get_field_deserializers()


def _profile(user: User | None) -> Profile | None:
    if user is None or not user.id:
        return None
    guest = (user.user_type or "").lower() == "guest" or GUEST_UPN.lower() in (user.user_principal_name or "").lower()
    return Profile(
        display_name=user.display_name or None,
        email=(user.mail or "").lower() or None,
        teams_object_id=user.id.lower(),
        agency=user.company_name or None,
        outside=guest,  # a member of our tenant is inside; a guest is from another organisation
        guest=guest,
    )


def roster_profile(
    object_id: str, name: str | None, email: str | None, tenant_id: str | None, role: str | None, ours: str | None
) -> Profile:
    """What a conversation's roster says of a member (``GET /v3/conversations/{id}/members/{member}``): their
    tenant (not ``ours``: an external, federated user from another organisation) and role (``guest``: a B2B
    guest account in our tenant; ``user``: a member)."""
    outside: bool | None = None
    guest: bool | None = None
    role = (role or "").lower()
    if tenant_id and ours and tenant_id.lower() != ours.lower():
        outside, guest = True, False
    elif role == "guest":
        outside, guest = True, True
    elif role == "user" and tenant_id and ours:
        outside, guest = False, False
    return Profile(display_name=name, email=email, teams_object_id=object_id, outside=outside, guest=guest)


def elsewhere(object_id: str) -> Profile:
    """Someone whose object id Graph does not know in our tenant: their account is in another tenant."""
    return Profile(teams_object_id=object_id.lower(), outside=True, guest=False)


class GraphDirectory:
    """People in the organisation's Entra directory. Unknown people come back as None."""

    def __init__(self, graph: GraphServiceClient, runner: LoopRunner, *, timeout: float = 60.0) -> None:
        self.graph = graph
        self.runner = runner
        self.timeout = timeout

    # -- the Directory port -----------------------------------------------------------------------
    def profile(self, platform_id: str) -> Profile | None:
        """By Entra object id or UPN, with their manager."""
        if not platform_id or "/" in platform_id:
            return None
        return self.runner.run(self._with_manager(platform_id), self.timeout)

    def profile_by_email(self, email: str) -> Profile | None:
        if not _EMAIL.match(email):
            return None
        return self.runner.run(self._by_email(email), self.timeout)

    def manager_of(self, platform_id: str) -> Profile | None:
        if not platform_id or "/" in platform_id:
            return None
        return self.runner.run(self._manager(platform_id), self.timeout)

    def people_named(self, name: str) -> list[Profile]:
        """Enabled users whose display name the written name matches (at most MAX_CHOICES, without their
        managers). A Graph failure is logged (never the name: it is personal data) and finds nobody."""
        wanted = words(name)
        if not wanted or all(len(w) == 1 for w in wanted):
            return []  # titles or single letters alone match nobody (name_matches)
        try:
            return self.runner.run(self._named(wanted), self.timeout)
        except Exception as exc:
            log.warning("Graph search of users by name failed: %s", exc.__class__.__name__)
            return []

    # -- Graph ------------------------------------------------------------------------------------
    async def _user(self, key: str) -> Profile | None:
        config = RequestConfiguration(
            query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=FIELDS)
        )
        try:
            user = await self.graph.users.by_user_id(key).get(request_configuration=config)
        except Exception as error:
            if status_of(error) == 404:
                return None
            raise
        return _profile(user)

    async def _manager(self, key: str) -> Profile | None:
        try:
            manager = await self.graph.users.by_user_id(key).manager.get()
        except Exception as error:
            if status_of(error) == 404:  # no manager recorded
                return None
            raise
        return _profile(manager) if isinstance(manager, User) else None

    async def _with_manager(self, key: str) -> Profile | None:
        found = await self._user(key)
        if found is None or found.teams_object_id is None:
            return found
        manager = await self._manager(found.teams_object_id)
        if manager is not None and manager.teams_object_id != found.teams_object_id:
            found = replace(found, manager=manager)
        return found

    async def _by_email(self, email: str) -> Profile | None:
        quoted = email.lower().replace("'", "''")
        config = RequestConfiguration(
            query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                filter=f"mail eq '{quoted}' or userPrincipalName eq '{quoted}'", select=FIELDS, top=2
            )
        )
        page = await self.graph.users.get(request_configuration=config)
        users = [u for u in (page.value if page and page.value else []) if u.id]
        if len(users) != 1:
            return None  # nobody, or ambiguous: do not guess who an action is for
        assert users[0].id is not None
        return await self._with_manager(users[0].id)

    async def _named(self, wanted: list[str]) -> list[Profile]:
        quoted = max(wanted, key=len).replace("'", "''")  # an OData string literal doubles its quotes
        starts = " or ".join(f"startswith({field},'{quoted}')" for field in ("displayName", "givenName", "surname"))
        config = RequestConfiguration(
            query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                filter=f"accountEnabled eq true and ({starts})", select=FIELDS, top=NAME_SEARCH_TOP
            )
        )
        page = await self.graph.users.get(request_configuration=config)
        found: list[Profile] = []
        for user in page.value if page and page.value else []:
            if not user.display_name or not name_matches(wanted, words(user.display_name)):
                continue
            profile = _profile(user)
            if profile is not None:
                found.append(profile)
            if len(found) == MAX_CHOICES:
                break
        return found


class TeamsDirectory:
    """The directory the core consults for "teams" owners: Graph when configured, filled in with what
    Teams itself said about people mentioned in recent messages (name, email from the conversation's
    roster). What Graph says wins; a Graph failure costs only Graph's extra detail."""

    def __init__(self, graph: GraphDirectory | None = None, *, remember: int = 2000) -> None:
        self.graph = graph
        self._seen: OrderedDict[str, Profile] = OrderedDict()
        self._limit = remember
        self._lock = threading.Lock()

    def seen(self, profile: Profile) -> None:
        """Remember what a message told us about someone (bounded; oldest forgotten first)."""
        if not profile.teams_object_id:
            return
        key = profile.teams_object_id.lower()
        with self._lock:
            self._seen[key] = profile
            self._seen.move_to_end(key)
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)

    def _cached(self, object_id: str) -> Profile | None:
        with self._lock:
            return self._seen.get(object_id.lower())

    @staticmethod
    def _merge(primary: Profile | None, extra: Profile | None) -> Profile | None:
        if primary is None or extra is None:
            return primary or extra
        return replace(
            primary,
            display_name=primary.display_name or extra.display_name,
            email=primary.email or extra.email,
            outside=primary.outside if primary.outside is not None else extra.outside,
            guest=primary.guest if primary.guest is not None else extra.guest,
        )

    def profile(self, platform_id: str) -> Profile | None:
        found: Profile | None = None
        unknown = False
        if self.graph is not None:
            try:
                found = self.graph.profile(platform_id)
                unknown = found is None and is_object_id(platform_id)
            except Exception as exc:  # the roster's details still name the person; the action is not lost
                log.warning("Graph look-up of a Teams user failed: %s", exc.__class__.__name__)
        merged = self._merge(found, self._cached(platform_id))
        # Graph answered that our tenant has no such user: unless the roster said their tenant, another one.
        return self._merge(merged, elsewhere(platform_id)) if unknown else merged

    def profile_by_email(self, email: str) -> Profile | None:
        if self.graph is not None:
            return self.graph.profile_by_email(email)
        with self._lock:
            return next((p for p in self._seen.values() if p.email and p.email.lower() == email.lower()), None)

    def manager_of(self, platform_id: str) -> Profile | None:
        return self.graph.manager_of(platform_id) if self.graph is not None else None

    def people_named(self, name: str) -> list[Profile]:
        """Graph's matches first (filled in with what Teams said of them), then people seen in recent
        messages whose name matches (most recently seen first), one entry per object id."""
        found = self.graph.people_named(name) if self.graph is not None else []
        with self._lock:
            cached = list(reversed(self._seen.values()))
        by_id = {p.teams_object_id.lower(): p for p in cached if p.teams_object_id}
        people: list[Profile] = []
        ids: set[str] = set()
        for profile in found:
            key = (profile.teams_object_id or "").lower()
            if key in ids:
                continue
            ids.add(key)
            merged = self._merge(profile, by_id.get(key))
            people.append(merged if merged is not None else profile)
        for profile in cached:
            key = (profile.teams_object_id or "").lower()
            if key in ids or not profile.display_name or not may_mean(name, profile.display_name):
                continue
            ids.add(key)
            people.append(profile)
        return people[:MAX_CHOICES]
