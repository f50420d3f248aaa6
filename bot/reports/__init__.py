"""Reports: the DSL's drift report.

The report's queries (`drift`), its renderers (`render`) and the weekly job that sends it (`weekly`). May
import `bot.config`, `bot.capture`, `bot.actions`, `bot.governance` (spreadsheet-safe cells) and `storage`.
"""
