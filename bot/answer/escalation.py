"""Escalation: who to tell and where to get help, attached to every answer.

All wording, numbers and sources live in `prompts/escalation.toml` (national, reviewed by a
safeguarding lead) and `prompts/school.toml` (the school's own contacts and region). Both are
validated when loaded, so a malformed file stops the assistant at start-up with a message that
names the file and the entry, instead of showing a half-filled contact list to a worried teacher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.answer.prompts import PromptsError, read_toml
from bot.config import PROJECT_ROOT

DEFAULT_ESCALATION_FILE = PROJECT_ROOT / "prompts" / "escalation.toml"
DEFAULT_SCHOOL_FILE = PROJECT_ROOT / "prompts" / "school.toml"
DEFAULT_MESSAGES_FILE = PROJECT_ROOT / "prompts" / "messages.toml"
MESSAGE_KEYS = ("about", "not_covered", "no_procedure", "urgent_heading", "steps_heading", "quotes_heading")
REGIONS = ("england", "wales", "scotland", "northern-ireland")
UNSET_TEXT = "Ask your school office"
_SHOW = ("always", "urgent", "calm")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")
_SCHOOL_SLOTS = {
    # slot: (label, when)
    "dsl": ("{lead}", "Tell them about any safeguarding concern, the same day"),
    "deputy": ("Deputy {lead}", "When the lead cannot be reached"),
    "children_services": ("Local authority children's services", "Making a referral about a child, with or through the lead"),
    "lado": ("Local Authority Designated Officer (LADO)", "A concern about an adult who works with children"),
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

    def as_dict(self) -> dict:
        data = {"name": self.name, "when": self.when, "phone": self.phone, "url": self.url,
                "email": self.email, "source": self.source, "reviewed": self.reviewed}
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Notice:
    """The message and steps of one escalation variant (calm or urgent)."""

    message: str
    steps: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class SchoolContacts:
    """The school's own slots from `prompts/school.toml`; empty strings mean "not set yet"."""

    region: str
    slots: dict[str, tuple[str, str]]  # slot -> (name, phone)


@dataclass(frozen=True)
class EscalationBook:
    calm: Notice
    urgent: Notice
    contacts: tuple[Contact, ...]
    lead_titles: dict[str, str]
    lead_source: str

    def escalation(self, urgent: bool, school: SchoolContacts) -> dict:
        """The answer object's `escalation` block, in the order a worried reader needs it."""
        notice = self.urgent if urgent else self.calm
        lead = self.lead_titles[school.region]
        national = [c for c in self.contacts if c.region in (None, school.region)]
        # Urgent: the emergency numbers come before everything else, then the school's own people.
        first = [c for c in national if urgent and c.show == "urgent"]
        rest = [c for c in national if c.show == "always" or (not urgent and c.show == "calm")]
        contacts = [c.as_dict() for c in (*first, *school_contacts(school, lead), *rest)]
        return {
            "urgent": urgent,
            "message": notice.message.format(lead=lead),
            "steps": [step.format(lead=lead) for step in notice.steps],
            "steps_source": notice.source,
            "region": school.region,
            "contacts": contacts,
        }

    def all_contacts(self, school: SchoolContacts) -> list[dict]:
        """Every contact that applies to the school's region, for a contacts page."""
        lead = self.lead_titles[school.region]
        return [c.as_dict() for c in school_contacts(school, lead)] + \
            [c.as_dict() for c in self.contacts if c.region in (None, school.region)]


def school_contacts(school: SchoolContacts, lead: str) -> list[Contact]:
    """The four school slots; an unset one says to ask the school office rather than disappearing."""
    found = []
    for slot, (label, when) in _SCHOOL_SLOTS.items():
        name, phone = school.slots.get(slot, ("", ""))
        title = label.format(lead=lead)
        title = title[0].upper() + title[1:]
        found.append(Contact(
            name=f"{title}: {name}" if name else title,
            when=when,
            source="prompts/school.toml",
            reviewed=None,
            phone=phone or None,
            note=None if (name and phone) else f"{UNSET_TEXT} for this contact",
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


def _notice(data: dict, name: str, path: Path) -> Notice:
    table = data.get(name)
    where = f"{path} [{name}]"
    if not isinstance(table, dict):
        raise PromptsError(f"{where}: section missing")
    steps = table.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, str) and s.strip() for s in steps):
        raise PromptsError(f"{where}: 'steps' must be a list of non-empty strings")
    return Notice(_text(table, "message", where), tuple(s.strip() for s in steps), _text(table, "steps_source", where))


def _contact(raw: dict, where: str, region: str | None) -> Contact:
    if not isinstance(raw, dict):
        raise PromptsError(f"{where}: must be a table")
    phone, url, email = (_text(raw, k, where, required=False) for k in ("phone", "url", "email"))
    if not (phone or url or email):
        raise PromptsError(f"{where}: needs at least one of phone, url, email")
    if phone and not _PHONE.match(phone):
        raise PromptsError(f"{where}: phone {phone!r} is not a phone number")
    if url and not url.startswith("https://"):
        raise PromptsError(f"{where}: url must start with https://")
    show = raw.get("show", "always")
    if show not in _SHOW:
        raise PromptsError(f"{where}: 'show' must be one of {', '.join(_SHOW)}")
    return Contact(name=_text(raw, "name", where), when=_text(raw, "when", where), source=_text(raw, "source", where),
                   reviewed=_review_date(raw, where), show=show, phone=phone, url=url, email=email, region=region)


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
    return EscalationBook(_notice(data, "calm", path), _notice(data, "urgent", path), tuple(contacts),
                          {r: titles[r].strip() for r in REGIONS}, _text(lead, "source", f"{path} [lead]"))


def load_school(path: Path = DEFAULT_SCHOOL_FILE) -> SchoolContacts:
    """Read and check `prompts/school.toml`. Empty slots are allowed: they show the fallback text."""
    path = Path(path)
    data = read_toml(path)
    region = data.get("region", "england")
    if region not in REGIONS:
        raise PromptsError(f"{path}: region must be one of {', '.join(REGIONS)}, not {region!r}")
    unknown = set(data) - {"region", *_SCHOOL_SLOTS}
    if unknown:
        raise PromptsError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    slots = {}
    for slot in _SCHOOL_SLOTS:
        table = data.get(slot, {})
        if not isinstance(table, dict):
            raise PromptsError(f"{path} [{slot}]: must be a table with name and phone")
        name, phone = table.get("name", ""), table.get("phone", "")
        if not isinstance(name, str) or not isinstance(phone, str):
            raise PromptsError(f"{path} [{slot}]: name and phone must be strings")
        if phone.strip() and not _PHONE.match(phone.strip()):
            raise PromptsError(f"{path} [{slot}]: phone {phone!r} is not a phone number")
        slots[slot] = (name.strip(), phone.strip())
    return SchoolContacts(region, slots)


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
