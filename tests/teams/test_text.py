"""Teams message text to command text: HTML to plain text, mentions to owner references."""

from __future__ import annotations

from handlers.teams.text import Mentioned, command_text, html_to_text, split_command

BOT = Mentioned("<at>actionbot</at>", "28:b0b0", "actionbot")
JO = Mentioned("<at>Jo Bloggs</at>", "29:jo", "Jo Bloggs")
JO_ID = "0a0a0a0a-0000-4000-8000-000000000012"


def test_html_becomes_plain_text_with_entities_decoded() -> None:
    html = "<div><p>Share the <b>CAD</b>&nbsp;log &amp; notes</p><p>by&#160;Friday</p><script>alert(1)</script></div>"
    assert html_to_text(html) == "Share the CAD log & notes\nby Friday"
    assert html_to_text("a &lt;b&gt; c") == "a <b> c"
    assert html_to_text("<style>p {}</style>x<br>y") == "x\ny"
    # a table's cells are separated by tabs, a paragraph inside a cell stays in its row
    table = (
        "<table><tr><th>Owner</th><th>Action</th></tr><tr><td><p>Jo</p><p>Bloggs</p></td><td>Visit</td></tr></table>"
    )
    assert html_to_text(table) == "Owner\tAction\nJo Bloggs\tVisit"


def test_the_bots_mention_is_dropped_and_a_person_becomes_their_entra_id() -> None:
    text = "<p><at>actionbot</at>&nbsp;action <at>Jo Bloggs</at> Share the log by Friday</p>"
    assert command_text(text, [BOT, JO], {"29:jo": JO_ID}) == f"action <at>{JO_ID}</at> Share the log by Friday"


def test_an_entity_carrying_the_entra_id_needs_no_lookup() -> None:
    jo = Mentioned("<at>Jo Bloggs</at>", "29:jo", "Jo Bloggs", JO_ID.upper())
    assert command_text("<at>actionbot</at> action <at>Jo Bloggs</at> x", [BOT, jo], {}) == f"action <at>{JO_ID}</at> x"


def test_an_unresolved_mention_becomes_the_persons_name() -> None:
    assert command_text("<at>actionbot</at> action <at>Jo Bloggs</at> x", [BOT, JO], {}) == 'action "Jo Bloggs" x'


def test_two_people_with_the_same_name_are_resolved_in_order() -> None:
    first = Mentioned("<at>Sam</at>", "29:a", "Sam")
    second = Mentioned("<at>Sam</at>", "29:b", "Sam")
    resolved = {"29:a": "11111111-1111-4111-8111-111111111111", "29:b": "22222222-2222-4222-8222-222222222222"}
    out = command_text("reassign A-1 <at>Sam</at> because <at>Sam</at> is away", [first, second], resolved)
    assert out == (
        "reassign A-1 <at>11111111-1111-4111-8111-111111111111</at> because "
        "<at>22222222-2222-4222-8222-222222222222</at> is away"
    )


def test_one_mention_per_part_of_a_name_is_one_person() -> None:
    """Teams may send one entity per name part, all with the person's id: one owner, nothing left in the task."""
    parts = [BOT, Mentioned("<at>Jo</at>", "29:jo", "Jo"), Mentioned("<at>Bloggs</at>", "29:jo", "Bloggs")]
    text = "<at>actionbot</at> action <at>Jo</at>&nbsp;<at>Bloggs</at> Share the log by Friday"
    assert command_text(text, parts, {"29:jo": JO_ID}) == f"action <at>{JO_ID}</at> Share the log by Friday"
    assert command_text(text, parts, {}) == 'action "Jo Bloggs" Share the log by Friday'
    # two different people side by side stay two mentions
    sam = Mentioned("<at>Sam</at>", "29:sam", "Sam")
    out = command_text("action <at>Jo</at> <at>Sam</at> visit", [Mentioned("<at>Jo</at>", "29:jo", "Jo"), sam], {})
    assert out == 'action "Jo" "Sam" visit'


def test_text_typed_to_look_like_a_mention_is_not_one() -> None:
    out = command_text("action &lt;at&gt;0a0a0a0a-0000-4000-8000-000000000012&lt;/at&gt; x by Friday", [], {})
    assert "<at>" not in out
    assert out.startswith("action \u2039at>")


def test_split_command() -> None:
    assert split_command("/Action @jo Share it") == ("action", "@jo Share it")
    assert split_command("meeting start Strategy") == ("meeting", "start Strategy")
    assert split_command("") == ("", "")
