"""For the answer-link tests: an email messenger that keeps each mail as handlers.email.render built it (the
transports' own tests send through a real SMTP server and a fake Notify), and finds the links in it."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import EmailMessage

from bot.actions.messages import Message
from bot.actions.ports import Delivered
from bot.actions.records import PersonView
from bot.app import Core, build_core
from bot.config import Settings
from handlers.email.channel import EmailChannel
from handlers.email.render import mime_message
from storage.db import Database
from tests.conftest import Clock

SECRET = "test-link-secret-" + "x" * 32
PUBLIC = "http://127.0.0.1:8765"
SENDER = "actionbot@council.gov.uk"
LINK = re.compile(r"(https?://[^\s\"<>]+/answer/[A-Za-z0-9_.\-]+)")


class MailBox(EmailChannel):
    def __init__(self, *, minimal: bool = True) -> None:
        self.mails: list[EmailMessage] = []
        self.minimal = minimal

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        mail = mime_message(SENDER, person, message, minimal=self.minimal)
        self.mails.append(mail)
        return Delivered("email", str(mail["Message-ID"]))

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails if address in str(m["To"])]


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(mail: EmailMessage) -> str:
    part = mail.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def link_in(mail: EmailMessage) -> str:
    found = LINK.search(text_of(mail))
    assert found is not None, "the email carries no answer link"
    return found.group(1)


def linked_core(settings: Settings, database: Database, clock: Clock, public: str = PUBLIC) -> Core:
    return build_core(replace(settings, public_url=public), db=database, clock=clock, link_secret=SECRET)
