"""App Home: the caller's open actions by deadline (with their buttons) and, for DSLs, the drift headline."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.actions.messages import STATUS_LABELS, Message, owner_buttons
from bot.actions.people import PersonInput
from bot.actions.records import ActionView
from bot.capture.dates import format_day, format_when
from bot.capture.owners import OwnerRef
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from bot.reports.summary import headline_text
from handlers.slack.blocks import Block, buttons_block, escape, mrkdwn, plain
from handlers.slack.context import SlackContext, ack_now

log = logging.getLogger("actionbot.slack.home")

#: Each action takes two blocks; a Home tab holds at most 100.
MAX_LISTED = 40


def may_report(ctx: SlackContext, user_id: str) -> bool:
    """Whether this Slack user may see drift reports (the core's authorisation decides)."""
    return ctx.core.service.may_report(PersonInput(OwnerRef("slack", user_id)))


def _action_blocks(ctx: SlackContext, action: ActionView) -> list[Block]:
    now = ctx.now()
    facts = [f"Due {format_when(action.deadline, ctx.zone, now)}"]
    if action.review_on:
        facts.append(f"review {format_day(action.review_on, now, ctx.zone)}")
    if action.case_ref:
        facts.append(escape(action.case_ref))
    if action.status != "open":
        facts.append(f"*{STATUS_LABELS.get(action.status, action.status)}*")
    if action.is_overdue(now):
        facts.append("*OVERDUE*")
    text = f"*{action.ref}* \u00b7 {escape(action.task)}\n" + " \u00b7 ".join(facts)
    blocks = [mrkdwn(text)]
    actions = buttons_block(Message(title=action.ref, buttons=owner_buttons(action.ref)))
    if actions is not None:
        actions["block_id"] = f"home_{action.ref}"
        blocks.append(actions)
    return blocks


def home_view(ctx: SlackContext, user_id: str) -> dict[str, Any]:
    blocks: list[Block] = [{"type": "header", "text": plain("actionbot", 150)}]
    if may_report(ctx, user_id):
        report = build_report(ctx.core.db, ctx.core.settings, ctx.core.calendar, ctx.now(), DriftFilters())
        blocks.append(mrkdwn(f"*Drift* \u00b7 {escape(headline_text(report))}"))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "Type /drift for the full report."}]})
        blocks.append({"type": "divider"})
    actions = ctx.core.service.list_actions(ctx.person(user_id), scope="mine", now=ctx.now())
    blocks.append(mrkdwn(f"*Your open actions* ({len(actions)})" if actions else "*You have no open actions.*"))
    for action in actions[:MAX_LISTED]:
        blocks.extend(_action_blocks(ctx, action))
    if len(actions) > MAX_LISTED:
        blocks.append(mrkdwn(f"_and {len(actions) - MAX_LISTED} more: type /actions to list them all._"))
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "/action records an action \u00b7 /actions all lists what you can see"}
            ],
        }
    )
    return {"type": "home", "blocks": blocks}


def publish(ctx: SlackContext, user_id: str) -> None:
    ctx.client.views_publish(user_id=user_id, view=home_view(ctx, user_id))


def register(app: App, ctx: SlackContext) -> None:
    def opened(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") == "home" and event.get("user"):
            publish(ctx, str(event["user"]))

    app.event("app_home_opened")(ack=ack_now, lazy=[ctx.lazy("app home", opened)])
