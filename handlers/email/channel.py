"""What every email messenger shares: the ``email`` channel reaches anyone with an address that has not failed
for good (bot.chasing.bounces), has no conversations, and cannot change a message once it is sent."""

from __future__ import annotations

from bot.actions.messages import Message
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView


class EmailChannel:
    """The base of the transports (SMTP, GOV.UK Notify, Graph) and of the console's email; each adds
    ``send_direct``."""

    channel = "email"

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.email) and not person.email_failed

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        raise DeliveryError("email has no conversations", permanent=True)

    def update(self, ref: str, message: Message) -> None:
        """An email cannot be changed once sent; the next message carries the new state."""
        return None
