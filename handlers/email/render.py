"""An emailed card: plain text and simple escaped HTML, with its answer links (bot.actions.answer_links).

Two forms (``email.body``). ``minimal``, the default, keeps OFFICIAL-SENSITIVE words out of mailboxes outside
the partnership: a card with an answer link shows only its reference, case and deadline and the link (the task
is shown on the page); any other card shows its title and its non-free-text fields (no task, no reasons or
notes). ``full`` shows the whole card. Every piece of text in the HTML is escaped.
"""

from __future__ import annotations

import hashlib
import html
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from bot.actions.answer_links import CHOICES
from bot.actions.messages import AnswerLink, Message, render_text
from bot.actions.records import PersonView

#: Fields a minimal email may show: none of them is free text a chair typed.
MINIMAL_FIELDS = ("Owner", "Owner away", "Deadline", "Review", "Case", "Status")

FOOTER = (
    "You are receiving this because an action was recorded for you (or you are asked to oversee it) "
    "in a multi-agency meeting. Do not reply to this address: use the links, or contact the meeting's chair."
)
NO_LINK = "By email, tell the meeting's chair what has changed (done, more time needed, blocked)."
WITHHELD = "The details are not sent by email: see them in Slack or Teams, or ask the meeting's chair."


def one_line(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def _minimal_card(message: Message) -> Message:
    """The card as a minimal email shows it."""
    return Message(
        title=message.title,
        fields=tuple(f for f in message.fields if f.label in MINIMAL_FIELDS),
        buttons=message.buttons,
        answer=message.answer,
        text=None if message.text is None else WITHHELD,
    )


def _cards(message: Message, minimal: bool) -> list[Message]:
    cards = [message, *message.parts]
    return [_minimal_card(c) for c in cards] if minimal else cards


def _answer_lines(answer: AnswerLink) -> list[str]:
    lines = [f"Answer {answer.ref} (the task is shown on the page): {answer.url}"]
    lines += [f"  {CHOICES[key].label}: {answer.choice_url(key)}" for key in answer.choices]
    return lines


def render_plain(message: Message, *, minimal: bool = True) -> str:
    blocks: list[str] = []
    for card in _cards(message, minimal):
        if minimal and card.answer is not None:
            a = card.answer
            lines = [card.title, f"Reference: {a.ref}"]
            lines += [f"Case: {a.case_ref}"] if a.case_ref else []
            lines += [f"Deadline: {a.deadline}", "", *_answer_lines(a)]
            blocks.append("\n".join(lines))
            continue
        text = render_text(Message(card.title, card.fields, card.notes, text=card.text))
        if card.answer is not None:
            text += "\n\n" + "\n".join(_answer_lines(card.answer))
        elif card.buttons:
            text += f"\n\n{NO_LINK}"
        blocks.append(text)
    return "\n\n---\n\n".join(blocks) + f"\n\n-- \n{FOOTER}\n"


def _links_html(answer: AnswerLink) -> str:
    e = html.escape
    links = " ".join(
        f'<a href="{e(answer.choice_url(key))}" style="display:inline-block;padding:8px 14px;margin:4px 6px 4px 0;'
        f'background:#00703c;color:#fff;text-decoration:none">{e(CHOICES[key].label)}</a>'
        for key in answer.choices
    )
    return f'<p>{links}</p><p><a href="{e(answer.url)}">Open {e(answer.ref)}</a> (the task is shown on the page)</p>'


def _card_html(card: Message, minimal: bool, heading: str) -> str:
    e = html.escape
    if minimal and card.answer is not None:
        a = card.answer
        rows = [("Reference", a.ref), *([("Case", a.case_ref)] if a.case_ref else []), ("Deadline", a.deadline)]
    else:
        rows = [(f.label, f.value) for f in card.fields]
    if card.text:
        lines = "".join(f"<li>{e(line)}</li>" for line in card.text.splitlines() if line.strip())
        body = f"<ul>{lines}</ul>"
    else:
        body = (
            "<table>"
            + "".join(
                f'<tr><th align="left" style="padding:4px 12px 4px 0">{e(label)}</th><td style="padding:4px 0">'
                f"{e(value)}</td></tr>"
                for label, value in rows
            )
            + "</table>"
        )
    notes = "".join(f"<p><strong>{e(note)}</strong></p>" for note in card.notes)
    if card.answer is not None:
        after = _links_html(card.answer)
    elif card.buttons:
        after = f"<p>{e(NO_LINK)}</p>"
    else:
        after = ""
    return f"<{heading}>{e(card.title)}</{heading}>{body}{notes}{after}"


def render_html(message: Message, *, minimal: bool = True) -> str:
    """The card as simple, escaped HTML (mail clients ignore most CSS; tables are safest); a digest as
    each of its cards in turn."""
    first, *parts = _cards(message, minimal)
    cards = "".join(f"<hr>{_card_html(part, minimal, 'h3')}" for part in parts)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">'
        f"{_card_html(first, minimal, 'h2')}{cards}"
        f'<p style="color:#555;font-size:small">{html.escape(FOOTER)}</p></body></html>'
    )


def message_id(sender: str, key: str | None) -> str:
    """The Message-ID: derived from the message's key when it has one (a nudge: the same id however often it
    is tried, so a receiving server or a reader can see a repeat), else a fresh one."""
    domain = sender.rpartition("@")[2] or "actionbot.invalid"
    if key is None:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(f"{domain}|{key}".encode()).hexdigest()[:32]
    return f"<actionbot.{digest}@{domain}>"


def mime_message(sender: str, person: PersonView, message: Message, *, minimal: bool = True) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr(("actionbot", sender))
    assert person.email is not None
    name = one_line(person.name, 100)
    mail["To"] = formataddr(("" if name.lower() == person.email.lower() else name, person.email))
    mail["Subject"] = one_line(message.title)
    mail["Message-ID"] = message_id(sender, message.key)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    mail.set_content(render_plain(message, minimal=minimal))
    mail.add_alternative(render_html(message, minimal=minimal), subtype="html")
    return mail
