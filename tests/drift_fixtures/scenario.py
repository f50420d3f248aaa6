"""Ten weeks of a partnership, built through the real service at controlled clock times, with the drift
the report must show on Thursday 10 December 2026 at 10:00 (London) worked out by hand below.

Week ends (Monday 00:00 London) of the 8-week trend: W1 19 Oct, W2 26 Oct, W3 2 Nov, W4 9 Nov,
W5 16 Nov, W6 23 Nov, W7 30 Nov, W8 7 Dec; then "now".

| Action | Owner (agency)             | History                                                                     |
|--------|----------------------------|-----------------------------------------------------------------------------|
| A-1    | Jo (Police)                | M1 12 Oct, due 16 Oct; extended 15 Oct to 30 Oct, 29 Oct to 13 Nov; done 18 Nov
| A-2    | Priya (Health)             | M1 12 Oct, due 23 Oct, review 2 Nov; blocked 21 Oct; unblocked 3 Nov         |
| A-3    | Jo (Police)                | M1 12 Oct, due 11 Dec; nothing since                                          |
| A-4    | Sam (Oakfield Primary)     | meeting M2 2 Nov, due 4 Dec; "on track" 9 Nov; Sam made inactive 1 Dec       |
| A-5    | Jo (Police)                | 9 Nov, due 13 Nov; extended 12 Nov to 27 Nov, 26 Nov to 18 Dec               |
| A-6    | Jo (Police)                | 16 Nov, due 20 Nov; done 8 Dec (so: done in the last 7 days)                 |
| A-7    | Priya (Health)             | 23 Nov, due 27 Nov; cancelled 24 Nov; reopened 2 Dec                         |
| A-8    | "Dr A. Khan (GP)" (none)   | 30 Nov, due 18 Dec; no chat or email: its confirmation is undeliverable      |
| A-9    | Kim (Health, Teams only)   | 30 Nov, due 11 Dec; Teams refuses the confirmation: the nudge is stuck       |
| A-10   | Jo, then Priya             | 30 Nov, due 18 Dec, review 7 Dec; reviewed 7 Dec; reassigned to Priya 8 Dec  |
| A-11   | Priya (Health)             | recorded by Chris (another chair) 1 Dec, due 2 Dec                           |
| A-12   | Jo (Police)                | 7 Dec, due 18 Dec; blocked 8 Dec                                             |

The chase sweep runs once, on Mon 30 Nov at 10:30, through a recording Slack messenger and a Teams that
refuses everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.actions.directory import set_role, update_person
from bot.actions.messages import Message
from bot.actions.people import PersonInput, Profile
from bot.actions.ports import Delivered, DeliveryError
from bot.actions.records import PersonView
from bot.actions.service import ConversationRef
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.reports.definitions import TREND_REASONS
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from tests.conftest import Clock, london

SARAH = PersonInput(OwnerRef("slack", "U0SARAH"))  # the chair
ALEX = PersonInput(OwnerRef("slack", "U0ALEX"))  # the DSL
JO = PersonInput(OwnerRef("slack", "U0JO"))
PRIYA = PersonInput(OwnerRef("slack", "U0PRIYA"))
SAM = PersonInput(OwnerRef("slack", "U0SAM"))
KIM = PersonInput(OwnerRef("teams", "00000000-0000-0000-0000-00000000c1a1"))
KHAN = PersonInput(OwnerRef("name", "Dr A. Khan (GP)"))
CHRIS = PersonInput(OwnerRef("email", "chris.chair@council.example.gov.uk"))
STRATEGY = ConversationRef("slack", "C0STRAT")
REVIEW = ConversationRef("slack", "C0REVIEW")

NOW = london(2026, 12, 10, 10, 0)
WEEK_ENDS = [
    london(2026, 10, 19),
    london(2026, 10, 26),
    london(2026, 11, 2),
    london(2026, 11, 9),
    london(2026, 11, 16),
    london(2026, 11, 23),
    london(2026, 11, 30),
    london(2026, 12, 7),
]

# -- what the report must say at NOW ---------------------------------------------------------------
EXPECTED_REASONS = {
    "A-2": ("overdue", "silent", "review_missed"),  # owner's last event: unblocked 3 Nov
    "A-3": ("silent",),  # nothing from Jo since 12 Oct
    "A-4": ("overdue", "silent", "owner_inactive"),  # Sam's "on track" was 9 Nov
    "A-5": ("extended", "silent"),  # two extensions; Jo's last, Thu 26 Nov, is exactly 10 working days ago
    "A-7": ("overdue", "silent"),  # reopened by the chair: Priya has said nothing since it was recorded
    "A-8": ("owner_unknown",),
    "A-11": ("overdue",),  # recorded 1 Dec: 7 working days, not yet silent
    "A-12": ("blocked",),
}
#: Working days from the deadline's day to Thu 10 Dec: Fri 23 Oct 34, Fri 27 Nov 9, Wed 2 Dec 6, Fri 4 Dec 4.
EXPECTED_DAYS_LATE = {"A-2": 34, "A-7": 9, "A-11": 6, "A-4": 4}
#: Longest overdue first, then the soonest due (A-3 11 Dec; A-5, A-8 and A-12 all 18 Dec 17:00, by id).
EXPECTED_ORDER = ["A-2", "A-7", "A-11", "A-4", "A-3", "A-5", "A-8", "A-12"]
#: Open: A-2, 3, 4, 5, 7, 8, 9, 10, 11, 12. Median of 4, 6, 9, 34 working days late: 7.5.
EXPECTED_HEADLINE = {"open": 10, "overdue": 4, "drifting": 8, "done_this_week": 1, "median_days_overdue": 7.5}
EXPECTED_REASON_COUNTS = {
    "overdue": 4,
    "extended": 1,
    "silent": 5,
    "review_missed": 1,
    "owner_inactive": 1,
    "owner_unknown": 1,
    "blocked": 1,
}
#: agency: (open, overdue, drifting, done in 7 days,
#:          extended, silent, review missed, owner inactive, owner unknown, blocked)
EXPECTED_AGENCIES = {
    "Police": (3, 0, 3, 1, 1, 2, 0, 0, 0, 1),  # open; A-6 done 8 Dec
    "Health": (5, 3, 3, 0, 0, 2, 1, 0, 0, 0),  # Priya; Kim: A-9
    "Oakfield Primary": (1, 1, 1, 0, 0, 1, 0, 1, 0, 0),
    "(no agency)": (1, 0, 1, 0, 0, 0, 0, 0, 1, 0),
}
EXPECTED_OWNERS = [  # owners with drift, most first: (name, open, overdue, drifting, reachable)
    ("Priya Shah", 4, 3, 3, True),
    ("DC Jo Bloggs", 3, 0, 3, True),
    ("Sam Lee", 1, 1, 1, True),
    ("Dr A. Khan (GP)", 1, 0, 1, False),
]
EXPECTED_MEETINGS = [  # (title, case, open, overdue, drifting)
    ("Strategy meeting", "CR-1042", 2, 1, 2),
    ("Review meeting", "CR-2001", 1, 1, 1),
]
#: Points W1..W8 and now. Drifting (trend reasons only): W2 A-2 (blocked, overdue); W3 + A-1 (2
#: extensions); W4, W5 A-1, A-2; W6 A-2, A-6; W7 A-2, A-6, A-5; W8 A-2, A-4, A-5, A-6, A-7, A-11;
#: now A-2, A-4, A-5, A-7, A-11, A-12.
EXPECTED_TREND = {
    "drifting": [0, 1, 2, 2, 2, 2, 3, 6, 6],
    "open": [3, 3, 3, 4, 5, 5, 5, 10, 10],
    "overdue": [0, 1, 1, 1, 2, 2, 2, 5, 4],
    "blocked": [0, 1, 1, 0, 0, 0, 0, 0, 1],
    "extended": [0, 0, 1, 1, 1, 0, 1, 1, 1],
    "review_missed": [0, 0, 0, 1, 1, 1, 1, 1, 1],
}
#: The delivery problems: A-9's confirmation to Kim is stuck, A-8's to Dr Khan undeliverable.
EXPECTED_DELIVERY = {
    ("A-9", "confirmation", "stuck", "Kim Ng"),
    ("A-8", "confirmation", "unreachable", "Dr A. Khan (GP)"),
}


class RecordingMessenger:
    """A fake of the platform port (not of our code): reaches people with a Slack id, records what it sent."""

    channel = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[PersonView, Message]] = []
        self.posted: list[tuple[str, Message]] = []

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.slack_user_id)

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        self.sent.append((person, message))
        return Delivered(self.channel, f"m{len(self.sent)}")

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        self.posted.append((conversation_id, message))
        return Delivered(self.channel, f"c{len(self.posted)}")

    def update(self, ref: str, message: Message) -> None:
        return None


class RefusingTeams:
    """Teams refusing every message (say, the app's consent was revoked): its nudges get stuck."""

    channel = "teams"

    def can_reach(self, person: PersonView) -> bool:
        return bool(person.teams_object_id)

    def send_direct(self, person: PersonView, message: Message) -> Delivered:
        raise DeliveryError("teams: 403 Forbidden", permanent=True)

    def post_to_conversation(self, conversation_id: str, message: Message) -> Delivered:
        raise DeliveryError("teams: 403 Forbidden", permanent=True)

    def update(self, ref: str, message: Message) -> None:
        raise DeliveryError("teams: 403 Forbidden", permanent=True)


@dataclass
class History:
    meetings: dict[str, int] = field(default_factory=dict)
    #: What a live report said at each week's end, counting only the reasons the trend rebuilds.
    live: list[dict[str, int]] = field(default_factory=list)
    slack: RecordingMessenger = field(default_factory=RecordingMessenger)


def live_counts(core: Core, moment: datetime) -> dict[str, int]:
    """The trend's measures taken from a live report (the current state) at ``moment``."""
    report = build_report(core.db, core.settings, core.calendar, moment, DriftFilters(), item_limit=10_000)
    counts = {"open": report.headline.open}
    counts["drifting"] = sum(1 for item in report.items if set(item.reasons) & set(TREND_REASONS))
    for reason in TREND_REASONS:
        counts[reason] = sum(1 for item in report.items if reason in item.reasons)
    return counts


def build_history(core: Core, clock: Clock, *, snapshots: bool = True) -> History:
    """Run the ten weeks through the service, in time order. With ``snapshots``, take a live report at
    each week's end: the trend rebuilt from the log afterwards must say the same."""
    history = History()
    core.router.add(history.slack)
    core.router.add(RefusingTeams())
    service = core.service

    def record(ref: str, text: str, by: PersonInput, now: datetime, room: ConversationRef | None = None) -> None:
        draft = parse_action(text, now, core.calendar)
        owner = None
        if ref == "A-9":  # a Teams user, as the Teams adapter would pass them
            draft = replace(draft, owner=KIM.ref)
            owner = KIM
        recorded = service.record(draft, by, owner_profile=owner, conversation=room, now=now)
        assert recorded.action.ref == ref, (recorded.action.ref, ref)

    def people(now: datetime) -> None:
        for who, name, email, agency in (
            (SARAH, "Sarah Patel", "sarah.patel@council.example.gov.uk", "Children's Social Care"),
            (ALEX, "Alex Morgan", "alex.morgan@council.example.gov.uk", "Children's Social Care"),
            (JO, "DC Jo Bloggs", "jo.bloggs@police.example.gov.uk", "Police"),
            (PRIYA, "Priya Shah", "priya.shah@nhs.example.uk", "Health"),
            (SAM, "Sam Lee", "sam.lee@school.example.org", "Oakfield Primary"),
        ):
            update_person(core.db, who, name=name, email=email, agency=agency, now=now)
        set_role(core.db, SARAH, "chair", now=now)
        set_role(core.db, ALEX, "dsl", now=now)
        service.ensure_person(PersonInput(KIM.ref, Profile(display_name="Kim Ng", agency="Health")), now=now)
        service.ensure_person(KHAN, now=now)

    def meeting_one(now: datetime) -> None:
        history.meetings["M1"] = service.start_meeting(STRATEGY, SARAH, "Strategy meeting", "CR-1042", now=now).id
        record("A-1", "<@U0JO> Share the CAD log by 16/10", SARAH, now, STRATEGY)
        record("A-2", "<@U0PRIYA> Book the health assessment by 23/10 review 2/11", SARAH, now, STRATEGY)
        record("A-3", "<@U0JO> Check the chronology by 11/12", SARAH, now, STRATEGY)

    def meeting_two(now: datetime) -> None:
        history.meetings["M2"] = service.start_meeting(REVIEW, SARAH, "Review meeting", "CR-2001", now=now).id
        record("A-4", "<@U0SAM> Send attendance records by 4/12", SARAH, now, REVIEW)

    def sweep(now: datetime) -> None:
        core.chaser.sweep(now)

    steps: list[tuple[datetime, Callable[[datetime], object]]] = [
        (london(2026, 10, 12, 9), people),
        (london(2026, 10, 12, 10), meeting_one),
        (london(2026, 10, 12, 11), lambda now: service.end_meeting(STRATEGY, SARAH, now=now)),
        (
            london(2026, 10, 15, 11),
            lambda now: service.extend("A-1", JO, london(2026, 10, 30, 17), "CAD down", now=now),
        ),
        (london(2026, 10, 21, 11), lambda now: service.block("A-2", PRIYA, "waiting for consent", now=now)),
        (
            london(2026, 10, 29, 11),
            lambda now: service.extend("A-1", JO, london(2026, 11, 13, 17), "IT again", now=now),
        ),
        (london(2026, 11, 2, 10), meeting_two),
        (london(2026, 11, 2, 11), lambda now: service.end_meeting(REVIEW, SARAH, now=now)),
        (london(2026, 11, 3, 9), lambda now: service.unblock("A-2", PRIYA, "consent given", now=now)),
        (
            london(2026, 11, 9, 10),
            lambda now: record("A-5", "<@U0JO> Ask the school nurse for the log by 13/11", SARAH, now),
        ),
        (london(2026, 11, 9, 12), lambda now: service.acknowledge("A-4", SAM, now=now)),
        (
            london(2026, 11, 12, 11),
            lambda now: service.extend("A-5", JO, london(2026, 11, 27, 17), "nurse away", now=now),
        ),
        (london(2026, 11, 16, 10), lambda now: record("A-6", "<@U0JO> Return the strategy notes by 20/11", SARAH, now)),
        (london(2026, 11, 18, 12), lambda now: service.complete("A-1", JO, now=now)),
        (london(2026, 11, 23, 10), lambda now: record("A-7", "<@U0PRIYA> Share the GP summary by 27/11", SARAH, now)),
        (london(2026, 11, 24, 10), lambda now: service.cancel("A-7", SARAH, "agreed elsewhere", now=now)),
        (
            london(2026, 11, 26, 11),
            lambda now: service.extend("A-5", JO, london(2026, 12, 18, 17), "still away", now=now),
        ),
        (
            london(2026, 11, 30, 10),
            lambda now: record("A-8", '"Dr A. Khan (GP)" Send the GP summary by 18/12', SARAH, now),
        ),
        (london(2026, 11, 30, 10, 1), lambda now: record("A-9", "@kim Book the interpreter by 11/12", SARAH, now)),
        (
            london(2026, 11, 30, 10, 2),
            lambda now: record("A-10", "<@U0JO> Visit the family by 18/12 review 7/12", SARAH, now),
        ),
        (london(2026, 11, 30, 10, 30), sweep),
        (london(2026, 12, 1, 9), lambda now: update_person(core.db, SAM, active=False, now=now)),
        (london(2026, 12, 1, 10), lambda now: record("A-11", "<@U0PRIYA> Call the health visitor by 2/12", CHRIS, now)),
        (london(2026, 12, 2, 10), lambda now: service.reopen("A-7", SARAH, "not done elsewhere after all", now=now)),
        (london(2026, 12, 7, 11), lambda now: record("A-12", "<@U0JO> Get the school records by 18/12", SARAH, now)),
        (london(2026, 12, 7, 14), lambda now: service.mark_reviewed("A-10", SARAH, "still right", now=now)),
        (london(2026, 12, 8, 10), lambda now: service.reassign("A-10", SARAH, PRIYA, "health lead now", now=now)),
        (london(2026, 12, 8, 10, 5), lambda now: service.block("A-12", JO, "school closed", now=now)),
        (london(2026, 12, 8, 15), lambda now: service.complete("A-6", JO, now=now)),
    ]
    if snapshots:
        steps += [(moment, lambda now: history.live.append(live_counts(core, now))) for moment in WEEK_ENDS]
    for moment, step in sorted(steps, key=lambda pair: pair[0]):
        clock.set(moment)
        step(moment)
    clock.set(NOW)
    return history
