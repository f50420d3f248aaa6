"""Splitting an action list as minutes write it: numbering, bullets, labels, headings, wrapped lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_action
from bot.capture.minutes import is_list, split_minutes
from tests.conftest import london

MON7 = london(2026, 12, 7, 10, 0)
ENG = WorkCalendar.uk("ENG")


def test_markers_headings_and_blank_lines_go() -> None:
    text = (
        "Actions agreed:\n"
        "1. @jo Share the CAD log by Friday\n"
        "2) Jo Bloggs to book the assessment by 4/12\n"
        '(3) "Dr A. Khan" Send the GP summary by Thursday\n'
        "\n"
        "a) @sam Check attendance by Friday\n"
        "ACTION: Sam Lee to send attendance by Friday\n"
        "Action 7 - Priya Shah to book the clinic by Monday\n"
        "\u2022 @priya Chase the referral by Monday\n"
        "- @jo Update the family by Friday\n"
    )
    assert split_minutes(text) == [
        "@jo Share the CAD log by Friday",
        "Jo Bloggs to book the assessment by 4/12",
        '"Dr A. Khan" Send the GP summary by Thursday',
        "@sam Check attendance by Friday",
        "Sam Lee to send attendance by Friday",
        "Priya Shah to book the clinic by Monday",
        "@priya Chase the referral by Monday",
        "@jo Update the family by Friday",
    ]


def test_a_title_above_a_numbered_list_goes_and_an_action_above_it_stays() -> None:
    """ "Strategy meeting actions" above a numbered list was shown as a line not read ("Start with the owner")."""
    text = "Strategy meeting actions\n1. @jo Share the CAD log by Friday\n2. Sam Lee to visit by Monday"
    assert split_minutes(text) == ["@jo Share the CAD log by Friday", "Sam Lee to visit by Monday"]
    above = "ICPC to be convened by 14/12\nJo to visit by Friday\nCR-1042\n1. @jo Share the log by Friday\n2. @sam Call"
    assert split_minutes(above)[:3] == ["ICPC to be convened by 14/12", "Jo to visit by Friday", "CR-1042"]


def test_numbering_as_minutes_templates_write_it() -> None:
    """Section numbers, sub-items, roman numerals, arrows and ticks: each line was refused ("Start with the
    owner") with the number still on it."""
    text = (
        "1.1 Jo Bloggs to book the assessment by 4/12\n"
        "1.2. @sam Check attendance by Friday\n"
        "4a) Sam Lee to send attendance by Friday\n"
        "(ii) Priya Shah to book the clinic by Monday\n"
        "iv. @priya Chase the referral by Monday\n"
        "Item 4: @jo Update the family by Friday\n"
        "Action 2.3 - Jo Bloggs to ring school by Friday\n"
        "-> @jo Share the CAD log by Friday\n"
        "\u2713 @sam Visit by Friday\n"
        "A3: Sam Lee to call mum by Friday\n"
    )
    assert is_list(text)
    assert split_minutes(text) == [
        "Jo Bloggs to book the assessment by 4/12",
        "@sam Check attendance by Friday",
        "Sam Lee to send attendance by Friday",
        "Priya Shah to book the clinic by Monday",
        "@priya Chase the referral by Monday",
        "@jo Update the family by Friday",
        "Jo Bloggs to ring school by Friday",
        "@jo Share the CAD log by Friday",
        "@sam Visit by Friday",
        "A3: Sam Lee to call mum by Friday",  # an action number: dropped when the line is read (owners.py)
    ]
    assert split_minutes("1. I. Khan to send the summary by Friday\n2. B. Lee to visit by Monday")[0] == (
        "I. Khan to send the summary by Friday"  # a capital I with a full stop is an initial, not item i
    )


def test_an_initial_is_a_name_not_an_item_letter() -> None:
    assert split_minutes("1. A. Khan to send the summary by Friday\n2. B. Lee to visit by Monday") == [
        "A. Khan to send the summary by Friday",
        "B. Lee to visit by Monday",
    ]


def test_a_wrapped_line_continues_its_item() -> None:
    text = "1. Jo Bloggs to book the\n   health assessment by 4/12\n2. @sam Visit by Friday"
    assert split_minutes(text) == ["Jo Bloggs to book the health assessment by 4/12", "@sam Visit by Friday"]


def test_one_line_is_not_a_list() -> None:
    assert not is_list("@jo Share the CAD log by Friday")
    assert not is_list("Actions:\n@jo Share the CAD log by Friday\n")
    assert is_list("@jo Share the CAD log by Friday\n@sam Visit by Monday")


def test_one_action_typed_over_two_lines_is_not_a_list() -> None:
    assert not is_list("<@U1> Share the CAD log\nwith social care by Friday")
    # but a second line naming an owner, or a role where the owner should be, is a second action
    assert is_list("@jo Share the CAD log by Friday\nJo Bloggs to visit by Monday")
    assert is_list("@jo Share the CAD log by Friday\nHealth visitor to visit by Monday")
    assert is_list("1. Share the CAD log by Friday\n2. Visit by Monday")  # numbered: read line by line


def test_a_table_pasted_with_tabs_is_read_by_its_header() -> None:
    """Word, Excel and Teams copy a table as tab-separated rows: it was refused whole ("Start with the
    owner"). The header names the columns in any order; a title above it is skipped."""
    text = (
        "Actions agreed\n"
        "Action\tOwner\tBy when\tReview\n"
        "Complete the CP plan\tJo Bloggs\t11/12/2026\t4/1/2027\n"
        "Share police checks\tjo@police.example\tWithin 2 working days\t\n"
        "\t\t\t\n"
        "Visit weekly\tHealth visitor\tOngoing\t\n"
        "Weigh the baby\tSam Lee\tin 2/52\t\n"
        "Send the report\tJo Bloggs\t2 working days before the RCPC on 14/12\t\n"
        "Share the CAD log\tJB\tw/e 18/12\t\n"
    )
    assert is_list(text)
    assert split_minutes(text) == [
        "Jo Bloggs to Complete the CP plan by 11/12/2026 review 4/1/2027",
        "jo@police.example Share police checks Within 2 working days",
        "Health visitor to Visit weekly by Ongoing",
        # a length counted from today or before a day, and a week, read as written: "by in 2/52" was refused
        "Sam Lee to Weigh the baby in 2/52",
        "Jo Bloggs to Send the report 2 working days before the RCPC on 14/12",
        "JB to Share the CAD log w/e 18/12",
    ]


def test_a_markdown_table_is_read_and_a_table_without_an_owner_column_is_not() -> None:
    text = "| Owner | Action | Deadline |\n|---|:---|---|\n| Jo Bloggs | Visit the family | Fri |\n"
    assert split_minutes(text) == ["Jo Bloggs to Visit the family by Fri"]
    no_owner = "Item\tNotes\n@jo Share the log by Friday\tsent\n@sam Visit by Monday\t"
    # not an action table: read line by line as before (the grammar then refuses "Item Notes")
    assert split_minutes(no_owner) == ["Item Notes", "@jo Share the log by Friday sent", "@sam Visit by Monday"]


def test_headers_as_minutes_name_them() -> None:
    """Common action-table headers ("Lead Professional", "Timescale", "Responsible person", "Date due", "Action
    by") were not recognised, so the table was not read at all; a "Date raised" column is not the deadline."""
    cases = {
        "No.\tAction\tLead Professional\tTimescale\tRAG": "Jo Bloggs to Visit the family by 11/12/2026 status: Amber",
        "Action\tResponsible person\tCompletion date": "Jo Bloggs to Visit the family by 11/12/2026",
        "Action\tWho by\tDate due": "Jo Bloggs to Visit the family by 11/12/2026",
        "Actions\tOwner(s)\tTime frame": "Jo Bloggs to Visit the family by 11/12/2026",
        # "to be completed" is when it is due, not a record of the past: the column was dropped ("no deadline")
        "Agreed action\tPerson responsible\tDate to be completed by": "Jo Bloggs to Visit the family by 11/12/2026",
    }
    for header, line in cases.items():
        cells = len(header.split("\t"))
        row = ["Visit the family", "Jo Bloggs", "11/12/2026"]
        if cells == 5:
            row = ["1", *row, "Amber"]
        assert split_minutes(f"{header}\n" + "\t".join(row)) == [line], header
    raised = "Date raised\tAction\tAction by\tDeadline\n23/11/2026\tVisit the family\tJo Bloggs\t11/12/2026"
    assert split_minutes(raised) == ["Jo Bloggs to Visit the family by 11/12/2026"]
    done = "Action\tOwner\tDate completed\tDeadline\nVisit the family\tJo Bloggs\t1/12/2026\t11/12/2026"
    # a filled "Date completed" is not the deadline: it says the row is finished (it was recorded as open)
    assert split_minutes(done) == ["Jo Bloggs to Visit the family by 11/12/2026 status: completed 1/12/2026"]


def test_health_shorthand_in_a_timescale_column_is_a_length() -> None:
    """ "3/7" under "Timescale" (a table pasted, or labelled fields) was "by 3/7", Sat 3 Jul: there it is health
    notes' three days, as "Timescale: 3/7" typed is; under "Deadline" it stays a date. Where the date is a
    near day too ("11/12" on 7 December: eleven months, or Friday?), the line is refused with both."""
    table = "Action\tLead\tTimescale\nVisit the family\tJo Bloggs\t3/7\nBook the CP medical\tSam Lee\t14/12/2026"
    visit, medical = (parse_action(line, MON7, ENG) for line in split_minutes(table))
    assert visit.deadline == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert visit.warnings == ("\u201c3/7\u201d is read as 3 days, as health notes write it.",)
    assert medical.deadline == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    dated = "Action\tLead\tDeadline\nVisit the family\tJo Bloggs\t3/7"
    assert parse_action(split_minutes(dated)[0], MON7, ENG).deadline == datetime(2027, 7, 3, 16, 0, tzinfo=UTC)
    labelled = parse_action("Owner: Jo Bloggs. Action: visit the family. Time frame: 2/52", MON7, ENG)
    assert labelled.deadline == datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
    near = "Action\tLead\tTimescale\nVisit the family\tJo Bloggs\t11/12"
    with pytest.raises(GrammarError, match="could be 11 months, as health notes write it, or Fri 11 Dec"):
        parse_action(split_minutes(near)[0], MON7, ENG)


def test_lines_of_labelled_fields_are_a_list() -> None:
    text = "Owner: Jo Bloggs. Action: chase the GP. Deadline: 11/12\nOwner: Sam Lee. Action: visit. Deadline: Friday"
    assert is_list(text)
    assert len(split_minutes(text)) == 2


def test_a_status_column_keeps_finished_actions_out() -> None:
    """Minutes tables list last meeting's actions with their status: a row marked "Complete" (or BRAG blue) was
    recorded as a new open action and chased. It is refused, saying so; an open status is dropped, never left
    in the task; a status the reader does not know stays as written, for the grammar to judge."""
    text = (
        "No.\tAction\tResponsible\tTarget date\tStatus\n"
        "1\tShare PNC checks\tSam Lee\t11/12/26\tOpen\n"
        "2\tHome visit\tJo Bloggs\t14/12/26\tComplete\n"
        "3\tSchool report\tJo Bloggs\t18/12/26\tRAG: Green\n"
        "4\tCall GP\tSam Lee\t14/12/26\tBlue\n"
        "5\tRefer to CAMHS\tSam Lee\t14/12/26\t\n"
    )
    lines = split_minutes(text)
    assert lines[1] == "Jo Bloggs to Home visit by 14/12/26 status: Complete"
    read: list[str] = []
    for line in lines:
        try:
            read.append(parse_action(line, MON7, ENG).task)
        except GrammarError as exc:
            read.append(str(exc))
    assert read[0] == "Share PNC checks" and read[2] == "School report" and read[4] == "Refer to CAMHS"
    assert read[1].startswith("This action is marked \u201cComplete\u201d, as finished: it is not recorded")
    assert read[3].startswith("This action is marked \u201cBlue\u201d, as finished")
    # a "Date completed" or "Done?" column filled in says the same; empty or "No", the row is open
    done = (
        "Action\tOwner\tDeadline\tDate completed\tDone?\n"
        "Visit\tJo Bloggs\t14/12/26\t4/12/26\t\nCall\tSam Lee\t14/12/26\t\tNo\n"
    )
    visit, call = split_minutes(done)
    with pytest.raises(GrammarError, match="marked \u201ccompleted 4/12/26\u201d, as finished"):
        parse_action(visit, MON7, ENG)
    assert parse_action(call, MON7, ENG).task == "Call"
    ticked = split_minutes("Action\tOwner\tDeadline\tComplete?\nVisit\tJo Bloggs\t14/12/26\tYes\n")
    assert ticked == ["Jo Bloggs to Visit by 14/12/26 status: completed"]
    # the same as labelled fields, and typed
    with pytest.raises(GrammarError, match="marked \u201cDone\u201d"):
        parse_action("Owner: Jo Bloggs. Action: visit. Deadline: 11/12. Status: Done", MON7, ENG)
    assert (
        parse_action("Owner: Jo Bloggs. Action: visit. Deadline: 11/12. Status: in progress", MON7, ENG).task == "Visit"
    )
    assert parse_action("@jo Check immigration status by Friday", MON7, ENG).task == "Check immigration status"
    for note in ("Met with mum, awaiting reply", "Not complete", "Partially complete", "Awaiting GP"):  # still open
        assert parse_action(f"@jo Visit by Friday status: {note}", MON7, ENG).task == "Visit", note


def test_a_case_reference_labelled_or_in_its_own_column_files_the_action() -> None:
    """ "Case ref: CR-1042", "(case no. 1042)", a table's "Case ref" column: the reference was left in the task
    ("Visit (case ref CR-1042)") or dropped with its column, and the action filed under no case."""
    table = "Case ref\tAction\tOwner\tDeadline\nCR-1042\tVisit\tJo Bloggs\t14/12/26\nTBC\tCall\tSam Lee\t14/12/26\n"
    assert split_minutes(table) == ["Jo Bloggs to Visit by 14/12/26 #CR-1042", "Sam Lee to Call by 14/12/26"]
    assert split_minutes("Ref\tAction\tOwner\tDeadline\n1\tVisit\tJo Bloggs\t14/12/26\n") == [
        "Jo Bloggs to Visit by 14/12/26"  # "Ref" alone numbers the actions: not a case
    ]
    for text in (
        "Jo Bloggs to visit by Friday (case ref CR-1042)",
        "Jo Bloggs to visit by Friday. Case ref: CR-1042",
        "Case ref CR-1042 - Jo Bloggs to visit by Friday",
        "Owner: Jo Bloggs; Case ref: CR-1042; Action: visit; Deadline: 11/12",
        "Owner: Jo Bloggs. Action: visit. Deadline: 11/12. Case: CR-1042",
    ):
        draft = parse_action(text, MON7, ENG)
        assert (draft.task, draft.case_ref) == ("Visit", "CR-1042"), text
    assert parse_action("@jo Visit re case 1042 by Friday", MON7, ENG).task == "Visit re case 1042"  # no label
    assert parse_action("@jo Close the case by Friday", MON7, ENG).case_ref is None


def test_a_review_column_saying_none_sets_no_review() -> None:
    """A table's Review column holding "N/A" or "-" is no review: the row was refused for it."""
    text = "Action\tOwner\tDeadline\tReview\nVisit\tJo Bloggs\t14/12/26\tN/A\nCall\tSam Lee\t14/12/26\t-\n"
    lines = split_minutes(text)
    assert lines == ["Jo Bloggs to Visit by 14/12/26", "Sam Lee to Call by 14/12/26"]
    assert [parse_action(line, MON7, ENG).review for line in lines] == [None, None]
