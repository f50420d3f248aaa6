"""Who an action is for, as written: mentions, emails, handles, quoted names and the minutes' "Jo Bloggs to"
form; the labels minutes put before them; a second owner where only one may stand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.capture.minutes_phrases import meeting_name
from bot.capture.when import MONTHS, WEEKDAYS

OwnerKind = Literal["slack", "teams", "email", "handle", "name"]


@dataclass(frozen=True)
class OwnerRef:
    """Who an action is for, as written. Turning it into a person is the adapters' and service's job."""

    kind: OwnerKind
    value: str
    label: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


# ---------------------------------------------------------------------------------------------------
# Owners
# ---------------------------------------------------------------------------------------------------
EMAIL = r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_OWNER_PATTERNS: tuple[tuple[OwnerKind, re.Pattern[str]], ...] = (
    ("slack", re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")),
    ("email", re.compile(rf"<mailto:({EMAIL})(?:\|[^>]*)?>")),
    ("teams", re.compile(r"<at(?:\s[^>]*)?>([^<]{1,200})</at>", re.IGNORECASE)),
    ("name", re.compile(r"\"([^\"]{1,200})\"|\u201c([^\u201d]{1,200})\u201d")),
    ("email", re.compile(rf"(?:mailto:)?({EMAIL})(?![\w@])")),
    ("handle", re.compile(r"@([A-Za-z0-9][A-Za-z0-9._\-]{0,79})(?![\w@])")),
)


_BROADCASTS = {"here", "channel", "everyone"}
#: A name written without quotes where nothing else may stand (a shell argument, "/reassign A-3 Jo Bloggs
#: because ..."): letters first, then letters, spaces, dots, apostrophes and hyphens ("Dr A. Khan", "O'Neil"),
#: perhaps a role in brackets ("Mrs Patel (school DSL)").
_BARE_NAME = re.compile(r"[^\W\d_][^\W\d_ '\u2019.\-]*(?:[ '\u2019.\-]+[^\W\d_]+)*\.?(?: ?\([^()]{1,60}\))?")


def parse_owner(text: str) -> tuple[OwnerRef, str] | None:
    """The owner at the start of ``text`` and the text after it, or None."""
    if "@" in text and (named := _NAMED_ADDRESS.match(text)) is not None:  # "Dr Khan (a.khan@nhs.net) to ..."
        address = (named.group(2) or named.group(3)).lower()
        return OwnerRef("email", address, named.group(1)), text[named.end() :]
    for kind, pattern in _OWNER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        groups = [g for g in match.groups() if g is not None]
        value = groups[0].strip()
        if not value:
            continue
        label = (groups[1].strip() or None) if kind == "slack" and len(groups) > 1 else None
        if kind == "email":
            value = value.lower()
        elif kind == "handle":
            value = value.rstrip(".")
            if value.lower() in _BROADCASTS:
                return None  # "@here" and "@channel" address a room, not a person who can own an action
        return OwnerRef(kind, value, label), text[match.end() :]
    return None


# A mention of many people: Slack's "<!here>", "<!channel>", "<!subteam^S0123|@police-team>" (a user group), or
# "@here" typed; Teams' "<at>General</at>" for a channel is resolved by the adapter.
_GROUP_MENTION = re.compile(
    r"^(?:<!(?P<broadcast>here|channel|everyone)(?:\|[^>]*)?>|<!subteam\^\w+(?:\|(?P<group>[^>]+))?>"
    r"|@(?P<typed>here|channel|everyone)\b)",
    re.IGNORECASE,
)


def group_mention(text: str) -> str | None:
    """The group a command starts with instead of a person (``@here``, ``@police-team``), quoted, or None."""
    found = _GROUP_MENTION.match(text)
    if found is None:
        return None
    name = found["broadcast"] or found["typed"] or (found["group"] or "").lstrip("@")
    return f"\u201c@{name}\u201d" if name else "This mention"


def bare_name(text: str) -> OwnerRef | None:
    """``Jo Bloggs`` as a name, where the whole text is one; None for anything else."""
    text = " ".join(text.split())
    return OwnerRef("name", text) if _BARE_NAME.fullmatch(text) else None


#: A capital letter, accented ones too ("Łukasz Nowak", "Ólafur", "Şahin Yılmaz" were refused as no owner).
_CAPITAL = "[A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper()) + "]"

# Minutes number and label their actions: a bullet ("-", "•", "▪", "->", "✓"), a number ("1.", "3)", "1.1",
# "2.3.", "4a)"), a small roman numeral ("(ii)", "iv."), a label ("ACTION:", "Action 3 -", "Action 1.2 -",
# "Item 4:", "A1:", "A1"). Shared with bot.capture.minutes, which counts them to tell a pasted list.
ITEM_MARK = (
    r"(?:[-*\u2022\u00b7\u2013\u2014\u25aa\u25cf\u25cb\u25e6\u2023\u2043\u27a2\u25ba\u2192\u2713\u2714\u2610\u25a1]\s"
    r"|(?:->|=>)\s*|\(?\d{1,3}(?:[.)]|(?:\.\d{1,3})+\.?|[a-z][.)])\s|(?-i:\(?[ivx]{1,4}[.)])\s"
    r"|(?:action(?:\s+point)?|item|ap)\s*\d{0,3}(?:\.\d{1,3})*\s*[:.\-\u2013]\s*"
    # an open checkbox ("[ ]", as Markdown and OneNote write to-do lists), a to-do label in capitals before the
    # owner ("TODO Jo Bloggs to ...", "NEW Jo Bloggs ...": an owner "TODO Jo Bloggs" was recorded)
    rf"|\[\s?\]\s|(?-i:TODO|TO\sDO|NEW|OPEN|ACTION)\s+(?=(?-i:{_CAPITAL})))"
)
_MINUTES_LABEL = re.compile(rf"^\s*(?:{ITEM_MARK}\s*|a\d{{1,3}}(?:[:.)\-\u2013]\s*|\s+))", re.IGNORECASE)
# "For Jo Bloggs: visit ...", "Action for Jo Bloggs - ...": an owner named "For Jo Bloggs" was recorded.
_FOR = re.compile(r"^(?:action\s+)?for\s+", re.IGNORECASE)
# The minutes' own owner form: an unquoted name, then "to" ("Jo Bloggs to share ...", "DC Smith to ...",
# "Mrs Patel (school DSL) to ...", "Dr A. Khan (GP) to ...", "SW (Jo Bloggs) to ..."). Every word of the
# name starts with a capital; a part in brackets may follow.
_NAME_WORD = rf"{_CAPITAL}(?:[^\W\d_]|['\u2019.\-])*"  # letters: "CR-1042" or "A1" is never a name
# Lower-case particles inside a name ("Maria de Souza", "Jo van der Berg", "Ali bin Hassan", "Rhys ap Gwilym"),
# never last.
_PARTICLES = r"(?:van|von|der|den|de|da|di|du|del|della|le|la|bin|binti|ibn|al|el|ter|ten|dos|das|ap|ab)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLES}\s+){{0,2}}{_NAME_WORD}){{0,4}}"
_NAMED_THEN_SEPARATOR = re.compile(rf"{_NAME}(?:\s*\([^()]{{1,60}}\))?(?:\s*[:\-\u2013\u2014]\s|\s+(?:to|will)\s)")
# "to" may be written as minutes say it: "Jo Bloggs will share", "is to share", "(has) agreed to share".
_TO = r"(?:to|will|is\s+to|(?:has\s+)?agreed\s+to)"
_MINUTES_OWNER = re.compile(
    rf"^({_NAME})(?:\s*\(([^()]{{1,60}})\))?"
    rf"(?:\s+{_TO}\s+|\s*[:\-\u2013\u2014]\s+(?:to\s+)?)(?=\S)"
)
_ROLE_ABBREVIATION = re.compile(r"^[A-Z]{2,5}$")
# Words that name a role or an agency, not a person: "health visitor to ...", "School DSL to ...".
#: The family, as plans name them ("Grandma to provide childcare", "MGM to ...": a person named Grandma was
#: recorded, whom nobody could reach).
_FAMILY_WORDS = {
    "mum", "dad", "mother", "father", "parent", "parents", "carer", "carers",
    "grandma", "grandmother", "grandad", "granddad", "grandfather", "grandpa", "gran", "nan", "nana", "nanna",
    "granny", "grandparent", "grandparents", "maternal", "paternal", "mgm", "pgm", "mgf", "pgf", "aunt", "auntie",
    "aunty", "uncle", "stepdad", "stepmum", "step-dad", "step-mum", "stepfather", "stepmother", "step-father",
    "step-mother", "brother", "sister", "sibling", "siblings", "cousin", "partner", "boyfriend", "girlfriend",
    "guardian", "foster", "kinship", "sgo", "mam", "mummy", "daddy", "mum's", "dad's", "mother's", "father's",
    "child", "children", "baby", "young", "person", "yp", "cyp", "pupil", "student", "family",
}  # fmt: skip
_ROLE_WORDS = _FAMILY_WORDS | {
    "health", "visitor", "social", "worker", "sw", "hv", "school", "dsl", "dslo", "nurse", "gp", "police",
    "the", "chair", "lado", "iro", "midwife", "teacher", "head", "headteacher", "camhs", "team", "manager",
    "officer", "practitioner", "lead", "designated", "safeguarding", "all", "everyone", "agencies",
    "education", "services", "service", "council", "la", "nhs", "paediatrician", "consultant", "duty",
    "csc", "cscs", "ss", "mash", "edt", "yot", "yos", "cafcass", "probation", "housing", "senco", "sendco",
    "ewo", "idva", "isva", "cpn", "pcso", "childrens", "children's", "children\u2019s", "care", "adult", "adults",
    "agency", "partners", "professionals",
    "school's", "nursery", "college", "academy", "gp's", "hospital", "ward", "unit", "camhs's",
    "io", "oic", "sio", "named", "key", "keyworker", "caseworker", "fsw", "atm", "tm", "ssw", "psw", "ehw",
    "support", "psychologist", "ep", "therapist", "advocate", "mentor", "pastoral", "attendance", "welfare",
    "deputy", "assistant", "senior", "principal", "director", "chief", "coordinator", "co-ordinator",
    "administrator",
    # professions and services named instead of a person ("Solicitor to ...", "Dentist to ...", "Admin to ...",
    # "Early Help to ...": each was recorded as a person of that name, whom nobody could reach)
    "solicitor", "solicitors", "lawyer", "legal", "court", "judge", "magistrates", "interpreter", "dentist",
    "doctor", "surgeon", "psychiatrist", "psychiatry", "paediatrics", "counsellor", "counselling", "physio",
    "physiotherapist", "optician", "pharmacist", "pharmacy", "paramedic", "ambulance", "salt", "ot", "landlord",
    "employer", "neighbour", "neighbours", "victim", "perpetrator", "sergeant", "detective", "constable",
    "inspector", "admin", "business", "reviewing", "independent", "early", "help", "years", "hub", "centre",
    "playgroup", "leaving", "justice", "youth", "ofsted", "dwp", "cps", "nspcc", "barnardo's", "refuge",
    "women's", "aid", "maternity", "midwifery", "surgery", "clinic", "practice", "trust", "department",
    "directorate", "local", "authority", "constabulary", "virtual", "prison", "receptionist", "secretary",
    "minute", "minutes", "taker", "scribe",
}  # fmt: skip
#: Words minutes put before a colon that are not a person: "Urgent: call mum", "Update: ...".
_LABEL_WORDS = {
    "urgent", "note", "notes", "update", "updates", "outcome", "outcomes", "decision", "decisions", "agreed",
    "action", "actions", "task", "tasks", "next", "steps", "plan", "item", "items", "summary", "re", "fyi",
    "deadline", "owner", "who", "what", "when", "by", "review", "status", "done", "complete", "completed",
}  # fmt: skip


#: Titles and ranks minutes put before a name; they say nothing about which person it is.
TITLES = frozenset({
    "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev", "revd", "cllr",
    "pc", "ps", "dc", "ds", "di", "dci", "dsi", "dsu", "supt", "insp", "sgt", "det", "cst",
})  # fmt: skip

# How tasks start: a capitalised word that is one of these begins a task, not a name.
_TASK_VERBS = {
    "arrange", "ask", "attend", "book", "call", "chase", "check", "complete", "confirm", "consider", "contact",
    "convene", "discuss", "email", "ensure", "explore", "find", "follow", "forward", "get", "give", "inform",
    "invite", "liaise", "make", "meet", "notify", "obtain", "phone", "provide", "read", "refer", "remind",
    "request", "review", "ring", "seek", "send", "share", "speak", "submit", "talk", "tell", "undertake",
    "update", "visit", "write",
}  # fmt: skip


def drop_minutes_label(text: str) -> str:
    while (label := _MINUTES_LABEL.match(text)) is not None and label.end() < len(text):
        text = text[label.end() :]
    if (named := _FOR.match(text)) is not None and _NAMED_THEN_SEPARATOR.match(text[named.end() :]):
        text = text[named.end() :]
    return text


# A role between separators after the name: "Jo Bloggs – SW – to share ...", "Jo Bloggs, school DSL, to ...".
_SEP = r"\s*[,/\-\u2013\u2014]\s*"
_MINUTES_OWNER_ROLE = re.compile(
    rf"^({_NAME})(?:{_SEP}|\s+(?:from|of)\s+)([\w'\u2019.]+(?:\s+[\w'\u2019.]+){{0,3}}?)"
    rf"(?:(?:{_SEP}|\s*:\s*)(?:{_TO}\s+)?|\s+{_TO}\s+)(?=\S)"  # "Jo Bloggs, SW: to ..."
)


# A second role or agency after the first: "Jo Bloggs - Social Worker - CSC - to ..." (the task was "CSC - to ...").
_ANOTHER_ROLE = re.compile(rf"^([\w'\u2019.&]+(?:\s+[\w'\u2019.&]+){{0,3}}?)(?:{_SEP}|\s*:\s*)(?:{_TO}\s+)?(?=\S)")


def _a_role(words: str) -> bool:
    """``SW``, ``school DSL``, ``health visitor``: words that name a role, not a task's start."""
    parts = words.split()
    return _role_words(words) or (len(parts) == 1 and _ROLE_ABBREVIATION.match(parts[0]) is not None)


