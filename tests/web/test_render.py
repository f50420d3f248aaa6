"""The emailed card as handlers.email.render builds it: escaped, minimal by default, full when configured."""

from __future__ import annotations

from bot.actions.messages import AnswerLink, Field, Message, digest_message, owner_buttons
from bot.actions.records import PersonView
from handlers.email.render import mime_message, render_html, render_plain

TASK = "Send the <b>discharge</b> summary & plan"
LINK = AnswerLink("https://actions.council.gov.uk/answer/abc.def.ghi", "A-7", "CR-1042", "Fri 27 Nov, 17:00")


def _card(answer: AnswerLink | None = LINK) -> Message:
    return Message(
        title="Your action A-7, agreed Mon 23 Nov",
        fields=(Field("Owner", "Pat Partner"), Field("Task", TASK), Field("Deadline", "Fri 27 Nov, 17:00")),
        notes=("Reason given: the family asked for <a href='x'>more time</a>",),
        buttons=owner_buttons("A-7"),
        answer=answer,
    )


def test_the_full_form_escapes_everything_typed() -> None:
    page = render_html(_card(), minimal=False)
    assert "Send the &lt;b&gt;discharge&lt;/b&gt; summary &amp; plan" in page and "<b>discharge" not in page
    assert "<a href='x'>" not in page and "&lt;a href=&#x27;x&#x27;&gt;" in page
    assert TASK in render_plain(_card(), minimal=False)


def test_the_minimal_form_keeps_free_text_out_of_the_mailbox() -> None:
    for card in (_card(), _card(answer=None)):
        plain, page = render_plain(card), render_html(card)
        assert "discharge" not in plain and "discharge" not in page
        assert "more time</a>" not in plain and "the family asked" not in page
    plain = render_plain(_card())
    assert "Reference: A-7" in plain and "Case: CR-1042" in plain and f"Done: {LINK.url}?choice=done" in plain
    # a card no link answers (an escalation to a manager) says how to answer instead
    assert "tell the meeting's chair" in render_plain(_card(answer=None))


def test_a_digest_links_each_card() -> None:
    other = AnswerLink("https://actions.council.gov.uk/answer/xyz", "A-8", None, "Mon 30 Nov, 17:00")
    digest = digest_message([_card(), _card(other)])
    plain = render_plain(digest)
    assert f"{LINK.url}?choice=more-time" in plain and f"{other.url}?choice=blocked" in plain
    assert "discharge" not in plain


def test_the_mail_is_addressed_and_marked_auto_generated() -> None:
    person = PersonView(1, "Pat Partner", "pat@health.example", None, None, None, None, "member", None, True)
    mail = mime_message("actionbot@council.gov.uk", person, _card())
    assert mail["To"] == "Pat Partner <pat@health.example>" and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "Your action A-7, agreed Mon 23 Nov"
    assert str(mail["Message-ID"]).endswith("@council.gov.uk>")
