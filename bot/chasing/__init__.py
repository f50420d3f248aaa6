"""Chasing: which nudge is due, and sending it exactly once.

The ladder of steps (`ladder`), planning nudges for an action (`planner`), queueing them as actions change
(`queueing`), the sweep that claims due nudges (`sweep`) and records what went (`recording`), sending a batch
concurrently (`outbound`) within each platform's limits (`pacing`), the choice of messenger (`delivery`),
email addresses that failed for good and delivery statuses read back (`bounces`), the thread that sweeps
when woken (`runner`) and the scheduler that ticks. May import `bot.config`,
`bot.capture`, `bot.actions` and `storage`.
"""
