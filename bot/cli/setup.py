"""`actionbot teams package` and `actionbot demo`: getting started."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import IO

from bot.cli.common import Subparsers, WithCore, WithoutCore
from bot.config import Settings


def add_parsers(sub: Subparsers) -> None:
    """teams, demo."""
    p = sub.add_parser("teams", help="Microsoft Teams app")
    p.add_argument("teams_command", choices=["package"])
    p.add_argument("--out", default="actionbot-teams.zip", help="the zip to write")

    p = sub.add_parser("demo", help="a scripted strategy meeting on a fresh SQLite file")
    p.add_argument("--db", default="demo-actionlog.db", help="the SQLite file to (re)create")


def cmd_teams(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from handlers.teams.package import build_package

    path = build_package(Path(args.out), os.environ)
    out.write(f"Wrote the Teams app package to {path}\n")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from bot.demo import run_demo

    return run_demo(Path(args.db), out)


WITH_CORE: dict[str, WithCore] = {}
WITHOUT_CORE: dict[str, WithoutCore] = {"teams": cmd_teams, "demo": cmd_demo}
