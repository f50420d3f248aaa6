"""A local chat adapter: type ``/action ...`` as in Slack, see what the room and each person would see.

Used by ``actionbot console``, ``actionbot demo`` and the tests, it drives the real core in-process
(like errbot's test backend). Extra console-only commands: ``/as PERSON`` changes who is speaking,
``/now ISO`` moves the clock (for demos), ``/quit``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.actions.commands import HELP, Commands
from bot.actions.messages import Message, render_text
from bot.actions.outcome import Outcome
from bot.actions.people import PersonInput
from bot.actions.ports import Delivered
from bot.actions.records import PersonView
from bot.actions.service import ConversationRef
from bot.capture.dates import ensure_aware
from bot.capture.owners import OwnerRef, parse_owner
from bot.chasing.sweep import Chaser
from handlers.email.channel import EmailChannel
from handlers.email.render import render_plain

CONSOLE_HELP = (
    HELP
    + """
Console only:
/as PERSON                        speak as someone else (@handle, email or "quoted name")
/now 2026-11-27T09:00             set the clock (Europe/London unless an offset is given)
/paste                            then paste an action list, one per line; an empty line ends it
/quit"""
)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


class ConsoleMessenger:
    """The console's platform port: prints what each person would receive. Everyone with a handle or a
    chat id is "on" the console; someone known only by a quoted name is not, so the chase records that
    they could not be reached (as it would for a partner on neither Slack nor Teams)."""

    channel = "console"

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.sent = 0

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.handle or person.slack_user_id or person.teams_object_id)

    def _deliver(self, label: str, message: Message) -> Delivered:
        self.sent += 1
        self.write(f"{label}\n{_indent(render_text(message), '  ')}")
        return Delivered(self.channel, str(self.sent))

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        return self._deliver(f"[direct message to {person.name}]", message)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        return self._deliver(f"[room {conversation_id}]", message)

    def update(self, ref: str, message: Message) -> None:
        self._deliver(f"[message {ref} updated]", message)


class ConsoleEmail(EmailChannel):
    """Email as the console shows it: the plain-text part a partner on neither platform receives
    (handlers.email.render, minimal form: no task, answer links). Reaches whoever has an address."""

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.sent: list[tuple[PersonView, Message]] = []

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        self.sent.append((person, message))
        body = render_plain(message).split("\n-- \n")[0]  # the footer is the same in every email
        self.write(f"[email to {person.name}] Subject: {message.title}\n{_indent(body, '  ')}")
        return Delivered(self.channel, str(len(self.sent)))

    def last_link(self, email: str) -> str | None:
        """The answer link in the latest email to this address."""
        for person, message in reversed(self.sent):
            if person.email == email:
                return message.answer.url if message.answer else None
        return None


class ConsoleChat:
    """One conversation ("room") in the console, with a current speaker and an optional fixed clock."""

    def __init__(
        self,
        commands: Commands,
        speaker: OwnerRef,
        *,
        room: str = "room",
        write: Callable[[str], None] = print,
        now: datetime | None = None,
        chaser: Chaser | None = None,
    ) -> None:
        self.commands = commands
        self.chaser = chaser
        self.speaker = speaker
        self.conversation = ConversationRef("console", room)
        self.write = write
        self.now = now
        #: The lines of an action list being pasted after /paste (None when not pasting).
        self.pasted: list[str] | None = None

    def _show(self, label: str, message: Message) -> None:
        self.write(f"{label}\n{_indent(render_text(message), '  ')}")

    def show(self, outcome: Outcome) -> None:
        if outcome.public is not None:
            self._show("[room]", outcome.public)
        if outcome.private is not None:
            self._show(f"[only you, {self._who()}]", outcome.private)
        if self.chaser is not None:  # as the real bot does right after a command: send what is now due
            for item in self.chaser.sweep(self.now).items:
                if item.outcome == "unreachable":
                    self.write(
                        f"[not delivered] {item.action_ref} {item.step} to {item.recipient}: no way to reach them"
                        " is known; the action log records it"
                    )

    def _who(self) -> str:
        return ("@" if self.speaker.kind == "handle" else "") + self.speaker.value

    def handle(self, line: str) -> Outcome | None:
        """Handle one typed line; returns the outcome of a chat command (None for console commands)."""
        if self.pasted is not None:  # a terminal sends a pasted list line by line: gather it, as one /action
            if line.strip():
                self.pasted.append(line.rstrip("\n"))
                return None
            text, self.pasted = "\n".join(self.pasted), None
            outcome = self.commands.run("action", text, PersonInput(self.speaker), self.conversation, now=self.now)
            self.show(outcome)
            return outcome
        line = line.strip()
        if not line:
            return None
        if not line.startswith("/"):
            self.write("Commands start with /. Try /help.")
            return None
        name, _, text = line[1:].partition(" ")
        name = name.lower()
        if name == "as":
            owned = parse_owner(text.strip())
            if owned is None:
                self.write('Use /as @handle, /as someone@example.org or /as "A Name".')
            else:
                self.speaker = owned[0]
                self.write(f"(now speaking as {self._who()})")
            return None
        if name == "now":
            try:
                moment = datetime.fromisoformat(text.strip())
            except ValueError:
                self.write("Use /now 2026-11-27T09:00")
                return None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.commands.zone)
            self.now = ensure_aware(moment)
            self.write(f"(the clock now reads {self.now.astimezone(self.commands.zone):%a %d %b %Y %H:%M})")
            return None
        if name == "help":
            self.write(CONSOLE_HELP)
            return None
        if name == "paste":
            self.pasted = []
            self.write("(paste the action list, one action per line; an empty line ends it)")
            return None
        outcome = self.commands.run(name, text, PersonInput(self.speaker), self.conversation, now=self.now)
        self.show(outcome)
        return outcome
