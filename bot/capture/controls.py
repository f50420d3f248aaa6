"""Control characters: refused in what people type, made visible in what a terminal prints.

A NUL byte cannot be stored by PostgreSQL; ESC, BEL and the other C0/C1 controls can drive an operator's
terminal when the CLI prints them; bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
make text read differently from what it says ("Trojan Source"). None of them belongs in an action, a reason
or a meeting title. Tabs and line breaks are allowed: they are whitespace that forms and modals produce.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_character_in(text: str) -> str | None:
    """The first control character in ``text``, named by its code point (never echoed raw), or None."""
    found = _CONTROLS.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def refusal(text: str, what: str) -> str | None:
    """A message refusing ``text`` if it holds a control character, else None."""
    code = control_character_in(text)
    if code is None:
        return None
    return (
        f"The {what} contains a control character ({code}), which cannot be recorded. "
        "Retype it without pasting from another program."
    )


def neutralise(text: str) -> str:
    """Text safe to print to a terminal: each control character (except tab and line feed) shown as \\uXXXX."""
    return _TERMINAL.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
