"""Escalation: who to tell and where to get help, attached to every answer.

All wording, numbers and sources live in `prompts/escalation.toml` (national, reviewed by a
safeguarding lead) and `prompts/school.toml` (the school's own contacts and region). Both are
validated when loaded, so a malformed file stops the assistant at start-up with a message that
names the file and the entry, instead of showing a half-filled contact list to a worried teacher.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.answer.prompts import PromptsError, as_typed, compile_patterns, read_toml
from bot.config import PROJECT_ROOT

DEFAULT_ESCALATION_FILE = PROJECT_ROOT / "prompts" / "escalation.toml"
DEFAULT_SCHOOL_FILE = PROJECT_ROOT / "prompts" / "school.toml"
DEFAULT_MESSAGES_FILE = PROJECT_ROOT / "prompts" / "messages.toml"
MESSAGE_KEYS = ("about", "not_covered", "off_topic", "no_procedure", "not_english", "no_school_policy", "urgent_heading",
                "steps_heading",
                "quotes_heading", "emergency_line", "not_ready")
REGIONS = ("england", "wales", "scotland", "northern-ireland")
UNSET_TEXT = "Ask your school office"
_SHOW = ("always", "urgent", "calm", "page")
_DEFAULT_ALLEGATIONS = "Local authority contact for concerns about adults who work with children"
# UK formats the file uses: 999, 101, 0800 1111, 0808 800 5000, 028 9050 7000, +44 ...
PHONE = re.compile(r"^(999|101|\+44 ?[0-9][0-9 ]{8,13}|0[0-9]{2,4} ?[0-9]{3,4}( ?[0-9]{3,4})?)$")
# a school's own numbers may carry an extension, written as schools write it: "0115 496 0123 ext 4"
SCHOOL_PHONE = re.compile(PHONE.pattern[:-1] + r"( ?(ext\.?|extension|x) ?[0-9]{1,6})?$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_SCHOOL_SLOTS = {
    # slot: (label, when)
    "dsl": ("{lead}", "Tell them about any safeguarding concern, immediately"),
    "deputy": ("Deputy {lead}", "When the lead cannot be reached"),
    "children_services": ("Local authority children's services", "Making a referral about a child, with or through the lead"),
    "lado": ("{allegations}", "A concern about an adult who works with children"),
}


@dataclass(frozen=True)
class Contact:
    name: str
    when: str
    source: str
    reviewed: str | None
    show: str = "always"
    phone: str | None = None
    url: str | None = None
    email: str | None = None
    region: str | None = None
    note: str | None = None
    situations: tuple[str, ...] = ()  # shown in an answer only when one of these is seen
    slot: str | None = None  # the school slot it fills, for the school's own contacts
    first_in: tuple[str, ...] = ()  # situations in which it is listed in the first screen, never folded
    unconfirmed: str | None = None  # why its details could not be confirmed against its source, if so
    hours: str | None = None  # when it can be reached, as the school wrote it

    def as_dict(self) -> dict:
        data = {"name": self.name, "when": self.when, "phone": self.phone, "url": self.url,
                "email": self.email, "source": self.source, "reviewed": self.reviewed}
        if self.hours:
            data["hours"] = self.hours
        if self.note:
            data["note"] = self.note
        if self.unconfirmed:
            data["unconfirmed"] = self.unconfirmed
        return data


@dataclass(frozen=True)
class Step:
    """A step shown only in one situation or one nation, with the page that says it."""

    text: str
    source: str
    situation: str | None = None
    region: str | None = None
    unconfirmed: str | None = None  # why its wording could not be confirmed against its source, if so


@dataclass(frozen=True)
class Notice:
    """The message and steps of one escalation variant (calm or urgent)."""

    message: str
    steps: tuple[str, ...]
    sources: dict[str, str]  # nation -> the pages the steps come from
    first: tuple[str, ...] = ()  # urgent only: the lines shown before anything else
    # nation -> why a step could not be confirmed against a source for that nation, if so
    unconfirmed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Situation:
    name: str
    patterns: tuple[re.Pattern, ...]
    hide: tuple[str, ...] = ()  # school slots that would mislead in this situation
    # which first line of an urgent answer it asks for: "999" (danger now: blackmail, an adult,
    # self-harm), "lead" (a phone to take, an image to take down), or None (no say)
    first_line: str | None = None

    def seen_in(self, question: str) -> bool:
        return any(p.search(question) for p in self.patterns)


@dataclass(frozen=True)
class SchoolContacts:
    """The school's own slots from `prompts/school.toml`; empty strings mean "not set yet"."""

    region: str
    slots: dict[str, tuple[str, str]]  # slot -> (name, phone)
    lead_title: str = ""  # the school's own title for its lead; empty: the nation's default
    details: dict[str, dict[str, str]] = field(default_factory=dict)  # slot -> {"email", "hours"} where given

    @property
    def lead_set(self) -> bool:
        name, phone = self.slots.get("dsl", ("", ""))
        return bool(name and phone)


