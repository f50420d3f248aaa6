"""Which actions a drift report covers: the filters (agency, meeting, case, chair, recorded since and until),
and ``/drift``'s argument read as them. Which rows they select is bot.reports.scope's SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.capture.grammar import CASE_WORD
from bot.capture.owners import OwnerRef

_MEETING = re.compile(r"^(?:meeting|mtg|m)\s*#?\s*(\d{1,9})$", re.IGNORECASE)
_CASE = re.compile(r"^(?:case\s+)?#\s*([A-Za-z0-9][A-Za-z0-9/_\-]{0,39})$", re.IGNORECASE)
_CASE_WORD = re.compile(r"^case\s+([A-Za-z0-9][A-Za-z0-9/_\-]{0,39})$", re.IGNORECASE)
_AGENCY = re.compile(r"^agency\s*:?\s+(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class DriftFilters:
    """Which actions a report covers. Every filter is optional; they combine with AND."""

    agency: str | None = None  # the owner's agency, by name (case-insensitive)
    meeting_id: int | None = None
    case_ref: str | None = None  # upper case, without '#'
    chair: OwnerRef | None = None  # recorded the action, or chaired its meeting
    since: date | None = None  # recorded on or after (local date)
    until: date | None = None  # recorded on or before (local date)

    @property
    def empty(self) -> bool:
        return self == DriftFilters()

    def describe(self) -> str:
        """'agency Police; case CR-1042' (or 'all actions')."""
        parts = []
        if self.agency:
            parts.append(f"agency {self.agency}")
        if self.meeting_id is not None:
            parts.append(f"meeting {self.meeting_id}")
        if self.case_ref:
            parts.append(f"case {self.case_ref}")
        if self.chair is not None:
            parts.append(f"chair {self.chair.label or self.chair.value}")
        if self.since:
            parts.append(f"recorded from {self.since.isoformat()}")
        if self.until:
            parts.append(f"recorded until {self.until.isoformat()}")
        return "; ".join(parts) or "all actions"


def parse_filter_text(text: str) -> DriftFilters:
    """``/drift [agency|#CASEREF|meeting]``: ``#CR-1042`` (or ``case CR-1042``, or one word with letters and
    digits, ``CR-1042``) is a case reference;
    ``12`` or ``meeting 12`` a meeting; ``agency NAME`` or any other text an agency's name; nothing
    means no filter. It never raises: text that names nothing gives an empty report that says so."""
    words = " ".join(text.split())[:200]
    if not words:
        return DriftFilters()
    if words.isascii() and words.isdigit() and len(words) <= 9:
        return DriftFilters(meeting_id=int(words))
    if match := _MEETING.match(words):
        return DriftFilters(meeting_id=int(match.group(1)))
    if match := _CASE.match(words) or _CASE_WORD.match(words):
        return DriftFilters(case_ref=match.group(1).upper())
    if CASE_WORD.match(words):  # "CR-1042" without "#": a case, not an agency
        return DriftFilters(case_ref=words.upper())
    if match := _AGENCY.match(words):
        return DriftFilters(agency=match.group(1))
    return DriftFilters(agency=words)
