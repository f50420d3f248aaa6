"""The Slack adapter: slash commands, buttons, modals and App Home over the platform-neutral core.

Thin by design: translate Slack payloads, call bot.commands / bot.service, render Block Kit. Only this
package imports slack_bolt and slack_sdk.
"""
