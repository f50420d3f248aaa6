"""The `actionbot` command: one module per command group, `main` puts them together.

The composition root's second door (with `bot.app` and `bot.compose`): may import anything in `bot`, and the
adapters only inside the commands that start them.
"""

from bot.cli.main import entry, main

__all__ = ["entry", "main"]
