"""Answer composition on hand-made passages: duplicates, highlight, citation."""

import pytest

from bot.answer.compose import citation, highlight_span, near_duplicate, pick_passages
from bot.library.passages import Passage


def passage(pid, text, paragraph=1, paragraph_end=None, page=None):
    return Passage(pid, "doc", text, 0, len(text), paragraph, paragraph_end or paragraph, page)


def test_a_passage_repeated_inside_a_longer_one_is_a_near_duplicate():
    short = "AI-generated content is illegal in the UK."
    longer = "Police said that AI-generated content is illegal in the UK, and schools must report it."
    assert near_duplicate(short, longer, 0.8)
    assert not near_duplicate(short, "Nudifying means editing a picture to make someone appear naked.", 0.8)


def test_pick_passages_keeps_rank_order_skips_repeats_and_stops_at_the_limit():
    ranked = [passage("a", "The content is illegal in the UK."),
              passage("b", "The content is illegal in the UK, police said."),
              passage("c", "Teachers asked for guidance."),
              passage("d", "Victims suffer real harm."),
              passage("e", "Apps make this quick.")]
    assert [p.id for p in pick_passages(ranked, 3, 0.8)] == ["a", "c", "d"]



def test_citation_names_publisher_title_date_and_place():
    assert citation("NCA", "Guidance", "2025-06-27", passage("a", "x", 3, 5)) == \
        "NCA, Guidance (2025-06-27), paragraphs 3-5"
    assert citation("School", "Handbook", None, passage("a", "x", 2, page=4)) == \
        "School, Handbook (date not stated), paragraph 2, page 4"


TEXT = ("Violence can often peak in the hours just before or just after school. "
        "These times can be particularly risky for young people. "
        "Staff should be aware of the signs.")
SENTENCES = [(0, 70), (71, 126), (127, 162)]


def test_a_sentence_that_points_back_is_highlighted_with_the_one_before():
    assert TEXT[slice(*SENTENCES[1])].startswith("These times")
    assert highlight_span(SENTENCES, *SENTENCES[1], TEXT) == (0, 126)


def test_a_sentence_that_stands_alone_or_opens_the_passage_is_highlighted_alone():
    assert highlight_span(SENTENCES, *SENTENCES[2], TEXT) == SENTENCES[2]
    opening = "They said it was a joke. Nothing else."
    assert highlight_span([(0, 24), (25, 38)], 0, 24, opening) == (0, 24)


def test_a_sentence_that_opens_a_list_is_highlighted_with_its_items():
    text = ("Records should include:\n\n• a clear summary of the concern\n\n• details of how it was followed up\n\n"
            "Information should be kept confidential.")
    spans = []
    for part in ("Records should include:", "• a clear summary of the concern", "• details of how it was followed up",
                 "Information should be kept confidential."):
        start = text.index(part)
        spans.append((start, start + len(part)))
    assert highlight_span(spans, *spans[0], text) == (spans[0][0], spans[2][1])  # the items, not what follows
    assert highlight_span(spans, *spans[3], text) == spans[3]


