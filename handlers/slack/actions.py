"""The owner's buttons (Done, On track, Need more time, Blocked, Reassign, Remind me later) and the modals behind
them.

The person who pressed is the actor; bot.actions.service decides whether they may (owner, the chair who recorded
it, or a DSL) and refuses otherwise, which is told to them alone. A change updates the card that was
pressed in place (chat.update), or the App Home when pressed there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.actions import messages
from bot.actions.messages import Message, for_the_room
from bot.actions.people import PersonInput
from bot.actions.ports import DeliveryError
from bot.actions.records import ActionView
from bot.actions.service import ServiceError
from bot.capture.dates import format_when
from handlers.slack import home, modals
from handlers.slack.blocks import DIGEST_BLOCK
from handlers.slack.context import SlackContext, Work, ack_now
from handlers.slack.modals import ModalErrors, Target

log = logging.getLogger("actionbot.slack.actions")


def target_of(body: dict[str, Any]) -> Target:
    """Which card was pressed: its action reference and where the card is. A card inside a digest is not
    replaced (the digest's other actions would go with it): the change is told privately instead."""
    pressed: dict[str, Any] = body["actions"][0]
    ref = str(pressed.get("value") or "")  # an empty reference is refused by the core as unknown
    container: dict[str, Any] = body.get("container") or {}
    if container.get("type") == "view":
        return Target(ref, home=True)
    if str(pressed.get("block_id") or "").startswith(DIGEST_BLOCK):
        return Target(ref, channel=container.get("channel_id") or (body.get("channel") or {}).get("id"), digest=True)
    if container.get("is_ephemeral"):
        return Target(ref, channel=container.get("channel_id"))
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return Target(ref, channel=channel, ts=ts)


class Buttons:
    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx
        self.core = ctx.core

    def refresh(self, target: Target, user: str, action: ActionView, heading: str, notes: tuple[str, ...] = ()) -> None:
        """Show the change where the button was pressed. The change stands even if this fails."""
        if target.home:
            home.publish(self.ctx, user)
            return
        in_a_room = bool(target.channel) and not str(target.channel).startswith("D")  # D...: a direct message
        shown = for_the_room(action, self.ctx.now().astimezone(self.ctx.zone).date()) if in_a_room else action
        card = self.ctx.card(shown, heading, notes)
        if target.channel and target.ts and not target.digest:
            try:
                self.ctx.messenger.update(f"{target.channel}:{target.ts}", card)
            except DeliveryError:
                log.warning("could not update the card of action %s", action.id)
        elif target.digest:  # the digest stays as it is; the updated card is told privately
            self.ctx.tell(user, target.channel, card)

    def refuse(self, target: Target, user: str, error: ServiceError) -> None:
        self.ctx.tell(user, target.channel, Message(title=str(error)))

    # -- presses ----------------------------------------------------------------------------------
    def opener(self, build: Callable[[Target], dict[str, Any]]) -> Work:
        def open_modal(body: dict[str, Any]) -> None:
            self.ctx.client.views_open(trigger_id=body["trigger_id"], view=build(target_of(body)))

        return open_modal

    def immediate(self, change: Callable[[str, PersonInput], ActionView], heading: str, note: str) -> Work:
        """A button that changes the action at once, with no modal (On track, Reviewed). ``heading`` and
        ``note`` are formatted with the action's ``ref`` and the time of the press (``when``)."""

        def press(body: dict[str, Any]) -> None:
            target, user = target_of(body), str(body["user"]["id"])
            try:
                action = change(target.ref, self.ctx.person(user))
            except ServiceError as error:
                self.refuse(target, user, error)
                return
            when = format_when(self.ctx.now(), self.ctx.zone, self.ctx.now())
            self.refresh(target, user, action, heading.format(ref=action.ref), (note.format(when=when),))
            self.ctx.tell(user, target.channel, Message(title=f"Thanks: {heading.format(ref=action.ref)}."))
            self.ctx.wake_sweeper()

        return press

    # -- modal submissions ------------------------------------------------------------------------

    def submitted(
        self, kind: str, change: Callable[[Target, str, dict[str, Any]], tuple[ActionView, str, tuple[str, ...]]]
    ) -> Work:
        def submit(body: dict[str, Any]) -> None:
            view: dict[str, Any] = body["view"]
            target, user = Target.load(view.get("private_metadata") or ""), str(body["user"]["id"])
            try:
                action, heading, notes = change(target, user, view)
            except ModalErrors:
                return  # sent back to the modal by the ack
            except ServiceError as error:
                self.refuse(target, user, error)
                return
            log.info("%s: action %s changed by %s", kind, action.id, user)
            self.refresh(target, user, action, heading, notes)
            self.ctx.wake_sweeper()

        return submit

    def done(self, target: Target, user: str, view: dict[str, Any]) -> tuple[ActionView, str, tuple[str, ...]]:
        action = self.core.service.complete(target.ref, self.ctx.person(user), modals.read_done(view))
        return action, f"{action.ref} done", ()

    def more_time(self, target: Target, user: str, view: dict[str, Any]) -> tuple[ActionView, str, tuple[str, ...]]:
        deadline, reason, warnings = modals.read_more_time(view, self.ctx.now(), self.core.calendar)
        moved = self.core.service.move_deadline(target.ref, self.ctx.person(user), deadline, reason)
        return moved.action, f"{moved.action.ref} {moved.verb}", warnings

    def blocked(self, target: Target, user: str, view: dict[str, Any]) -> tuple[ActionView, str, tuple[str, ...]]:
        action = self.core.service.block(target.ref, self.ctx.person(user), modals.read_blocked(view))
        return action, f"{action.ref} blocked", ()

    def snooze(self, target: Target, user: str, view: dict[str, Any]) -> tuple[ActionView, str, tuple[str, ...]]:
        day = modals.read_snooze(view, self.ctx.now(), self.core.calendar)
        action = self.core.service.snooze(target.ref, self.ctx.person(user), day)
        assert action.remind_from is not None
        when = format_when(action.remind_from, self.ctx.zone, self.ctx.now())
        self.ctx.tell(user, target.channel, Message(title=f"I will remind you about {action.ref} {when}."))
        return action, f"{action.ref}: next reminder {when}", ("The deadline stays.",)

    def reassign(self, target: Target, user: str, view: dict[str, Any]) -> tuple[ActionView, str, tuple[str, ...]]:
        new_owner, reason = modals.read_reassign(view)
        action = self.core.service.reassign(target.ref, self.ctx.person(user), self.ctx.person(new_owner), reason)
        if notes := self.core.commands.owner_notes(action.owner):  # how the new owner is reached: for them alone
            self.ctx.tell(user, target.channel, Message(title=f"Please check {action.ref}", notes=notes))
        return action, f"{action.ref} reassigned to {action.owner.name}", ()


def register(app: App, ctx: SlackContext) -> None:
    """Buttons that open a modal change nothing and run as lazy listeners (a trigger id lives 3 seconds);
    buttons that change the action, and every modal submission, go through the durable inbox."""
    buttons = Buttons(ctx)
    lazy = ctx.lazy
    app.action(messages.DONE)(ack=ack_now, lazy=[lazy("done button", buttons.opener(modals.done_modal))])
    service = ctx.core.service
    on_track = buttons.immediate(service.acknowledge, "{ref} is on track", "Confirmed on track by the owner, {when}.")
    reviewed = buttons.immediate(service.mark_reviewed, "{ref} reviewed", "Reviewed at its review date, {when}.")
    app.action(messages.ON_TRACK)(ctx.durable("on track button", on_track))
    app.action(messages.REVIEWED)(ctx.durable("reviewed button", reviewed))
    app.action(messages.MORE_TIME)(ack=ack_now, lazy=[lazy("more time button", buttons.opener(modals.more_time_modal))])
    app.action(messages.BLOCKED)(ack=ack_now, lazy=[lazy("blocked button", buttons.opener(modals.blocked_modal))])
    app.action(messages.REASSIGN)(ack=ack_now, lazy=[lazy("reassign button", buttons.opener(modals.reassign_modal))])
    app.action(messages.SNOOZE)(ack=ack_now, lazy=[lazy("snooze button", buttons.opener(modals.snooze_modal))])

    now, cal = ctx.now, ctx.core.calendar
    readers: dict[str, tuple[Callable[[dict[str, Any]], object], Any]] = {
        modals.DONE: (modals.read_done, buttons.done),
        modals.MORE_TIME: (lambda view: modals.read_more_time(view, now(), cal), buttons.more_time),
        modals.BLOCKED: (modals.read_blocked, buttons.blocked),
        modals.REASSIGN: (modals.read_reassign, buttons.reassign),
        modals.SNOOZE: (lambda view: modals.read_snooze(view, now(), cal), buttons.snooze),
    }
    for callback_id, (read, change) in readers.items():
        app.view(callback_id)(ctx.durable(callback_id, buttons.submitted(callback_id, change), modals.checker(read)))