def _person_after_role(role: str, person: str | None) -> bool:
    """``SW (Jo Bloggs)``, ``Health Visitor (Sam Lee)``, ``School DSL - Mrs Jones -``: a role, then the person."""
    if person is None or re.fullmatch(_NAME, person) is None:
        return False
    if _ROLE_ABBREVIATION.match(person) and not _role_words(person):  # "SW (JB)": initials after a known role
        return _role_words(role)
    return not _a_role(person) and (_ROLE_ABBREVIATION.match(role) is not None or _a_role(role) or organisation(role))


def _role_beside(name: str, role: str) -> bool:
    """Whether the words after a name and a separator are its role (``Jo Bloggs/SW``, ``Jo Bloggs, Oakfield
    Primary,``): role words, an organisation, or an abbreviation, unless the name is itself initials (``JB/DS``
    is two people, as ``JB and DS`` is)."""
    if _ROLE_ABBREVIATION.match(role) and not _role_words(role):
        return _ROLE_ABBREVIATION.match(name) is None
    return _a_role(role) or organisation(role)


def _role_after(parts: list[str]) -> int:
    """How many of a name's last words are a role written after it without brackets: a known abbreviation in
    capitals (``Jo Bloggs SW``, ``Sam Lee HV``), or two or more role words (``Jo Bloggs Health Visitor``, ``Jo
    Bloggs CP Coordinator``). One capitalised role word stays the name's (``Sam Head``, ``Jo Ward``: surnames)."""
    count = 0
    while count < len(parts) - 1 and parts[-1 - count].lower().strip(".") in _ROLE_WORDS:
        count += 1
    worded = any(not word.isupper() for word in parts[len(parts) - count :])
    while worded and count < len(parts) - 1 and _ROLE_ABBREVIATION.match(parts[-1 - count]):
        count += 1  # "Jo Bloggs CP Coordinator": an abbreviation before a role's words ("Jo LEE SW" keeps LEE)
    if count == 1 and not (parts[-1].isupper() and len(parts[-1].strip(".")) > 1):
        return 0
    return count


