"""/drift [agency NAME | #CASEREF | meeting ID]: the drift report for DSLs.

Only people bot.actions.authz lets see reports (DSLs and admins) get one: the summary privately, and the full
workbook uploaded into their DM with the bot. Everyone else is refused privately and nothing is built.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.actions.messages import Message
from bot.actions.ports import DeliveryError
from bot.reports.as_slack import slack_blocks
from bot.reports.definitions import MARKING
from bot.reports.drift import build_report
from bot.reports.filters import parse_filter_text
from bot.reports.render import render
from handlers.slack.context import SlackContext
from handlers.slack.home import may_report

log = logging.getLogger("actionbot.slack.drift")

REFUSED = Message(title="Drift reports are for DSLs and admins. Nothing was produced.")


class DriftCommand:
    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx

    def run(self, body: dict[str, Any]) -> None:
        user = str(body["user_id"])
        response_url = body.get("response_url")
        if not may_report(self.ctx, user):
            log.info("/drift refused for user %s", user)
            self.ctx.reply(response_url, REFUSED)
            return
        core = self.ctx.core
        filters = parse_filter_text(str(body.get("text") or ""))
        report = build_report(core.db, core.settings, core.calendar, self.ctx.now(), filters)
        title = f"Drift report: {report.filters.describe()}"
        self.ctx.reply_blocks(response_url, title, slack_blocks(report))
        workbook = render(report, "xlsx")
        assert isinstance(workbook, bytes)
        try:
            channel = self.ctx.messenger.open_dm(user)
            self.ctx.messenger.upload(
                channel,
                f"actionbot-drift-{report.today.isoformat()}.xlsx",
                workbook,
                f"{title} ({MARKING})",
                f"{MARKING}: the full drift report ({report.filters.describe()}). Keep it within the partnership.",
            )
        except DeliveryError:
            self.ctx.reply(response_url, Message(title="I could not send you the workbook; try /drift again later."))
            return
        log.info("/drift sent to user %s (%s drifting)", user, report.headline.drifting)
