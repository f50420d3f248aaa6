"""Block Kit rendering: escaping, mentions, Slack's limits."""

from __future__ import annotations

from bot.actions.messages import Button, Field, Message
from bot.actions.records import PersonView
from handlers.slack.blocks import MAX_BLOCKS, MAX_SECTION, escape, fallback, message_blocks


def person(uid: str | None, name: str = "Jo <Bloggs>") -> PersonView:
    return PersonView(1, name, None, None, uid, None, None, "member", None, True)


def test_escaping_stops_pings_and_forged_links() -> None:
    assert escape("<!channel> & <https://x|y>") == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    blocks = message_blocks(Message(title="A-1: <!here>", fields=(Field("Task", "Tell <!everyone>"),)))
    text = str(blocks)
    assert "<!here>" not in text and "<!everyone>" not in text
    assert fallback(Message(title="<!channel>")) == "&lt;!channel&gt;"


def test_typed_formatting_stays_as_typed() -> None:
    typed = "Strategy *urgent* _today_ ~not~ `code`"
    blocks = message_blocks(Message(title=f"Meeting \u201c{typed}\u201d started", fields=(Field("Task", typed),)))
    title, field = blocks[0]["text"]["text"], blocks[1]["fields"][0]["text"]
    for shown in (title, field):
        assert all(pair not in shown for pair in ("*urgent*", "_today_", "~not~", "`code`"))
        assert shown.replace("\u200b", "").count("Strategy *urgent* _today_ ~not~ `code`") == 1
    assert title.startswith("*") and title.endswith("*")  # our own bold title stays bold
    # a formatting character inside a word cannot pair in Slack and is left alone (emails stay emails)
    assert escape("jo_bloggs@police.example and 2*3") == "jo_bloggs@police.example and 2*3"


def test_people_with_a_slack_id_are_mentions_others_are_escaped_names() -> None:
    blocks = message_blocks(
        Message(title="t", fields=(Field("Owner", "Jo", person("U1")), Field("Owner", "Jo <Bloggs>", person(None))))
    )
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert fields == ["*Owner*\n<@U1>", "*Owner*\nJo &lt;Bloggs&gt;"]


def test_text_messages_mention_the_people_in_their_fields() -> None:
    summary = Message(title="Actions agreed", text="A-1: Jo to call", fields=(Field("A-1", "call", person("U1")),))
    blocks = message_blocks(summary)
    assert blocks[1]["text"]["text"] == "A-1: Jo to call"
    assert blocks[2] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "<@U1>"}]}


def test_buttons_notes_and_styles() -> None:
    message = Message(
        title="t",
        notes=("Check the date",),
        buttons=(Button("action_done", "Done", "A-1", "primary"), Button("action_on_track", "On track", "A-1")),
    )
    *_, notes, actions = message_blocks(message)
    assert ":warning: Check the date" in notes["text"]["text"]
    assert actions["elements"][0] == {
        "type": "button",
        "action_id": "action_done",
        "text": {"type": "plain_text", "text": "Done", "emoji": True},
        "value": "A-1",
        "style": "primary",
    }
    assert "style" not in actions["elements"][1]


def test_slacks_limits_are_kept() -> None:
    many = tuple(Field(f"F{n}", "x" * 3000) for n in range(25))
    blocks = message_blocks(Message(title="t", fields=many))
    sections = [b for b in blocks if "fields" in b]
    assert [len(s["fields"]) for s in sections] == [10, 10, 5]
    assert all(len(f["text"]) <= 2000 for s in sections for f in s["fields"])
    long_text = "\n".join(f"line {n} " + "y" * 200 for n in range(2000))
    blocks = message_blocks(Message(title="t", text=long_text, buttons=(Button("action_done", "Done", "A-1"),)))
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions" and "cut short" in blocks[-2]["text"]["text"]
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks if b["type"] == "section")