def _role_words(words: str) -> bool:
    """Whether the words name a role: each one the role list knows (``SW``, ``school DSL``) or an abbreviation in
    capitals beside one (``CP Coordinator``); an abbreviation alone is not enough (``JB``: initials)."""
    known = [word.lower().strip(".") in _ROLE_WORDS for word in words.split()]
    return any(known) and all(k or _ROLE_ABBREVIATION.match(w) for k, w in zip(known, words.split(), strict=True))


# "ICPC to be convened", "Referral to be made by SW": a thing done, and nobody named to do it.
_PASSIVE = re.compile(r"^((?:[\w'\u2019.()\-]+\s+){0,4}?[\w'\u2019.()\-]+)\s+to\s+be\s+([a-z]+)\b")
_PARTICIPLES = {
    "made", "held", "sent", "done", "seen", "given", "taken", "written", "told", "sought", "kept", "brought",
    "met", "undertaken", "read", "put", "set", "shown", "drawn", "known", "chosen", "spoken", "found", "paid",
}  # fmt: skip


_BY_WHOM = re.compile(rf"\s+by\s+({_NAME})\b")


def _a_date_word(words: str) -> bool:
    """``Friday``, ``Monday 14th``, ``Christmas``, ``EOD``: a deadline after "by", not who."""
    return any(w.lower().strip(".,") in _DATE_WORDS for w in words.split())


