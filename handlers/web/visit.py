"""A scripted visit to the answer page, as a person's browser makes it: open the link with an answer chosen,
read the form's CSRF field (its cookie kept), post the form, read what the page said. ``actionbot demo`` uses
it to show an email-only owner answering; it is an HTTP client of the real page, nothing more."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import httpx

from handlers.web.csrf import FIELD

_FIELD = re.compile(rf'name="{FIELD}" value="([^"]+)"')
_HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)
_SAID = re.compile(r'<p id="(?:said|message|error)">(.*?)</p>', re.S)


@dataclass(frozen=True)
class Visit:
    status: int
    heading: str
    said: str


def _read(page: httpx.Response) -> Visit:
    heading = _HEADING.search(page.text)
    said = _SAID.search(page.text)
    return Visit(
        page.status_code,
        html.unescape(heading.group(1).strip()) if heading else "",
        html.unescape(said.group(1).strip()) if said else "",
    )


def look(link: str) -> Visit:
    """Open the link as it is."""
    with httpx.Client(timeout=30) as browser:
        return _read(browser.get(link))


def answer(link: str, choice: str, fields: dict[str, str]) -> Visit:
    """Open the link with ``choice`` chosen, fill in ``fields`` and submit."""
    with httpx.Client(timeout=30) as browser:
        form = browser.get(link, params={"choice": choice})
        found = _FIELD.search(form.text)
        if found is None:
            return _read(form)
        return _read(browser.post(link, data={"choice": choice, FIELD: found.group(1), **fields}))
