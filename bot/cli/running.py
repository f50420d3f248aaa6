"""`actionbot console`, `chase`, `scheduler` and `serve`: running the bot."""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, TYPE_CHECKING

from bot.cli.common import Subparsers, UsageError, WithCore, WithoutCore, moment_arg, person_arg, warn
from bot.config import Settings

if TYPE_CHECKING:
    from bot.actions.ports import Messenger
    from bot.app import Core
    from bot.chasing.scheduler import Job


def add_parsers(sub: Subparsers) -> None:
    """console, chase, scheduler, serve."""
    p = sub.add_parser("console", help="a local chat: type /action ... as in Slack")
    p.add_argument("--as", dest="as_", metavar="PERSON", help="who you are (default @chair)")

    p = sub.add_parser("chase", help="run one chase sweep: send the nudges that are due")
    p.add_argument("--once", action="store_true", help="one sweep, then exit (the default and only mode)")
    p.add_argument("--now", help="the clock, ISO (local unless an offset is given)")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent; change nothing")

    p = sub.add_parser("scheduler", help="run the chase sweep and the weekly report, without a chat server")
    p.add_argument("--list", action="store_true", help="list the scheduled jobs and exit")

    p = sub.add_parser(
        "serve",
        help="run the bot (slack, teams), or only the page emailed answer links open (web)",
        description="web serves /answer/... (and /healthz) for people who answer by email; slack --http and "
        "teams serve it too when ACTIONBOT_PUBLIC_URL is set. Put it behind the council's TLS proxy.",
    )
    p.add_argument("platform", choices=["slack", "teams", "web"])
    p.add_argument("--http", action="store_true", help="Slack: serve HTTP at /slack/events instead of Socket Mode")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--host", help="web: the address to listen on (default 127.0.0.1, for a proxy on this host)")
    p.add_argument("--no-scheduler", action="store_true", help="do not run the chase sweep in this process")


def cmd_console(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from handlers.console import ConsoleChat, ConsoleMessenger

    speaker = person_arg(args.as_ or os.environ.get("ACTIONBOT_AS") or "@chair").ref

    def write(text: str) -> None:
        print(text, file=out)

    # The console is a chat platform of its own: whoever it can address is reachable here, as on Slack.
    core.router.add(ConsoleMessenger(write))
    chat = ConsoleChat(core.commands, speaker, write=write)
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
    now = moment_arg(args.now, core.calendar.zone)
    if not args.dry_run:
        for messenger in _messengers(settings):
            core.router.add(messenger)
        if not core.router.messengers:
            warn(
                "actionbot: no way to deliver nudges is configured (SLACK_BOT_TOKEN, the Teams/Graph or email "
                "variables): each nudge due now is recorded as not reached, and escalations follow."
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
    from bot.chasing.scheduler import build_jobs
    from bot.reports.weekly import weekly_job

    cfg, drift = core.settings.chase, core.settings.drift
    return build_jobs(
        sweep=lambda now: core.sweeper.wake(),
        weekly_report=weekly_job(core),
        prune_inbox=lambda now: (core.inbox.prune(now), core.service.expire_batches(now)),
        delivery_status=core.chaser.bounces.status_job(),
        interval_seconds=cfg.sweep_interval_seconds,
        zone=core.settings.timezone,
        weekday=drift.weekly_report_weekday,
        hour=drift.weekly_report_time.hour,
        minute=drift.weekly_report_time.minute,
    )


def cmd_scheduler(args: argparse.Namespace, settings: Settings, out: IO[str], core: Core) -> int:
    from bot.chasing.scheduler import start

    for messenger in _messengers(settings):
        core.router.add(messenger)
    if not core.router.messengers:
        raise UsageError("no way to deliver nudges is configured (set SLACK_BOT_TOKEN, or the Teams/Graph variables)")
    jobs = _jobs(core)
    if args.list:
        for job in jobs:
            out.write(f"{job.name:<22} {job.describe}\n")
        return 0
    core.db.checkpoints.start()
    core.sweeper.start()
    scheduler = start(jobs)
    out.write(f"actionbot scheduler running {len(jobs)} jobs; Ctrl-C to stop.\n")
    _wait_for_stop()
    core.sweeper.stop()
    scheduler.shutdown(wait=True)
    core.db.checkpoints.stop()
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
    if args.platform == "web":
        from handlers.web.main import serve_web

        return serve_web(core, host=args.host or "127.0.0.1", port=args.port)
    if args.platform == "slack":
        from handlers.slack.main import serve_slack

        return serve_slack(
            core, os.environ, http=args.http, port=args.port, with_scheduler=not args.no_scheduler, jobs=_jobs
        )
    from handlers.teams.main import serve_teams

    return serve_teams(core, os.environ, port=args.port, with_scheduler=not args.no_scheduler, jobs=_jobs)


WITH_CORE: dict[str, WithCore] = {
    "console": cmd_console,
    "chase": cmd_chase,
    "scheduler": cmd_scheduler,
    "serve": cmd_serve,
}
WITHOUT_CORE: dict[str, WithoutCore] = {}
