"""Capture: text in, draft out.

The `/action` grammar, the work calendar and date phrases, and the personal-data guard. Pure functions over
text and dates: imports nothing from the rest of `bot` but `bot.config`, and no storage.
"""
