"""The ``actionbot`` command. Output formats here are contracts that scripts and tests rely on.

Exit status: 0 done; 1 refused (not allowed, not found, invalid change) or a broken audit chain;
2 bad input or configuration (usage, unreadable command, un-migrated database), message on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot import authz
from bot.app import Core, build_core
from bot.config import ConfigError, Settings, load_settings
from bot.dates import WorkCalendar, utcnow
from bot.grammar import GrammarError, OwnerRef, parse_action, parse_owner, parse_when
from bot.messages import action_card, action_line, render_text
from bot.people import PersonInput, find_person
from bot.ports import Messenger
from bot.records import ActionView
from bot.service import ServiceError
from storage.db import make_engine
from storage.migrate import NotMigrated, current_revision, head_revision, upgrade

if TYPE_CHECKING:
    from bot.scheduler import Job


class UsageError(Exception):
    """Bad arguments; exit status 2."""


# -- helpers --------------------------------------------------------------------------------------
def _moment(text: str | None, zone: ZoneInfo) -> datetime:
    """``--now``: an ISO time, local (the configured zone) unless it carries an offset."""
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: {text!r} is not an ISO date-time such as 2026-11-23T10:00:00") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date such as 2026-11-23") from None


def _person(text: str | None, option: str = "--as") -> PersonInput:
    if not text:
        raise UsageError(f"{option} PERSON is required (a <@U123> mention, an email, @handle or a quoted name)")
    owned = parse_owner(text.strip())
    if owned is None or owned[1].strip():
        raise UsageError(f"{option}: {text!r} is not a person (use <@U123>, an email, @handle or a quoted name)")
    return PersonInput(owned[0])


def _view_json(action: ActionView) -> dict[str, Any]:
    return {
        "ref": action.ref,
        "task": action.task,
        "owner": action.owner.name,
        "deadline": action.deadline.isoformat(),
        "review": action.review_on.isoformat() if action.review_on else None,
        "case_ref": action.case_ref,
        "status": action.status,
        "extensions": action.extensions,
    }


def _private_file(path: str, mode: str) -> IO[Any]:
    """Open an export or report for writing, readable by its owner only (0600 whatever the umask): it
    holds OFFICIAL-SENSITIVE data. An existing file keeps its permissions."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if "b" in mode:
        return os.fdopen(descriptor, mode)
    return os.fdopen(descriptor, mode, encoding="utf-8", newline="")


@contextmanager
def _output(path: str | None, out: IO[str]) -> Any:
    if not path or path == "-":
        yield out
        return
    with _private_file(path, "w") as handle:
        yield handle


# -- commands -------------------------------------------------------------------------------------
def cmd_parse(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    zone_name = args.tz or settings.timezone
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz: unknown time zone {zone_name!r}") from None
    now = _moment(args.now, zone)
    cal = WorkCalendar.from_settings(settings).with_zone(zone)
    if args.text == "-":
        for line in sys.stdin:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                out.write(json.dumps(parse_action(line, now, cal, settings.max_text_length).as_dict()) + "\n")
            except GrammarError as exc:
                out.write(json.dumps({"error": exc.problem}) + "\n")
        return 0
    draft = parse_action(args.text, now, cal, settings.max_text_length)
    out.write(json.dumps(draft.as_dict(), ensure_ascii=False) + "\n")
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    engine = make_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            before = current_revision(engine)
            upgrade(engine)
            after = current_revision(engine)
            out.write(
                f"Database schema: {before or 'empty'} -> {after}\n"
                if before != after
                else f"Database schema is current ({after}).\n"
            )
        else:
            current = current_revision(engine)
            out.write(f"current: {current or 'empty'}\nhead:    {head_revision()}\n")
            return 0 if current == head_revision() else 1
    finally:
        engine.dispose()
    return 0


def _action_out(
    action: ActionView, core: Core, now: datetime, args: argparse.Namespace, out: IO[str], notes: tuple[str, ...] = ()
) -> None:
    if args.json:
        data = _view_json(action)
        if notes:
            data["warnings"] = list(notes)
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(action_card(action, core.calendar.zone, now, buttons=False, notes=notes)) + "\n")


