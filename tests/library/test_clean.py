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


@pytest.mark.parametrize("text, says", [
    ("5 Consensual image sharing, especially between older children of the same age, may require a different "
     "response. It might not be abusive - but children still need to know it is illegal.", True),
    ("1 In cases which also involve a concern or an allegation of abuse against a staff member, see Part four.", False),
    ("4 Detailed information on statutory assessments can be found in Working Together to Safeguard Children.", False),
    ("19 As defined in the Terrorism Act 2000 (TACT 2000) http://www.legislation.gov.uk/ukpga/2000/11/contents", False),
    ("8 UKCIS guidance: Sharing nudes and semi-nudes advice", False),  # a title: too short to say anything
    ("2 Early help means providing support as soon as a problem emerges at any point in a child's life.", False),
])
def test_a_footnote_is_guidance_only_when_it_says_something_of_its_own(text, says):
    from bot.library.clean import guidance_note
    from bot.library.structure import FOOTNOTE, Block

    body = "Early help means providing support as soon as a problem emerges at any point in a child's life."
    note = Block(FOOTNOTE, text, page=3, label=text.split()[0])
    assert guidance_note(note, body) is says


def test_a_guidance_footnote_is_quotable_without_its_number_and_under_its_marker_heading():
    from bot.config import ChunkSettings
    from bot.library.clean import clean_document
    from bot.library.extract import ExtractedText
    from bot.library.passages import split_passages
    from bot.library.structure import FOOTNOTE, HEADING, PARAGRAPH, Block

    note = ("5 Consensual image sharing, especially between older children of the same age, may require a "
            "different response.")
    blocks = (Block(HEADING, "Sharing images", page=1, level=1),
              Block(PARAGRAPH, "Staff should be aware of the sharing of nude and semi-nude images.", page=1, markers=("5",)),
              Block(HEADING, "Another topic", page=2, level=1),
              Block(PARAGRAPH, "Something else entirely is said on this page.", page=2),
              Block(FOOTNOTE, note, page=1, label="5"))
    doc = clean_document("doc", ExtractedText(blocks, paginated=True), CleaningRules())
    para = next(p for p in doc.paragraphs if p.kind == FOOTNOTE)
    assert para.quotable and doc.text[para.start:para.end] == note[2:] and para.heading == ("Sharing images",)
    passages = split_passages(doc, ChunkSettings(max_words=200))
    quoted = next(p for p in passages if p.footnote)
    assert (quoted.footnote, quoted.label, quoted.text) == ("5", None, note[2:])
    assert len(passages) == 3  # the footnote is never joined to the body passage on its page