@dataclass(frozen=True)
class EscalationBook:
    calm: Notice
    urgent: Notice
    contacts: tuple[Contact, ...]
    lead_titles: dict[str, str]
    lead_source: str
    steps: tuple[Step, ...] = ()
    situations: tuple[Situation, ...] = ()
    subject: tuple[re.Pattern, ...] = ()  # a question about a child, an image, a pupil or staff
    # who takes a concern about an adult who works with children, per nation: "LADO" is England's
    # term; Wales has a lead officer for safeguarding in education
    allegations_titles: dict[str, str] = field(default_factory=dict)
    allegations_source: str = ""

    def allegations_title(self, school: SchoolContacts) -> str:
        return self.allegations_titles.get(school.region) or _DEFAULT_ALLEGATIONS

    def about_a_child(self, question: str) -> bool:
        """Is the question about a child, a pupil, an image or a member of staff? Such a question
        always gets the steps, whatever the library covers."""
        text = as_typed(question)
        return any(p.search(text) for p in self.subject)

    def danger_now(self, danger: bool, crisis: bool, seen: frozenset[str]) -> bool:
        """Does an urgent question put 999 first? Always where a crisis sign or a situation that
        asks for 999 is seen (blackmail, an adult, self-harm: "a man she met online is collecting
        her from the gates today" keeps 999 first whatever the danger model says); otherwise
        triage's `danger`, unless every situation seen that has a say asks for the lead first: a
        phone to take is for the lead, a phone to take from a blackmailed child is not."""
        asks = {s.first_line for s in self.situations if s.name in seen and s.first_line}
        return crisis or "999" in asks or (danger and "lead" not in asks)

    def lead_title(self, school: SchoolContacts) -> str:
        return school.lead_title or self.lead_titles[school.region]

    def situations_in(self, question: str) -> frozenset[str]:
        """The situations a question describes (sextortion, a member of staff shown, ...)."""
        text = as_typed(question)
        return frozenset(s.name for s in self.situations if s.seen_in(text))

    def lead(self, school: SchoolContacts) -> dict:
        """The school's lead for the emergency line: title, name and phone, or the fallback."""
        name, phone = school.slots.get("dsl", ("", ""))
        return {"title": self.lead_title(school), "name": name or None, "phone": phone or None,
                "set": school.lead_set, "unset_text": UNSET_TEXT}

    def escalation(self, urgent: bool, school: SchoolContacts, seen: frozenset[str] = frozenset(),
                   danger: bool = True) -> dict:
        """The answer object's `escalation` block, in the order a worried reader needs it.

        Urgent: three lines first (999, the lead, do not view), then the rest; where there is no
        sign of danger now (`danger` false: an image being shared, a phone to take), the lead
        comes first and 999 second. Steps and contacts tagged with a situation appear only when
        triage saw it; 999 is said once, in the first lines.
        """
        notice = self.urgent if urgent else self.calm
        lead = self.lead_title(school)
        hidden = {slot for s in self.situations if s.name in seen for slot in s.hide}
        national = [c for c in self.contacts if c.region in (None, school.region) and c.show != "page"
                    and (not c.situations or set(c.situations) & seen)]
        # contacts for the situation seen (Report Remove for an image to take down, Childline for
        # a child who may hurt themselves) come first and unfolded, whatever their usual place
        for_situation = [c for c in self.contacts if c.region in (None, school.region) and set(c.first_in) & seen]
        national = [c for c in national if c not in for_situation]
        first = [c for c in national if urgent and c.show == "urgent"]
        rest = [c for c in national if c.show == "always" or (not urgent and c.show == "calm")]
        own = [c for c in school_contacts(school, lead, self.allegations_title(school)) if c.slot not in hidden]
        extra = [s for s in self.steps if (s.situation and s.situation in seen) or s.region == school.region]
        return {
            "urgent": urgent,
            "message": notice.message.format(lead=lead),
            "first": [line.format(lead=lead) for line in self._first(notice.first, urgent and not danger)],
            # which of the first lines names the lead (the page puts their name and number there)
            "lead_line": 0 if urgent and not danger else 1,
            "danger": urgent and danger,
            "lead": self.lead(school),
            "steps": [step.format(lead=lead) for step in (*notice.steps, *(s.text for s in extra))],
            "steps_source": "; ".join([notice.sources[school.region], *(s.source for s in extra)]),
            "steps_unconfirmed": notice.unconfirmed.get(school.region),
            "region": school.region,
            "situations": sorted(seen),
            "contacts": [c.as_dict() for c in (*first, *own, *rest)],
            "situation_contacts": [c.as_dict() for c in for_situation],
        }

    @staticmethod
    def _first(lines: tuple[str, ...], lead_first: bool) -> tuple[str, ...]:
        """The three first lines (999, the lead, do not view); the lead first when `lead_first`."""
        return (lines[1], lines[0], lines[2]) if lead_first else lines

    def all_contacts(self, school: SchoolContacts) -> list[dict]:
        """Every contact that applies to the school's region, for a contacts page."""
        lead = self.lead_title(school)
        return [c.as_dict() for c in school_contacts(school, lead, self.allegations_title(school))] + \
            [c.as_dict() for c in self.contacts if c.region in (None, school.region)]

    def situation_steps(self, school: SchoolContacts) -> list[dict]:
        """Every step shown only in a situation or in the school's nation, with its source, for the
        Contacts page: a lead can check each one without having to ask the right question."""
        lead = self.lead_title(school)
        return [{"situation": (s.situation or "").replace("_", " ") or None, "text": s.text.format(lead=lead),
                 "source": s.source, "unconfirmed": s.unconfirmed}
                for s in self.steps if s.situation or s.region == school.region]

    def unconfirmed(self) -> list[tuple[str, str]]:
        """(what, why) for every contact and step whose source could not confirm it."""
        notices = [(f"the {name} steps in {region.replace('-', ' ').title()}", why)
                   for name, notice in (("calm", self.calm), ("urgent", self.urgent))
                   for region, why in notice.unconfirmed.items()]
        return [(c.name, c.unconfirmed) for c in self.contacts if c.unconfirmed] + \
            [(s.text, s.unconfirmed) for s in self.steps if s.unconfirmed] + notices

    def reviewed_dates(self) -> list[tuple[str, str]]:
        """(what, reviewed date) for every dated entry, for the readiness check."""
        return [(c.name, c.reviewed) for c in self.contacts if c.reviewed]


