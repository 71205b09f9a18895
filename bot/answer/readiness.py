"""Readiness: what a school must still do before staff rely on the assistant.

`python -m bot check` prints these findings and exits non-zero while the school's safeguarding
lead is unset; the pages show staff a banner meanwhile. Pure: the files are read by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.answer.escalation import EscalationBook, SchoolContacts
from bot.library.manifest import DocumentEntry

REVIEW_EVERY_DAYS = 365
_SLOT_NAMES = {"deputy": "the deputy lead", "children_services": "local authority children's services",
               "lado": "{allegations}"}


@dataclass(frozen=True)
class Finding:
    blocking: bool  # True: staff must not rely on the assistant until this is done
    message: str
    # what fixes it, for the admin pages to link to: "contacts:<slot>" (the school contacts form),
    # "document:<id>" (that document's details), or "national" (an entry of prompts/escalation.toml,
    # which whoever runs the assistant keeps, not the school)
    fix: str = ""

    @property
    def school(self) -> bool:
        """Can the school fix it in its admin pages?"""
        return self.fix != "national"


def readiness(book: EscalationBook, school: SchoolContacts, documents: Iterable[DocumentEntry],
              today: date) -> list[Finding]:
    findings = []
    lead = book.lead_title(school)
    if not school.lead_set:
        findings.append(Finding(True, f"Add the name and phone number of your school's {lead} "
                                      "([dsl] in school.toml).", "contacts:dsl"))
    for slot, label in _SLOT_NAMES.items():
        name, phone = school.slots.get(slot, ("", ""))
        if not (name and phone):
            label = label.format(allegations=book.allegations_title(school))
            findings.append(Finding(False, f"Add the name and phone number of {label} ([{slot}] in school.toml).",
                                    f"contacts:{slot}"))
    for what, reviewed in book.reviewed_dates():
        age = (today - date.fromisoformat(reviewed)).days
        if age > REVIEW_EVERY_DAYS:
            findings.append(Finding(False, f"Re-check '{what}' against its source: last reviewed {reviewed}, "
                                           f"{age} days ago.", "national"))
    for what, why in book.unconfirmed():
        findings.append(Finding(False, f"Confirm '{what[:80]}' against its source: {why}", "national"))
    for entry in documents:
        missing = [name for name, value in (("date", entry.date), ("web address", entry.url or entry.internal))
                   if not value]
        if missing:
            internal = ", or mark it an internal document with no web address" if not entry.url else ""
            findings.append(Finding(False, f"Add the {' and '.join(missing)} of '{entry.title}' ({entry.id} in the "
                                           f"manifest){internal}: readers cannot date or check its quotes.",
                                    f"document:{entry.id}"))
    return findings
