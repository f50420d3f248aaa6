"""Governance: what the log owes people and auditors.

Exports, subject access and case chronology (`export`), and retention (`retention`). May import
`bot.config`, `bot.capture`, `bot.actions` and `storage`.
"""
