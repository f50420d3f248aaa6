"""Who an owner as written is, for the chat commands: a mention or an address enriched from the platform's
directory, a bare name matched to the one person it means (known to actionbot, or found in a directory) or
refused with the choices, and what the chair is told about how the owner is reached. Mixed into
bot.actions.commands.Commands."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.actions.names import AmbiguousOwner, Candidate, UnknownInitials, initials, words
from bot.actions.outcome import CommandPart
from bot.actions.owner_notes import outside_note, unreachable_warning
from bot.actions.people import PersonInput, Profile
from bot.actions.ports import Directory
from bot.actions.records import PersonView
from bot.capture.grammar import ActionDraft
from bot.capture.owners import OwnerRef

log = logging.getLogger("actionbot.commands")

# A person mentioned inside a task: Slack's "<@U0456DEF>" or "<@U0456DEF|sam>", Teams' "<at>{object id}</at>" (the
# adapter's form) or "<at>Sam Lee</at>". Stored as the id, the task read "Share the log with <@U0456DEF>"
# everywhere, the room's card included (the card escapes markup).
_TASK_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|([^<>|]{0,80}))?>|<at>([^<>]{1,100})</at>")
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class OwnerLookup(CommandPart):
    """Owners as written, looked up."""

    #: Platform directories by owner kind ("slack", "teams"): who a mention, an email or a name really is.
    directories: dict[str, Directory]
    #: The channels this process can reach a person on, in order; empty: nobody can.
    reachable: Callable[[PersonView], Sequence[str]]

    def add_directory(self, kind: str, directory: Directory) -> None:
        self.directories[kind] = directory

    def candidates_for(self, written: str) -> list[Candidate]:
        """Who a bare name may mean: the known people it matches, and the people the platforms' directories find
        by it (the same person found twice is one choice). A directory that fails counts as finding nobody."""
        candidates = self.service.people_named(written)
        exact = len(candidates) == 1 and words(candidates[0].name) == words(written)
        if exact:
            return candidates  # a full name, as written, of someone known: theirs
        for kind, directory in self.directories.items():
            try:
                profiles = directory.people_named(written)
            except Exception as exc:  # a search is a help, not a condition: the name is still recorded
                log.warning("directory search by name on %s failed: %s", kind, exc.__class__.__name__)
                continue
            for profile in profiles:
                found = Candidate.found(profile)
                if not any(found.keys & c.keys for c in candidates):
                    candidates.append(found)
        return candidates

    def with_names_in_task(self, draft: ActionDraft) -> ActionDraft:
        """The draft with the people its task mentions written as their names (known to actionbot, or as the
        platform's directory says; else as the mention's own label)."""
        if "<" not in draft.task:
            return draft  # most tasks: one scan
        task = _TASK_MENTION.sub(self._mentioned_name, draft.task)
        return replace(draft, task=" ".join(task.split()))

    def _mentioned_name(self, found: re.Match[str]) -> str:
        slack, label, teams = found.groups()
        if teams is not None and not _OBJECT_ID.fullmatch(teams):
            return teams  # "<at>Sam Lee</at>": the name as Teams showed it
        ref = OwnerRef("slack", slack) if slack else OwnerRef("teams", (teams or "").lower())
        known = self.service.person_meant(PersonInput(ref))
        if known is not None:
            return known.name
        profile = self._look_up(ref).profile
        if profile is not None and profile.display_name:
            return profile.display_name
        return f"@{label}" if label else "a colleague"  # an id alone says nothing to a reader

    def _look_up(self, ref: OwnerRef) -> PersonInput:
        """The person as written plus what their platform knows (name, email, time zone). A directory that
        fails costs only the extra detail: the action is still recorded against the reference. A bare name
        nobody known has is looked for in the directories: one person found is theirs (their account), several
        are refused with the choices (``AmbiguousOwner``), and initials nobody has are refused (``UnknownInitials``)."""
        if ref.kind == "name":
            return self._named(ref)
        profile: Profile | None = None
        try:
            if ref.kind == "email":
                for directory in self.directories.values():
                    profile = directory.profile_by_email(ref.value)
                    if profile is not None:
                        break
            elif ref.kind in self.directories:
                profile = self.directories[ref.kind].profile(ref.value)
        except Exception as exc:  # a lookup is an enrichment; the action must not wait on it
            log.warning("directory lookup for a %s owner failed: %s", ref.kind, exc.__class__.__name__)
        return PersonInput(ref, profile)

    def _named(self, ref: OwnerRef) -> PersonInput:
        candidates = self.candidates_for(ref.value)
        if len(candidates) > 1:
            raise AmbiguousOwner(ref.value, candidates)
        if not candidates and initials(ref.value):
            raise UnknownInitials(ref.value)
        found = candidates[0].profile if candidates else None
        if found is None:
            return PersonInput(ref)  # known to actionbot (the service finds them), or nobody yet
        account = (
            OwnerRef("slack", found.slack_user_id)
            if found.slack_user_id
            else OwnerRef("teams", found.teams_object_id)
            if found.teams_object_id
            else OwnerRef("email", (found.email or "").lower())
        )
        full = self._look_up(account)  # their whole profile (a search leaves out e.g. their line manager)
        return full if full.profile is not None else PersonInput(account, found)

    def owner_notes(self, owner: PersonView) -> tuple[str, ...]:
        """What the chair should know about how an action's owner is reached: nobody can, or (in another
        organisation) by email. Given once, with the reply that records or reassigns the action."""
        channels = self.reachable(owner)
        if not channels:
            return (unreachable_warning(owner),)
        note = outside_note(owner, channels)
        return (note,) if note else ()
