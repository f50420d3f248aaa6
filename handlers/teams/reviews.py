"""Review dates in the chair's Outlook calendar (optional: TEAMS_CALENDAR_REVIEWS=on).

An all-day, private, free event on the review date (Graph ``POST /users/{id}/events``), with a
transactionId so a retried request never creates it twice. Needs Calendars.ReadWrite.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.sensitivity import Sensitivity
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.records import ActionView
from handlers.teams.graph import status_of
from handlers.teams.runner import LoopRunner

log = logging.getLogger("actionbot.teams.reviews")


def review_event(action: ActionView, zone_name: str) -> Event:
    assert action.review_on is not None
    day = action.review_on
    case = f" ({action.case_ref})" if action.case_ref else ""
    body = (
        f"<p>Review action {html.escape(action.ref)}{html.escape(case)}: {html.escape(action.task)}</p>"
        f"<p>Owner: {html.escape(action.owner.name)}. Check it is still the right action, owner and deadline.</p>"
    )
    return Event(
        subject=f"Review action {action.ref}{case}",
        body=ItemBody(content_type=BodyType.Html, content=body),
        is_all_day=True,
        start=DateTimeTimeZone(date_time=f"{day.isoformat()}T00:00:00", time_zone=zone_name),
        end=DateTimeTimeZone(date_time=f"{(day + timedelta(days=1)).isoformat()}T00:00:00", time_zone=zone_name),
        show_as=FreeBusyStatus.Free,
        sensitivity=Sensitivity.Private,
        is_reminder_on=True,
        reminder_minutes_before_start=15 * 60,  # 09:00 the day before
        transaction_id=f"actionbot-review-{action.id}-{day.isoformat()}",
    )


class ReviewCalendar:
    def __init__(self, graph: GraphServiceClient, runner: LoopRunner, zone_name: str) -> None:
        self.graph = graph
        self.runner = runner
        self.zone_name = zone_name

    def add(self, chair_object_id: str, action: ActionView) -> bool:
        """Put the action's review date in the chair's calendar. False (logged, ids only) on failure."""
        if action.review_on is None:
            return False
        try:
            self.runner.run(self._add(chair_object_id, action), 60)
        except Exception as error:  # a calendar entry is a convenience; the review is chased regardless
            log.warning(
                "could not add the review of action %s to a calendar: %s %s",
                action.id,
                error.__class__.__name__,
                status_of(error) or "",
            )
            return False
        return True

    async def _add(self, chair_object_id: str, action: ActionView) -> None:
        await self.graph.users.by_user_id(chair_object_id).events.post(review_event(action, self.zone_name))
