"""`/action` text -> ActionDraft.

Shape: ``OWNER TASK [#CASEREF] DEADLINE [review REVIEW]``; the case reference, deadline and review clauses
may come in any order after the task. The owner comes first.

How it reads a command:
1. the owner is taken from the start (``bot.capture.owners``: a Slack or Teams mention, ``@handle``, an
   email, a quoted name, the minutes' "Jo Bloggs to"), after any numbering or "ACTION:" label;
2. ``#CR-1042`` style case references are lifted out wherever they stand;
3. date clauses are peeled off the end, longest first (``bot.capture.clauses``): ``by|before|due|no later
   than PHRASE``, ``in|within [the next] N units``, the bare ``EOD``/``close of play``/``end of ...``/
   ``today``/``tomorrow``, a week (``w/c 14 Dec``: its Friday, said in a warning), and ``review [on|date|
   at MEETING [on]] PHRASE``. What is left is the task, so "Visit by bus by Friday" keeps "by bus". Each
   phrase is read by ``bot.capture.phrases``. An urgency marker beside the deadline ("by Friday (urgent)")
   is set aside with a warning; a vague time ("by Christmas", "asap", "review at the next meeting") is
   refused by name, never guessed.

Dates follow UK conventions, fixed and documented in docs/grammar.md: day first, Europe/London, a date
without a time means the end of the working day (17:00). A hand grammar reads every phrase, and what it does
not know is refused, never guessed. dateparser was its fallback until session 14 and was dropped: of some 170
phrasings from minutes it read only one that the hand grammar did not ("the day after tomorrow", now hand
read) and got others wrong ("tomorrow week" as tomorrow, "by this month" as today), and of 2,240 word
combinations it accepted nearly all, most as some day ("by a Monday in January": 1 January).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.capture.clauses import (
    Peeled,
    counted_phrase,
    date_without_keyword,
    length_of_time,
    misplaced_deadline,
    peel_clauses,
    read_clause,
    starts_a_clause,
    unread_tail,
)
from bot.capture.controls import refusal
from bot.capture.dates import WorkCalendar, ensure_aware, format_day, format_when
from bot.capture.minutes_phrases import (
    vague,
    vague_refusal,
    week_end,
    week_mark,
    week_phrase,
)
from bot.capture.minutes_table import done_status, labelled_case_refs, labelled_line
from bot.capture.owners import (
    EMAIL,
    OwnerRef,
    alternative_owners,
    drop_minutes_label,
    group_mention,
    joint_minutes_owners,
    lowercase_name,
    minutes_owner,
    no_owner_named,
    organisation,
    owner_after_task,
    parse_owner,
    role_of,
    role_only,
    second_action,
    second_owner,
    typed_at_name,
    unclear_at_name,
    without_role_after_account,
)
from bot.capture.phrases import clinical, hand_phrase, month_alone, starts_with_count
from bot.capture.pii import find_personal_data, personal_data_warning
from bot.capture.vague_clauses import MAX_CLAUSE_WORDS, refuse_vague
from bot.capture.when import Context, Impossible, Unreadable, When, clean_word

EXAMPLE = "/action @jo.bloggs Share the CAD log with social care #CR-1042 by Friday review in 2 weeks"
FAR_AHEAD = timedelta(days=183)


class GrammarError(ValueError):
    """The command cannot be recorded as it stands. The message says why and shows an example."""

    def __init__(self, problem: str, example: str | None = EXAMPLE) -> None:
        self.problem = problem
        super().__init__(f"{problem}\nExample: {example}" if example else problem)


@dataclass(frozen=True)
class ActionDraft:
    owner: OwnerRef
    task: str
    deadline: datetime  # timezone-aware UTC
    review: date | None
    case_ref: str | None
    warnings: tuple[str, ...] = ()
    #: Kinds of personal data the task seems to hold (see bot.capture.pii); the service refuses these when so set.
    personal_data: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "owner": self.owner.as_dict(),
            "task": self.task,
            "deadline": self.deadline.isoformat(),
            "review": self.review.isoformat() if self.review else None,
            "case_ref": self.case_ref,
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------------------------------
# Case references
# ---------------------------------------------------------------------------------------------------
#: One word with letters and digits ("CR-1042", "LA/2026/17"): a case reference written without "#" where a
#: command takes one (``/actions CR-1042``, ``/drift CR-1042``).
CASE_WORD = re.compile(r"^(?=\S*[A-Za-z])(?=\S*\d)[A-Za-z0-9][A-Za-z0-9/_\-]{1,39}$")
#: A case reference without "#" before the owner, as minutes write it: "CR-1042: Jo Bloggs to ...", "[CR-1042]
#: Jo Bloggs to ...", "(LA/2026/17) - Jo ...", "CR-1042 Jo Bloggs to ..." (letters and digits, and a "-" or "/"
#: or two digits: never a name, nor "1st").
_LEADING_CASE = re.compile(
    r"^(?:\[|\()?((?=[^\s\])]*[A-Za-z])(?=[^\s\])]*\d)(?=[^\s\])]*(?:\d[^\s\])]*\d|[-/]))[A-Za-z0-9][A-Za-z0-9/_\-]{1,39})"
    r"(?:\]|\))?\s*[:\-\u2013\u2014]?\s+"
)


def _digit_in_first_word(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return not first.isalpha() and any(c.isdigit() for c in first)


_CASE_REF = re.compile(r"(?<![\w<&#])#([A-Za-z0-9][A-Za-z0-9/_\-]{0,38}[A-Za-z0-9])(?![\w/\-])")


_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


def extract_case_refs(text: str) -> tuple[list[str], str]:
    """Case references (``#CR-1042``; they must contain a digit) and the text without them."""
    found: list[str] = []
    if "#" not in text:
        return found, text

    def lift(match: re.Match[str]) -> str:
        ref = match.group(1)
        if not any(c.isdigit() for c in ref):
            return match.group(0)
        ref = ref.upper()
        if ref not in found:
            found.append(ref)
        return " "

    return found, _CASE_REF.sub(lift, text)


# ---------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------
def _unescape(text: str) -> str:
    """Slack and Teams escape these three characters in message text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Slack's markup for links, channels and broadcasts, as it arrives in a slash command's text: stored as the
# words a person reads (and the address), so that Teams, email and the log do not show raw markup.
_SLACK_MARKUP = (
    (re.compile(r"<(https?://[^|<>\s]+)\|([^<>]+)>"), r"\2 (\1)"),
    (re.compile(r"<(https?://[^|<>\s]+)>"), r"\1"),
    (re.compile(rf"<mailto:({EMAIL})(?:\|[^<>]*)?>"), r"\1"),
    (re.compile(r"<#[CG][A-Z0-9]+\|([^<>]+)>"), r"#\1"),
    (re.compile(r"<#([CG][A-Z0-9]+)>"), r"#\1"),
    (re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>"), r"@\1"),
    (re.compile(r"<!subteam\^[A-Z0-9]+\|([^<>]+)>"), r"\1"),
)


def _readable(text: str) -> str:
    for pattern, replacement in _SLACK_MARKUP:
        text = pattern.sub(replacement, text)
    return text


_FIRST_WORD = re.compile(r"[^\W\d_]+(?![^\W\d_])")


#: The last part of an action after a dash: "Jo Bloggs - Share the CAD log - 11/12/2026" (a minutes table row
#: pasted as text, its columns joined by dashes).
_DASH_TAIL = re.compile(
    r"\s[-\u2013\u2014]\s+([^-\u2013\u2014(]{1,40}?)"
    r"(\s*[-\u2013\u2014,;.]?\s*(?:and\s+|then\s+)*\(?(?:next\s+)?review\b[^-\u2013\u2014]*)?$",
    re.IGNORECASE,
)  # "... - 11/12 - review 4/1": the review column after it


def _dash_deadline(rest: str, ctx: Context) -> str:
    """A date alone after the last dash is the deadline column of a pasted table row: read as "by DATE"; a
    length of time alone (``- 15 working days``, ``- 48hrs``) as "within" it. Any other last part (``- urgent``,
    ``- 2 children``) is left as it is."""
    tail = _DASH_TAIL.search(rest)
    if tail is None:
        return rest
    words, review = [clean_word(w) for w in tail.group(1).split()], tail.group(2) or ""
    try:
        when = hand_phrase(words, ctx, False)
    except (Unreadable, Impossible):
        return f"{rest[: tail.start()]} within {tail.group(1)}{review}" if length_of_time(words, ctx) else rest
    return f"{rest[: tail.start()]} by {tail.group(1)}{review}" if when.day is not None else rest


# A deadline written as a labelled field at the end, as minutes lay them out: "Deadline: 11/12", "- target date
# 11/12", "(due date Friday)", "Timescale - within 5 working days", "by when: Friday".
_LABELLED = re.compile(
    r"(?:^|(?P<before>[,;.(\-\u2013\u2014])\s*|\s)(?P<label>deadline|target(?:\s+date)?|due\s+date|date\s+due"
    r"|completion\s+date|timescales?|time\s*frame|(?:by\s+)?when)(?P<after>\s*[:\-\u2013\u2014])?\s+(?P<when>(?:(?!review)[^()]){1,60}?)\s*\)?"
    r"(?P<review>[\s,;.\-\u2013\u2014]+(?:and\s+|then\s+)*\(?(?:next\s+)?review\b.*)?$",
    re.IGNORECASE,
)
_LABEL_WORDS = ("deadline", "date", "timescale", "frame", "when", "target")
_OWNED = re.compile(r"(?:['\u2019]s|\b(?:her|his|their|the|a|an|its|our|your|my))\s*$", re.IGNORECASE)
_KEYWORD_FIRST = re.compile(r"^(?:by|before|on|within|in|no\s+later\s+than|nlt|w/?c|wc)\b", re.IGNORECASE)


def _labelled_deadline(rest: str, ctx: Context) -> str:
    """A labelled deadline at the end (``Deadline: 11/12``) as a clause the grammar reads (``by 11/12``); a
    length of time (``Timescale: 2 weeks``) as "within" it. Left as it is unless all of it is a date phrase:
    "agree the deadline for the report by Friday" is a task and its deadline."""
    lowered = rest.lower()
    if not any(label in lowered for label in _LABEL_WORDS):
        return rest  # most commands: a few substring scans rule the search out
    found = _LABELLED.search(rest)
    if found is None or not (found["before"] or found["after"]):
        return rest  # "set a new deadline by Friday": the task's word, not a label
    if not found["before"] and _OWNED.search(rest[: found.start()]):
        return rest  # "check mum's due date - 14/12": whose date it is, the task's words, not a label
    when = found["when"].strip(" .")
    words = [clean_word(w) for w in when.split()]
    if _KEYWORD_FIRST.match(when):
        clause = when
    elif found["label"].lower().startswith("time") and (length := clinical(when)):
        _refuse_if_also_a_near_day(when, length, ctx)
        clause = f"within {when}"  # "Timescale: 3/7" is health notes' three days ("Deadline: 3/7" is 3 July)
    elif length_of_time(words, ctx) is not None:
        clause = f"within {when}"
    else:
        clause = f"by {when}"
    head = rest[: found.start()].rstrip(" ,;.-\u2013\u2014(")
    try:
        found_clause = read_clause([clean_word(w) for w in clause.split()], ctx)
        readable = found_clause is not None and found_clause[0] == "deadline"
    except Impossible:
        readable = True  # plainly a date, but wrong ("31/02"): the grammar says why
    if (kind := vague(words, meetings=True)) is not None:  # "Deadline: ongoing", "Timescale: ASAP": by name
        raise GrammarError(f"{vague_refusal(kind, when, ctx)}.")
    if readable:
        return f"{head} {clause} {found['review'] or ''}".rstrip()  # "Deadline: 11/12. Review: 4/1": it stays
    return rest


def _refuse_if_also_a_near_day(shorthand: str, length: str, ctx: Context) -> None:
    """``Timescale: 11/12`` on 7 December: eleven months, as health notes write it, or Friday? Refused with both
    when the date is a day in the coming six months; otherwise (``3/7`` in December: July) it is the length."""
    count, month = (int(part) for part in shorthand.split("/"))
    if month not in (7, 12):
        return  # "2/52": no month 52
    try:
        day = date(ctx.today.year, month, count)
    except ValueError:
        return  # "31/12" is a day; "0/7" none
    if day < ctx.today:
        day = day.replace(year=day.year + 1)
    if day - ctx.today <= FAR_AHEAD:
        said = format_day(day, ctx.now, ctx.cal.zone)
        raise GrammarError(
            f"\u201c{shorthand}\u201d could be {length}, as health notes write it, or {said}: write "
            f"\u201cwithin {length}\u201d or \u201cby {said}\u201d."
        )


# What minutes leave at the task's end once its deadline is lifted: a sentence's full stop ("Visit the family.
# By: 11/12"; not "etc." or an ellipsis), "completed"/"to be done" before "by" ("Visit the family, to be
# completed by 11/12").
_TASK_TAIL = re.compile(
    r"(?:\s*[,;\-\u2013\u2014]\s*(?:to\s+be\s+)?(?:completed|complete|done|actioned)|(?<![.])(?<!etc)\.)$",
    re.IGNORECASE,
)
_TAIL_ENDS = {"eted", "lete", "done", "oned"}  # how _TASK_TAIL's words end
_REPEATING = {"daily", "weekly", "fortnightly", "monthly", "every", "each", "ongoing", "regularly"}


def either_owner(beside: str = "") -> str:
    """The refusal of one person or another where one owner stands (``beside``: where it was written)."""
    return (
        f"One owner per action{beside}: name the one who will do it, so that they are chased. Whoever helps can be "
        "in the task (\u201cJo Bloggs to visit with Sam Lee\u201d); whoever stands in while they are away is their "
        "cover (/away)."
    )


ONE_OWNER = (
    "One owner per action: two people are named at the start. Record one action for each, so that each is chased "
    "for their own part (for a joint visit, one action each with the same task)."
)


# What a task says when it ends "to be completed" before its deadline: nothing ("Visit to be completed by 14/12").
_TO_BE_DONE = re.compile(
    r"\s*[-\u2013\u2014,]?\s*to\s+be\s+(?:completed|done|undertaken|actioned|carried\s+out|finished)$", re.IGNORECASE
)


_ASKING = frozenset({"for", "ask", "request", "ensure", "arrange", "get", "chase", "need", "needs", "want", "expect"})


def _without_to_be_done(task: str) -> str:
    """The task without a closing "to be completed", which says nothing; kept where it is what someone else is
    asked for ("Ask for the assessment to be completed")."""
    if _TO_BE_DONE.search(task) is None or not _ASKING.isdisjoint(w.lower() for w in task.split()):
        return task
    return _TO_BE_DONE.sub("", task) or task


def _sentence_case(task: str) -> str:
    """A task starts with a capital, as a chair types one after a mention: "Jo to share the log" records
    "Share the log". A word that is not plain lower case ("iPad", "eCAF") is left as written."""
    first = _FIRST_WORD.match(task)
    return task[0].upper() + task[1:] if first is not None and first.group().islower() else task


# "to", and as minutes say it after an account: "<@U1> will share", "is to share", "(has) agreed to share".
_LEADING_TO = re.compile(r"^\s*[:\-\u2013\u2014]?\s*(?:(?i:to)|will|is\s+to|(?:has\s+)?agreed\s+to)\s+")


def _day_warning(label: str, day: date, cal: WorkCalendar, now: datetime) -> str | None:
    shown = format_day(day, now, cal.zone)  # with the year when it is not this year's
    holiday = cal.bank_holiday_name(day)
    if holiday:
        return f"The {label} {shown} is a bank holiday ({holiday})."
    if day.weekday() >= 5:
        return f"The {label} {shown} is a {day:%A}."
    return None


#: Courtesy after the deadline ("by Friday please", "by Friday, thanks"): not a date, not the task's.
_COURTESY = frozenset({"please", "pls", "plz", "thanks", "thx", "ta", "cheers"})
_EMOJI_AT_END = re.compile(r":[a-z0-9_+\-]+:$")


def _without_courtesy(words: list[str]) -> list[str]:
    """The words without "please" or "thanks" at the end: "by Friday please" was refused as unreadable."""
    last = words[-1].lower().rstrip(".!") if words else ""
    if last in _COURTESY:
        size = 1
    elif last == "you" and len(words) > 2 and words[-2].lower() == "thank":
        size = 2
    else:
        return words  # most commands
    if len(words) <= size:
        return words
    return [*words[: -size - 1], words[-size - 1].rstrip(",")]  # "by Friday, thanks"


def _refuse_two_actions(task: str) -> None:
    """Refuse a task holding another owner's action (``Visit and Sam Lee to call the GP``): Sam was never chased."""
    if (other := second_action(task)) is not None:
        other = other.rstrip(" .,;)")
        role = role_only(other)
        named = f", naming who in \u201c{role}\u201d will do it" if role else ""
        raise GrammarError(
            f"Two actions in one: \u201c{other}\u201d has its own owner, who would not be chased for it. Record one "
            f"action for each{named}, so that each owner is chased for their own part."
        )


def role_refusal(role: str) -> str:
    what, who = ("an organisation", "who there will do it") if organisation(role) else ("a role", "who will do it")
    return (
        f"\u201c{role}\u201d is {what}, not a person: name {who}, e.g. "
        f'\u201cJo Bloggs to ...\u201d, @jo or "Dr A. Khan". One named owner makes the action theirs.'
    )


def _peel(words: list[str], ctx: Context) -> Peeled:
    """The clauses peeled off the end. A note in brackets at the end (``by Friday (joint visit with police)``),
    which minutes often add, stays with the task; one that names a day is refused, never left in the task
    unchased nor read as the deadline. Brackets that start like a clause (``(urgent)``, ``(review 4/1)``,
    ``(by 30/12/26)``) are read as one."""
    start = _trailing_brackets(words)
    if start is None or starts_a_clause(clean_word(words[start])):
        return peel_clauses(words, ctx)
    if not _names_a_day(words[start:], ctx):
        try:
            without = peel_clauses(words[:start], ctx)
        except Impossible:  # "within 45 working days of referral (1/12)": a day that passed, counted from
            whole = peel_clauses(words, ctx)
            if whole.deadline is None or len(whole.words) > start:
                raise
            return whole
        if without.deadline is not None:
            without.words = [*without.words, *words[start:]]
            return without
        return peel_clauses(words, ctx)
    # A day in brackets is read with the date when it is part of it ("by 9/12 (Wed)"); one inside a note is
    # refused, never left in the task nor read as the deadline ("by Friday (visit in January)").
    peeled = peel_clauses(words, ctx)
    if peeled.deadline is not None and len(peeled.words) <= start:
        return peeled
    raise Impossible(
        f"The note {' '.join(words[start:])} names a day or a month: give one deadline, outside the brackets"
    )


_BESIDE = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
# Words in the brackets beside an owner that say someone else will do it: "(on leave)", "(covered by Sam Lee)"
# ("covering for Sam Lee" is the owner doing it).
_AWAY_WORDS = {"leave", "away", "sick", "absent", "absence", "covered", "cover", "maternity", "paternity"}


def _away_beside(owner: str, now: datetime, cal: WorkCalendar) -> str | None:
    """Why the brackets beside an owner are refused: they say the owner is away or covered, or name a day
    (``Jo Bloggs (on leave until 4/1) to visit by Friday`` recorded Jo, who would be chased while away, with
    the day kept as her role); None otherwise."""
    beside = _BESIDE.match(owner)
    if beside is None:
        return None
    name, said = beside.groups()
    if said.split()[:1] in (["or"], ["Or"], ["and/or"]):  # "Jo Bloggs (or Sam Lee) to visit": which one?
        return either_owner(f" (\u201c{said}\u201d beside {name})")
    if said.lower().startswith(("cover for ", "covering for ")):
        return None  # "Jo Bloggs (cover for Sam Lee)": Jo is doing it
    if _AWAY_WORDS.isdisjoint(clean_word(w) for w in said.split()):
        if not _names_a_day(said.split(), Context(now, cal)):
            return None
        return f"\u201c{said}\u201d beside {name} names a day: give the deadline at the end, never beside the owner."
    return (
        f"\u201c{said}\u201d beside {name}: actionbot chases the owner named, so record the action for whoever "
        "will do it; leave is set with /away (with a cover)."
    )


def _names_a_day(words: list[str], ctx: Context) -> bool:
    """Whether any run of the words reads as a day or time, or names a month ("in January"): a date is never
    left in the task unchased."""
    clean = [clean_word(w) for w in words]
    for start in range(len(clean)):
        if (
            start
            and clean[start - 1] in ("in", "during", "by", "before", "until", "of")
            and month_alone(clean[start : start + 1])
        ):
            return True
        for end in range(start + 1, len(clean) + 1):
            try:
                hand_phrase(clean[start:end], ctx, False)
                return True
            except (Unreadable, Impossible):
                continue
    return False


def _trailing_brackets(words: list[str]) -> int | None:
    """Where a bracketed part that ends the words starts (not the first word), or None."""
    if not words or not words[-1].endswith(")"):
        return None
    for start in range(len(words) - 1, max(0, len(words) - MAX_CLAUSE_WORDS) - 1, -1):
        if words[start].startswith("("):
            return start if start > 0 and "(" not in " ".join(words[start:])[1:] else None
    return None


def parse_action(text: str, now: datetime, cal: WorkCalendar, max_length: int = 1000) -> ActionDraft:
    """Parse the text after ``/action``. Raises GrammarError, and only GrammarError, for bad input."""
    ensure_aware(now)
    if len(text) > max_length:
        raise GrammarError(f"That is {len(text)} characters; an action can be at most {max_length}.")
    if problem := refusal(text, "action"):
        raise GrammarError(problem)
    text = " ".join(text.replace("\u00a0", " ").split())
    if not text:
        raise GrammarError("Say who will do what, and by when.")
    text = drop_minutes_label(labelled_line(text) or text)  # "Owner: Jo Bloggs. Action: ... Deadline: 11/12"
    text = labelled_case_refs(text)  # "Case ref: CR-1042" (not one of a line of fields) as "#CR-1042"
    text, finished = done_status(text)  # a minutes table's Status column, or "Status: Complete"
    if finished is not None:
        raise GrammarError(
            f"This action is marked \u201c{finished}\u201d, as finished: it is not recorded as a new, open one. "
            f"If it is still to be done, give it without \u201c{finished}\u201d."
        )
    leading: list[str] = []
    if text.startswith("#"):  # "#CR-1042 @jo visit ...", "#CR-1042: Jo Bloggs to ...": the case before the owner
        first, _, after = text.partition(" ")
        leading, lifted = extract_case_refs(first)
        text = drop_minutes_label(after.lstrip(" :-\u2013\u2014")) if leading and not lifted.strip(" :;,") else text
    elif text[:1] in "[(" or _digit_in_first_word(text):  # "CR-1042: Jo Bloggs to ...", "[CR-1042] Jo ..."
        case = _LEADING_CASE.match(text)
        if case is not None:
            leading, text = [case.group(1).upper()], drop_minutes_label(text[case.end() :])
    owned = typed_at_name(text) or parse_owner(text) or minutes_owner(text)
    if owned is not None and owned[0].kind == "handle" and (unclear := unclear_at_name(text)) is not None:
        if joint_minutes_owners(text.replace("@", "")):  # "@Jo Bloggs and @Sam Lee to visit"
            raise GrammarError(ONE_OWNER)
        name = " ".join(word[:1].upper() + word[1:] for word in unclear[1:].split())  # "@jo bloggs": Jo Bloggs
        raise GrammarError(
            f"Who is \u201c{unclear}\u201d: the person whose handle is @{owned[0].value}, or {name}? Pick "
            f"them from the platform's list as you type @, or write \u201c{name} to ...\u201d."
        )
    if owned is None:
        if (group := group_mention(text)) is not None:
            raise GrammarError(
                f"{group} is a group, not a person: name the one who will do it (@jo, \u201cJo Bloggs to ...\u201d). "
                "One named owner makes the action theirs."
            )
        if joint_minutes_owners(text):
            raise GrammarError(ONE_OWNER)
        if alternative_owners(text):
            raise GrammarError(either_owner())
        if role := role_only(text):
            raise GrammarError(role_refusal(role))
        if why := no_owner_named(text):
            raise GrammarError(why)
        if (typed := lowercase_name(text)) is not None:  # "jo bloggs to visit": never guessed to be a name
            raise GrammarError(
                f"Start with the owner: if \u201c{typed}\u201d is who will do it, write the name with capitals "
                f"(\u201c{typed} to ...\u201d) or pick them with @."
            )
        if (named_after := owner_after_task(text)) is not None:  # "Visit the family (JB) by 11/12"
            said = f"\u201c{named_after} to ...\u201d"
            raise GrammarError(
                f"Start with the owner: if \u201c{named_after}\u201d is who will do it, write {said} at the start, "
                "or pick them with @."
            )
        raise GrammarError(
            'Start with the owner: a mention (@name), an email address, a name in quotes ("Dr A. Khan"), '
            "or a name then \u201cto\u201d (Jo Bloggs to share ...)."
        )
    owner, rest = owned
    # A role in quotes ("Social worker") is still a role: recorded, it would be chased as if it were a person.
    if (role := role_of(owner)) is not None:
        raise GrammarError(role_refusal(role))
    if second_owner(rest):
        raise GrammarError(ONE_OWNER)
    if owner.kind == "name" and (away := _away_beside(owner.value, now, cal)) is not None:
        raise GrammarError(away)
    if owner.kind != "name":  # "<@U1> (SW) to share ...": the role beside an account is not the task's
        rest = without_role_after_account(rest)
    rest = _LEADING_TO.sub(" ", rest)  # minutes say "Jo to share ..."; the task is "share ..."
    case_refs, rest = extract_case_refs(rest)
    case_refs = leading + [ref for ref in case_refs if ref not in leading]
    rest = _EMPTY_BRACKETS.sub(" ", rest)  # "Visit (#CR-1042) by Friday": the brackets went with the reference
    ctx = Context(now, cal)
    words = _without_courtesy(_dash_deadline(_labelled_deadline(rest, ctx), ctx).split())
    try:
        peeled = _peel(words, ctx)
    except Impossible as exc:
        raise GrammarError(f"{exc}.") from None
    words, deadline, review = peeled.words, peeled.deadline, peeled.review
    written = _unescape(_readable(" ".join(words)))
    task = written.strip(" ,;:-\u2013\u2014")
    if task[-1:] != written[-1:] and _EMOJI_AT_END.search(written):
        task += ":"  # "Share the plan :white_check_mark:" kept its emoji whole (it lost its last colon)
    if task[-1:] == "." or task[-4:].lower() in _TAIL_ENDS:  # most tasks end otherwise: no search
        task = _TASK_TAIL.sub("", task)
    if deadline is None and (inside := misplaced_deadline(words, ctx)) is not None:
        _refuse_two_actions(" ".join(words))  # "Visit by Friday. DC Smith to attend.": two owners, not a misplacing
        start, end = inside
        said, rest = " ".join(words[start:end]).rstrip(",;"), " ".join(words[:start] + words[end:])
        raise GrammarError(
            f"\u201c{said}\u201d is inside the task: put the deadline at the end (\u201c{rest} {said}\u201d), or "
            "record one action for each part."
        )
    if deadline is None:
        tail = unread_tail(words)
        if tail:
            example = cal.add_working_days(ctx.today, 5)  # a date that makes sense today
            raise GrammarError(
                f"I could not read a deadline in \u201c{tail}\u201d. "
                f"Try \u201cby {format_day(example)}\u201d or \u201cby {example.day}/{example.month}\u201d."
            )
        repeats = not _REPEATING.isdisjoint(clean_word(w) for w in words)  # "visit weekly", "every Friday"
        if not repeats and (bare := date_without_keyword(words, ctx)) is not None:
            raise GrammarError(
                f"There is no deadline: \u201c{bare}\u201d at the end is read as part of the task. For the "
                f"deadline, write \u201cby {bare}\u201d."
            )
        also = " (the date after \u201creview\u201d is read as the review date)" if review is not None else ""
        if repeats:
            also += (
                ". Work that repeats is chased to one date: give the day it is next checked or ends, with a "
                "review date for the plan"
            )
        raise GrammarError(
            f"There is no deadline{also}. Add one such as \u201cby Friday\u201d or \u201cin 5 working days\u201d."
        )
    if not task:
        raise GrammarError("There is no task: say what the owner will do.")
    _refuse_two_actions(task)
    task = _sentence_case(_without_to_be_done(task))

    deadline_at = deadline.moment(ctx)
    if deadline_at <= now:
        passed = f"The deadline {format_when(deadline_at, cal.zone, now)} is in the past."
        if cal.local(deadline_at).date() == ctx.today:  # "by Friday" said on a Friday evening, "EOD" at 18:00
            passed += " For a later day, say which: \u201cby tomorrow\u201d, \u201cby next Friday\u201d or a date."
        raise GrammarError(passed)
    warnings: list[str] = [*deadline.wall_notes, *deadline.notes]
    for marker in peeled.markers:  # "by Friday (urgent)": not a date, and not left in the task unsaid
        warnings.append(
            f"\u201c{marker}\u201d noted: the deadline is {format_when(deadline_at, cal.zone, now)} "
            "(the word is not kept in the task)."
        )
    deadline_day = cal.local(deadline_at).date()
    if warning := _day_warning("deadline", deadline_day, cal, now):
        warnings.append(warning)
    if deadline_at - now > FAR_AHEAD:
        warnings.append(f"The deadline {format_when(deadline_at, cal.zone, now)} is more than six months away.")

    review_day: date | None = None
    if review is not None:
        review_day = cal.local(review.moment(ctx)).date()
        warnings.extend(review.notes)
        if review_day < ctx.today:
            raise GrammarError(f"The review date {format_day(review_day, now, cal.zone)} is in the past.")
        if review_day < deadline_day:
            warnings.append(
                f"The review date {format_day(review_day, now, cal.zone)} is before the deadline "
                f"{format_day(deadline_day, now, cal.zone)}."
            )
        if warning := _day_warning("review date", review_day, cal, now):
            warnings.append(warning)
    if len(case_refs) > 1:
        warnings.append(f"Several case references ({', '.join('#' + r for r in case_refs)}): recorded #{case_refs[0]}.")
    kinds = find_personal_data(task, ctx.today)
    if kinds:
        warnings.append(personal_data_warning(kinds))
    return ActionDraft(
        owner=owner,
        task=task,
        deadline=deadline_at.astimezone(UTC),
        review=review_day,
        case_ref=case_refs[0] if case_refs else None,
        warnings=tuple(warnings),
        personal_data=tuple(kinds),
    )


def _read_when(words: list[str], ctx: Context, what: str) -> When:
    """A date phrase on its own, read by the hand grammar."""
    if not words:
        raise GrammarError(f"Give the {what}, such as \u201cFriday\u201d or \u201c4/12\u201d.")
    if len(words) > MAX_CLAUSE_WORDS:
        raise GrammarError(f"I could not read a {what} in \u201c{' '.join(words)}\u201d.")
    clean = [clean_word(w) for w in words]
    try:
        clause = read_clause(clean, ctx)
        if clause is not None and clause[0] == "deadline":
            return clause[1]
        try:
            return hand_phrase([w for w in clean if w], ctx, False)
        except Unreadable:
            pass
        if (counted := counted_phrase(clean, ctx)) is not None:
            return counted  # "10 days from today" (dateparser read it as today)
        if (whole := _whole_deadline(words, ctx)) is not None:
            return whole  # "Friday by 3", "tomorrow by 4.30pm": a day, then its time, as /action reads them
        refuse_vague(words, ctx)  # "Christmas", "by next meeting": by name
    except Impossible as exc:
        raise GrammarError(f"{exc}.") from None
    raise GrammarError(f"I could not read a {what} in \u201c{' '.join(words)}\u201d.")


def _whole_deadline(words: list[str], ctx: Context) -> When | None:
    """The words as /action reads a deadline at a task's end, when all of them are that deadline; else None.
    Without this, "Friday by 3" in /extend went to dateparser, which read 3 December."""
    peeled = peel_clauses(words, ctx)
    return peeled.deadline if not peeled.words and peeled.review is None and not peeled.markers else None


def parse_when(text: str, now: datetime, cal: WorkCalendar, what: str = "deadline") -> tuple[datetime, tuple[str, ...]]:
    """A date phrase on its own (``Friday``, ``by 4/12``, ``in 3 working days``, ``2026-12-04``) as a
    UTC instant in the future, with any warnings. Used for new deadlines and the modals' fields."""
    ensure_aware(now)
    ctx = Context(now, cal)
    when = _read_when(" ".join(text.split()).split(), ctx, what)
    instant = when.moment(ctx)
    if instant <= now and not (what == "review date" and cal.local(instant).date() == ctx.today):
        raise GrammarError(f"The {what} {format_when(instant, cal.zone, now)} is in the past.")
    warnings = [*(when.wall_notes if what != "review date" else ()), *when.notes]
    if warning := _day_warning(what, cal.local(instant).date(), cal, now):
        warnings.append(warning)
    return instant.astimezone(UTC), tuple(warnings)


_MORE_BEFORE = (["another"], ["a", "further"], ["an", "extra"], ["an", "additional"], ["further"], ["extra"])


def parse_new_deadline(
    text: str, now: datetime, cal: WorkCalendar, current: datetime
) -> tuple[datetime, tuple[str, ...]]:
    """A new deadline for an action due at ``current`` (``/extend``): a length of time moves it later by
    that much (``by 2 days``, ``another week``); anything else is read as a date (``Friday``, ``in 2 weeks``).
    A weekday said on that day is today, which would bring a later deadline forward: asked, not done ("/extend
    A-1 until Monday" on a Monday moved the deadline to 17:00 that day)."""
    if (moved := _extension(text, now, cal, current)) is not None:
        return moved
    deadline, warnings = parse_when(text, now, cal, "new deadline")
    if deadline < current and any("is read as today" in warning for warning in warnings):
        name = f"{cal.local(deadline):%A}"
        raise GrammarError(
            f"\u201c{name}\u201d is today, {format_when(deadline, cal.zone, now)}, which would bring the deadline "
            f"forward from {format_when(current, cal.zone, now)}: for next week's, say \u201cnext {name}\u201d.",
            None,
        )
    return deadline, warnings


def _extension(
    text: str, now: datetime, cal: WorkCalendar, current: datetime
) -> tuple[datetime, tuple[str, ...]] | None:
    """``by 2 days``, ``2 weeks``, ``another week``, ``a further 3 working days``, ``2 days more``: the current
    deadline moved later by that length, its time of day kept, with a note that says so; None when the text
    is not a length of time. (``in 2 days`` counts from today, as everywhere: it is not read here.)"""
    ensure_aware(now)
    words = [clean_word(w) for w in text.split()]
    if words[:1] in (["by"], ["for"]):
        words = words[1:]
    for more in _MORE_BEFORE:
        if words[: len(more)] == more:
            words = words[len(more) :]
            break
    if words[-1:] in (["more"], ["longer"], ["extra"]):
        words = words[:-1]
    elif len(words) > 2 and words[1] in ("more", "extra", "further"):  # "2 more days", "3 extra working days"
        words = [words[0], *words[2:]]
    if not words or words[0] in ("in", "within") or not (starts_with_count(words) or words[0].endswith("/52")):
        return None  # "2/12", "2/7" are dates here, not health notes' lengths ("2/52", with no month 52, is one)
    base = Context(current, cal)
    try:
        when = hand_phrase(["within", *words], base, True)
    except (Unreadable, Impossible):
        return None
    if when.day is not None:
        when.wall = cal.local(current).time()
    instant = when.moment(base)
    said = " ".join(text.split())
    length = " ".join(words) if len(words) > 1 or not words[0].isalpha() else f"a {words[0]}"  # "a week", "2/52"
    notes = [
        f"\u201c{said}\u201d is counted from the deadline it had, {format_when(current, cal.zone, now)} "
        f"(for that long from today, say \u201cin {length}\u201d)."
    ]
    if instant <= now:
        raise GrammarError(f"The new deadline {format_when(instant, cal.zone, now)} is in the past.")
    if warning := _day_warning("new deadline", cal.local(instant).date(), cal, now):
        notes.append(warning)
    return instant.astimezone(UTC), tuple(notes)


def parse_day(text: str, now: datetime, cal: WorkCalendar, what: str) -> date:
    """A day on its own (``18 Dec``, ``Friday``, ``in 2 working days``), today or later, as a local date:
    for leave and reminders, where the time of day does not matter."""
    ensure_aware(now)
    ctx = Context(now, cal)
    _refuse_week(text, ctx, what)
    try:
        when = _read_when(" ".join(text.split()).split(), ctx, what)
    except GrammarError as error:  # the problem alone: the /action example would mislead here
        raise GrammarError(error.problem.replace("a deadline or a review", f"the {what}"), None) from None
    day = when.day if when.day is not None else cal.local(when.moment(ctx)).date()
    if day < ctx.today:
        raise GrammarError(f"The {what} {format_day(day, now, cal.zone)} is in the past.")
    return day


def _refuse_week(text: str, ctx: Context, what: str) -> None:
    """``w/c 14 Dec`` is a week: as a deadline it means its Friday, but a day away or a reminder day must be
    given as the day itself (never silently the Friday)."""
    clean = [clean_word(w) for w in text.split()]
    for start in range(len(clean)):
        if week_mark(clean[start:]):
            try:
                week = week_phrase(clean[start:], ctx)
            except Impossible as exc:
                raise GrammarError(f"{exc}.", None) from None
            example = ""
            if week is not None:
                first, last = format_day(week.monday, ctx.now, ctx.cal.zone), week_end(week.monday, ctx)
                example = f", such as \u201c{first}\u201d or \u201c{format_day(last, ctx.now, ctx.cal.zone)}\u201d"
            said = " ".join(text.split())
            raise GrammarError(f"\u201c{said}\u201d is a week, not a day: give the {what}{example}.", None)
