"""Abbreviations the library defines, spelled out for the word search."""

from bot.search.abbreviations import AbbreviationExpander, find_abbreviations, long_form

GUIDANCE = (
    "Every school should appoint a designated safeguarding lead (DSL). The designated safeguarding lead "
    "takes lead responsibility. Staff should speak to the designated safeguarding lead. Pupil referral "
    "units (PRUs) follow this guidance. Pupil referral units must also train staff. Staff may send "
    "reports. The Internet Watch Foundation (IWF) said the IWF had found more images; the IWF called it "
    "disturbing. Special educational needs (SEN) matter."
)


def test_the_definition_is_the_words_the_letters_open():
    assert long_form("DSL", "Every school should appoint a designated safeguarding lead") == "designated safeguarding lead"
    assert long_form("PRU", "Pupil referral units") == "Pupil referral units"
    assert long_form("IWF", "The Internet Watch Foundation") == "Internet Watch Foundation"
    assert long_form("XYZ", "nothing that fits here") is None


def test_only_abbreviations_the_library_mostly_writes_out_are_kept():
    table = find_abbreviations([GUIDANCE])
    assert table["dsl"] == "designated safeguarding lead"  # written out three times, "DSL" once
    assert table["pru"] == "Pupil referral units"  # "PRUs" counts as the abbreviation
    assert "iwf" not in table  # the text uses "IWF" itself: the word search finds it already
    assert "sen" not in table  # written out once, used once


def test_a_question_is_searched_with_the_definition_added():
    spell_out = AbbreviationExpander.from_texts([GUIDANCE])
    assert spell_out("dsl training how often?") == "dsl training how often? (designated safeguarding lead)"
    assert spell_out("Do PRUs have a DSL?") == "Do PRUs have a DSL? (Pupil referral units; designated safeguarding lead)"
    assert spell_out("what does the IWF do") == "what does the IWF do"
    assert spell_out("no abbreviations here") == "no abbreviations here"


def test_an_ordinary_word_of_the_library_is_not_taken_for_an_abbreviation():
    text = ("Children with special educational needs and disabilities (SEND) need support. Special "
            "educational needs and disabilities can mask abuse; so can special educational needs and "
            "disabilities. Staff may send reports to the lead.")
    spell_out = AbbreviationExpander.from_texts([text])
    assert spell_out.table == {"send": "special educational needs and disabilities"}
    assert spell_out("SEND pupils") == "SEND pupils (special educational needs and disabilities)"
    assert spell_out("can we send it home") == "can we send it home"  # "send" is a word the library uses


def test_a_library_without_definitions_changes_nothing():
    spell_out = AbbreviationExpander.from_texts(["A short news story with no brackets at all."])
    assert spell_out("what is the DSL?") == "what is the DSL?"