_DATE_WORDS = frozenset({*WEEKDAYS, *MONTHS, "christmas", "easter", "eod", "cop", "cob", "end", "close", "noon"})


def no_owner_named(text: str) -> str | None:
    """Why the minutes' owner form names nobody who can be chased: a thing to be done (``ICPC to be
    convened``) or a meeting (``Core Group to review the plan``); None otherwise."""
    passive = _PASSIVE.match(text)
    if passive is not None and _OWNER_TO_VERB.match(passive.group(1)):
        passive = None  # "Jo Bloggs to visit to be completed by 14/12": the owner first, then their task
    if passive is not None and (passive.group(2).endswith("ed") or passive.group(2) in _PARTICIPLES):
        agent = _BY_WHOM.match(text[passive.end() :])  # "Referral to be made by Jo Bloggs by Friday"
        if agent is not None and not _role_words(agent.group(1)) and not _a_date_word(agent.group(1)):
            return (
                f"Start with the owner: \u201c{agent.group(1)} to ...\u201d, then what they will do and by when (a "
                "task written to be done by someone is not read for who they are)."
            )
        return (
            f"\u201c{passive.group(0)}\u201d does not say who will do it: start with the owner, e.g. "
            "\u201cJo Bloggs to ...\u201d."
        )
    match = _MINUTES_OWNER.match(text)
    if match is not None and meeting_name(words := match.group(1).lower().split())[0] == len(words):
        return (
            f"\u201c{match.group(1)}\u201d is a meeting, not a person: name who will do it, e.g. "
            "\u201cJo Bloggs to ...\u201d."
        )
    return None


