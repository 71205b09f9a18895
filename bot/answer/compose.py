"""Answer composition: pure functions that turn ranked passages into quotable, citable items.

Nothing here writes prose: a quote is the passage text exactly as it stands in the cleaned
document. Which sentence to highlight is the answerability judgement's (answerability.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from bot.library.passages import Passage

_WORDS = re.compile(r"\w+")
# A sentence that opens by pointing back ("These times can be particularly risky ...", "This
# includes ...", "They should ...") says nothing on its own: its subject is the sentence before.
_REFERS_BACK = re.compile(r"^\W*(these|those|such|this|that|they|he|she)\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*([•▪●◦*\-–]|\(?[a-z0-9]{1,3}[.)])\s")  # "• a clear summary", "(a) ..."
# a lead-in that forbids what its list names: "you must never do any of the following:"
# ("... may include, but is not limited to:" forbids nothing)
_FORBIDS = re.compile(r"\b(never|must not|mustn't|should not|shouldn't|do not|don't)\b(?! be limited\b)", re.IGNORECASE)


def word_set(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORDS.findall(text))


def contained(words_a: frozenset[str], words_b: frozenset[str], threshold: float) -> bool:
    """At least `threshold` of the smaller word set's words are in the other.

    Containment rather than Jaccard: a short quote repeated inside a longer passage is still a
    repeat, even though the longer one has many more words.
    """
    smaller = min(len(words_a), len(words_b))
    return smaller > 0 and len(words_a & words_b) / smaller >= threshold


def near_duplicate(a: str, b: str, threshold: float) -> bool:
    """Two passages say the same thing when most of the smaller one's words are in the other."""
    return contained(word_set(a), word_set(b), threshold)


def notes_after_their_sections(ranked: list[Passage]) -> list[Passage]:
    """A footnote qualifies the paragraph that carries its marker. Where a passage of that section
    (its document and heading) already answers, the footnote goes after every other answer, so it
    fills a place only where nothing else would (Part one's footnote 23, "teachers need not report
    a case to the police if ... another teacher has already reported the case", would otherwise
    push the duty itself out of the first three). And where the body answers at all, the first
    quote is the body's: a footnote adds to it ("An example of where schools and local police
    forces work together successfully is Operation Encompass" is not the first thing to read on
    when the police tell a school)."""
    kept, later, seen = [], [], set()
    for passage in ranked:
        section = (passage.doc_id, passage.heading)
        if passage.footnote and section in seen:
            later.append(passage)
            continue
        if not passage.footnote:
            seen.add(section)
        kept.append(passage)
    body = next((i for i, passage in enumerate(kept) if not passage.footnote), None)
    if body:  # None: no body passage answers; 0: the first already is one
        kept.insert(0, kept.pop(body))
    return kept + later


def pick_passages(ranked: Iterable[Passage], limit: int, threshold: float) -> list[Passage]:
    """The best `limit` passages in rank order, skipping any that repeats one already picked."""
    chosen: list[Passage] = []
    for passage in ranked:
        if len(chosen) == limit:
            break
        if any(near_duplicate(passage.text, kept.text, threshold) for kept in chosen):
            continue
        chosen.append(passage)
    return chosen


def distinct(ranked: list[Passage], replaced_by: dict[str, set[str]], threshold: float, limit: int,
             words: dict[str, frozenset[str]] | None = None) -> list[Passage]:
    """The first `limit` passages that say different things: a passage that repeats one already
    kept (the same paragraph in another edition, or in Part one and the full guidance) is skipped,
    so the candidates judged are not three copies of one paragraph. Where the copy comes from the
    edition that replaces the kept one, it takes the kept one's place."""
    words = words if words is not None else {}

    def of(p: Passage) -> frozenset[str]:
        if p.id not in words:
            words[p.id] = word_set(p.text)
        return words[p.id]

    kept: list[Passage] = []
    for passage in ranked:
        twin = next((i for i, k in enumerate(kept) if contained(of(passage), of(k), threshold)), None)
        if twin is None:
            if len(kept) < limit:
                kept.append(passage)
            continue
        if passage.doc_id in replaced_by.get(kept[twin].doc_id, set()):
            kept[twin] = passage
    return kept


