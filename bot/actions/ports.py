"""The platform port: what the core needs from a chat platform (or email) to reach people.

Each adapter implements Messenger. The core builds platform-neutral Messages (bot.actions.messages) and hands
them here; it never imports a chat SDK. Methods are synchronous: the chase sweep runs in a worker
thread, and adapters built on async SDKs run their own event loop behind this interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.actions.messages import Message
from bot.actions.people import Profile
from bot.actions.records import PersonView


class DeliveryError(Exception):
    """A send failed. ``retry_after`` (seconds) when the platform said when to try again; ``permanent``
    when trying again cannot help (an unknown user, a revoked token); ``address_failed`` (which is also
    permanent) when the person's email address itself was refused (an SMTP 550 for the recipient): no more
    email is tried to it and the chair is told (bot.chasing.bounces). The message must not contain message
    text or personal data: it goes to the operator log."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        address_failed: bool = False,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent or address_failed
        self.address_failed = address_failed


@dataclass(frozen=True)
class Delivered:
    """Where a message landed: the channel used and the platform's reference to it (for updates)."""

    channel: str  # "slack" | "teams" | "email" | "console"
    ref: str


class Messenger(Protocol):
    """One way of reaching people and conversations."""

    channel: str

    def can_reach(self, person: PersonView) -> bool:
        """Whether this messenger has an address for the person (a Slack id, an email ...)."""
        ...

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        """A direct message (Slack DM, Teams 1:1 chat or activity, email). Raises DeliveryError."""
        ...

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        """A message in a channel or group chat. Raises DeliveryError."""
        ...

    def update(self, ref: str, message: Message) -> None:
        """Replace a message sent earlier (a card after a button press). Raises DeliveryError."""
        ...


@runtime_checkable
class DeliveryStatus(Protocol):
    """An email service that says later what became of a message it accepted (GOV.UK Notify). A messenger
    that implements it too has its sent messages' fate read back by bot.chasing.bounces."""

    #: How the ``Delivered.ref`` of the messages it can report on begins (``"notify:"``).
    ref_prefix: str

    def status_of(self, ref: str) -> str | None:
        """The service's status for a message (``delivered``, ``permanent-failure``, ``sending`` ...), or None
        when it does not know the message (any more). Raises DeliveryError when it cannot be asked now."""
        ...


class Directory(Protocol):
    """Looks people up on a platform (Slack users.info, Microsoft Graph /users)."""

    def profile(self, platform_id: str) -> Profile | None: ...

    def profile_by_email(self, email: str) -> Profile | None: ...

    def manager_of(self, platform_id: str) -> Profile | None: ...

    def people_named(self, name: str) -> list[Profile]:
        """Active people on the platform whose name a written name matches (``bot.actions.names.name_matches``:
        "Jo" for Jo Bloggs, "Dr Khan" for Dr A. Khan), at most a handful; empty when none or when the platform
        cannot search by name."""
        ...
