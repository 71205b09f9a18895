import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.config import ChunkSettings
from bot.library.clean import CleaningError, clean_document
from bot.library.extract import ExtractedText
from bot.library.manifest import CleaningRules
from bot.library.passages import sentence_spans, split_passages

words = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzAB'’-é0123456789"), min_size=1, max_size=12)
separators = st.sampled_from([" ", " ", " ", "  ", ". ", "! ", "? ", '." ', ".\u201d ", "\n", "\n\n", " \n \n", "\t"])


@st.composite
def documents(draw):
    parts = [draw(words)]
    for _ in range(draw(st.integers(0, 300))):
        parts.append(draw(separators))
        parts.append(draw(words))
    return "".join(parts)


def check_invariants(text: str, chunk: ChunkSettings) -> None:
    try:
        doc = clean_document("doc", ExtractedText.from_text(text), CleaningRules())
    except CleaningError:  # nothing quotable (a text of bare numbers reads as a contents list): said plainly
        assume(False)
    passages = split_passages(doc, chunk)
    assert passages, "non-empty text gives at least one passage"
    covered = set()
    for passage in passages:
        # The quote invariant: a passage is exactly its span of the cleaned text.
        assert doc.text[passage.start:passage.end] == passage.text
        # Never a word cut in half: spans begin and end at word boundaries.
        assert passage.start == 0 or doc.text[passage.start - 1].isspace()
        assert passage.end == len(doc.text) or doc.text[passage.end].isspace()
        assert passage.text == passage.text.strip()
        # a passage holds only text that may be quoted: no heading, footnote or navigation inside it
        inside = [p for p in doc.paragraphs if passage.start < p.end and p.start < passage.end]
        assert all(p.quotable for p in inside)
        assert len(passage.text.split()) <= chunk.max_words
        covered.update(passage.start + m.start() for m in re.finditer(r"\S+", passage.text))
    # Nothing is lost: every word of the text that may be quoted is in some passage (headings stand
    # above passages, never inside them).
    for para in doc.paragraphs:
        if para.quotable:
            assert {para.start + m.start() for m in re.finditer(r"\S+", doc.text[para.start:para.end])} <= covered
    assert len({p.id for p in passages}) == len(passages)
    assert [p.start for p in passages] == sorted(p.start for p in passages)


@settings(max_examples=150, deadline=None)
@given(documents(), st.integers(1, 80))
def test_passages_are_exact_spans_that_never_cut_words(text, max_words):
    check_invariants(text, ChunkSettings(max_words=max_words))


@settings(max_examples=100, deadline=None)
@given(documents(), st.integers(2, 80), st.integers(0, 40))
def test_overlapping_passages_keep_the_invariants(text, max_words, overlap):
    check_invariants(text, ChunkSettings(max_words=max_words, overlap_words=overlap))


def test_sentences_split_after_terminal_punctuation_and_quotes():
    text = 'He said "Stop." Then he left! Did she? Yes.'
    assert [text[s:e] for s, e in sentence_spans(text)] == ['He said "Stop."', "Then he left!", "Did she?", "Yes."]


def test_short_paragraphs_are_packed_and_long_sentences_windowed():
    text = "One two three. Four five.\n\nSix seven eight nine ten eleven twelve."
    doc = clean_document("d", ExtractedText.from_text(text), CleaningRules())
    passages = split_passages(doc, ChunkSettings(max_words=5))
    assert [p.text for p in passages] == ["One two three. Four five.", "Six seven eight nine ten",
                                          "eleven twelve."]
    assert [(p.paragraph, p.paragraph_end) for p in passages] == [(1, 1), (2, 2), (2, 2)]


def test_overlap_repeats_the_previous_sentence():
    text = "Alpha beta. Gamma delta. Epsilon zeta."
    doc = clean_document("d", ExtractedText.from_text(text), CleaningRules())
    passages = split_passages(doc, ChunkSettings(max_words=4, overlap_words=2))
    assert [p.text for p in passages] == ["Alpha beta. Gamma delta.", "Gamma delta. Epsilon zeta."]


def test_a_numbered_paragraph_over_a_page_break_is_one_passage_with_both_pages():
    extracted = ExtractedText.from_text("1. A numbered paragraph that runs on\fto the next page.\f2. Next one.")
    doc = clean_document("d", extracted, CleaningRules())
    passages = split_passages(doc, ChunkSettings(max_words=50))
    assert [(p.text, p.label, p.page, p.page_end) for p in passages] == [
        ("1. A numbered paragraph that runs on to the next page.", "1", 1, 2), ("2. Next one.", "2", 3, 3)]


def test_unnumbered_paragraphs_are_not_joined_over_a_page_break():
    extracted = ExtractedText.from_text("Short page one.\fShort page two.")
    doc = clean_document("d", extracted, CleaningRules())
    passages = split_passages(doc, ChunkSettings(max_words=50))
    assert [(p.text, p.page) for p in passages] == [("Short page one.", 1), ("Short page two.", 2)]


def test_passages_never_cross_a_heading_or_a_numbered_paragraph():
    text = ("# Reporting\n\n50. If staff have concerns they should act at once.\n\n51. Staff should speak to the lead."
            "\n\n- a list item that belongs to 51\n\n# Records\n\nKeep a written record.\n\nShort note.")
    doc = clean_document("d", ExtractedText.from_text(text, markdown=True), CleaningRules())
    passages = split_passages(doc, ChunkSettings(max_words=90))
    assert [(p.text, p.label, p.heading) for p in passages] == [
        ("50. If staff have concerns they should act at once.", "50", ("Reporting",)),
        ("51. Staff should speak to the lead.\n\n• a list item that belongs to 51", "51", ("Reporting",)),
        ("Keep a written record.\n\nShort note.", None, ("Records",)),  # short unnumbered ones are joined
    ]
