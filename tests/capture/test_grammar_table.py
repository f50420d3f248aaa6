"""The /action grammar, table-driven: owners, every date form, case references, warnings and errors.

Unless a row says otherwise the meeting is on Monday 23 November 2026 at 10:00 in London (GMT), so
17:00 local is 17:00 UTC. Rows in British Summer Time show the hour shift in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_action, parse_when
from tests.conftest import london

MON = london(2026, 11, 23, 10, 0)
MON7 = london(2026, 12, 7, 10, 0)
ENG = WorkCalendar.uk("ENG")
SCT = WorkCalendar.uk("SCT")
NIR = WorkCalendar.uk("NIR")

# (text, now, calendar, expected fields) -- deadline given as a UTC ISO string.
OK: list[tuple[str, datetime, WorkCalendar, dict[str, Any]]] = [
    # -- minutes as written: one deadline however it is said (Mon 7 Dec 2026 unless stated) -------------
    (
        "@jo Call the school by Friday COP",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"},
    ),
    (
        "@jo Call the school by tomorrow EOD",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-08T17:00:00+00:00"},
    ),
    ("@jo Call the school Friday EOD", MON7, ENG, {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"}),
    ("@jo Call the school EOD Friday", MON7, ENG, {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"}),
    ("@jo Call the school by COB Fri", MON7, ENG, {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"}),
    (
        "@jo Call the school by end of day Friday",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"},
    ),
    (
        "@jo Call the school close of play tomorrow",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-08T17:00:00+00:00"},
    ),
    (
        "@jo Call the school by 11/12 close of business",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"},
    ),
    ("@jo Call the school by COP", MON7, ENG, {"task": "Call the school", "deadline": "2026-12-07T17:00:00+00:00"}),
    ("@jo Book the appointment for next week by Friday", MON7, ENG, {"task": "Book the appointment for next week"}),
    ("@jo Visit by bus by Friday", MON7, ENG, {"task": "Visit by bus", "deadline": "2026-12-11T17:00:00+00:00"}),
    ("@jo Call by 1/9", MON7, ENG, {"deadline": "2027-09-01T16:00:00+00:00"}),
    (
        "@jo to share the CAD log by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "handle", "value": "jo"}, "task": "share the CAD log"},
    ),
    ("@jo - to share the CAD log by Friday", MON7, ENG, {"task": "share the CAD log"}),
    ("@jo Share the log with @sam by Friday", MON7, ENG, {"task": "Share the log with @sam"}),
    ('@jo "Signs of Safety" training by Friday', MON7, ENG, {"task": '"Signs of Safety" training'}),
    (
        "<@U1> Read <https://files.example/f?id=1|the referral> and <#C024BE7LR|cr-1042> by Friday",
        MON7,
        ENG,
        {"task": "Read the referral (https://files.example/f?id=1) and #cr-1042"},
    ),
    ("<@U1> Read <https://files.example/f> by Friday", MON7, ENG, {"task": "Read https://files.example/f"}),
    ("<@U1> Tell <!channel> the plan by Friday", MON7, ENG, {"task": "Tell @channel the plan"}),
    # -- the minutes' own forms --------------------------------------------------------------------------
    (
        "Jo Bloggs to share the CAD log by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "Jo Bloggs"}, "task": "share the CAD log"},
    ),
    (
        "DC Smith to send the log by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "DC Smith"}, "task": "send the log"},
    ),
    (
        "Mrs Patel (school DSL) to send attendance by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "Mrs Patel (school DSL)"}},
    ),
    (
        "Dr A. Khan (GP) to send the summary by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "Dr A. Khan (GP)"}},
    ),
    (
        "SW (Jo Bloggs) to visit the family by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "Jo Bloggs"}, "task": "visit the family"},
    ),
    (
        "1. ACTION: Jo Bloggs to share the log by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "name", "value": "Jo Bloggs"}, "task": "share the log"},
    ),
    (
        "Action 3 - @jo to call the school by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "handle", "value": "jo"}, "task": "call the school"},
    ),
    (
        "\u2022 @jo Call the school by Friday",
        MON7,
        ENG,
        {"owner": {"kind": "handle", "value": "jo"}, "task": "Call the school"},
    ),
    ("3) @jo Call the school by Friday", MON7, ENG, {"task": "Call the school"}),
    ("@jo Call the school by Friday at 3", MON7, ENG, {"deadline": "2026-12-11T15:00:00+00:00"}),
    ("@jo Call the school by Friday at 10", MON7, ENG, {"deadline": "2026-12-11T10:00:00+00:00"}),
    (
        "@jo Call the school by 1700 Friday",
        MON7,
        ENG,
        {"task": "Call the school", "deadline": "2026-12-11T17:00:00+00:00"},
    ),
    ("@jo Call the school by Friday 0930", MON7, ENG, {"deadline": "2026-12-11T09:30:00+00:00"}),
    ("@jo Call the school by 27 Nov 2027", MON7, ENG, {"deadline": "2027-11-27T17:00:00+00:00"}),
    # -- owners -------------------------------------------------------------------------------------
    (
        "<@U0OWNER1> Share CAD log by Friday",
        MON,
        ENG,
        {
            "owner": {"kind": "slack", "value": "U0OWNER1"},
            "task": "Share CAD log",
            "deadline": "2026-11-27T17:00:00+00:00",
        },
    ),
    ("<@U0OWNER1|jo.bloggs> Share CAD log by Friday", MON, ENG, {"owner": {"kind": "slack", "value": "U0OWNER1"}}),
    ("<@W0ENTERPRISE> Share CAD log by Friday", MON, ENG, {"owner": {"kind": "slack", "value": "W0ENTERPRISE"}}),
    (
        "<at>Priya Shah</at> Send health chronology by Friday",
        MON,
        ENG,
        {"owner": {"kind": "teams", "value": "Priya Shah"}, "task": "Send health chronology"},
    ),
    ("@jo.bloggs Share CAD log by Friday", MON, ENG, {"owner": {"kind": "handle", "value": "jo.bloggs"}}),
    (
        "Jo.Bloggs@Police.example.gov.uk Share CAD log by Friday",
        MON,
        ENG,
        {"owner": {"kind": "email", "value": "jo.bloggs@police.example.gov.uk"}},
    ),
    (
        "<mailto:sam@school.example.org|sam@school.example.org> Invite Sam to core group by Friday",
        MON,
        ENG,
        {"owner": {"kind": "email", "value": "sam@school.example.org"}},
    ),
    (
        '"Dr A. Khan (Health)" Book health assessment by Friday',
        MON,
        ENG,
        {"owner": {"kind": "name", "value": "Dr A. Khan (Health)"}, "task": "Book health assessment"},
    ),
    (
        "\u201cDr A. Khan\u201d Book health assessment by Friday",
        MON,
        ENG,
        {"owner": {"kind": "name", "value": "Dr A. Khan"}},
    ),
    # -- weekdays -----------------------------------------------------------------------------------
    ("@jo Call school by Friday", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Call school by this Friday", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Call school by next Friday", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Call school by Friday week", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Call school by fri", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Call school by Monday", MON, ENG, {"deadline": "2026-11-23T17:00:00+00:00"}),  # today, still ahead
    ("@jo Call school by next Monday", MON, ENG, {"deadline": "2026-11-30T17:00:00+00:00"}),
    ("@jo Call school by Weds", MON, ENG, {"deadline": "2026-11-25T17:00:00+00:00"}),
    ("@jo Call school by next Friday", london(2026, 11, 29, 12), ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Call school by a week on Tuesday", MON, ENG, {"deadline": "2026-12-01T17:00:00+00:00"}),
    # -- times --------------------------------------------------------------------------------------
    ("@jo Call school by Friday 3pm", MON, ENG, {"deadline": "2026-11-27T15:00:00+00:00"}),
    ("@jo Call school by 3pm on Friday", MON, ENG, {"deadline": "2026-11-27T15:00:00+00:00"}),
    ("@jo Call school by Friday at 9.30am", MON, ENG, {"deadline": "2026-11-27T09:30:00+00:00"}),
    ("@jo Call school by Friday 12:15", MON, ENG, {"deadline": "2026-11-27T12:15:00+00:00"}),
    ("@jo Call school by noon tomorrow", MON, ENG, {"deadline": "2026-11-24T12:00:00+00:00"}),
    ("@jo Call school by 4 pm", MON, ENG, {"deadline": "2026-11-23T16:00:00+00:00"}),
    ("@jo Call school by 17.30", MON, ENG, {"deadline": "2026-11-23T17:30:00+00:00"}),
    # -- numeric and written dates ------------------------------------------------------------------
    ("@jo Send minutes by 27/11", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Send minutes by 5/3", MON, ENG, {"deadline": "2027-03-05T17:00:00+00:00"}),  # day first, rolls on
    ("@jo Send minutes by 4.12", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by 04/12/2026", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by 4/12/26", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by 2026-12-04", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by 4 Dec", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by 4th December", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by the 4th of December", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by December 4th", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Send minutes by Fri 4 Dec", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00", "warnings": []}),
    ("@jo Send minutes by 4 Dec 2026 2pm", MON, ENG, {"deadline": "2026-12-04T14:00:00+00:00"}),
    ("@jo Send minutes by the 30th", MON, ENG, {"deadline": "2026-11-30T17:00:00+00:00"}),
    ("@jo Send minutes by the 3rd", MON, ENG, {"deadline": "2026-12-03T17:00:00+00:00"}),
    ("@jo Send minutes by 10 Jan", MON, ENG, {"deadline": "2027-01-10T17:00:00+00:00"}),
    ("@jo Send minutes due 27/11", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Send minutes due by 27/11", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Send minutes before Friday", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Send minutes no later than Friday", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    # -- relative -----------------------------------------------------------------------------------
    ("@jo Visit family in 3 days", MON, ENG, {"deadline": "2026-11-26T17:00:00+00:00", "task": "Visit family"}),
    ("@jo Visit family within 2 weeks", MON, ENG, {"deadline": "2026-12-07T17:00:00+00:00"}),
    ("@jo Visit family in a fortnight", MON, ENG, {"deadline": "2026-12-07T17:00:00+00:00"}),
    ("@jo Visit family in two weeks' time", MON, ENG, {"deadline": "2026-12-07T17:00:00+00:00"}),
    ("@jo Visit family in 1 month", MON, ENG, {"deadline": "2026-12-23T17:00:00+00:00"}),
    ("@jo Visit family in 5 working days", MON, ENG, {"deadline": "2026-11-30T17:00:00+00:00"}),
    ("@jo Visit family within 10 business days", MON, ENG, {"deadline": "2026-12-07T17:00:00+00:00"}),
    ("@jo Visit family in 48 hours", MON, ENG, {"deadline": "2026-11-25T10:00:00+00:00"}),
    ("@jo Visit family EOD", MON, ENG, {"deadline": "2026-11-23T17:00:00+00:00", "task": "Visit family"}),
    ("@jo Visit family by close of play", MON, ENG, {"deadline": "2026-11-23T17:00:00+00:00"}),
    ("@jo Visit family by COP", MON, ENG, {"deadline": "2026-11-23T17:00:00+00:00"}),
    ("@jo Visit family tomorrow", MON, ENG, {"deadline": "2026-11-24T17:00:00+00:00"}),
    ("@jo Visit family by end of week", MON, ENG, {"deadline": "2026-11-27T17:00:00+00:00"}),
    ("@jo Visit family by the end of next week", MON, ENG, {"deadline": "2026-12-04T17:00:00+00:00"}),
    ("@jo Visit family by end of month", MON, ENG, {"deadline": "2026-11-30T17:00:00+00:00"}),
    ("@jo Visit family by end of next month", MON, ENG, {"deadline": "2026-12-31T17:00:00+00:00"}),
    # -- dateparser fallback -----------------------------------------------------------------------
    (
        "@jo Visit family by the day after tomorrow",
        MON,
        ENG,
        {"deadline": "2026-11-25T17:00:00+00:00", "task": "Visit family"},
    ),
    # -- bank holidays and working days across them -------------------------------------------------
    ("@jo Send plan in 3 working days", london(2026, 12, 24, 10), ENG, {"deadline": "2026-12-31T17:00:00+00:00"}),
    ("@jo Send plan in 2 working days", london(2027, 3, 25, 10), ENG, {"deadline": "2027-03-31T16:00:00+00:00"}),
    ("@jo Send plan in 1 working day", london(2026, 11, 27, 10), ENG, {"deadline": "2026-11-30T17:00:00+00:00"}),
    ("@jo Send plan in 1 working day", london(2026, 11, 27, 10), SCT, {"deadline": "2026-12-01T17:00:00+00:00"}),
    ("@jo Send plan in 1 working day", london(2027, 3, 16, 10), NIR, {"deadline": "2027-03-18T17:00:00+00:00"}),
    # -- clock changes: 17:00 stays 17:00 local -----------------------------------------------------
    ("@jo Send plan by next Tuesday", london(2027, 3, 25, 10), ENG, {"deadline": "2027-03-30T16:00:00+00:00"}),
    ("@jo Send plan in 1 week", london(2027, 3, 25, 10), ENG, {"deadline": "2027-04-01T16:00:00+00:00"}),
    ("@jo Send plan by Monday 9am", london(2027, 10, 28, 10), ENG, {"deadline": "2027-11-01T09:00:00+00:00"}),
    ("@jo Send plan by Friday", london(2027, 10, 28, 10), ENG, {"deadline": "2027-10-29T16:00:00+00:00"}),
    ("@jo Send plan by 1/11", london(2027, 10, 28, 10), ENG, {"deadline": "2027-11-01T17:00:00+00:00"}),
    # -- case references and review dates in any order ---------------------------------------------
    ("@jo Share CAD log #CR-1042 by Friday", MON, ENG, {"case_ref": "CR-1042", "task": "Share CAD log"}),
    ("@jo Share CAD log by Friday #cr-1042", MON, ENG, {"case_ref": "CR-1042"}),
    ("@jo #CR-1042 Share CAD log by Friday", MON, ENG, {"case_ref": "CR-1042", "task": "Share CAD log"}),
    (
        "@jo Share CAD log by Friday review 7/12",
        MON,
        ENG,
        {"review": "2026-12-07", "deadline": "2026-11-27T17:00:00+00:00"},
    ),
    (
        "@jo Share CAD log review on 7 Dec by Friday #CR-9",
        MON,
        ENG,
        {"review": "2026-12-07", "deadline": "2026-11-27T17:00:00+00:00", "case_ref": "CR-9"},
    ),
    ("@jo Share CAD log by next Friday review in 2 weeks", MON, ENG, {"review": "2026-12-07"}),  # from now
    ("@jo Share CAD log by 4/12 review date 4/1", MON, ENG, {"review": "2027-01-04"}),
    ("@jo Complete case review by Friday", MON, ENG, {"task": "Complete case review", "review": None}),
    # "review" in the task, and no other deadline: what follows it is the deadline (with a warning)
    (
        "@jo Book the GP review in 5 working days",
        MON,
        ENG,
        {"task": "Book the GP review", "deadline": "2026-11-30T17:00:00+00:00", "review": None},
    ),
    ("@jo Arrange the CIN review within 2 weeks", MON, ENG, {"task": "Arrange the CIN review", "review": None}),
    ("@jo Book the GP review by Friday review in 2 weeks", MON, ENG, {"task": "Book the GP review"}),
    ("@jo Talk about #priority by Friday", MON, ENG, {"case_ref": None, "task": "Talk about #priority"}),
    ("@jo Visit by bus by Friday", MON, ENG, {"task": "Visit by bus"}),
    ("@jo Check in with mum in person by Friday", MON, ENG, {"task": "Check in with mum in person"}),
    ("@jo Share report &amp; plan by Friday", MON, ENG, {"task": "Share report & plan"}),
    (
        "@jo   Share   CAD log,   by Friday.",
        MON,
        ENG,
        {"task": "Share CAD log", "deadline": "2026-11-27T17:00:00+00:00"},
    ),
]

WARN: list[tuple[str, datetime, str]] = [
    ("@jo Send plan by Saturday", MON, "is a Saturday"),
    ("@jo Book the GP review in 5 working days", MON, "\u201creview\u201d is read as part of the task"),
    ("@jo Send plan by 25/12", MON, "bank holiday (Christmas Day)"),
    ("@jo Send plan by 28/12", MON, "bank holiday (Boxing Day (observed))"),
    ("@jo Send plan by Fri 5 Dec", MON, "is a Saturday, not a Friday"),
    ("@jo Send plan by 4/12 review 1/12", MON, "review date Tue 1 Dec is before the deadline"),
    ("@jo Send plan by 1/9/2027", MON, "more than six months away"),
    ("@jo Share report on 943 476 5919 by Friday", MON, "an NHS number"),
    ("@jo Share report, DOB 01/02/2015, by Friday", MON, "a date of birth"),
    ("@jo Visit at LS1 4AP by Friday", MON, "a postcode"),
    ("@jo Ring mum on 07700 900123 by Friday", MON, "a phone number"),
    ("@jo Share log #CR-1 #CR-2 by Friday", MON, "Several case references"),
    ("@jo Send plan by Friday review Sunday", MON, "review date Sun 29 Nov is a Sunday"),
    (
        "@jo Send plan by Monday",
        MON7,
        "\u201cMonday\u201d is read as today, Mon 7 Dec; for next week's, say \u201cnext Monday\u201d",
    ),
    ("@jo Send plan by this Friday", london(2026, 12, 11, 9), "\u201cFriday\u201d is read as today, Fri 11 Dec"),
    ("@jo Send plan by 1/9", MON7, "1/9 is read as Wed 1 Sep 2027"),
    ("@jo Send plan by 27 Nov 2027", MON7, "The deadline Sat 27 Nov 2027 is a Saturday."),
    ("@jo Send plan by tomorrow review 1 Sep", MON7, "1 Sep is read as Wed 1 Sep 2027"),
]

ERR: list[tuple[str, datetime, str]] = [
    ("", MON, "who will do what"),
    ("Share CAD log by Friday", MON, "Start with the owner"),
    ("@here Share CAD log by Friday", MON, "Start with the owner"),
    ("@channel Share CAD log by Friday", MON, "Start with the owner"),
    ("@jo Share CAD log", MON, "There is no deadline"),
    ("@jo Share the plan review on 7 Dec", MON, "no deadline (the date after \u201creview\u201d is read as the review"),
    ("@jo by Friday", MON, "There is no task"),
    ("@jo #CR-1 by Friday", MON, "There is no task"),
    ("@jo Share CAD log by 31/02", MON, "31/02 is not a real date (February has 28 days)"),
    ("@jo Share CAD log by 31 April", MON, "not a real date"),
    ("@jo Share CAD log by 12/13", MON, "there is no month 13"),
    ("@jo Share CAD log by the 32nd", MON, "32nd is not a day of the month"),
    ("@jo Share CAD log by 20/11/2026", MON, "is in the past"),
    ("@jo Share CAD log EOD", london(2026, 11, 23, 18), "is in the past"),
    ("@jo Share CAD log by 9am", MON, "is in the past. For a later day, say which"),
    ("@jo Share CAD log by Friday", london(2026, 11, 27, 17, 30), "Fri 27 Nov, 17:00 is in the past. For a later"),
    ("@jo Share CAD log by 13pm", MON, "13pm is not a time of day"),
    ("@jo Share CAD log by the blue moon", MON, "could not read a deadline in \u201cby the blue moon\u201d"),
    ("@jo Share CAD log by Friday review 1/1/2020", MON, "review date Wed 1 Jan 2020 is in the past"),
    ("@jo Share CAD log in 999 days", MON, "too far ahead"),
    ("@jo " + "x" * 1000 + " by Friday", MON, "at most 1000"),
    # a day and month that passed weeks ago is a mistake, never next year's date
    ("@jo Call by 1/12", MON7, "1/12 was last Tuesday (Tue 1 Dec), so it cannot be a deadline"),
    ("@jo Call by 1/12", MON7, "Did you mean Fri 1 Jan? For 1 Dec next year, write 1/12/2027"),
    ("@jo Call by 1 Dec", MON7, "1 Dec was last Tuesday"),
    ("@jo Call by Tue 1st Dec", MON7, "1 Dec was last Tuesday"),
    ("@jo Call by 6/12", MON7, "6/12 was yesterday (Sun 6 Dec)"),
    ("@jo Call by 14/10", MON7, "14/10 was Wed 14 Oct, 7 weeks ago"),
    ("@jo Call by tomorrow review 1/12", MON7, "1/12 was last Tuesday"),
    ("@jo Call by 30/11", MON7, "30/11 was Mon 30 Nov, 1 week ago"),
    # two deadlines are refused, never one kept in the task
    ("@jo Call by Friday by Monday", MON7, "There are two deadlines, \u201cby Friday\u201d and \u201cby Monday\u201d"),
    (
        "@jo Call in 5 working days by Friday",
        MON7,
        "two deadlines, \u201cin 5 working days\u201d and \u201cby Friday\u201d",
    ),
    ("@jo Call by 11/12 before 14/12", MON7, "There are two deadlines"),
    # one owner per action
    ("@jo and @sam to do a joint visit by Friday", MON7, "One owner per action"),
    ("<@U1> & <@U2> joint visit by Friday", MON7, "One owner per action"),
    ("<@U1> <@U2> joint visit by Friday", MON7, "One owner per action"),
    ("jo@police.example, sam@council.example joint visit by Friday", MON7, "One owner per action"),
    ('@jo and "Dr Khan" joint visit by Friday', MON7, "One owner per action"),
    # a role, or a task with its owner forgotten, is not an owner
    ("health visitor to visit the family by Friday", MON7, "\u201chealth visitor\u201d is a role, not a person"),
    ("School DSL to send attendance by Friday", MON7, "\u201cSchool DSL\u201d is a role, not a person"),
    ("Police to share the log by Friday", MON7, "is a role, not a person"),
    # in quotes too: a quoted role would otherwise be recorded, and chased, as a person
    ('"Social worker" Visit the family by Friday', MON7, "\u201cSocial worker\u201d is a role, not a person"),
    ("\u201cHealth Visitor\u201d visit by Friday", MON7, "\u201cHealth Visitor\u201d is a role, not a person"),
    ("Send Referral to CSC by Friday", MON7, "Start with the owner"),
    (
        "@jo Call by 2026",
        MON7,
        "could not read a deadline in \u201cby 2026\u201d. Try \u201cby Mon 14 Dec\u201d or \u201cby 14/12\u201d",
    ),
    # control characters
    ("@jo Call \x00 the school by Friday", MON7, "control character (U+0000)"),
]


@pytest.mark.parametrize(("text", "now", "cal", "expected"), OK, ids=[row[0][:60] for row in OK])
def test_parses(text: str, now: datetime, cal: WorkCalendar, expected: dict[str, Any]) -> None:
    draft = parse_action(text, now, cal).as_dict()
    for key, value in expected.items():
        assert draft[key] == value, f"{key}: {draft[key]!r} != {value!r} for {text!r}"


@pytest.mark.parametrize(("text", "now", "fragment"), WARN, ids=[row[0][:60] for row in WARN])
def test_warns(text: str, now: datetime, fragment: str) -> None:
    draft = parse_action(text, now, ENG)
    assert any(fragment in warning for warning in draft.warnings), draft.warnings


@pytest.mark.parametrize(("text", "now", "fragment"), ERR, ids=[row[0][:60] or "empty" for row in ERR])
def test_refuses(text: str, now: datetime, fragment: str) -> None:
    with pytest.raises(GrammarError) as caught:
        parse_action(text, now, ENG)
    assert fragment in str(caught.value)
    assert "Example: /action" in str(caught.value)


def test_table_is_large_enough() -> None:
    assert len(OK) + len(WARN) + len(ERR) >= 60


def test_clean_commands_have_no_warnings() -> None:
    assert parse_action("<@U1> Share CAD log #CR-1042 by Friday review 7/12", MON, ENG).warnings == ()


def test_personal_data_is_flagged_for_refusal() -> None:
    draft = parse_action("@jo Ring mum on 07700 900123 by Friday", MON, ENG)
    assert draft.personal_data == ("a phone number",)


def test_a_new_deadline_that_just_passed_is_refused_too() -> None:
    """/extend A-9 1/12 because ... on Mon 7 Dec: refused, not moved to 1 Dec next year."""
    with pytest.raises(GrammarError, match="1/12 was last Tuesday"):
        parse_when("1/12", MON7, ENG, "new deadline")
    when, warnings = parse_when("1/9", MON7, ENG, "new deadline")
    assert when.isoformat() == "2027-09-01T16:00:00+00:00" and "1/9 is read as Wed 1 Sep 2027." in warnings