# A name with its email address, as an email client writes it: "Dr Khan (a.khan@nhs.net)", "Jo Bloggs
# <jo@x.uk>" (Slack escapes the brackets and links the address). The address was kept as the name's role.
_NAMED_ADDRESS = re.compile(
    rf"({_NAME})\s*(?:[(<]|&lt;)\s*(?:<mailto:({EMAIL})\|[^>]*>|(?:mailto:)?({EMAIL}))\s*(?:[)>]|&gt;)"
)
# A name (or initials) in brackets, or after a dash at the end, as minutes mark an action's owner after it.
_OWNER_AFTER = re.compile(rf"(?:\(\s*({_NAME})\s*\)|\s[-\u2013\u2014]\s*({_NAME})\s*(?:[-\u2013\u2014]|$))")


def owner_after_task(text: str) -> str | None:
    """``Visit the family (Jo Bloggs) by 11/12``, ``Visit the family by 11/12 - JB``: the name minutes put after
    the task, for the refusal to point at (who the owner is stays the chair's to say at the start); None
    when there is none, or it is a role (``(SW)``)."""
    for found in _OWNER_AFTER.finditer(text):
        name = found.group(1) or found.group(2)
        if not _role_words(name) and not organisation(name) and name.split()[0].lower() not in _TASK_VERBS:
            return name
    return None


def minutes_owner(text: str) -> tuple[OwnerRef, str] | None:
    """``Jo Bloggs to share ...`` -> (the name, ``share ...``); None when the text does not start so."""
    match = _MINUTES_OWNER_ROLE.match(text)
    if match is not None and not (
        _role_beside(match.group(1), match.group(2)) or _person_after_role(match.group(1), match.group(2))
    ):
        match = None  # "Jo Bloggs - share the plan - by Friday": the task between the dashes
    match = match or _MINUTES_OWNER.match(text)
    if match is None or no_owner_named(text) is not None:
        return None
    name, bracket = match.group(1), match.group(2)
    if bracket and "," in bracket:  # "School (Mrs Patel, DSL) to ...": the person, then their role
        person, _, role = bracket.partition(",")
        if _person_after_role(name, person.strip()) and _a_role(role.strip()):
            bracket = person.strip()
    if _person_after_role(name, bracket):
        name, bracket = bracket, None  # "SW (Jo Bloggs)": the role, then the person
    parts = name.split()
    roles = next((i for i, word in enumerate(parts) if word.lower().strip(".") not in _ROLE_WORDS), len(parts))
    if bracket is None and 0 < roles < len(parts):  # "SW Jo Bloggs", "Head Teacher Mrs Jones": the role first
        name, bracket = " ".join(parts[roles:]), " ".join(parts[parts[0].lower() == "the" : roles])
    elif bracket is None and (after := _role_after(parts)):  # "Jo Bloggs SW", "Jo Bloggs Health Visitor"
        name, bracket = " ".join(parts[:-after]), " ".join(parts[-after:])
    if _role_words(name) or name.split()[0].lower() in _TASK_VERBS or organisation(name):
        return None  # a role or an organisation, or a task with its owner forgotten ("Send Referral to CSC by Friday")
    if any(word.lower().strip(".") in _LABEL_WORDS for word in name.split()):
        return None  # a label, not a person ("Urgent: call mum", "Next steps: ...")
    rest = text[match.end() :]
    more = _ANOTHER_ROLE.match(rest) if bracket and match.re is _MINUTES_OWNER_ROLE else None
    if more is not None and (_a_role(more.group(1)) or organisation(more.group(1))):  # "- SW - CSC - to ..."
        bracket, rest = f"{bracket}, {more.group(1)}", rest[more.end() :]
    value = f"{name} ({bracket.strip()})" if bracket else name
    return OwnerRef("name", value), " " + rest


_ROLE_AFTER_ACCOUNT = re.compile(
    rf"^\s*(?:\(([^()]{{1,60}})\)|[,\-\u2013\u2014/]?\s*([\w'\u2019.&]+(?:\s+[\w'\u2019.&]+){{0,3}}?)\s*[,\-\u2013\u2014]?)"
    rf"(?=\s+{_TO}\s|\s*[:\-\u2013\u2014]\s)"
)


def without_role_after_account(rest: str) -> str:
    """The text after a mention, a handle or an address, without the owner's role or agency written next to it
    (``<@U1> (SW) to visit``, ``<@U1> SW to visit``, ``@jo - Police - to visit``): it stayed in the task as
    "(SW) to visit". The platform says who they are; the role is not kept."""
    first = rest.split(None, 1)[0] if rest.strip() else ""
    if first.lower() in _TASK_VERBS:
        return rest  # most tasks start with their verb ("Share the CAD log"): no search needed
    match = _ROLE_AFTER_ACCOUNT.match(rest)
    if match is None or re.match(r"\s*to\s+be\s", rest[match.end() :]):
        return rest  # "<@U1> Police to be informed": the task says what the owner does
    role = match.group(2)
    if role is not None:
        marked = match.group(0).strip()[:1] in ",-\u2013\u2014/"  # "<@U1> - SW - to ...", "<@U1>, Police, ..."
        plain = _role_words(role) and (len(role.split()) > 1 or role.isupper())  # "SW", "Social Worker"
        named = (  # "jo@x.uk - Jo Bloggs - to ...": their name (not "@jo - Speak to mum - ...": the task)
            marked and len(role.split()) > 1 and re.fullmatch(_NAME, role) is not None
        ) and not any(w.lower() in _TASK_VERBS or w.lower() in _ROLE_WORDS for w in role.split())
        if not ((marked and (_a_role(role) or organisation(role))) or plain or named):
            return rest  # "<@U1> Speak to mum", "<@U1> Police to confirm": the task's own words
    return rest[match.end() :]


