"""Email for owners on neither Slack nor Teams: Microsoft Graph ``/users/{MAIL_SENDER}/sendMail``.

The message is sent in MIME form (Graph's documented ``text/plain`` base64 upload) so it carries both a
plain-text part (bot.actions.messages.render_text) and an HTML part (the action card as a table). Every piece
of text in the HTML is escaped. Needs Mail.Send (application), which an Exchange application access
policy should restrict to the MAIL_SENDER mailbox (docs/teams.md).
"""

from __future__ import annotations

import base64
import html
import logging
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.messages import Message, render_text
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.chasing.pacing import SendLimits
from handlers.teams.graph import delivery_error
from handlers.teams.runner import LoopRunner

log = logging.getLogger("actionbot.teams.mail")

FOOTER = (
    "You are receiving this because an action was recorded for you (or you are asked to oversee it) "
    "in a multi-agency meeting. Reply to the meeting's chair, not to this address."
)


def _one_line(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def _card_html(message: Message, heading: str = "h2") -> str:
    """One card: its title, its fields (or text), its notes and what its buttons are."""
    e = html.escape
    if message.text:
        lines = "".join(f"<li>{e(line)}</li>" for line in message.text.splitlines() if line.strip())
        body = f"<ul>{lines}</ul>"
    else:
        rows = "".join(
            f'<tr><th align="left" style="padding:4px 12px 4px 0">{e(item.label)}</th>'
            f'<td style="padding:4px 0">{e(item.value)}</td></tr>'
            for item in message.fields
        )
        body = f"<table>{rows}</table>"
    notes = "".join(f"<p><strong>{e(note)}</strong></p>" for note in message.notes)
    buttons = ""
    if message.buttons:
        labels = ", ".join(e(b.label) for b in message.buttons)
        buttons = (
            f"<p>In Slack or Teams this message has buttons ({labels}). By email, tell the meeting's chair, "
            "or ask them to add you to the chat so you can update it yourself.</p>"
        )
    return f"<{heading}>{e(message.title)}</{heading}>{body}{notes}{buttons}"


def render_html(message: Message) -> str:
    """The card as simple, escaped HTML (mail clients ignore most CSS; tables are safest); a digest as
    each of its cards in turn."""
    cards = "".join(f"<hr>{_card_html(part, 'h3')}" for part in message.parts)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">'
        f"{_card_html(message)}{cards}"
        f'<p style="color:#555;font-size:small">{html.escape(FOOTER)}</p></body></html>'
    )


def render_plain(message: Message) -> str:
    text = render_text(message)
    if message.buttons:
        text += "\n\nBy email, tell the meeting's chair what has changed (done, more time needed, blocked)."
    return f"{text}\n\n-- \n{FOOTER}\n"


def mime_message(sender: str, person: PersonView, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr(("actionbot", sender))
    assert person.email is not None
    name = _one_line(person.name, 100)
    mail["To"] = formataddr(("" if name.lower() == person.email.lower() else name, person.email))
    mail["Subject"] = _one_line(message.title)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    mail.set_content(render_plain(message))
    mail.add_alternative(render_html(message), subtype="html")
    return mail


class EmailMessenger:
    """The ``email`` channel: anyone with an email address. Conversations do not exist by email."""

    channel = "email"
    #: Exchange Online sends at most 30 messages a minute from one mailbox, and Graph allows 4 requests at
    #: once per mailbox (learn.microsoft.com: "Exchange Online limits", "Microsoft Graph service limits").
    limits = SendLimits(per_minute=30, in_flight=4)

    def __init__(self, graph: GraphServiceClient, runner: LoopRunner, sender: str, *, timeout: float = 120.0) -> None:
        self.graph = graph
        self.runner = runner
        self.sender = sender
        self.timeout = timeout

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.email)

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        if not person.email:
            raise DeliveryError("email: the person has no address", permanent=True)
        mail = mime_message(self.sender, person, message)
        try:
            self.runner.run(self._send(mail.as_bytes()), self.timeout)
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error("sendMail", error) from None
        log.info("emailed person %s", person.id)
        return Delivered(self.channel, str(mail["Message-ID"]))

    async def _send(self, mime: bytes) -> None:
        # The SDK's sendMail builder sends JSON; MIME needs the same URL with a base64 text/plain body.
        builder = self.graph.users.by_user_id(self.sender).send_mail
        request = RequestInformation(Method.POST, builder.url_template, builder.path_parameters)
        request.headers.try_add("Accept", "application/json")
        request.set_stream_content(base64.b64encode(mime), "text/plain")
        await self.graph.request_adapter.send_no_response_content_async(request, {"XXX": ODataError})

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        raise DeliveryError("email has no conversations", permanent=True)

    def update(self, ref: str, message: Message) -> None:
        """An email cannot be changed once sent; the next message carries the new state."""
        return None
