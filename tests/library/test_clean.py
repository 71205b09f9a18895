import pytest

from bot.library.clean import CleaningError, clean_document
from bot.library.corpus import load_library
from bot.library.extract import ExtractedText
from bot.library.manifest import CleaningRules
from tests.conftest import PROJECT_ROOT

# Distinctive phrases of everything on the syndicated page that is not the guidance article:
# the aggregator's boilerplate and the three unrelated BBC articles that follow it.
NOT_GUIDANCE = {
    "boilerplate": ["Hashtags", "Try Our AI Features", "Explore what Daily8 AI can do", "No comments yet",
                    "Related Articles", "35 minutes ago"],
    "prisons article": ["National Tactical Response Group", "NTRG", "Lowdham Grange", "Prison Officers' Association",
                        "David Gauke", "incidents at height", "tasers"],
    "courts article": ["Court backlog", "Thames Valley Police", "Brian Leveson", "Femicide Census",
                       "Witness care units", "halve violence against females"],
    "council AI article": ["Stockton Council", "Magic Notes", "Unison", "Paul Rowling", "Corinne Moore",
                           "transcribe and summarise"],
}


def all_phrases():
    return [(group, phrase) for group, phrases in NOT_GUIDANCE.items() for phrase in phrases]


@pytest.fixture(scope="module")
def library():
    return load_library(PROJECT_ROOT / "seeds")[1]


def test_bbc_article_is_kept_from_its_title_to_its_last_sentence(library):
    bbc = next(d for d in library if d.entry.id == "bbc-ai-csam-teacher-guidance").clean
    assert bbc.text.startswith("Teachers given new guidance in dealing with AI-generated child sexual abuse material")
    assert bbc.text.endswith('"It shouldn\'t be the case that a 12-year-old boy can easily and freely access tools '
                             'to create these forms of content in the first place," she said.')
    assert len(bbc.paragraphs) == 24  # one per line of the article


@pytest.mark.parametrize("group, phrase", all_phrases())
def test_no_boilerplate_or_unrelated_article_survives_cleaning(library, group, phrase):
    for doc in library:
        assert phrase.lower() not in doc.clean.text.lower(), f"{group} text {phrase!r} in {doc.entry.id}"


def test_paragraph_spans_index_the_cleaned_text(library):
    for doc in library:
        for para in doc.clean.paragraphs:
            piece = doc.clean.text[para.start:para.end]
            assert piece and piece == piece.strip() and "\n" not in piece


def test_rules_that_do_not_match_are_reported():
    extracted = ExtractedText.from_text("Some text.\nMore text.")
    with pytest.raises(CleaningError, match="start_at"):
        clean_document("d", extracted, CleaningRules(start_at="Missing heading"))
    with pytest.raises(CleaningError, match="end_before"):
        clean_document("d", extracted, CleaningRules(end_before="Footer"))


def test_drop_paragraphs_removes_matching_paragraphs_only():
    extracted = ExtractedText.from_text("Keep this.\n\nAdvertisement: buy now\n\nKeep that too.")
    doc = clean_document("d", extracted, CleaningRules(drop_paragraphs=("^Advertisement",)))
    assert doc.text == "Keep this.\n\nKeep that too."
    assert [p.number for p in doc.paragraphs] == [1, 2]


def test_wrapped_lines_inside_a_paragraph_are_joined():
    extracted = ExtractedText.from_text("A sentence that wraps\nonto a second line.\n\nNext one.")
    doc = clean_document("d", extracted, CleaningRules())
    assert doc.text == "A sentence that wraps onto a second line.\n\nNext one."
