"""Leave read from Outlook automatic replies (optional: TEAMS_OUTLOOK_LEAVE=on; needs MailboxSettings.Read).

Once a day, for each active person with a Teams id who owns an open action, Graph ``GET
/users/{id}/mailboxSettings`` says whether their automatic replies are scheduled: a scheduled period is
their leave (bot.actions.away.apply_calendar_leave: no cover, and never over leave the person set
themselves); replies switched off end leave that came from Outlook. Replies "always on" carry no dates
and are left alone. The replies' messages are never read into the bot, stored or logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msgraph.generated.models.automatic_replies_status import AutomaticRepliesStatus
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.away import apply_calendar_leave, people_with_open_actions
from bot.app import Core
from handlers.teams.graph import status_of
from handlers.teams.runner import LoopRunner

log = logging.getLogger("actionbot.teams.leave")

SOURCE = "outlook"
#: Graph's answer when the app has not been granted MailboxSettings.Read: stop for this run, say so once.
FORBIDDEN = (401, 403)


class LeaveUnreadable(Exception):
    """The tenant has not permitted reading mailbox settings (the app lacks MailboxSettings.Read)."""


class NoDates(Exception):
    """Automatic replies are on with no end ("always on"): no leave can be read from them."""


def _local_day(moment: DateTimeTimeZone | None, zone: ZoneInfo, *, end: bool) -> date | None:
    """A Graph date-time in its own time zone as a local day. An end at midnight is the day before (the
    replies stop as that day begins)."""
    if moment is None or not moment.date_time:
        return None
    try:
        their_zone = ZoneInfo(moment.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        their_zone = ZoneInfo("UTC")  # Graph answers in UTC unless the request asked otherwise
    text = moment.date_time.split(".")[0]  # "2026-12-21T00:00:00.0000000": seven fractional digits
    local = datetime.fromisoformat(text).replace(tzinfo=their_zone).astimezone(zone)
    if end and local.time() == datetime.min.time():
        return local.date() - timedelta(days=1)
    return local.date()


class OutlookLeave:
    def __init__(self, graph: GraphServiceClient, runner: LoopRunner, zone: ZoneInfo) -> None:
        self.graph = graph
        self.runner = runner
        self.zone = zone

    def read(self, object_id: str) -> tuple[date | None, date] | None:
        """(first day, last day) of scheduled automatic replies, or None when none are scheduled. Raises
        NoDates when they are always on, LeaveUnreadable when the tenant does not permit reading them."""
        return self.runner.run(self._read(object_id), 60)

    async def _read(self, object_id: str) -> tuple[date | None, date] | None:
        try:
            settings = await self.graph.users.by_user_id(object_id).mailbox_settings.get()
        except Exception as error:
            if status_of(error) in FORBIDDEN:
                raise LeaveUnreadable from None
            raise
        replies = settings.automatic_replies_setting if settings is not None else None
        if replies is not None and replies.status == AutomaticRepliesStatus.AlwaysEnabled:
            raise NoDates
        if replies is None or replies.status != AutomaticRepliesStatus.Scheduled:
            return None
        start = _local_day(replies.scheduled_start_date_time, self.zone, end=False)
        last = _local_day(replies.scheduled_end_date_time, self.zone, end=True)
        return (start, last) if last is not None else None


@dataclass
class LeaveSync:
    """What one run did, as counts (never who)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def sync_outlook_leave(core: Core, reader: OutlookLeave, now: datetime) -> LeaveSync:
    """Read everyone's scheduled automatic replies and bring their leave up to date."""
    report = LeaveSync()
    today = core.calendar.today(now)
    for person_id, object_id in people_with_open_actions(core.db, "teams_object_id"):
        try:
            leave = reader.read(object_id)
        except LeaveUnreadable:
            log.warning("Outlook leave: reading mailbox settings is not permitted (MailboxSettings.Read)")
            report.add("not permitted")
            break
        except NoDates:
            report.add("always on, no dates")
            continue
        except Exception as error:  # one person's mailbox failing is no reason to skip everyone else's
            log.warning(
                "Outlook leave for person %s: %s %s", person_id, error.__class__.__name__, status_of(error) or ""
            )
            report.add("failed")
            continue
        outcome = apply_calendar_leave(
            core.db, person_id, leave, source=SOURCE, now=now, today=today, listeners=core.service.listeners
        )
        report.add(outcome)
    log.info("Outlook leave: %s", ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items())) or "nobody")
    return report
