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


def test_an_abbreviation_the_library_never_defines_is_spelled_by_the_phrase_its_letters_open():
    """KCSIE Part one never writes "(DSL)" but says "designated safeguarding lead" throughout."""
    text = ("Speak to the designated safeguarding lead. The designated safeguarding lead decides. "
            "Tell the designated safeguarding lead at once. The senior leadership team meets weekly. "
            "Staff should log concerns.")
    spell_out = AbbreviationExpander.from_texts([text])
    assert spell_out.table == {}
    assert spell_out("what if the DSL is out?") == "what if the DSL is out? (designated safeguarding lead)"
    assert spell_out("what if the dsl is out?") == "what if the dsl is out? (designated safeguarding lead)"
    assert spell_out("ask the SLT") == "ask the SLT"  # "senior leadership team" once: not a name it keeps using
    assert spell_out("sc log") == "sc log"  # two letters are too few to tell a phrase


def test_a_phrase_is_not_taken_when_the_letters_open_more_than_one_or_the_library_uses_the_abbreviation():
    rivals = "designated safeguarding lead " * 3 + "daily school life " * 2
    assert AbbreviationExpander.from_texts([rivals])("the DSL") == "the DSL"
    used = "designated safeguarding lead " * 3 + "the dsl dsl dsl dsl"
    assert AbbreviationExpander.from_texts([used])("the DSL") == "the DSL"


def test_a_phrase_never_runs_across_punctuation_and_long_unknown_words_are_not_looked_up():
    broken = "the designated. safeguarding lead " * 3
    assert AbbreviationExpander.from_texts([broken])("the DSL") == "the DSL"
    long = "the designated safeguarding lead gave notice " * 4
    spell_out = AbbreviationExpander.from_texts([long])
    assert spell_out("dslgx") == "dslgx"  # five letters, but no phrase of five such words
    assert spell_out("dslgn") == "dslgn (designated safeguarding lead gave notice)"
    assert spell_out("dslgxq extra") == "dslgxq extra" and "dslgxq" in spell_out.by_initials  # six: looked up
    assert spell_out("designatedsafeguardinglead") == "designatedsafeguardinglead"  # too long to be one
    assert "designatedsafeguardinglead" not in spell_out.by_initials


def test_the_plural_of_a_two_letter_abbreviation_the_library_defines_is_spelled_out():
    text = ("Some pupils attend alternative provision (AP). Alternative provision must be safe, and "
            "schools placing a pupil in alternative provision stay responsible.")
    spell_out = AbbreviationExpander.from_texts([text])
    assert spell_out.table == {"ap": "alternative provision"}
    assert spell_out("pupils in APs") == "pupils in APs (alternative provision)"
