"""Text people typed, made inert for each markup language we render it into.

Slack mrkdwn has no escape for its formatting characters (``*bold*``, ``_italic_``, ``~strike~``, `` `code` ``):
Slack formats a pair only at word boundaries (``snake_case_names`` stay plain), so each formatting character
at a word boundary gets a zero-width space on either side, which makes it part of a word. Markdown has
backslash escapes for its punctuation, so a typed ``[click here](https://...)`` or ``![img](...)`` shows as
typed, never as a link or an image. In both, ``<``, ``>`` and ``&`` become entities (no mentions, no forged
links, no raw HTML).
"""

from __future__ import annotations

import re

_ZERO_WIDTH_SPACE = "\u200b"
# A formatting character between two word characters (jo_bloggs@..., 2*3) cannot pair and is left alone.
_SLACK_FORMATTING = re.compile(r"(?<!\w)[*_~`]|[*_~`](?!\w)")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_~\[\]!|])")


def mrkdwn(text: str) -> str:
    """Slack mrkdwn: entities for &, < and > (https://api.slack.com/reference/surfaces/formatting#escaping),
    and the formatting characters kept from pairing."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_FORMATTING.sub(lambda m: f"{_ZERO_WIDTH_SPACE}{m.group()}{_ZERO_WIDTH_SPACE}", text)


def markdown(text: str) -> str:
    """CommonMark inline text (a table cell, a heading's words): one line; the characters that start
    emphasis, code, strike-through, links, images and table cells backslash-escaped; entities for &, < and >
    (so no raw HTML and no autolinks in angle brackets)."""
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)
