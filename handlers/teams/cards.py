"""bot.actions.messages.Message -> an Adaptive Card (Teams SDK card models) and the message activity carrying it.

User-written text (tasks, names, reasons) goes only into TextRuns, which Teams renders literally: no
Markdown, so a task cannot smuggle in links or formatting. Buttons are Action.Submit with
``{"actionbot": <action id>, "ref": "A-12"}``; those that need more (a new date and a reason, a reason,
a new owner) open an Action.ShowCard with inputs whose values Teams merges into the submit data.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    Mention,
    MentionedEntity,
    QueryData,
    RichTextBlock,
    ShowCardAction,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextInput,
    TextRun,
)

from bot.actions.messages import BLOCKED, DONE, MORE_TIME, REASSIGN, SNOOZE, SNOOZE_CHOICES, Button, Field, Message
from bot.process.timescales import timescales

#: The key naming our action in Action.Submit data (so other submits are not mistaken for ours).
SUBMIT_KEY = "actionbot"
#: Set in the submit data of a button inside a digest: the press is answered with a new card, never by
#: replacing the digest (its other actions would go with it).
DIGEST_KEY = "digest"
DEADLINE_INPUT = "new_deadline"
MORE_TIME_REASON = "more_time_reason"
BLOCK_REASON = "block_reason"
NEW_OWNER = "new_owner"
NEW_OWNER_EMAIL = "new_owner_email"
REASSIGN_REASON = "reassign_reason"
SNOOZE_CHOICE = "snooze_choice"
SNOOZE_DAY = "snooze_day"
#: The meeting form (``meeting start`` with nothing after it): its button, and its inputs.
MEETING_START = "meeting_start"
MEETING_KIND = "meeting_kind"
MEETING_TITLE = "meeting_title"
MEETING_CASE = "meeting_case"
MEETING_FORM = Message(
    title="Start a meeting",
    text="Choose its type: the type sets the statutory next steps (docs/meetings.md).",
    buttons=(Button(MEETING_START, "Choose the type", ""),),
)
MAX_LINES = 60
_UNSAFE_IN_MENTION = re.compile(r"[<>*_\[\]()#`~|\\\r\n]")
_STYLES = {"primary": "positive", "danger": "destructive"}


def _rich(*runs: TextRun) -> RichTextBlock:
    inlines: list[Any] = list(runs)
    return RichTextBlock(inlines=inlines)


def _run(text: str, **style: Any) -> RichTextBlock:
    return _rich(TextRun(text=text, **style))


def _field(item: Field) -> tuple[Any, Mention | None]:
    person = item.person
    if person is not None and person.teams_object_id:
        name = _UNSAFE_IN_MENTION.sub("", person.name).strip() or "owner"
        tag = f"<at>{name}</at>"
        mention = Mention(text=tag, mentioned=MentionedEntity(id=person.teams_object_id, name=name))
        return TextBlock(text=f"{item.label}: {tag}", wrap=True, spacing="Small"), mention
    return (
        _rich(TextRun(text=f"{item.label}: ", weight="Bolder"), TextRun(text=item.value)),
        None,
    )


def _submit(button: Button, title: str | None = None, style: str | None = None, digest: bool = False) -> SubmitAction:
    data: dict[str, Any] = {SUBMIT_KEY: button.action_id, "ref": button.value}
    if digest:
        data[DIGEST_KEY] = True
    return SubmitAction(
        title=title or button.label,
        style=style or _STYLES.get(button.style or ""),  # type: ignore[arg-type]
        data=data,
    )


def _reason(input_id: str, label: str) -> TextInput:
    return TextInput(
        id=input_id,
        label=label,
        is_required=True,
        is_multiline=True,
        max_length=1000,
        error_message="A reason is required.",
    )


def _action(button: Button, today: date, digest: bool = False) -> Any:
    """One owner button as a card action."""
    if button.action_id == MORE_TIME:
        form = AdaptiveCard(
            body=[
                DateInput(
                    id=DEADLINE_INPUT,
                    label="New deadline",
                    is_required=True,
                    min=(today + timedelta(days=1)).isoformat(),
                    error_message="Choose the new deadline.",
                ),
                _reason(MORE_TIME_REASON, "Why more time is needed"),
            ],
            actions=[_submit(button, "Move the deadline", "positive", digest=digest)],
        )
        return ShowCardAction(title=button.label, card=form)
    if button.action_id == BLOCKED:
        form = AdaptiveCard(
            body=[_reason(BLOCK_REASON, "What is blocking it")],
            actions=[_submit(button, "Mark it blocked", "destructive", digest=digest)],
        )
        return ShowCardAction(title=button.label, card=form)
    if button.action_id == REASSIGN:
        form = AdaptiveCard(
            body=[
                ChoiceSetInput(
                    id=NEW_OWNER,
                    label="New owner",
                    style="filtered",
                    choices=[],
                    choices_data=QueryData(dataset="graph.microsoft.com/users"),
                    placeholder="Search your organisation",
                ),
                TextInput(
                    id=NEW_OWNER_EMAIL,
                    label="Or their email address (partners outside your organisation)",
                    style="Email",
                    max_length=320,
                ),
                _reason(REASSIGN_REASON, "Why it is being reassigned"),
            ],
            actions=[_submit(button, "Reassign", digest=digest)],
        )
        return ShowCardAction(title=button.label, card=form)
    if button.action_id == MEETING_START:
        form = AdaptiveCard(
            body=[
                ChoiceSetInput(
                    id=MEETING_KIND,
                    label="Type",
                    choices=[Choice(title=kind.name, value=kind.key) for kind in timescales().types],
                    is_required=True,
                    error_message="Choose the meeting's type.",
                ),
                TextInput(id=MEETING_TITLE, label="Title (optional)", max_length=300),
                TextInput(id=MEETING_CASE, label="Case reference (optional)", max_length=40, placeholder="CR-1042"),
            ],
            actions=[_submit(button, "Start the meeting", "positive")],
        )
        return ShowCardAction(title=button.label, card=form)
    if button.action_id == SNOOZE:
        form = AdaptiveCard(
            body=[
                ChoiceSetInput(
                    id=SNOOZE_CHOICE,
                    label="Remind me",
                    style="expanded",
                    choices=[Choice(title=label, value=value) for value, label in SNOOZE_CHOICES],
                    value=SNOOZE_CHOICES[0][0],
                ),
                DateInput(id=SNOOZE_DAY, label="Or on this day", min=(today + timedelta(days=1)).isoformat()),
                _run("At 09:00, before the deadline. To move the deadline, use Need more time.", is_subtle=True),
            ],
            actions=[_submit(button, "Remind me then", digest=digest)],
        )
        return ShowCardAction(title=button.label, card=form)
    return _submit(button, style="positive" if button.action_id == DONE else None, digest=digest)


def _body(message: Message) -> tuple[list[Any], list[Mention]]:
    """A message's title, text or fields, and notes as card elements, with the mentions they use."""
    body: list[Any] = [_run(message.title, weight="Bolder", size="Medium")]
    mentions: list[Mention] = []
    if message.text:
        lines = message.text.splitlines()
        body.extend(_run(line) for line in lines[:MAX_LINES] if line.strip())
        if len(lines) > MAX_LINES:
            body.append(_run(f"... and {len(lines) - MAX_LINES} more lines", is_subtle=True))
    else:
        for item in message.fields:
            element, mention = _field(item)
            body.append(element)
            if mention is not None:
                mentions.append(mention)
    body.extend(_run(note, color="Warning") for note in message.notes)
    return body, mentions