def school_contacts(school: SchoolContacts, lead: str, allegations: str = _DEFAULT_ALLEGATIONS) -> list[Contact]:
    """The four school slots; an unset one says to ask the school office rather than disappearing."""
    found = []
    for slot, (label, when) in _SCHOOL_SLOTS.items():
        name, phone = school.slots.get(slot, ("", ""))
        extra = school.details.get(slot, {})
        title = label.format(lead=lead, allegations=allegations)
        title = title[0].upper() + title[1:]
        found.append(Contact(
            name=f"{title}: {name}" if name else title,
            when=when,
            source="prompts/school.toml",
            reviewed=None,
            phone=phone or None,
            email=extra.get("email") or None,
            hours=extra.get("hours") or None,
            note=None if (name and phone) else f"{UNSET_TEXT} for this contact",
            slot=slot,
        ))
    return found


def _text(table: dict, key: str, where: str, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PromptsError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _review_date(table: dict, where: str) -> str:
    value = _text(table, "reviewed", where)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PromptsError(f"{where}: 'reviewed' must be a date YYYY-MM-DD, not {value!r}") from None
    return value


def _notice(data: dict, name: str, path: Path, with_first: bool = False) -> Notice:
    table = data.get(name)
    where = f"{path} [{name}]"
    if not isinstance(table, dict):
        raise PromptsError(f"{where}: section missing")
    lists = {}
    for key in ("steps", "first") if with_first else ("steps",):
        items = table.get(key, [])
        if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
            raise PromptsError(f"{where}: '{key}' must be a list of non-empty strings")
        lists[key] = tuple(s.strip() for s in items)
    if with_first and len(lists["first"]) != 3:
        raise PromptsError(f"{where}: 'first' must hold exactly three lines (999, the lead, do not view)")
    sources = table.get("sources")
    if not isinstance(sources, dict):
        raise PromptsError(f"{where}: [{name}.sources] with a source page per nation is missing")
    for region in REGIONS:
        _text(sources, region, f"{where}.sources")
    _review_date(sources, f"{where}.sources")
    unconfirmed = table.get("unconfirmed", {})
    if not isinstance(unconfirmed, dict) or any(r not in REGIONS for r in unconfirmed):
        raise PromptsError(f"{where}.unconfirmed: a table of nations ({', '.join(REGIONS)}) and why")
    return Notice(_text(table, "message", where), lists["steps"], {r: sources[r].strip() for r in REGIONS},
                  lists.get("first", ()), {r: _text(unconfirmed, r, f"{where}.unconfirmed") for r in unconfirmed})


def _situations(data: dict, path: Path) -> tuple[Situation, ...]:
    found = []
    for i, raw in enumerate(data.get("situation", []), start=1):
        where = f"{path} situation {i}"
        if not isinstance(raw, dict):
            raise PromptsError(f"{where}: must be a table")
        name = _text(raw, "name", where)
        compiled = compile_patterns(raw.get("patterns"), f"{where} ({name})", "patterns")
        first_line = raw.get("first_line")
        if first_line not in (None, "999", "lead"):
            raise PromptsError(f"{where} ({name}): 'first_line' must be \"999\" or \"lead\"")
        hide = raw.get("hide", [])
        if not isinstance(hide, list) or any(h not in _SCHOOL_SLOTS for h in hide):
            raise PromptsError(f"{where} ({name}): 'hide' may name only {', '.join(_SCHOOL_SLOTS)}")
        found.append(Situation(name, compiled, tuple(hide), first_line))
    return tuple(found)


def _steps(data: dict, path: Path, names: set[str]) -> tuple[Step, ...]:
    found = []
    for key, field_name, allowed in (("situation_step", "situation", names), ("region_step", "region", set(REGIONS))):
        for i, raw in enumerate(data.get(key, []), start=1):
            where = f"{path} {key} {i}"
            if not isinstance(raw, dict):
                raise PromptsError(f"{where}: must be a table")
            value = raw.get(field_name)
            if value not in allowed:
                raise PromptsError(f"{where}: '{field_name}' must be one of {', '.join(sorted(allowed))}")
            _review_date(raw, where)
            found.append(Step(_text(raw, "text", where), _text(raw, "source", where), **{field_name: value},
                              unconfirmed=_text(raw, "unconfirmed", where, required=False)))
    return tuple(found)


def _contact(raw: dict, where: str, region: str | None) -> Contact:
    if not isinstance(raw, dict):
        raise PromptsError(f"{where}: must be a table")
    phone, url, email = (_text(raw, k, where, required=False) for k in ("phone", "url", "email"))
    if not (phone or url or email):
        raise PromptsError(f"{where}: needs at least one of phone, url, email")
    if phone and not PHONE.match(phone):
        raise PromptsError(f"{where}: phone {phone!r} is not a phone number")
    if url and not url.startswith("https://"):
        raise PromptsError(f"{where}: url must start with https://")
    show = raw.get("show", "always")
    if show not in _SHOW:
        raise PromptsError(f"{where}: 'show' must be one of {', '.join(_SHOW)}")
    lists = {}
    for key in ("situations", "first_in"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise PromptsError(f"{where}: '{key}' must be a list of situation names")
        lists[key] = tuple(value)
    return Contact(name=_text(raw, "name", where), when=_text(raw, "when", where), source=_text(raw, "source", where),
                   reviewed=_review_date(raw, where), show=show, phone=phone, url=url, email=email, region=region,
                   unconfirmed=_text(raw, "unconfirmed", where, required=False), **lists)


def load_escalation(path: Path = DEFAULT_ESCALATION_FILE) -> EscalationBook:
    """Read and check `prompts/escalation.toml`; raise PromptsError naming the first problem."""
    path = Path(path)
    data = read_toml(path)
    contacts = []
    for i, raw in enumerate(data.get("contact", []), start=1):
        contacts.append(_contact(raw, f"{path} contact {i} ({raw.get('name', '?') if isinstance(raw, dict) else '?'})", None))
    if not contacts:
        raise PromptsError(f"{path}: at least one [[contact]] is required")
    for i, raw in enumerate(data.get("region_contact", []), start=1):
        where = f"{path} region_contact {i}"
        region = raw.get("region") if isinstance(raw, dict) else None
        if region not in REGIONS:
            raise PromptsError(f"{where}: 'region' must be one of {', '.join(REGIONS)}")
        contacts.append(_contact(raw, where, region))
    lead = data.get("lead")
    if not isinstance(lead, dict) or not isinstance(lead.get("titles"), dict):
        raise PromptsError(f"{path} [lead]: section with [lead.titles] missing")
    titles = lead["titles"]
    missing = [r for r in REGIONS if not isinstance(titles.get(r), str) or not titles[r].strip()]
    if missing:
        raise PromptsError(f"{path} [lead.titles]: no title for {', '.join(missing)}")
    _review_date(lead, f"{path} [lead]")
    allegations = data.get("allegations", {})
    if not isinstance(allegations, dict) or not isinstance(allegations.get("titles", {}), dict):
        raise PromptsError(f"{path} [allegations]: a table with [allegations.titles] per nation")
    allegations_titles = {r: _text(allegations["titles"], r, f"{path} [allegations.titles]")
                          for r in allegations.get("titles", {})}
    if set(allegations_titles) - set(REGIONS):
        raise PromptsError(f"{path} [allegations.titles]: nations are {', '.join(REGIONS)}")
    situations = _situations(data, path)
    names = {s.name for s in situations}
    for contact in contacts:
        unknown = (set(contact.situations) | set(contact.first_in)) - names
        if unknown:
            raise PromptsError(f"{path} contact {contact.name}: unknown situation(s) {', '.join(sorted(unknown))}")
    return EscalationBook(_notice(data, "calm", path), _notice(data, "urgent", path, with_first=True),
                          tuple(contacts), {r: titles[r].strip() for r in REGIONS},
                          _text(lead, "source", f"{path} [lead]"), _steps(data, path, names), situations,
                          _subject(data, path), allegations_titles,
                          _text(allegations, "source", f"{path} [allegations]", required=bool(allegations_titles)) or "")


def _subject(data: dict, path: Path) -> tuple[re.Pattern, ...]:
    """The optional [subject] section's patterns; none without the section."""
    if "subject" not in data:
        return ()
    section = data["subject"]
    return compile_patterns(section.get("patterns") if isinstance(section, dict) else None, f"{path} [subject]",
                            "patterns")


def load_school(path: Path = DEFAULT_SCHOOL_FILE) -> SchoolContacts:
    """Read and check `prompts/school.toml`. Empty slots are allowed: they show the fallback text."""
    path = Path(path)
    return school_from_data(read_toml(path), str(path))


def school_from_text(text: str, label: str = "the school's contacts") -> SchoolContacts:
    """The same checks as `load_school`, on TOML text kept in a database rather than a file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromptsError(f"{label}: not valid TOML ({exc})") from None
    return school_from_data(data, label)


def school_from_data(data: dict, path: str) -> SchoolContacts:
    region = data.get("region", "england")
    if region not in REGIONS:
        raise PromptsError(f"{path}: region must be one of {', '.join(REGIONS)}, not {region!r}")
    unknown = set(data) - {"region", "lead_title", *_SCHOOL_SLOTS}
    if unknown:
        raise PromptsError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    slots, details = {}, {}
    for slot in _SCHOOL_SLOTS:
        table = data.get(slot, {})
        if not isinstance(table, dict):
            raise PromptsError(f"{path} [{slot}]: must be a table with name and phone")
        unknown_keys = set(table) - {"name", "phone", "email", "hours"}
        if unknown_keys:
            raise PromptsError(f"{path} [{slot}]: unknown setting(s) {', '.join(sorted(unknown_keys))}")
        values = {key: table.get(key, "") for key in ("name", "phone", "email", "hours")}
        if not all(isinstance(v, str) for v in values.values()):
            raise PromptsError(f"{path} [{slot}]: name, phone, email and hours must be strings")
        values = {k: v.strip() for k, v in values.items()}
        if values["phone"] and not SCHOOL_PHONE.match(values["phone"]):
            raise PromptsError(f"{path} [{slot}]: phone {values['phone']!r} is not a phone number")
        if values["email"] and not EMAIL.match(values["email"]):
            raise PromptsError(f"{path} [{slot}]: email {values['email']!r} is not an e-mail address")
        slots[slot] = (values["name"], values["phone"])
        details[slot] = {k: values[k] for k in ("email", "hours") if values[k]}
    lead_title = data.get("lead_title", "")
    if not isinstance(lead_title, str):
        raise PromptsError(f"{path}: lead_title must be text")
    return SchoolContacts(region, slots, lead_title.strip(), details)


def load_messages(path: Path = DEFAULT_MESSAGES_FILE) -> dict:
    """The fixed sentences the assistant shows (`prompts/messages.toml`); all must be present."""
    path = Path(path)
    data = read_toml(path)
    table = data.get("messages")
    if not isinstance(table, dict):
        raise PromptsError(f"{path}: [messages] section missing")
    messages: dict = {key: _text(table, key, f"{path} [messages]") for key in MESSAGE_KEYS}
    examples = table.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise PromptsError(f"{path} [messages]: 'examples' must be a list of questions")
    messages["examples"] = [e.strip() for e in examples]
    return messages
