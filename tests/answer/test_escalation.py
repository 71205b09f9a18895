"""Escalation contacts: loaded from prompts/, checked at start-up, urgent first, school slots shown."""

from pathlib import Path

import pytest

from bot.answer.escalation import UNSET_TEXT, load_escalation, load_messages, load_school
from tests.conftest import PROJECT_ROOT, assert_refused

PROMPTS = PROJECT_ROOT / "prompts"


@pytest.fixture(scope="module")
def book():
    return load_escalation()


def test_an_urgent_incident_without_danger_now_puts_the_lead_first_and_999_second(book):
    esc = book.escalation(True, load_school(), danger=False)
    first = esc["first"]
    assert "designated safeguarding lead" in first[0] and "call 999" in first[1] and "never view, copy, print, share, store or save" in first[2].lower()
    assert esc["lead_line"] == 0 and esc["danger"] is False
    danger = book.escalation(True, load_school())
    assert "call 999" in danger["first"][0] and danger["lead_line"] == 1 and danger["danger"] is True


def test_urgent_variant_says_999_once_first_then_the_lead_then_do_not_view(book):
    esc = book.escalation(True, load_school())
    assert esc["urgent"] is True
    first = esc["first"]
    assert len(first) == 3 and "call 999" in first[0]
    assert "designated safeguarding lead" in first[1] and "never view, copy, print, share, store or save" in first[2].lower()
    assert not any(c["phone"] == "999" for c in esc["contacts"])
    assert "999" not in " ".join(esc["steps"] + [esc["message"]])
    assert esc["lead"] == {"title": "designated safeguarding lead (DSL)", "name": None, "phone": None,
                           "set": False, "unset_text": UNSET_TEXT}
    assert all(c["source"] for c in esc["contacts"])


@pytest.mark.parametrize("question, seen", [
    ("He says he'll post the fake nude unless she pays £100 tonight", {"sextortion"}),
    ("A deepfake nude of one of our teachers is going round Year 10", {"staff_depicted"}),
    ("An older man has sent her an edited naked picture", {"adult_involved"}),
    ("She says she wants to self-harm because of the pictures", {"self_harm"}),
    ("What is nudifying?", set()),
])
def test_situations_are_recognised_from_the_patterns_in_prompts(book, question, seen):
    assert book.situations_in(question) == seen


def test_a_staff_member_depicted_sees_the_revenge_porn_helpline_and_not_the_lado(book):
    seen = book.situations_in("A deepfake nude of one of our teachers is going round Year 10")
    esc = book.escalation(True, load_school(), seen)
    names = [c["name"] for c in esc["contacts"]]
    assert "Revenge Porn Helpline" in names and any(n.startswith("StopNCII") for n in names)
    assert not any("LADO" in n for n in names)
    plain = book.escalation(True, load_school())
    assert not any(c["name"] == "Revenge Porn Helpline" for c in plain["contacts"])
    assert any("LADO" in c["name"] for c in plain["contacts"])
    assert not any(step.startswith("Blackmail with an image") for step in plain["steps"])  # only when it is sextortion


def test_every_phone_number_is_in_a_uk_format_and_every_nation_has_sources(book):
    import re

    uk = re.compile(r"^(999|101|0\d{2,4} \d{3,4}( \d{3,4})?)$")
    for contact in book.contacts:
        if contact.phone:
            assert uk.match(contact.phone), contact.name
    for notice in (book.calm, book.urgent):
        assert set(notice.sources) == {"england", "wales", "scotland", "northern-ireland"}
        assert all(src.startswith("https://") for src in notice.sources.values())
    for step in book.steps:
        assert step.source.startswith("https://")


def test_scotland_gets_a_neutral_lead_title_its_own_step_and_a_school_may_name_its_own(book, tmp_path: Path):
    school = tmp_path / "school.toml"
    school.write_text('region = "scotland"\n', encoding="utf-8")
    esc = book.escalation(False, load_school(school))
    assert "child protection lead" in esc["message"]
    assert any("inter-agency referral discussion" in step for step in esc["steps"])
    assert "gov.scot" in esc["steps_source"]
    school.write_text('region = "scotland"\nlead_title = "child protection coordinator"\n', encoding="utf-8")
    assert "child protection coordinator" in book.escalation(False, load_school(school))["message"]


def test_calm_variant_omits_999_but_keeps_the_helplines(book):
    esc = book.escalation(False, load_school())
    phones = {c["phone"] for c in esc["contacts"]}
    assert "999" not in phones
    assert {"0808 800 5000", "0344 381 4772", "0800 1111"} <= phones


def test_every_national_contact_carries_a_source_and_a_review_date(book):
    for contact in book.contacts:
        assert contact.source.startswith("https://")
        assert contact.reviewed and len(contact.reviewed) == 10


def test_unset_school_slots_say_ask_your_school_office(book, tmp_path: Path):
    esc = book.escalation(False, load_school(PROMPTS / "school.toml"))
    dsl = esc["contacts"][0]
    assert dsl["name"].startswith("Designated safeguarding lead")
    assert dsl["phone"] is None and UNSET_TEXT in dsl["note"]


def test_set_school_slots_show_name_and_number(book, tmp_path: Path):
    school = tmp_path / "school.toml"
    school.write_text('region = "england"\n[dsl]\nname = "Ms A. Example"\nphone = "01234 567890"\n', encoding="utf-8")
    esc = book.escalation(False, load_school(school))
    dsl = esc["contacts"][0]
    assert dsl["name"] == "Designated safeguarding lead (DSL): Ms A. Example"
    assert dsl["phone"] == "01234 567890" and "note" not in dsl
    assert UNSET_TEXT in esc["contacts"][1]["note"]  # the deputy is still unset


