"""Actions: the use cases and their rules.

Recording, changing and listing actions and meetings (`service`, composed of `changes`, `reading` and
`meetings` over `base`), the adapter-neutral command layer
(`commands`), who may see and change what (`authz`), people and the directory sync, the read models
(`records`), the platform-neutral messages, the statutory steps that follow a meeting (`statutory`, with
`meeting_commands` for `/meeting` and `/case`), and the ports the adapters implement. May import
`bot.config`, `bot.capture`, `bot.process` and `storage`; never the chasing, reports or governance packages,
never an adapter.
"""
