"""`actionbot parse`, `db` and `action`: reading /action text, the schema, and recording and changing actions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.capture.dates import WorkCalendar
from bot.capture.grammar import GrammarError, parse_action, parse_new_deadline
from bot.capture.owners import OwnerRef
from bot.cli.common import Subparsers, UsageError, WithCore, WithoutCore, moment_arg, person_arg, view_json
from bot.config import Settings

if TYPE_CHECKING:  # loaded by the commands that use them: `parse` needs no database stack
    from bot.actions.records import ActionView
    from bot.app import Core


def add_parsers(sub: Subparsers) -> None:
    """parse, db, action."""
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


def cmd_parse(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    zone_name = args.tz or settings.timezone
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz: unknown time zone {zone_name!r}") from None
    now = moment_arg(args.now, zone)
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
    from storage.db import make_engine
    from storage.migrate import current_revision, head_revision, upgrade

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
    from bot.actions.messages import action_card, render_text

    if args.json:
        data = view_json(action)
        if notes:
            data["warnings"] = list(notes)
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(action_card(action, core.calendar.zone, now, buttons=False, notes=notes)) + "\n")


def cmd_action(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.actions.messages import action_line, event_summary

    zone = core.calendar.zone
    now = moment_arg(args.now, zone)
    service = core.service
    verb = args.action_command
    if verb == "list":
        viewer = person_arg(args.as_ or os.environ.get("ACTIONBOT_AS"))
        owner: OwnerRef | None = person_arg(args.owner, "--owner").ref if args.owner else None
        actions = service.list_actions(
            viewer, scope=args.scope, owner=owner, case_ref=args.case, include_closed=args.closed, now=now
        )
        for action in actions:
            out.write((json.dumps(view_json(action)) if args.json else action_line(action, zone, now)) + "\n")
        return 0
    actor = person_arg(args.as_ or os.environ.get("ACTIONBOT_AS"))
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
        current = service.get(args.ref, actor).deadline
        deadline, notes = parse_new_deadline(args.to, now, core.calendar, current)
        action = service.extend(args.ref, actor, deadline, args.reason, now=now)
    elif verb == "reassign":
        action = service.reassign(args.ref, actor, person_arg(args.to, "--to"), args.reason, now=now)
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
                f"  #{event.seq} {event.at.astimezone(zone):%Y-%m-%d %H:%M} {event_summary(event, zone, now)}"
                f" by {event.actor_name or 'actionbot'}{why}\n"
            )
        return 0
    else:  # pragma: no cover - argparse restricts the choices
        raise UsageError(f"unknown action command {verb}")
    _action_out(action, core, now, args, out, notes)
    return 0


WITH_CORE: dict[str, WithCore] = {"action": cmd_action}
WITHOUT_CORE: dict[str, WithoutCore] = {"parse": cmd_parse, "db": cmd_db}