_AT_NAME = re.compile(rf"@({_CAPITAL}[\w'\u2019\-]*)\s+({_CAPITAL}[\w'\u2019\-]*)\b")


def typed_at_name(text: str) -> tuple[OwnerRef, str] | None:
    """``@Jo Bloggs to share ...``: a name typed after "@" without the platform's mention (Teams and Slack leave
    unpicked text as it is) is the minutes' name Jo Bloggs, not a handle "Jo" with "Bloggs" in the task."""
    if _AT_NAME.match(text) is None:
        return None
    found = minutes_owner(text[1:])
    return found if found is not None and " " in found[0].value else None


# "@jo bloggs to visit": a name typed in lower case after "@", then "to" and a task's verb ("@jo explain to mum",
# "@jo police to be informed" are tasks).
_LETTERS = r"[^\W\d_](?:[^\W\d_]|['\u2019\-])*"
_TO_VERB = rf"\s+to\s+(?:{'|'.join(sorted(_TASK_VERBS))})\b"
_WORD_TO = re.compile(rf"({_LETTERS}){_TO_VERB}", re.I)
_OWNER_TO_VERB = re.compile(rf"^{_NAME}(?:\s*\([^()]*\))?{_TO_VERB}")  # "Jo Bloggs to visit"
_LOWER_NAME_TO = re.compile(rf"^((?-i:[a-z])[^\W\d_]*(?:\s+(?-i:[a-z])[^\W\d_]*){{1,2}}){_TO_VERB}", re.I)


def lowercase_name(text: str) -> str | None:
    """``jo bloggs to visit ...``: what may be a name typed in lower case (never read as one: "call mum to
    arrange" is a task), with capitals, for the refusal to suggest; or None."""
    match = _LOWER_NAME_TO.match(text)
    if match is None:
        return None
    words = match.group(1).split()
    if words[0] in _TASK_VERBS or any(w in _ROLE_WORDS or w in _BEFORE_TO or w in _LABEL_WORDS for w in words):
        return None
    return " ".join(word[:1].upper() + word[1:] for word in words)


_AT_WORDS_TO = re.compile(rf"@({_LETTERS})\s+({_LETTERS}(?:\s+{_LETTERS})?){_TO_VERB}", re.I)
# Words between a handle and "to" that say how the owner will do it, never a surname: "@jo needs to visit".
_BEFORE_TO = {
    "needs", "need", "has", "have", "had", "agreed", "agrees", "asked", "wants", "going", "also", "then", "still",
    "kindly", "please", "will", "is", "was", "due", "continues", "continue", "able", "happy", "plans", "intends",
    "expected", "offered", "required", "requested", "hopes", "tries", "trying", "aims", "managed", "needed", "and",
    "or", "not", "only", "yet", "first", "urgently", "ideally", "initially", "jointly", "personally", "immediately",
    "to", "try", "remember", "aim", "offer", "plan", "attempt", "want", "hope", "intend", "expect", "help", "begin",
    "start", "agree", "volunteer", "promise", "come", "go", "return", "undertook", "volunteered", "promised",
}  # fmt: skip


def unclear_at_name(text: str) -> str | None:
    """``@Jo Bloggs Share ...`` (no "to"): the handle "Jo", or Jo Bloggs with "Share ..."? Quoted back when the
    word after a capitalised handle is a capitalised word that starts no task, or (in any case) a word that is
    neither a verb, a role nor a linking word before "to" (``@jo bloggs to visit``, which recorded the handle
    "jo" with "Bloggs to visit" as the task); None otherwise."""
    match = _AT_NAME.match(text) or _AT_WORDS_TO.match(text)
    if match is None:
        return None
    second = match.group(2).split()[0]
    if second.lower() in _TASK_VERBS:
        return None
    if match.re is _AT_WORDS_TO and (second.lower() in _ROLE_WORDS or second in _BEFORE_TO):
        return None  # "@jo mum to attend", "@jo needs to visit" ("@jo Will Smith to visit" is asked about)
    return f"@{match.group(1)} {match.group(2)}"


_MINUTES_JOINT = re.compile(
    rf"^{_NAME}(?:\s*\([^()]{{1,60}}\))?\s*(?:,|&amp;|&|/|\+|\band\b)\s*"
    rf"{_NAME}(?:\s*\([^()]{{1,60}}\))?\s+{_TO}\s+\S"
)


