"""Actions: the use cases and their rules.

Recording, changing and listing actions and meetings (`service`, composed of `changes`, `reading` and
`meetings` over `base`), the adapter-neutral command layer
(`commands`), who may see and change what (`authz`), people and the directory sync, the read models
(`records`), the platform-neutral messages, and the ports the adapters implement. May import `bot.config`,
`bot.capture` and `storage`; never the chasing, reports or governance packages, never an adapter.
"""
