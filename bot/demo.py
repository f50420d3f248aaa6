"""``actionbot demo``: a scripted strategy meeting, run through the console adapter on a fresh SQLite file.

It needs no chat credentials. It shows what each person would see: the chair recording actions (with
a slip caught on the spot), the written summary at the end of the meeting, owners acting on their
actions (one asks to be reminded on Wednesday, one goes on leave with a colleague covering, the DSL takes
a morning digest, a paediatrician on neither Slack nor Teams answers from the page her email links to, served
on a loopback port), the chase ladder running day by day, then the action log with its integrity check and the
drift report a DSL receives.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.actions.directory import set_role, update_person
from bot.actions.messages import render_text
from bot.actions.people import PersonInput
from bot.app import Core, build_core
from bot.capture.owners import OwnerRef
from bot.config import Settings, load_settings
from bot.governance.export import event_rows
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from bot.reports.weekly import weekly_message
from storage.db import Database, make_engine
from storage.log import verify_chain
from storage.migrate import upgrade

if TYPE_CHECKING:
    from handlers.console import ConsoleEmail

LONDON = ZoneInfo("Europe/London")
MEETING_START = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)

CAST = (
    # handle, name, email, agency, role
    ("sarah.patel", "Sarah Patel", "sarah.patel@council.example.gov.uk", "Children's Social Care", "chair"),
    ("jo.bloggs", "DC Jo Bloggs", "jo.bloggs@police.example.gov.uk", "Police", "member"),
    ("priya.shah", "Priya Shah", "priya.shah@nhs.example.uk", "Health", "member"),
    ("sam.lee", "Sam Lee", "sam.lee@school.example.org", "Oakfield Primary", "member"),
    ("alex.morgan", "Alex Morgan", "alex.morgan@council.example.gov.uk", "Children's Social Care", "dsl"),
)

#: A partner on neither Slack nor Teams: reached by email, answering from the page its links open.
PAEDIATRICIAN = ("Dr R. Ahmed", "r.ahmed@cdc.example.nhs.uk", "Health")
#: A script line spoken by email: the owner presses an answer link and fills in the page.
EMAIL = "(email link)"

SCRIPT = (
    ("10:00", "sarah.patel", "/meeting start Strategy meeting #CR-1042"),
    ("10:05", "sarah.patel", "/action @jo.bloggs Share the CAD log with social care by Friday review in 2 weeks"),
    ("10:07", "sarah.patel", "/action @priya.shah Book the health assessment in 5 working days"),
    ("10:09", "sarah.patel", "/action @sam.lee Send attendance records by 31/02"),
    ("10:10", "sarah.patel", "/action @sam.lee Send attendance records by next Friday"),
    ("10:12", "sarah.patel", '/action "Dr A. Khan (GP)" Send the GP summary by 25/12'),
    ("10:13", "sarah.patel", '/action "Dr A. Khan (GP)" Send the GP summary by Thursday 24 Dec'),
    ("10:14", "sarah.patel", "/cancel A-4 because recorded for Christmas Day by mistake; A-5 replaces it"),
    ("10:16", "sarah.patel", f"/action {PAEDIATRICIAN[1]} Send the child development centre's report by Wed 2 Dec"),
    ("10:30", "sarah.patel", "/meeting end"),
    ("10:31", "sarah.patel", "/meeting assign S-1 @sarah.patel"),
    ("10:32", "sarah.patel", "/meeting dismiss S-2 because the record was typed up and shared during the meeting"),
    ("10:45", "jo.bloggs", "/snooze A-1 Wednesday"),
    ("Thu 26 Nov 16:10", "jo.bloggs", "/done A-1 CAD log emailed to the allocated social worker"),
    ("Fri 27 Nov 09:15", "priya.shah", "/extend A-2 to 4/12 because the clinic is closed for training"),
    ("Fri 27 Nov 09:20", "sam.lee", "/done A-2"),
    ("Fri 27 Nov 09:30", "priya.shah", "/away from Mon 30 Nov until Fri 4 Dec cover @sam.lee"),
    ("Mon 30 Nov 11:00", "sam.lee", "/block A-3 because the school office is waiting for consent from the family"),
    ("Mon 30 Nov 11:05", "sarah.patel", "/actions all"),
    ("Mon 30 Nov 11:10", "alex.morgan", "/digest on"),
    ("Tue 1 Dec 15:00", EMAIL, "done Report sent to the allocated social worker by secure email"),
    ("Mon 7 Dec 09:30", "sarah.patel", "/ontrack A-7 ICPC booked for Fri 11 Dec, invitations sent"),
    ("Thu 10 Dec 10:00", "alex.morgan", "/actions overdue"),
)


def _at(label: str) -> datetime:
    if len(label) == 5:
        hour, minute = map(int, label.split(":"))
        return MEETING_START.replace(hour=hour, minute=minute)
    return datetime.strptime(f"{label} 2026", "%a %d %b %H:%M %Y").replace(tzinfo=LONDON)


def _chase_until(core: Core, start: datetime, end: datetime, out: IO[str]) -> None:
    """Run the scheduler's sweep at the nudge hour of every working day between two moments."""
    day = core.calendar.today(start)
    while True:
        moment = core.calendar.at(day, core.settings.chase.nudge_hour)
        if moment > end:
            return
        if moment > start and core.calendar.is_working_day(day):
            local = moment.astimezone(LONDON)
            out.write(f"\n{local:%a} {local.day} {local:%b %H:%M}  (the daily chase runs)\n")
            report = core.chaser.sweep(moment)
            for item in report.items:
                if item.outcome == "unreachable":
                    out.write(
                        f"[not delivered] {item.action_ref} {item.step}: {item.recipient} has no chat or email address;"
                        " the log records it and the chair is told at escalation\n"
                    )
            if not report.items:
                out.write("  nothing due\n")
        day += timedelta(days=1)


