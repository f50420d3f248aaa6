"""What a Teams message says, as a command: HTML to plain text, and mentions to owner references.

Teams sends message text as (a subset of) HTML with ``<at>Name</at>`` where someone is mentioned, and
lists each mention in the activity's entities. The bot's own mention is dropped; a person's becomes
``<at>{Entra object id}</at>``, the grammar's "teams" owner form, so the owner resolves to their Entra
id rather than to a display name that may be shared or change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
_SKIP_TAGS = {"script", "style", "head", "title"}
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TYPED_MENTION = re.compile(r"<(/?at\b)", re.IGNORECASE)
MAX_TEXT = 8000


class _TextOnly(HTMLParser):
    """Keeps the text, turns block elements into line breaks, drops scripts, styles and attributes.

    Hand-written on the standard library's parser (which also decodes entities) because all we need is
    the visible text; no markup is ever rendered back."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._cells = 0  # cells begun in the table row: a pasted minutes table keeps its columns as tabs
        self._in_cell = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in ("td", "th"):
            self.parts.append("\t" if self._cells else "")
            self._cells += 1
            self._in_cell += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" " if self._in_cell else "\n")  # a paragraph inside a cell stays in its row
            self._cells = self._cells if self._in_cell else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in ("td", "th"):
            self._in_cell = max(0, self._in_cell - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" " if self._in_cell else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, entities decoded, whitespace tidied (lines kept, and a table's cells
    separated by tabs, as a table copied as text is)."""
    parser = _TextOnly()
    parser.feed(fragment[:MAX_TEXT])
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = (_tidy(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line.strip())


def _tidy(line: str) -> str:
    """The line's spacing collapsed, its tabs (a table's cells) kept."""
    return "\t".join(" ".join(cell.split()) for cell in line.split("\t"))


@dataclass(frozen=True)
class Mentioned:
    """One mention entity: the text it replaces, and who it is."""

    text: str | None
    id: str
    name: str | None
    aad_object_id: str | None = None

    @property
    def is_bot(self) -> bool:
        return self.id.startswith("28:")

    @property
    def object_id(self) -> str | None:
        """The Entra object id when the entity says it (or its id is one)."""
        if self.aad_object_id:
            return self.aad_object_id.lower()
        return self.id.lower() if _GUID.match(self.id) else None


def is_object_id(value: str) -> bool:
    return bool(_GUID.match(value))


def command_text(text: str, mentions: Sequence[Mentioned], resolved: dict[str, str]) -> str:
    """The command typed, with bots' mentions (ids ``28:...``: this bot, or the outgoing webhook) removed
    and people as ``<at>{object id}</at>``.

    ``resolved`` maps a mention's id (``29:...``) to the Entra object id found for it; a mention that
    could not be resolved becomes the person's name in quotes (the grammar's name form)."""
    text = text.replace("\x00", "")[:MAX_TEXT]
    placed: list[Mentioned] = []
    position = 0
    for mention in mentions:
        tag = mention.text or (f"<at>{mention.name}</at>" if mention.name else None)
        if not tag:
            continue
        found = text.find(tag, position)
        if found < 0:
            found = text.find(tag)
            if found < 0:
                continue
        placeholder = f"\x00{len(placed)}\x00"
        text = text[:found] + placeholder + text[found + len(tag) :]
        position = found + len(placeholder)
        placed.append(mention)
    text, placed = _merge_adjacent(text, placed)
    slots = [_replacement(mention, resolved) for mention in placed]
    plain = _TYPED_MENTION.sub("\u2039\\1", html_to_text(text))  # a typed "<at>" is text, not a mention
    plain = _PLACEHOLDER.sub(lambda m: slots[int(m.group(1))], plain)
    lines = (_tidy(line) for line in plain.splitlines())  # a pasted action list keeps its lines (a table its cells)
    return "\n".join(line for line in lines if line.strip())


_ADJACENT = re.compile("\x00(\\d+)\x00(?:\\s|&nbsp;|\xa0)*\x00(\\d+)\x00")


def _merge_adjacent(text: str, placed: list[Mentioned]) -> tuple[str, list[Mentioned]]:
    """One mention per person: Teams may send one entity per part of a name (``<at>Jo</at> <at>Bloggs</at>``,
    both with Jo's id). Adjacent mentions of the same id become one, named by both parts."""
    merged = list(placed)
    while True:
        for match in _ADJACENT.finditer(text):
            first, second = merged[int(match.group(1))], merged[int(match.group(2))]
            if first.id == second.id:
                name = " ".join(part for part in (first.name, second.name) if part) or None
                merged[int(match.group(1))] = Mentioned(first.text, first.id, name, first.aad_object_id)
                text = text[: match.start()] + f"\x00{match.group(1)}\x00" + text[match.end() :]
                break
        else:
            return text, merged


def _replacement(mention: Mentioned, resolved: dict[str, str]) -> str:
    if mention.is_bot:
        return " "
    object_id = mention.object_id or resolved.get(mention.id)
    if object_id:
        return f" <at>{object_id}</at> "
    name = " ".join((mention.name or "").replace('"', "").split())
    return f' "{name}" ' if name else " "


def split_command(text: str) -> tuple[str, str]:
    """``action @jo Share ...`` -> (``action``, ``@jo Share ...``); a leading ``/`` is allowed."""
    parts = text.strip().split(maxsplit=1)
    word, rest = [*parts, "", ""][:2]
    return word.lstrip("/").lower(), rest.strip()