# One person or another, or one with another's support, where one owner stands: "Jo Bloggs or Sam Lee to
# visit", "Either Jo Bloggs or Sam Lee to", "Jo Bloggs, supported by Sam Lee, to", "Jo Bloggs with Sam Lee to".
_MINUTES_EITHER = re.compile(
    rf"^(?:[Ee]ither\s+)?{_NAME}(?:\s*\([^()]{{1,60}}\))?\s*,?\s*"
    r"(?:or|and/or|and\s*/\s*or|with(?:\s+(?:support|help)\s+from)?|supported\s+by|assisted\s+by)\s+"
    rf"{_NAME}\b[^.;:]{{0,60}}?\s+{_TO}\s+\S"
)


def alternative_owners(text: str) -> bool:
    """``Jo Bloggs or Sam Lee to visit``, ``Jo Bloggs, supported by Sam Lee, to visit``: two people where one
    owner stands (refused as "Start with the owner", which they had)."""
    return _MINUTES_EITHER.match(text) is not None


def joint_minutes_owners(text: str) -> bool:
    """``Jo Bloggs and Sam Lee to visit ...``: two people named in the minutes' form, where one may stand
    (``Jo Bloggs, SW to visit`` is one person and her role)."""
    role = _MINUTES_OWNER_ROLE.match(text)
    return _MINUTES_JOINT.match(text) is not None and (role is None or not _role_beside(role.group(1), role.group(2)))


# The last word of an organisation's name: "Oakfield Primary School", "Riverside Surgery", "West Yorkshire
# Police", "Early Help Team" (never a surname: "Ward", "Church" and "Hall" are left out).
_ORGANISATION_ENDS = {
    "school", "primary", "academy", "nursery", "college", "surgery", "practice", "hospital", "trust", "council",
    "police", "constabulary", "team", "service", "services", "unit", "centre", "center", "department", "dept",
    "authority", "agency", "partnership", "clinic", "hub", "camhs", "ltd", "limited", "charity", "foundation",
    "association", "board", "directorate", "nhs",
}  # fmt: skip


#: Words an organisation's name does not hold, and a task does ("go to school", "meet mum at school").
_NOT_IN_A_NAME = frozenset({"to", "at", "with", "about"})


def organisation(name: str) -> bool:
    """``Oakfield Primary School``: a name that ends as an organisation's does, not a person's (``Dr Khan,
    Riverside Surgery`` and ``Mrs Patel (Oakfield School)`` are people: what follows a comma or bracket is theirs)."""
    parts = re.split(r"[,(\u2013\u2014]| - ", name, maxsplit=1)[0].split()
    if parts and (parts[0].lower() in _TASK_VERBS or not _NOT_IN_A_NAME.isdisjoint(w.lower() for w in parts)):
        return False  # "meet mum at school", "go to school": a task between dashes ("Mrs Patel - meet mum at school -")
    return len(parts) > 1 and parts[-1].lower().strip(".,") in _ORGANISATION_ENDS


def role_only(text: str) -> str | None:
    """``health visitor to ...``, ``Oakfield Primary School to ...``: the role or organisation written where the
    person should be, quoted back; or None."""
    match = re.match(
        rf"^((?:[\w'\u2019.\-]+\s+){{0,3}}?[\w'\u2019.\-]+)(?:\s+{_TO}\s+|\s*[:\u2013\u2014]\s+|\s+-\s+)\S", text
    )
    if match and _role_words(match.group(1)):
        return match.group(1)
    named = _MINUTES_OWNER.match(text)
    if named is not None and organisation(named.group(1)):
        return named.group(1)
    return None


def role_of(owner: OwnerRef) -> str | None:
    """A written name that is only a role (``"Social worker"``, quoted or not), quoted back; or None."""
    return role_only(f"{owner.value} to act") if owner.kind == "name" else None


# A second owner straight after the first: "@jo and @sam to visit", "<@U1> & <@U2> ...", "@jo, @sam ...".
_JOINT = re.compile(r"\s*(?:,|&amp;|&|\+|and\s*/\s*or\b|/|and\b|or\b)?\s*", re.IGNORECASE)


def second_owner(rest: str) -> bool:
    """Whether the text after the owner starts with another owner (a quoted phrase only after a joiner:
    ``@jo "Signs of Safety" training`` is one owner and a task)."""
    joint = _JOINT.match(rest)
    if joint is None or joint.end() >= len(rest):
        return False
    after = rest[joint.end() :]
    second = parse_owner(after)
    if second is not None:
        return second[0].kind != "name" or bool(joint.group().strip())
    if not joint.group().strip():
        return False
    # "@jo and Sam Lee to visit", "<@U1>, Sam Lee to visit", "@jo and sam to visit": Sam was in the task, unchased
    if minutes_owner(after) is not None:
        return True
    word = _WORD_TO.match(after)
    return word is not None and not _role_words(word.group(1)) and word.group(1).lower() not in _BEFORE_TO