def _spans(text: str, parts: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for part in parts:
        start = text.index(part)
        spans.append((start, start + len(part)))
    return spans


FORBIDDING = ("4.4 Whatever the circumstances, you must never do any of the following:",
              "view, copy, print, share or save the image;",
              "ask the child to show you the image on their device;",
              "promise the pupil that you will keep the matter secret.")


def test_an_item_of_a_list_that_forbids_is_highlighted_with_its_lead_in():
    """Read alone, "promise the pupil that you will keep the matter secret." says the opposite of
    the procedure: the highlight runs from "you must never" to it."""
    text = "\n\n".join(FORBIDDING)
    spans = _spans(text, FORBIDDING)
    assert highlight_span(spans, *spans[3], text) == (0, spans[3][1])
    assert highlight_span(spans, *spans[1], text) == (0, spans[1][1])


@pytest.mark.parametrize("lead_in", ["Records should include:", "Staff should:"])
def test_an_item_of_a_list_that_does_not_forbid_is_highlighted_alone(lead_in):
    parts = (lead_in, "• a clear summary of the concern;", "• details of how it was followed up.")
    text = "\n\n".join(parts)
    spans = _spans(text, parts)
    assert highlight_span(spans, *spans[2], text) == spans[2]


def test_a_sentence_after_a_forbidding_list_is_not_an_item_of_it():
    parts = (*FORBIDDING, "Tell the DSL immediately, in person or by telephone.")
    text = "\n\n".join(parts)
    spans = _spans(text, parts)
    assert highlight_span(spans, *spans[4], text) == spans[4]


def test_a_lead_in_that_does_not_limit_a_list_forbids_nothing():
    parts = ("Child-on-child abuse is most likely to include, but should not be limited to:",
             "• bullying (including cyberbullying);", "• physical abuse such as hitting;")
    text = "\n\n".join(parts)
    spans = _spans(text, parts)
    assert highlight_span(spans, *spans[2], text) == spans[2]


def test_a_footnote_goes_after_the_other_answers_where_its_section_already_answers():
    from dataclasses import replace

    from bot.answer.compose import notes_after_their_sections

    duty = replace(passage("duty", "Teachers must report FGM to the police."), heading=("FGM",))
    note = replace(passage("note", "Teachers need not report a case another teacher has reported."),
                   heading=("FGM",), footnote="23")
    other = replace(passage("other", "The DSL should be informed."), heading=("Actions",))
    alone = replace(passage("alone", "Consensual image sharing may require a different response."),
                    heading=("Sharing",), footnote="5")
    assert [p.id for p in notes_after_their_sections([duty, note, other])] == ["duty", "other", "note"]
    # the body's answer comes first; after it, a footnote first in its section keeps its place
    assert [p.id for p in notes_after_their_sections([note, duty, other])] == ["duty", "note", "other"]
    assert [p.id for p in notes_after_their_sections([alone, other, duty])] == ["other", "alone", "duty"]
    assert [p.id for p in notes_after_their_sections([alone])] == ["alone"]  # nothing else answers


LIST = ("Some indicators are children who:\n\n"
        "• go missing from school\n\n"
        "• owe a debt to their exploiters\n\n"
        "• carry a second phone\n\n"
        "Schools should act on these signs.")


def _cut(doc_text: str, pieces: list[tuple[int, int]], heading=("County lines",), label=None):
    """Passages over the given spans of `doc_text`, one sentence per paragraph."""
    from bot.library.passages import sentence_spans
    passages, sentences = [], {}
    for i, (s, e) in enumerate(pieces):
        p = Passage(f"p{i}", "doc", doc_text[s:e], s, e, i + 1, i + 1, 23 + i, 23 + i, label, label, heading)
        passages.append(p)
        sentences[p.id] = tuple(span for para in doc_text[s:e].split("\n\n") if para
                                for span in sentence_spans(doc_text, doc_text.index(para, s), doc_text.index(para, s) + len(para)))
    return passages, sentences


def test_a_quote_that_ends_on_a_lead_in_runs_on_with_its_list():
    from bot.answer.compose import as_quoted
    first_end = LIST.index("\n\n• owe")
    rest = LIST.index("\n\nSchools")
    passages, sentences = _cut(LIST, [(0, first_end), (first_end + 2, rest), (rest + 2, len(LIST))])
    quoted, spans = as_quoted(passages[0], passages[1:], sentences, LIST, 150)
    assert quoted.text == LIST[:rest]  # both items that follow, not the sentence after the list
    assert quoted.page_end == 24 and len(spans) == 4
    start, end = highlight_span(list(spans), 0, LIST.index(":") + 1, LIST)
    assert LIST[start:end].endswith("carry a second phone")  # the lead-in lights its whole list
    # a word budget stops it part way; another heading or a quote that ends on a full sentence never runs on
    assert as_quoted(passages[0], passages[1:], sentences, LIST, 7)[0].text == LIST[:LIST.index("\n\n• carry")]
    other, _ = _cut(LIST, [(0, first_end), (first_end + 2, rest)])
    other = [other[0], Passage("q", "doc", other[1].text, other[1].start, other[1].end, 2, 2, 24, 24,
                               None, None, ("Another heading",))]
    assert as_quoted(other[0], other[1:], {**sentences, "q": sentences["p1"]}, LIST, 150)[0] == other[0]
    assert as_quoted(passages[2], [], sentences, LIST, 150)[0] == passages[2]


def test_a_quote_runs_on_with_the_sentence_that_points_back_to_it_and_no_further():
    from bot.answer.compose import as_quoted
    text = ("There are a number of indicators of serious violence. "
            "These may include:\n\n• increased absence\n\n"
            "Professionals should also be aware of the hours after school.")
    cut = text.index("These")
    after = text.index("Professionals")
    passages, sentences = _cut(text, [(0, cut - 1), (cut, after - 2), (after, len(text))])
    quoted, _ = as_quoted(passages[0], passages[1:], sentences, text, 150)
    assert quoted.text == text[:after - 2]  # the sentence that says what was announced, and its list
    # a sentence that does not point back is a new thought: the quote stops before it
    assert as_quoted(passages[1], passages[2:], sentences, text, 150)[0] == passages[1]