def cmd_action(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    zone = core.calendar.zone
    now = _moment(args.now, zone)
    service = core.service
    verb = args.action_command
    if verb == "list":
        viewer = _person(args.as_ or os.environ.get("ACTIONBOT_AS"))
        owner: OwnerRef | None = _person(args.owner, "--owner").ref if args.owner else None
        actions = service.list_actions(
            viewer, scope=args.scope, owner=owner, case_ref=args.case, include_closed=args.closed, now=now
        )
        for action in actions:
            out.write((json.dumps(_view_json(action)) if args.json else action_line(action, zone, now)) + "\n")
        return 0
    actor = _person(args.as_ or os.environ.get("ACTIONBOT_AS"))
    notes: tuple[str, ...] = ()
    if verb == "add":
        draft = parse_action(args.text, now, core.calendar, settings.max_text_length)
        recorded = service.record(draft, actor, now=now, idempotency_key=args.key)
        action, notes = recorded.action, recorded.warnings
    elif verb == "done":
        action = service.complete(args.ref, actor, args.note, now=now)
    elif verb == "ontrack":
        action = service.acknowledge(args.ref, actor, args.note, now=now)
    elif verb == "extend":
        deadline, notes = parse_when(args.to, now, core.calendar, "new deadline")
        action = service.extend(args.ref, actor, deadline, args.reason, now=now)
    elif verb == "reassign":
        action = service.reassign(args.ref, actor, _person(args.to, "--to"), args.reason, now=now)
    elif verb == "block":
        action = service.block(args.ref, actor, args.reason, now=now)
    elif verb == "unblock":
        action = service.unblock(args.ref, actor, args.reason, now=now)
    elif verb == "cancel":
        action = service.cancel(args.ref, actor, args.reason, now=now)
    elif verb == "reopen":
        action = service.reopen(args.ref, actor, args.reason, now=now)
    elif verb == "comment":
        action = service.comment(args.ref, actor, args.text, now=now)
    elif verb == "review":
        action = service.mark_reviewed(args.ref, actor, args.note, now=now)
    elif verb == "show":
        action = service.get(args.ref, actor)
        _action_out(action, core, now, args, out)
        for event in service.history(args.ref, actor):
            why = f": {event.reason}" if event.reason else ""
            out.write(
                f"  #{event.seq} {event.at.astimezone(zone):%Y-%m-%d %H:%M} {event.kind}"
                f" by {event.actor_name or 'actionbot'}{why}\n"
            )
        return 0
    else:  # pragma: no cover - argparse restricts the choices
        raise UsageError(f"unknown action command {verb}")
    _action_out(action, core, now, args, out, notes)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.export import ExportRequest, export
    from storage.log import append_event

    now = utcnow()
    what = "events" if args.events else "person" if args.person else "case" if args.case else "actions"
    fmt = args.format or ("json" if what in ("person", "case") else "csv")
    with core.db.transaction() as session:
        principal = _principal(session, args.as_ or os.environ.get("ACTIONBOT_AS"))
        subject = None
        if what in ("person", "case", "events") and not authz.may_report(principal):
            raise ServiceError("Subject access exports, case chronologies and the event log are for DSLs and admins.")
        if args.person:
            subject = find_person(session, _person(args.person, "--person").ref)
            if subject is None:
                raise ServiceError("No one by that name, email or id is known.")
        request = ExportRequest(
            what, fmt, subject.id if subject else None, args.case.lstrip("#").upper() if args.case else None
        )
        try:
            with _output(args.out, out) as handle:
                count = export(session, request, authz.visible_to(principal), handle, now)
        except ValueError as exc:
            raise UsageError(f"--format {fmt}: {exc}") from None
        # Who exported what is part of the record (ids only: the log must not repeat the personal data).
        append_event(
            session,
            kind="exported",
            at=now,
            actor_id=principal.id,
            details={
                "what": what,
                "format": fmt,
                "records": count,
                "person_id": request.person_id,
                "case_ref": request.case_ref,
            },
        )
    if args.out and args.out != "-":
        print(f"Wrote {count} records ({what}) to {args.out}", file=sys.stderr)
    return 0


def _principal(session: Session, who: str | None) -> authz.Principal:
    """``--as`` names a person who must already be known; without it, the operator."""
    if not who:
        return authz.OPERATOR
    person = find_person(session, _person(who).ref)
    if person is None or not person.active:
        raise ServiceError("That person is not known to actionbot (or no longer active). Nothing was exported.")
    return person


def cmd_audit(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from storage.log import verify_chain

    with core.db.reading() as session:
        report = verify_chain(session)
    out.write(report.describe() + "\n")
    return 0 if report.ok else 1


def cmd_retention(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.retention import apply_retention

    now = _moment(args.now, core.calendar.zone)
    items = apply_retention(core.db, settings.retention, now, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for item in items:
        out.write(
            f"{item.ref:<8} {item.status:<10} closed {item.closed_at:%Y-%m-%d}  {verb} personal data ({item.rule})\n"
        )
    out.write(f"{len(items)} actions {'would be' if args.dry_run else 'were'} redacted.\n")
    return 0


def cmd_people(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.directory import list_people, set_role, update_person

    if args.people_command == "list":
        for person in list_people(core.db):
            ids = " ".join(x for x in (person.email, person.slack_user_id, person.teams_object_id) if x)
            out.write(f"{person.id:>5}  {person.name:<30} {person.role:<7} {person.agency or '-':<20} {ids}\n")
        return 0
    who = _person(args.person, "PERSON")
    if args.people_command == "set-role":
        person = set_role(core.db, who, args.role, now=utcnow(), reason=args.reason)
        out.write(f"{person.name} is now {person.role}.\n")
        return 0
    person = update_person(
        core.db,
        who,
        name=args.name,
        email=args.email,
        agency=args.agency,
        timezone=args.timezone,
        active=None if args.active is None else args.active == "yes",
        escalation=_person(args.escalation, "--escalation") if args.escalation else None,
        now=utcnow(),
        reason=args.reason,
    )
    out.write(f"Saved {person.name} (#{person.id}).\n")
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from handlers.console import ConsoleChat

    speaker = _person(args.as_ or os.environ.get("ACTIONBOT_AS") or "@chair").ref
    chat = ConsoleChat(core.commands, speaker, write=lambda text: print(text, file=out))
    out.write("actionbot console: type /help for commands, /quit to leave.\n")
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input(f"{chat._who()}> " if interactive else "")
        except EOFError:
            break
        if line.strip() in ("/quit", "/exit"):
            break
        if not interactive and line.strip():
            out.write(f"> {line}\n")
        chat.handle(line)
    return 0


def _messengers(settings: Settings) -> list[Messenger]:
    from bot.compose import messengers_from_env

    return messengers_from_env(os.environ)


def cmd_chase(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    now = _moment(args.now, core.calendar.zone)
    if not args.dry_run:
        for messenger in _messengers(settings):
            core.router.add(messenger)
        if not core.router.messengers:
            raise UsageError(
                "no way to deliver nudges is configured (set SLACK_BOT_TOKEN, or the Teams/Graph variables); "
                "use --dry-run to see what is due"
            )
    report = core.chaser.sweep(now, dry_run=args.dry_run)
    for item in report.items:
        if item.outcome == "skipped":
            continue
        via = f" via {item.channel}" if item.channel else ""
        out.write(f"{item.outcome:<12} {item.action_ref:<7} {item.step:<13} to {item.recipient}{via}\n")
    verb = "would send" if args.dry_run else "sent"
    total = report.count("would send") if args.dry_run else report.sent
    out.write(f"{total} {verb}, {report.count('unreachable')} unreachable, {report.count('failed')} failed.\n")
    return 0


def _jobs(core: Core) -> list[Job]:
    from bot.scheduler import build_jobs
    from bot.weekly import weekly_job

    cfg, drift = core.settings.chase, core.settings.drift
    return build_jobs(
        sweep=lambda now: core.chaser.sweep(now),
        weekly_report=weekly_job(core),
        prune_inbox=lambda now: core.inbox.prune(now),
        interval_seconds=cfg.sweep_interval_seconds,
        zone=core.settings.timezone,
        weekday=drift.weekly_report_weekday,
        hour=drift.weekly_report_time.hour,
        minute=drift.weekly_report_time.minute,
    )


def cmd_scheduler(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.scheduler import start

    for messenger in _messengers(settings):
        core.router.add(messenger)
    if not core.router.messengers:
        raise UsageError("no way to deliver nudges is configured (set SLACK_BOT_TOKEN, or the Teams/Graph variables)")
    jobs = _jobs(core)
    if args.list:
        for job in jobs:
            out.write(f"{job.name:<22} {job.describe}\n")
        return 0
    scheduler = start(jobs)
    out.write(f"actionbot scheduler running {len(jobs)} jobs; Ctrl-C to stop.\n")
    _wait_for_stop()
    scheduler.shutdown(wait=True)
    return 0


def _wait_for_stop() -> None:
    """Block until SIGINT or SIGTERM."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def cmd_serve(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.grammar import warm_up

    warm_up()
    if args.platform == "slack":
        from handlers.slack.main import serve_slack

        return serve_slack(
            core, os.environ, http=args.http, port=args.port, with_scheduler=not args.no_scheduler, jobs=_jobs
        )
    from handlers.teams.main import serve_teams

    return serve_teams(core, os.environ, port=args.port, with_scheduler=not args.no_scheduler, jobs=_jobs)


def cmd_report(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.drift import DriftFilters, build_report
    from bot.drift_render import render

    now = _moment(args.now, core.calendar.zone)
    viewer = args.as_ or os.environ.get("ACTIONBOT_AS")
    if viewer:
        who = core.service.person(_person(viewer))
        if who is None or who.role not in authz.OVERSIGHT_ROLES or not who.active:
            raise ServiceError("Drift reports are for DSLs and admins. Nothing was produced.")
    filters = DriftFilters(
        agency=args.agency,
        meeting_id=args.meeting,
        case_ref=args.case.lstrip("#").upper() if args.case else None,
        chair=_person(args.chair, "--chair").ref if args.chair else None,
        since=_day(args.since, "--since"),
        until=_day(args.until, "--until"),
    )
    report = build_report(core.db, core.settings, core.calendar, now, filters)
    data = render(report, args.format)
    if args.format == "xlsx" and (not args.out or args.out == "-"):
        raise UsageError("--format xlsx needs --out FILE")
    if isinstance(data, bytes):
        with _private_file(args.out, "wb") as binary:
            binary.write(data)
    else:
        with _output(args.out, out) as handle:
            handle.write(data)
    if args.out and args.out != "-":
        print(f"Wrote the drift report to {args.out}", file=sys.stderr)
    return 0


def cmd_teams(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from handlers.teams.package import build_package

    path = build_package(Path(args.out), os.environ)
    out.write(f"Wrote the Teams app package to {path}\n")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from bot.demo import run_demo

    return run_demo(Path(args.db), out)


# -- parser ---------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actionbot", description="Named actions for multi-agency safeguarding meetings."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse /action text and print it as JSON")
    p.add_argument("text", help="the text after /action, or - to read one command per line from stdin")
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
    p.add_argument("--tz", help="time zone (default: the configured one, Europe/London)")

    p = sub.add_parser("db", help="database schema")
    p.add_argument("db_command", choices=["upgrade", "current"])

    p = sub.add_parser("action", help="record and change actions, as the chat commands do")
    actions = p.add_subparsers(dest="action_command", required=True, metavar="VERB")

    def verb(name: str, help_: str, *, ref: bool = True) -> argparse.ArgumentParser:
        q = actions.add_parser(name, help=help_)
        if ref:
            q.add_argument("ref", help="the action, e.g. A-12")
        q.add_argument("--as", dest="as_", metavar="PERSON", help="who is acting (default $ACTIONBOT_AS)")
        q.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
        q.add_argument("--json", action="store_true", help="print JSON")
        return q

    verb("add", "record an action from /action text", ref=False).add_argument("text")
    actions.choices["add"].add_argument("--key", help="idempotency key: a repeat with the same key records nothing")
    verb("done", "complete an action").add_argument("--note")
    verb("ontrack", "(owner) say it is on track").add_argument("--note")
    q = verb("extend", "move the deadline")
    q.add_argument("--to", required=True, help="the new deadline, e.g. 'Friday week' or 4/12")
    q.add_argument("--reason", required=True)
    q = verb("reassign", "give the action to someone else")
    q.add_argument("--to", required=True, metavar="PERSON")
    q.add_argument("--reason", required=True)
    for name, help_ in (("block", "mark blocked"), ("cancel", "cancel"), ("reopen", "reopen a closed action")):
        verb(name, help_).add_argument("--reason", required=True)
    verb("unblock", "clear a block").add_argument("--reason")
    verb("comment", "add a comment").add_argument("text")
    verb("review", "(chair, DSL) record that the action was reviewed").add_argument("--note")
    verb("show", "show an action and its history")
    q = verb("list", "list the actions you may see", ref=False)
    q.add_argument("--scope", choices=["mine", "overdue", "all"], default="all")
    q.add_argument("--owner", metavar="PERSON")
    q.add_argument("--case", metavar="CASEREF")
    q.add_argument("--closed", action="store_true", help="include done and cancelled actions")

    p = sub.add_parser("export", help="export actions, the event log, a person's data or a case chronology")
    p.add_argument("--format", choices=["csv", "jsonl", "json"], help="default csv (json for --person/--case)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--events", action="store_true", help="the event log instead of the actions")
    which.add_argument("--person", metavar="PERSON", help="everything held about one person (subject access)")
    which.add_argument("--case", metavar="CASEREF", help="a case chronology")
    p.add_argument("--out", help="file to write (default stdout)")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who is exporting (default: the operator)")

    p = sub.add_parser("audit", help="check the action log")
    p.add_argument("audit_command", choices=["verify"])

    p = sub.add_parser("retention", help="remove personal data from actions past their retention period")
    p.add_argument("retention_command", choices=["apply"])
    p.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")

    p = sub.add_parser("people", help="people and roles")
    people = p.add_subparsers(dest="people_command", required=True, metavar="VERB")
    people.add_parser("list", help="everyone the bot knows")
    q = people.add_parser("set-role", help="set a person's role")
    q.add_argument("person")
    q.add_argument("role", choices=["member", "chair", "dsl", "admin"])
    q.add_argument("--reason", help="why (written to the action log with the change)")
    q = people.add_parser("set", help="add or update a person")
    q.add_argument("person")
    q.add_argument("--name")
    q.add_argument("--email")
    q.add_argument("--agency")
    q.add_argument("--timezone")
    q.add_argument("--active", choices=["yes", "no"])
    q.add_argument("--escalation", metavar="PERSON", help="who is told when their actions drift")
    q.add_argument("--reason", help="why (written to the action log with a change to someone already known)")

    p = sub.add_parser("console", help="a local chat: type /action ... as in Slack")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who you are (default @chair)")

    p = sub.add_parser("chase", help="run one chase sweep: send the nudges that are due")
    p.add_argument("--once", action="store_true", help="one sweep, then exit (the default and only mode)")
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent; change nothing")

    p = sub.add_parser("scheduler", help="run the chase sweep and the weekly report, without a chat server")
    p.add_argument("--list", action="store_true", help="list the scheduled jobs and exit")

    p = sub.add_parser("serve", help="run the bot")
    p.add_argument("platform", choices=["slack", "teams"])
    p.add_argument("--http", action="store_true", help="Slack: serve HTTP at /slack/events instead of Socket Mode")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--no-scheduler", action="store_true", help="do not run the chase sweep in this process")

    p = sub.add_parser("report", help="reports for DSLs")
    p.add_argument("report_kind", choices=["drift"])
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
    p.add_argument("--format", choices=["md", "csv", "json", "xlsx", "html"], default="md")
    p.add_argument("--out", help="file to write (default stdout; required for xlsx)")
    p.add_argument("--agency", help="only actions owned by this agency's people")
    p.add_argument("--meeting", type=int, metavar="ID", help="only this meeting's actions")
    p.add_argument("--case", metavar="CASEREF")
    p.add_argument("--chair", metavar="PERSON", help="only actions this person recorded or chaired")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only actions recorded on or after this date")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="only actions recorded on or before this date")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who asks (must be a DSL or admin)")

    p = sub.add_parser("teams", help="Microsoft Teams app")
    p.add_argument("teams_command", choices=["package"])
    p.add_argument("--out", default="actionbot-teams.zip", help="the zip to write")

    p = sub.add_parser("demo", help="a scripted strategy meeting on a fresh SQLite file")
    p.add_argument("--db", default="demo-actionlog.db", help="the SQLite file to (re)create")
    return parser


_WITH_CORE: dict[str, Callable[[argparse.Namespace, Settings, IO[str], Core], int]] = {
    "action": cmd_action,
    "export": cmd_export,
    "audit": cmd_audit,
    "people": cmd_people,
    "retention": cmd_retention,
    "console": cmd_console,
    "chase": cmd_chase,
    "scheduler": cmd_scheduler,
    "serve": cmd_serve,
    "report": cmd_report,
}
_WITHOUT_CORE: dict[str, Callable[[argparse.Namespace, Settings, IO[str]], int]] = {
    "parse": cmd_parse,
    "db": cmd_db,
    "demo": cmd_demo,
    "teams": cmd_teams,
}


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    core: Core | None = None
    try:
        settings = load_settings()
        if args.command in _WITHOUT_CORE:
            return _WITHOUT_CORE[args.command](args, settings, out)
        core = build_core(settings)
        return _WITH_CORE[args.command](args, settings, out, core)
    except GrammarError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (UsageError, ConfigError, NotMigrated) as exc:
        print(f"actionbot: {exc}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OperationalError as exc:
        # One line naming the database (never its password), not a traceback.
        where = make_url(load_settings().database_url).render_as_string(hide_password=True)
        print(f"actionbot: cannot use the database {where}: {str(exc.orig).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        if core is not None:
            core.db.dispose()


def entry() -> None:
    sys.exit(main())
