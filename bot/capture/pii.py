"""The personal-data guard: spot text that looks like it identifies a child or family.

Actions should carry a case reference, not an NHS number, a date of birth, an address or a phone number.
The guard looks for those four shapes and says which it found (never the matched text itself, so the
finding can be logged and shown safely). It is a net for slips, not a classifier: it errs on the side of
warning, and the chair decides (or, with ``pii_mode = "refuse"``, rephrases).
"""

from __future__ import annotations

import re
from datetime import date

NHS_NUMBER = "an NHS number"
DATE_OF_BIRTH = "a date of birth"
POSTCODE = "a postcode"
PHONE = "a phone number"

_NHS_CANDIDATE = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_DOB_KEYWORD = re.compile(r"\b(d\.?o\.?b\.?|date of birth|born( on)?)\b", re.IGNORECASE)
_FULL_DATE = re.compile(
    r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b",
    re.IGNORECASE,
)
# The Royal Mail postcode shape (outward code, optional space, inward code).
_POSTCODE = re.compile(
    r"\b(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# UK numbers: +44 or 0, then 9-10 more digits, spaces and dashes allowed between groups.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?|\(?0)\d(?:[\s\-)]?\d){8,9}(?!\d)")
_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _past_full_dates(text: str, today: date) -> bool:
    for match in _FULL_DATE.finditer(text):
        try:
            if match.group(1):
                day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
            else:
                day, month, year = int(match.group(4)), _MONTHS[match.group(5)[:3].lower()], int(match.group(6))
            found = date(year, month, day)
        except (ValueError, KeyError):
            continue
        if found.year < today.year:  # a full date last year or earlier in a task is most likely a birth date
            return True
    return False


def find_personal_data(text: str, today: date) -> list[str]:
    """The kinds of personal data the text seems to hold, in a stable order; empty when none."""
    found: list[str] = []
    if not any(c.isdigit() for c in text):  # every shape but the DOB keywords needs a digit
        return [DATE_OF_BIRTH] if _DOB_KEYWORD.search(text) else []
    nhs_spans: list[tuple[int, int]] = []
    for match in _NHS_CANDIDATE.finditer(text):
        if is_valid_nhs_number("".join(match.groups())):
            nhs_spans.append(match.span())
    if nhs_spans:
        found.append(NHS_NUMBER)
    if _DOB_KEYWORD.search(text) or _past_full_dates(text, today):
        found.append(DATE_OF_BIRTH)
    if _POSTCODE.search(text):
        found.append(POSTCODE)
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if not any(s <= start and end <= e for s, e in nhs_spans):
            found.append(PHONE)
            break
    return found


def personal_data_warning(kinds: list[str]) -> str:
    listed = ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + kinds[-1]
    return f"The task seems to contain {listed}. Use a case reference (#CR-1234) instead of personal details."