# Where a second part of a line may start: after a comma, a semicolon, a full stop, "and" or "&".
_PART_START = re.compile(r"(?:[,;]|(?<=\w)\.|\s(?:and|&|&amp;|[-\u2013\u2014]))\s+(?=\S)|\s\(\s*", re.IGNORECASE)
_OWNER_THEN_TO = re.compile(rf"{_NAME}(?:\s*\([^()]{{1,60}}\))?\s+(?:to|will)\s+(?!be\b)[^\W\d_]")
_TO_A_TASK = re.compile(r"\s*(?:to|will)\s+(?!be\b)[^\W\d_]")


def second_action(task: str) -> str | None:
    """The part of a task that is another owner's action, as written, or None: ``Visit the family and Sam Lee to
    call the GP``, ``Visit; @sam call the GP``. Recorded as one action, Sam's part was never chased. A part
    whose owner "is to be" done to ("and mum to be told"), or joined by "and" to a name or to what follows
    "with" ("write to Mrs Patel and Mr Patel to invite them", "liaise with school and Mrs Patel to arrange a
    TAF"), is the task's own."""
    if " to " not in task and "@" not in task and " will " not in task:
        return None  # most tasks: one search each
    for start in _PART_START.finditer(task):
        before, part, joiner = task[: start.start()], task[start.end() :], start.group().strip().lower()
        last = before.rsplit(None, 1)[-1] if before.strip() else ""
        if joiner == "." and (len(last) == 1 or last.lower() in TITLES):
            continue  # "Dr. Khan", "A. Khan": a name's full stop
        account = parse_owner(part)
        if account is not None and account[0].kind != "name":
            after = account[1].split()
            if _TO_A_TASK.match(account[1]) or (after and after[0].lower() in _TASK_VERBS):
                return part
            continue
        if joiner in ("and", "&", "&amp;") and (last[:1].isupper() or " with " in f" {before.lower()}"):
            continue  # one of the people written to or liaised with
        if _OWNER_THEN_TO.match(part) and minutes_owner(part) is not None:
            return part
        aside = joiner in ("(", "-", "\u2013", "\u2014")  # "Send the letter (mum to sign)": the family's, aside
        if (joiner in (";", ".") or aside or (joiner == "," and part[:1].isupper())) and _role_then_task(part, aside):
            return part  # "Visit; School to share attendance": the school's part, never chased
    return None


def _role_then_task(part: str, not_family: bool = False) -> bool:
    """``School to share attendance``, ``Police will share the referral``: a role's own action (after "and" it
    may be whom the task is for: "visit mum and dad to discuss the plan"); with ``not_family``, not the family's."""
    role = role_only(part)
    if role is None or (not_family and all(w.lower() in _FAMILY_WORDS for w in role.split())):
        return False
    return _TO_A_TASK.match(part[len(role) :]) is not None


# Where one owner stands (/reassign, /meeting assign): two people joined ("@sam and Jo Bloggs", "Sam Lee, Jo
# Bloggs", "Jo Bloggs and Sam Lee", which was recorded as one person of that name, reachable by nobody).
_ACCOUNT = rf"(?:<@[^>]+>|<at>[^<]*</at>|@[\w.\-]+|{EMAIL}|\"[^\"]+\"|\u201c[^\u201d]+\u201d)"
_WORDS = rf"{_LETTERS}(?:\s+{_LETTERS}){{0,2}}"  # "@sam and jo bloggs"
_JOINER = r"(?:,|&amp;|&|\+|\band\s*/\s*or\b|\band\b|\bor\b)"  # "or": either of two is nobody's
_TWO_JOINED = re.compile(
    rf"(?:(?i:either)\s+)?(?:{_ACCOUNT}|{_NAME})(?:\s*\([^()]*\))?\s*{_JOINER}\s*(?:{_ACCOUNT}|{_NAME})(?:\s*\([^()]*\))?"
    rf"|{_ACCOUNT}\s*(?:&amp;|&|\+|\band\b|\bor\b)\s*{_WORDS}"
)
_JOINED_WORDS = re.compile(r"\s(?:and|or|and/or|&amp;|&|\+)\s|\(\s*or\s", re.IGNORECASE)


def two_owners(who: str) -> bool:
    """Whether the text that names the one owner (the reason after "because" left out) names two people joined
    by "and", "or", "&", "+" or a comma: ``@sam and Jo Bloggs``, ``Sam Lee, Jo Bloggs``, ``jo bloggs and sam
    lee``, ``Jo Bloggs or Sam Lee``, ``Jo Bloggs (or Sam Lee)`` (each was one person of that name, reachable by
    nobody, and a later ``/reassign A-1 Jo Bloggs`` matched it)."""
    who = " ".join(who.split())
    if _TWO_JOINED.fullmatch(who):
        return True
    return parse_owner(who) is None and _JOINED_WORDS.search(who) is not None  # a bare name never has "and"