def as_quoted(passage: Passage, following: Sequence[Passage],
              sentences: Mapping[str, tuple[tuple[int, int], ...]], text: str,
              most_words: int) -> tuple[Passage, tuple[tuple[int, int], ...]]:
    """The passage as it should be quoted, with its sentences' spans: run on into the next
    passages of its section (`following`, in document order) while what comes next belongs to it,
    up to `most_words` more words. The quote stays one unbroken span of the document.

    Passages are cut to a size that searches well, and a cut can leave a quote that stops at a
    colon or part way down a list ("signs of county lines" finds "... are children who:", and the
    items are the next passage), or just before the sentence that says what it announced ("There
    are a number of indicators ..." / "These may include ..."; "As children involved in criminal
    exploitation often commit crimes themselves ..." / "They may still have been criminally
    exploited ..."). A reader needs those whole, so what follows is taken while it is an item of
    the list the quote ends in, or, straight after the cut, a sentence that points back ("These",
    "They", "Such": `_REFERS_BACK`), and the items of a list it introduces."""
    spans = tuple(sentences[passage.id])
    if not spans:
        return passage, spans
    last = text[spans[-1][0]:spans[-1][1]].rstrip()
    in_list = last.endswith(":") or bool(_LIST_ITEM.match(last))
    leading = True  # still straight after the cut, where a sentence that points back belongs
    added: list[tuple[int, int]] = []
    pages, paragraph_end, words = [], passage.paragraph_end, 0
    for nxt in following:
        if nxt.doc_id != passage.doc_id or nxt.heading != passage.heading or nxt.footnote \
                or nxt.label != (passage.label_end or passage.label):
            break
        for s, e in sentences[nxt.id]:
            sentence, count = text[s:e], len(text[s:e].split())
            if words + count > most_words:
                break
            if in_list and _LIST_ITEM.match(sentence):
                leading = False
            elif leading and _REFERS_BACK.match(sentence):
                in_list = sentence.rstrip().endswith(":")
            else:
                break
            added.append((s, e))
            words += count
        else:  # the whole of this passage belongs to the quote: look at the next one
            paragraph_end = nxt.paragraph_end
            pages.extend(p for p in (nxt.page, nxt.page_end) if p is not None)
            continue
        if added and added[-1][1] > nxt.start:
            paragraph_end = nxt.paragraph_end
            pages.extend(p for p in (nxt.page, nxt.page_end) if p is not None)
        break
    if not added:
        return passage, spans
    end = added[-1][1]
    page_end = max([p for p in (passage.page, passage.page_end) if p is not None] + pages, default=None)
    return replace(passage, end=end, text=text[passage.start:end], paragraph_end=paragraph_end,
                   page_end=page_end), spans + tuple(added)


def _span(first: object, last: object) -> str:
    return f"{first}" if last in (None, first) else f"{first}-{last}"


def citation(publisher: str, title: str, date: str | None, passage: Passage) -> str:
    """Where the words are, in the document's own terms, so a DSL can write it in a record.

    "Publisher, Title (date), paragraph 50 (page 14), under 'Heading'": the paragraph number is
    the one printed in the document; a footnote is cited by its number and page ("footnote 5
    (page 10)"), under the heading of the paragraph that carries its marker. Where the document numbers nothing, the heading and page
    say where; with neither, the paragraph counted from the top of the cleaned text. `date` is the
    document's date, or the manifest's note on it when the exact date is unknown, so a reader can
    always tell how old the words are.
    """
    pages = f"page {passage.page}" if passage.page_end in (None, passage.page) else \
        f"pages {passage.page}-{passage.page_end}"
    if passage.footnote:
        where = f"footnote {passage.footnote}" + (f" ({pages})" if passage.page is not None else "")
    elif passage.label:
        word = "paragraphs" if passage.label_end not in (None, passage.label) else "paragraph"
        where = f"{word} {_span(passage.label, passage.label_end)}"
        if passage.page is not None:
            where += f" ({pages})"
    elif passage.heading:
        where = pages if passage.page is not None else ""
    else:
        word = "paragraphs" if passage.paragraph_end != passage.paragraph else "paragraph"
        where = f"{word} {_span(passage.paragraph, passage.paragraph_end)}"
        if passage.page is not None:
            where += f", {pages}"
    if passage.heading:
        where = f"{where}, under \u2018{passage.heading[-1]}\u2019" if where else f"under \u2018{passage.heading[-1]}\u2019"
    return f"{publisher}, {title} ({date or 'date not stated'}), {where}"


def highlight_span(sentences: list[tuple[int, int]], start: int, end: int, text: str) -> tuple[int, int]:
    """The span to highlight for the answering sentence `start`-`end` of a passage whose sentences
    are `sentences` (spans in `text`): the sentence itself, or with the one before it when it
    opens by pointing back to it, so that what is highlighted can be read on its own. A sentence
    that opens a list ("Records should include:") says nothing without it: it is highlighted with
    the list's items that follow it in the passage (on the dev splits, seeds + Part one
    highlight@3 0.796 -> 0.801, the 585-page library's 0.576 -> 0.579, the news seeds unchanged)."""
    if text[start:end].rstrip().endswith(":"):
        for s, e in sentences:
            if s >= end:
                if not _LIST_ITEM.match(text[s:e]):
                    break
                end = e
        return start, end
    lead_in = forbidding_lead_in(sentences, start, end, text)
    if lead_in is not None:
        return lead_in, end
    if not _REFERS_BACK.match(text[start:end]):
        return start, end
    before = [s for s in sentences if s[1] <= start]
    return (before[-1][0], end) if before else (start, end)


def _list_item(sentence: str) -> bool:
    """Does the sentence read as an item of a list: a bullet or a letter, or an opening small letter
    ("promise the pupil that you will keep the matter secret."), as a Word list's items often are?"""
    return bool(_LIST_ITEM.match(sentence)) or sentence.lstrip()[:1].islower()


def forbidding_lead_in(sentences: list[tuple[int, int]], start: int, end: int, text: str) -> int | None:
    """Where the answering sentence is an item of a list whose lead-in forbids ("4.4 Whatever the
    circumstances, you must never do any of the following:"), the lead-in's start; else None. An
    item read alone ("promise the pupil that you will keep the matter secret.") says the opposite of
    what the document says, so the highlight runs from the lead-in to it."""
    if not _list_item(text[start:end]):
        return None
    for s, e in reversed([span for span in sentences if span[1] <= start]):
        sentence = text[s:e].rstrip()
        if sentence.endswith(":"):
            return s if _FORBIDS.search(sentence) else None
        if not (sentence.endswith(";") or _list_item(sentence)):
            return None
    return None