def test_region_switches_the_lead_title_and_adds_its_own_contacts(book, tmp_path: Path):
    school = tmp_path / "school.toml"
    school.write_text('region = "northern-ireland"\n', encoding="utf-8")
    esc = book.escalation(False, load_school(school))
    assert "designated teacher" in esc["message"]
    assert any(c["phone"] == "028 9050 7000" for c in esc["contacts"])
    england = book.escalation(False, load_school())
    assert not any(c["phone"] == "028 9050 7000" for c in england["contacts"])


GOOD = (PROMPTS / "escalation.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace("\n[calm]\n", "\n[calm\n", 1), "not valid TOML"),
    (GOOD.replace('phone = "0808 800 5000"', 'phone = "call us"', 1), "is not a phone number"),
    (GOOD.replace('reviewed = "2026-11-26"', 'reviewed = "last week"', 1), "'reviewed' must be a date"),
    (GOOD.replace('show = "page"', 'show = "sometimes"', 1), "'show' must be one of"),
    (GOOD.replace('situations = ["staff_depicted"]', 'situations = ["unheard_of"]', 1), "unknown situation"),
    (GOOD.replace('"Tell your {lead} now.",\n', "", 1), "exactly three lines"),
    (GOOD.replace('wales = "designated safeguarding person (DSP)"', "", 1), "no title for wales"),
    (GOOD.replace('region = "northern-ireland"', 'region = "mars"', 1), "'region' must be one of"),
])
def test_a_malformed_escalation_file_is_refused_with_the_place_named(tmp_path: Path, broken, message):
    assert_refused(load_escalation, tmp_path / "escalation.toml", broken, message)


@pytest.mark.parametrize("text, message", [
    ('region = "atlantis"\n', "region must be one of"),
    ('[dsl]\nphone = "ring the office"\n', "is not a phone number"),
    ('[dls]\nname = "typo"\n', "unknown setting"),
])
def test_a_malformed_school_file_is_refused(tmp_path: Path, text, message):
    assert_refused(load_school, tmp_path / "school.toml", text, message)


def test_messages_must_all_be_present(tmp_path: Path):
    assert load_messages()["not_covered"]
    assert_refused(load_messages, tmp_path / "messages.toml", '[messages]\nabout = "x"\n', "not_covered")


def test_a_phone_to_take_puts_the_lead_first_unless_blackmail_or_a_crisis_is_seen(book):
    assert not book.danger_now(True, False, frozenset({"device"}))
    assert book.danger_now(True, False, frozenset({"device", "sextortion"}))
    assert book.danger_now(True, True, frozenset({"removal"}))
    assert book.danger_now(True, False, frozenset({"staff_depicted"}))  # no say: triage decides
    assert not book.danger_now(False, False, frozenset({"staff_depicted"}))


def test_blackmail_an_adult_or_self_harm_keeps_999_first_whatever_the_danger_model_says(book):
    """"A man she met online is collecting her from the gates today": the adult meeting a child is
    danger now, though the learnt model put its probability under the bar."""
    assert book.danger_now(False, False, frozenset({"sextortion"}))
    assert book.danger_now(False, False, frozenset({"adult_involved", "device"}))
    assert book.danger_now(False, True, frozenset())
    assert not book.danger_now(False, False, frozenset({"device"}))


def _school(tmp_path, region: str):
    path = tmp_path / "school.toml"
    path.write_text(f'region = "{region}"\n', encoding="utf-8")
    return load_school(path)


def test_each_nation_names_who_takes_a_concern_about_an_adult_in_its_own_terms(book, tmp_path):
    names = {region: [c["name"] for c in book.all_contacts(_school(tmp_path, region))]
             for region in ("england", "wales", "scotland", "northern-ireland")}
    assert "Local Authority Designated Officer (LADO)" in names["england"]
    assert "Local authority lead officer for safeguarding in education" in names["wales"]
    assert not any("LADO" in n for region in ("wales", "scotland", "northern-ireland") for n in names[region])


def test_scotland_says_an_ird_must_be_convened_and_cites_the_2023_update(book, tmp_path):
    esc = book.escalation(False, _school(tmp_path, "scotland"))
    step = next(s for s in esc["steps"] if "inter-agency referral discussion" in s)
    assert "must be convened as soon as reasonably practicable" in step and "can lead to" not in step
    assert "national-guidance-child-protection-scotland-2021-updated-2023" in esc["steps_source"]
    urgent = book.escalation(True, _school(tmp_path, "scotland"))
    assert urgent["steps_unconfirmed"]  # no Scottish source for "an adult involved: police urgently"


def test_northern_irelands_adult_step_cites_the_sbni_online_safety_hub(book, tmp_path):
    esc = book.escalation(True, _school(tmp_path, "northern-ireland"))
    assert "onlinesafetyhub.safeguardingni.org" in esc["steps_source"] and "matter of urgency" in esc["steps_source"]
    assert esc["steps_unconfirmed"] is None


def test_situation_steps_name_the_lead_not_a_placeholder(book):
    esc = book.escalation(True, load_school(), frozenset({"device", "sextortion", "staff_depicted"}), danger=False)
    assert not any("{lead}" in s for s in esc["steps"])
    assert sum("designated safeguarding lead (DSL) now" in s for s in esc["steps"]) == 3


def test_every_unconfirmed_entry_is_listed_for_the_check(book):
    listed = dict(book.unconfirmed())
    assert "Childline" in listed and "Internet Watch Foundation" not in listed
    assert "the urgent steps in Scotland" in listed
