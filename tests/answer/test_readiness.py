"""`python -m bot check` and the readiness findings behind it, one test per finding."""

from datetime import date
from pathlib import Path

from bot.answer.escalation import load_escalation, load_school
from bot.answer.readiness import readiness
from bot.library.manifest import DocumentEntry
from tests.conftest import PROJECT_ROOT
from tests.test_cli import run_bot

BOOK = load_escalation()
DATED = DocumentEntry("doc", "doc.txt", "Title", "Publisher", date="2025-06-27", url="https://example.org/doc")
TODAY = date(2026, 11, 26)


def school(tmp_path: Path, text: str):
    path = tmp_path / "school.toml"
    path.write_text(text, encoding="utf-8")
    return load_school(path)


FULL = ('[dsl]\nname = "A"\nphone = "01234 567890"\n[deputy]\nname = "B"\nphone = "01234 567891"\n'
        '[children_services]\nname = "C"\nphone = "01234 567892"\n[lado]\nname = "D"\nphone = "01234 567893"\n')


def test_an_unset_lead_blocks_and_each_unset_slot_is_listed(tmp_path):
    findings = readiness(BOOK, school(tmp_path, ""), [DATED], TODAY)
    assert findings[0].blocking and "designated safeguarding lead" in findings[0].message
    assert sum("[deputy]" in f.message or "[children_services]" in f.message or "[lado]" in f.message
               for f in findings) == 3
    assert not any(f.blocking for f in findings[1:])


def confirmed(findings):
    """The findings other than the entries whose wording awaits confirmation against its source."""
    return [f for f in findings if not f.message.startswith("Confirm '")]


def test_a_complete_school_with_fresh_contacts_and_dated_documents_is_ready(tmp_path):
    assert confirmed(readiness(BOOK, school(tmp_path, FULL), [DATED], TODAY)) == []


def test_entries_not_confirmed_against_their_source_are_listed_but_do_not_block(tmp_path):
    findings = [f for f in readiness(BOOK, school(tmp_path, FULL), [DATED], TODAY) if f not in confirmed([f])]
    assert findings and not any(f.blocking for f in findings)
    assert any("'Childline'" in f.message for f in findings)
    assert len(findings) == len(BOOK.unconfirmed())


def test_contacts_reviewed_over_a_year_ago_are_listed(tmp_path):
    findings = confirmed(readiness(BOOK, school(tmp_path, FULL), [DATED], date(2028, 1, 1)))
    assert findings and all("Re-check" in f.message and not f.blocking for f in findings)
    assert any("NSPCC Helpline" in f.message for f in findings)


def test_documents_without_a_date_or_address_are_listed(tmp_path):
    undated = DocumentEntry("news", "n.txt", "T", "P", date_note="about March 2025")
    findings = confirmed(readiness(BOOK, school(tmp_path, FULL), [DATED, undated], TODAY))
    assert [f.message for f in findings] == ["Add the date and web address of 'T' (news in the manifest), or mark "
                                             "it an internal document with no web address: readers cannot date or "
                                             "check its quotes."]
    assert findings[0].fix == "document:news" and findings[0].school
    internal = DocumentEntry("policy", "p.txt", "Our policy", "School", date="2026-09-01", internal=True)
    assert confirmed(readiness(BOOK, school(tmp_path, FULL), [internal], TODAY)) == []


def test_check_command_exits_1_while_the_lead_is_unset_and_0_once_ready(tmp_path):
    result = run_bot("check")
    assert result.returncode == 1 and result.stdout.startswith("MUST Add the name and phone number of your school's designated safeguarding lead")
    ready = tmp_path / "school.toml"
    ready.write_text(FULL, encoding="utf-8")
    result = run_bot("check", "--school", str(ready))
    assert result.returncode == 0, result.stdout
    assert "MUST" not in result.stdout and "TODO Add the date" in result.stdout
    assert "TODO Confirm 'Childline' against its source" in result.stdout
    assert (PROJECT_ROOT / "prompts" / "school.toml").read_text(encoding="utf-8").count('name = ""') == 4
