"""``@actionbot drift [agency NAME | #CASEREF | meeting ID]``: the drift report as a Teams message, for DSLs and
admins only (bot.actions.authz); anyone else is refused and nothing is built. A card has a size limit, so the
Markdown report (bot.reports.render) is cut at DRIFT_LINES lines, saying where the rest is."""

from __future__ import annotations

import logging

from bot.actions import authz
from bot.actions.messages import Message
from bot.app import Core
from bot.capture.owners import OwnerRef

log = logging.getLogger("actionbot.teams")

#: Lines of the Markdown drift report shown in Teams (a card has a size limit; the CLI has it all).
DRIFT_LINES = 50


def drift_message(core: Core, object_id: str, text: str) -> Message:
    """The drift report (Markdown, bot.reports.render) for a DSL or admin; a refusal for anyone else."""
    from bot.actions.people import find_person
    from bot.reports.drift import build_report
    from bot.reports.filters import parse_filter_text
    from bot.reports.render import render
    from bot.reports.summary import headline_text

    with core.db.reading() as session:
        person = find_person(session, OwnerRef("teams", object_id.lower()))
        allowed = person is not None and authz.may_report(person)
    if not allowed:
        log.info("teams drift refused for %s", object_id)
        return Message("Drift reports are for DSLs and admins. Nothing was produced.")
    report = build_report(core.db, core.settings, core.calendar, core.service.clock(), parse_filter_text(text))
    markdown = render(report, "md")
    assert isinstance(markdown, str)
    lines = markdown.splitlines()
    shown = "\n".join(lines[:DRIFT_LINES])
    if len(lines) > DRIFT_LINES:
        shown += "\n... the rest is in the full report: actionbot report drift (or the weekly report)."
    log.info("teams drift report sent to %s (%s drifting)", object_id, report.headline.drifting)
    return Message(f"Drift report: {report.filters.describe()}", text=f"{headline_text(report)}\n{shown}")
