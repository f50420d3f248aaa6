"""The drift report's problems beyond a single action, as SQL: the meetings with the most drifting actions,
and the nudges that are stuck (failing, still retried) or could not be delivered (docs/drift.md)."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from bot.reports.definitions import DeliveryProblem, MeetingRow
from bot.reports.measures import count_if
from bot.reports.scope import ReportScope
from storage.models import Action, Meeting, Nudge, Person


class ProblemQueries(ReportScope):
    """Where drift gathers (meetings) and where reminders fail (delivery)."""

    def meetings(self, limit: int) -> tuple[list[MeetingRow], int]:
        """The meetings with drifting actions, most drift first (at most ``limit``), and how many there are."""
        o = self.owner
        flags = self.all_flags()
        per_meeting = (
            select(
                Action.meeting_id.label("meeting_id"),
                func.count().label("open"),
                count_if(flags["overdue"]).label("overdue"),
                count_if(or_(*flags.values())).label("drifting"),
            )
            .join(o, o.id == Action.owner_id)
            .where(self.is_open, Action.meeting_id.is_not(None), *self.scope)
            .group_by(Action.meeting_id)
            .subquery()
        )
        chair = aliased(Person, name="chair")
        rows = self.session.execute(
            select(
                per_meeting.c.meeting_id,
                Meeting.title,
                Meeting.case_ref,
                chair.display_name,
                Meeting.started_at,
                per_meeting.c.open,
                per_meeting.c.overdue,
                per_meeting.c.drifting,
                func.count().over().label("total"),
            )
            .join(Meeting, Meeting.id == per_meeting.c.meeting_id)
            .join(chair, chair.id == Meeting.chair_id)
            .where(per_meeting.c.drifting > 0)
            .order_by(per_meeting.c.drifting.desc(), per_meeting.c.overdue.desc(), per_meeting.c.meeting_id)
            .limit(limit)
        ).all()
        total = int(rows[0][8]) if rows else 0
        return [MeetingRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6]), int(r[7])) for r in rows], total

    def delivery(self, limit: int) -> tuple[list[DeliveryProblem], int, int, int]:
        """Nudges stuck or unreachable, latest first (at most ``limit``); the total, stuck and unreachable."""
        stuck = and_(Nudge.stuck.is_(True), Nudge.status.in_(("pending", "sending")))
        unreachable = and_(Nudge.status == "unreachable", or_(self.is_open, and_(Nudge.sent_at > self.period_start)))
        where = [or_(stuck, unreachable), *self.scope]
        totals = self.session.execute(
            select(count_if(stuck), count_if(Nudge.status == "unreachable"))
            .select_from(Nudge)
            .join(Action, Action.id == Nudge.action_id)
            .where(*where)
        ).one()
        when = func.coalesce(Nudge.sent_at, Nudge.due_at)
        rows = self.session.execute(
            select(
                Nudge.id,
                Nudge.action_id,
                Nudge.step,
                Nudge.status,
                Nudge.recipient_id,
                Nudge.recipient_key,
                Person.display_name,
                Nudge.attempts,
                Nudge.last_error,
                Nudge.sent_at,
                Nudge.due_at,
            )
            .join(Action, Action.id == Nudge.action_id)
            .outerjoin(Person, Person.id == Nudge.recipient_id)
            .where(*where)
            .order_by(when.desc(), Nudge.id.desc())
            .limit(limit)
        ).all()
        problems = []
        for r in rows:
            recipient = r[6] if r[6] is not None else "channel " + str(r[5]).split(":", 2)[-1]
            problems.append(
                DeliveryProblem(
                    nudge_id=r[0],
                    action_id=r[1],
                    ref=f"A-{r[1]}",
                    step=r[2],
                    problem="unreachable" if r[3] == "unreachable" else "stuck",
                    recipient_id=r[4],
                    recipient=recipient,
                    attempts=int(r[7]),
                    last_error=r[8],
                    at=r[9] if r[9] is not None else r[10],
                )
            )
        n_stuck, n_unreachable = int(totals[0]), int(totals[1])
        return problems, n_stuck + n_unreachable, n_stuck, n_unreachable
