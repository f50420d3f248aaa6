"""Process: the safeguarding process as data.

Meeting types (strategy discussion, initial and review conferences, core group, ...) and the statutory
steps that follow each, per UK nation, read from the one reviewed file `timescales.toml` with the source of
every figure; and their due dates on the nation's working days. Pure: imports nothing from the rest of `bot`
but `bot.config` and `bot.capture`, and no storage.
"""
