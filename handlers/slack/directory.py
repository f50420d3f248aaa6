"""SlackDirectory: who a Slack user is (users.info) and which Slack user owns an email (users.lookupByEmail).

A member of a Slack Connect channel from another organisation is "outside": users.info gives them a ``team_id``
other than the bot's own (auth.test's), outside our Enterprise Grid organisation if we are in one, or marks them
``is_stranger`` (a user of another workspace the app cannot fully see: Slack's "User object" reference).

Lookups are cached for a few minutes per directory object: a meeting's burst of /action commands asks
about the same handful of people, and users.info is rate-limited. (A small hand-written TTL map: the
standard library has none, and the cache must belong to this object, not the module.)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.actions.names import MAX_CHOICES, may_mean
from bot.actions.people import Profile

NOT_FOUND = frozenset({"user_not_found", "users_not_found", "account_inactive"})


@dataclass(frozen=True)
class Home:
    """The bot's own organisation, from auth.test: its workspace, and its Enterprise Grid organisation if any."""

    team_id: str | None = None
    enterprise_id: str | None = None

    def outside(self, user: dict[str, Any]) -> bool | None:
        """Whether a users.info ``user`` is from another organisation (None: cannot tell)."""
        if user.get("is_stranger"):
            return True
        team = user.get("team_id")
        if not self.team_id or not team:
            return None
        if team == self.team_id:
            return False
        enterprise = (user.get("enterprise_user") or {}).get("enterprise_id")
        return not (self.enterprise_id and enterprise == self.enterprise_id)  # another workspace of our Grid: ours


def profile_of(user: dict[str, Any], home: Home | None = None) -> Profile:
    """A users.info / users.lookupByEmail ``user`` object -> Profile."""
    profile: dict[str, Any] = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name")
    email = profile.get("email")
    return Profile(
        display_name=str(name) if name else None,
        email=str(email).lower() if email else None,
        timezone=user.get("tz") or None,
        slack_user_id=str(user["id"]),
        handle=user.get("name") or None,
        outside=(home or Home()).outside(user),
    )


class SlackDirectory:
    """bot.actions.ports.Directory over the Slack Web API."""

    def __init__(
        self,
        client: WebClient,
        *,
        ttl: float = 300.0,
        max_entries: int = 2000,
        clock: Callable[[], float] = time.monotonic,
        home: Home | None = None,
    ) -> None:
        self.client = client
        #: The bot's own workspace (auth.test): users of other teams are outside the organisation.
        self.home = home or Home()
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._cache: OrderedDict[str, tuple[float, dict[str, Any] | None]] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: str, fetch: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        user = fetch()
        with self._lock:
            self._cache[key] = (now + self.ttl, user)
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return user

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The raw users.info ``user`` object, or None when Slack does not know the id."""

        def fetch() -> dict[str, Any] | None:
            try:
                return dict(self.client.users_info(user=user_id)["user"])
            except SlackApiError as error:
                if error.response.get("error") in NOT_FOUND:
                    return None
                raise

        return self._cached(f"id:{user_id}", fetch)

    def is_person(self, user_id: str) -> bool:
        """A real, active member (not a bot, not deactivated)."""
        user = self.user(user_id)
        return (
            bool(user) and not (user or {}).get("is_bot") and not (user or {}).get("deleted") and user_id != "USLACKBOT"
        )

    # -- bot.actions.ports.Directory ----------------------------------------------------------------------
    def profile(self, platform_id: str) -> Profile | None:
        user = self.user(platform_id)
        return profile_of(user, self.home) if user else None

    def profile_by_email(self, email: str) -> Profile | None:
        def fetch() -> dict[str, Any] | None:
            try:
                return dict(self.client.users_lookupByEmail(email=email)["user"])
            except SlackApiError as error:
                if error.response.get("error") in NOT_FOUND:
                    return None
                raise

        user = self._cached(f"email:{email.lower()}", fetch)
        return profile_of(user, self.home) if user else None

    def manager_of(self, platform_id: str) -> Profile | None:
        """Slack has no line-manager field; escalation contacts are set with ``actionbot people set``."""
        return None

    def people_named(self, name: str) -> list[Profile]:
        """Active members whose real or display name a written name matches ("Jo", "JB" for Jo Bloggs), at most
        ``MAX_CHOICES``. Slack has no search by name: the workspace's users.list is read (a page of 200 at a
        time) and kept for the cache's time, so a meeting's names cost one listing."""
        found = []
        for user in self._members():
            names = {str((user.get("profile") or {}).get(k) or "") for k in ("real_name", "display_name")}
            if any(may_mean(name, n) for n in names if n):
                found.append(profile_of(user, self.home))
        return found[:MAX_CHOICES]

    def _members(self) -> list[dict[str, Any]]:
        def fetch() -> dict[str, Any] | None:
            members = [
                dict(user)
                for page in self.client.users_list(limit=200)
                for user in page.get("members") or []
                if not user.get("deleted") and not user.get("is_bot") and user.get("id") != "USLACKBOT"
            ]
            return {"members": members}

        return list((self._cached("list", fetch) or {}).get("members") or [])
