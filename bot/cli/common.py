"""What every command group shares: argument readers, private output files, the exit-status error."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, TypeAlias, cast
from zoneinfo import ZoneInfo

from bot.capture.controls import neutralise
from bot.capture.dates import utcnow
from bot.capture.owners import bare_name, parse_owner
from bot.config import Settings

if TYPE_CHECKING:  # the database stack loads only for the commands that use it (`parse` stays quick)
    from sqlalchemy.orm import Session

    from bot.actions import authz
    from bot.actions.people import PersonInput
    from bot.actions.records import ActionView
    from bot.app import Core

# argparse names its sub-parser action privately; each command group adds its commands to one.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
WithCore: TypeAlias = "Callable[[argparse.Namespace, Settings, IO[str], Core], int]"
WithoutCore = Callable[[argparse.Namespace, Settings, IO[str]], int]


class UsageError(Exception):
    """Bad arguments; exit status 2."""


def moment_arg(text: str | None, zone: ZoneInfo) -> datetime:
    """``--now``: an ISO time, local (the configured zone) unless it carries an offset."""
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: {text!r} is not an ISO date-time such as 2026-11-23T10:00:00") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def day_arg(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date such as 2026-11-23") from None


def person_arg(text: str | None, option: str = "--as") -> PersonInput:
    from bot.actions.people import PersonInput

    if not text:
        raise UsageError(f"{option} PERSON is required (a <@U123> mention, an email, @handle or a quoted name)")
    owned = parse_owner(text.strip())
    if owned is not None and not owned[1].strip():
        return PersonInput(owned[0])
    if (named := bare_name(text)) is not None:  # the shell has already taken the quotes off "Jo Bloggs"
        return PersonInput(named)
    raise UsageError(f"{option}: {text!r} is not a person (use <@U123>, an email, @handle or a name)")


def view_json(action: ActionView) -> dict[str, Any]:
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


def private_file(path: str, mode: str) -> IO[Any]:
    """Open an export or report for writing, readable by its owner only (0600 whatever the umask): it
    holds OFFICIAL-SENSITIVE data. An existing file keeps its permissions."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if "b" in mode:
        return os.fdopen(descriptor, mode)
    return os.fdopen(descriptor, mode, encoding="utf-8", newline="")


@contextmanager
def output_to(path: str | None, out: IO[str]) -> Any:
    if not path or path == "-":
        yield out
        return
    with private_file(path, "w") as handle:
        yield handle


def principal_for(session: Session, who: str | None) -> authz.Principal:
    """``--as`` names a person who must already be known; without it, the operator."""
    from bot.actions import authz
    from bot.actions.people import find_person
    from bot.actions.service import ServiceError

    if not who:
        return authz.OPERATOR
    person = find_person(session, person_arg(who).ref)
    if person is None or not person.active:
        raise ServiceError("That person is not known to actionbot (or no longer active). Nothing was exported.")
    return person


class TerminalSafe(io.TextIOBase):
    """A text stream that shows control characters as \\uXXXX: typed text (a task, a reason, a name from a
    directory) never drives the operator's terminal. JSON stays valid: \\uXXXX is JSON's own escape."""

    def __init__(self, inner: IO[str]) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(neutralise(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()


def terminal_safe(stream: IO[str]) -> IO[str]:
    return cast(IO[str], TerminalSafe(stream))


def warn(text: str) -> None:
    """A line on stderr, terminal-safe."""
    print(neutralise(text), file=sys.stderr)
