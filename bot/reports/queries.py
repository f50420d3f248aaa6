"""The drift report's sections as SQL, over its scope (bot.reports.scope), in one class: the tallies
(bot.reports.tallies), the drifting items with their latest notes (bot.reports.items), and the meetings and
delivery problems (bot.reports.problems). Every number is aggregated in the database (docs/drift.md)."""

from __future__ import annotations

from bot.reports.items import ItemQueries
from bot.reports.problems import ProblemQueries
from bot.reports.tallies import TallyQueries


class SectionQueries(TallyQueries, ItemQueries, ProblemQueries):
    """One report's sections: the SQL for each part, run in one read transaction."""