def _heading(out: IO[str], text: str) -> None:
    out.write(f"\n{'=' * 78}\n{text}\n{'=' * 78}\n")


def _answer_by_email(email: ConsoleEmail, line: str, out: IO[str]) -> None:
    """The email-only owner presses an answer link in their latest email and fills in the page (over HTTP)."""
    from handlers.web.visit import answer, look

    choice, _, note = line.partition(" ")
    link = email.last_link(PAEDIATRICIAN[1])
    assert link is not None, "the demo's email-only owner has an email with answer links"
    out.write(f"  {PAEDIATRICIAN[0]} opens the link in her latest email: {link[:60]}...?choice={choice}\n")
    visit = answer(link, choice, {"note": note})
    out.write(f"  she adds a note and submits; the page says: {visit.heading}. {visit.said}\n")
    again = look(link)
    out.write(f"  the same link again: {again.heading} ({again.status}). {again.said}\n")


def run_demo(path: Path, out: IO[str], settings: Settings | None = None) -> int:
    # the demo drives the console adapter, and serves the answer page on a loopback port
    from handlers.console import ConsoleChat, ConsoleEmail, ConsoleMessenger
    from handlers.serving import InThread
    from handlers.web.page import AnswerPage, web_app

    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    base = settings or load_settings({})
    page = InThread(None)  # listening now: the answer links name its port
    settings = Settings(
        database_url=url,
        timezone=base.timezone,
        nation=base.nation,
        end_of_day=base.end_of_day,
        public_url=f"http://127.0.0.1:{page.port}",
    )
    clock_now = [MEETING_START.astimezone(UTC)]
    core = build_core(
        settings, db=Database.from_url(url), clock=lambda: clock_now[0], link_secret=secrets.token_urlsafe(32)
    )
    assert core.links is not None
    page.server.config.app = web_app(AnswerPage(core.links))
    page.start()
    try:
        for handle, name, address, agency, role in CAST:
            who = PersonInput(OwnerRef("handle", handle))
            update_person(core.db, who, name=name, email=address, agency=agency, now=clock_now[0])
            set_role(core.db, who, role, now=clock_now[0], reason="partnership set-up")
        name, address, agency = PAEDIATRICIAN
        update_person(core.db, PersonInput(OwnerRef("email", address)), name=name, agency=agency, now=clock_now[0])

        _heading(out, "A strategy meeting for case CR-1042, Mon 23 Nov 2026 (Europe/London)")
        out.write(f"Database: {path} (fresh SQLite file)\n")

        def write(text: str) -> None:
            out.write(text + "\n")

        core.router.add(ConsoleMessenger(write))
        email = ConsoleEmail(write)
        core.router.add(email)
        chat = ConsoleChat(core.commands, OwnerRef("handle", "sarah.patel"), write=write, chaser=core.chaser)
        for when, speaker, line in SCRIPT:
            moment = _at(when).astimezone(UTC)
            _chase_until(core, clock_now[0], moment, out)
            clock_now[0] = chat.now = moment
            if speaker == EMAIL:
                out.write(f"\n{_at(when):%a %d %b %H:%M}  {PAEDIATRICIAN[0]} answers by email link: {line}\n")
                _answer_by_email(email, line, out)
                continue
            chat.speaker = OwnerRef("handle", speaker)
            out.write(f"\n{_at(when):%a %d %b %H:%M}  @{speaker}> {line}\n")
            chat.handle(line)

        _heading(out, "The shared action log (append-only, hash-chained)")
        with core.db.reading() as session:
            for event in event_rows(session):
                at = datetime.fromisoformat(event["at"]).astimezone(LONDON)
                why = f" - {event['reason']}" if event["reason"] else ""
                via = f" (via {event['details']['via']})" if (event["details"] or {}).get("via") else ""
                out.write(
                    f"#{event['seq']:<3} {at:%a %d %b %H:%M}  {event['action'] or '-':<5} {event['kind']:<14}"
                    f" by {event['actor']}{via}{why}\n"
                )
            out.write("\naudit verify: " + verify_chain(session).describe() + "\n")

        at = clock_now[0].astimezone(LONDON)
        as_at = f"{at:%a} {at.day} {at:%b %H:%M}"
        _heading(out, f"The drift report for the DSL, Alex Morgan, as at {as_at} (sent each Monday)")
        report = build_report(core.db, core.settings, core.calendar, clock_now[0], DriftFilters())
        out.write(render_text(weekly_message(report, core.settings.drift)) + "\n")
    finally:
        page.stop()
        core.db.dispose()
    out.write(f"\nTry it yourself: DATABASE_URL=sqlite:///{path} .venv/bin/actionbot console --as @sarah.patel\n")
    return 0