def adaptive_card(message: Message, today: date) -> AdaptiveCard:
    """The card for a message. ``today`` (local) bounds the date picker. A digest's parts each become a
    container with its own buttons (their submits say ``digest``, so a press never replaces the digest)."""
    body, mentions = _body(message)
    for part in message.parts:
        items, used = _body(part)
        mentions.extend(used)
        body.append(Container(items=items, separator=True, spacing="Large"))
        if part.buttons:
            body.append(ActionSet(actions=[_action(button, today, digest=True) for button in part.buttons]))
    card = AdaptiveCard(
        version="1.5",
        fallback_text=message.fallback,
        body=body,
        msteams=TeamsCardProperties(width="full", entities=mentions or None),
    )
    if message.buttons:
        card.actions = [_action(button, today) for button in message.buttons]
    return card


def card_json(message: Message, today: date) -> dict[str, Any]:
    """The card as the JSON Teams receives."""
    dumped: dict[str, Any] = adaptive_card(message, today).model_dump(exclude_none=True, by_alias=True)
    return dumped


def card_activity(message: Message, today: date) -> MessageActivityInput:
    """A message activity carrying the card; the summary is what notifications show."""
    activity = MessageActivityInput.model_validate({"type": "message", "summary": message.fallback[:200]})
    return activity.add_card(adaptive_card(message, today))
