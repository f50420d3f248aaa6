"""Chasing: which nudge is due, and sending it exactly once.

The ladder of steps (`ladder`), planning nudges for an action (`planner`), the sweep that claims and sends
due nudges (`sweep`), delivery across messengers (`delivery`) and the scheduler that ticks. May import
`bot.config`, `bot.capture`, `bot.actions` and `storage`.
"""
