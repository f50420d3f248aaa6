"""The Slack adapter: slash commands, buttons, modals and App Home over the platform-neutral core.

Thin by design: translate Slack payloads, call bot.actions.commands / bot.actions.service, render Block Kit. Only this
package imports slack_bolt and slack_sdk.
"""
