"""The ``actionbot`` command. Output formats here are contracts that scripts and tests rely on.

Exit status: 0 done; 1 refused (not allowed, not found, invalid change) or a broken audit chain;
2 bad input or configuration (usage, unreadable command, un-migrated database), message on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from bot.capture.grammar import GrammarError
from bot.cli import governance, records, reports, running, setup
from bot.cli.common import UsageError, WithCore, WithoutCore, terminal_safe, warn
from bot.config import ConfigError, load_settings

if TYPE_CHECKING:
    from bot.app import Core

GROUPS = (records, governance, running, reports, setup)

WITH_CORE: dict[str, WithCore] = {name: run for group in GROUPS for name, run in group.WITH_CORE.items()}
WITHOUT_CORE: dict[str, WithoutCore] = {name: run for group in GROUPS for name, run in group.WITHOUT_CORE.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actionbot", description="Named actions for multi-agency safeguarding meetings."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    out = terminal_safe(out or sys.stdout)
    args = build_parser().parse_args(argv)
    core: Core | None = None
    try:
        settings = load_settings()
        if args.command in WITHOUT_CORE:
            return WITHOUT_CORE[args.command](args, settings, out)
        from bot.app import build_core  # the database stack: only for the commands that need it

        core = build_core(settings, link_secret=os.environ.get("ACTIONBOT_LINK_SECRET"))
        return WITH_CORE[args.command](args, settings, out, core)
    except GrammarError as exc:
        warn(str(exc))
        return 2
    except (UsageError, ConfigError) as exc:
        warn(f"actionbot: {exc}")
        return 2
    except Exception as exc:
        status = _known_failure(exc)
        if status is None:
            raise
        return status
    finally:
        if core is not None:
            core.db.dispose()


def _known_failure(exc: Exception) -> int | None:
    """The exit status for a failure the database stack raised, said in one line; None for a bug. (Imported
    here: a command that failed this way has loaded that stack already.)"""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from bot.actions.service import ServiceError
    from storage.migrate import NotMigrated

    if isinstance(exc, NotMigrated):
        warn(f"actionbot: {exc}")
        return 2
    if isinstance(exc, ServiceError):
        warn(str(exc))
        return 1
    if isinstance(exc, OperationalError):
        # One line naming the database (never its password), not a traceback.
        where = make_url(load_settings().database_url).render_as_string(hide_password=True)
        warn(f"actionbot: cannot use the database {where}: {str(exc.orig).strip().splitlines()[0]}")
        return 2
    return None


def entry() -> None:
    sys.exit(main())
