"""Cut a cleaned document into passages short enough to quote.

Passages follow sentence boundaries, never cut a word, and remember their exact `[start, end)`
span in the cleaned text, so `clean_text[start:end] == passage.text` always holds.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from bot.config import ChunkSettings
from bot.library.clean import CleanDocument
from bot.library.structure import FOOTNOTE

# A sentence ends at . ! or ? (plus any closing quotes or brackets) followed by whitespace.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    text: str
    start: int
    end: int
    paragraph: int  # first and last block, counted in the cleaned text
    paragraph_end: int
    page: int | None
    page_end: int | None = None
    label: str | None = None  # the document's own paragraph number(s): "50", or "5.2"
    label_end: str | None = None
    heading: tuple[str, ...] = ()  # the headings above it, outermost first
    opens_section: bool = False  # the first passage after its heading
    footnote: str | None = None  # the footnote's number, when the passage is a footnote

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> Passage:
        return cls(**{**record, "heading": tuple(record.get("heading", ()))})


@dataclass(frozen=True)
class _Unit:
    """A sentence, or a word window of an over-long sentence, inside one paragraph."""

    start: int
    end: int
    words: int
    paragraph: int
    page: int | None
    page_end: int | None
    section: tuple  # (headings, document's number): a passage never spans two
    label: str | None
    heading: tuple[str, ...]
    footnote: str | None = None


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans, pos = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, match.end()))
        pos = match.end()
    spans.append((pos, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def passage_sentences(doc: CleanDocument, passage: Passage) -> tuple[tuple[int, int], ...]:
    """Spans, in the cleaned text, of the sentences inside a passage, paragraph by paragraph.

    A list item with no full stop stays a sentence of its own rather than running into the next
    item. These are the units a quote is judged and highlighted by.
    """
    spans = []
    for para in doc.paragraphs:
        if not para.quotable:
            continue
        start, end = max(para.start, passage.start), min(para.end, passage.end)
        if start < end:
            spans.extend(sentence_spans(doc.text, start, end))
    return tuple(spans)


def _units(doc: CleanDocument, max_words: int) -> list[_Unit]:
    units = []
    gap = 0  # counts blocks that are never quoted: a passage must not span one
    for para in doc.paragraphs:
        if not para.quotable:  # headings, references, contents pages and link lists are never quoted
            gap += 1
            continue
        # a numbered paragraph is one section wherever it runs; unnumbered text is joined only
        # within a page, so its citation can name the page; a footnote stands alone, cited by its
        # own number rather than as a paragraph
        label, note = para.label, None
        if para.kind == FOOTNOTE:
            label, note = None, para.label
            section = (para.heading, FOOTNOTE, para.number)
        elif para.label:
            section = (para.heading, para.label, gap)
        else:
            section = (para.heading, None, para.page, gap)
        for s, e in sentence_spans(doc.text, para.start, para.end):
            words = [m.span() for m in _WORD.finditer(doc.text, s, e)]
            for i in range(0, len(words), max_words):
                window = words[i:i + max_words]
                units.append(_Unit(window[0][0], window[-1][1], len(window), para.number, para.page,
                                   para.page_end, section, label, para.heading, note))
    return units


def split_passages(doc: CleanDocument, settings: ChunkSettings) -> list[Passage]:
    """Pack consecutive sentences into passages of at most `max_words` words.

    A passage never crosses a heading or one of the document's numbered paragraphs: a long
    numbered paragraph is split, a run of short unnumbered ones under one heading is joined, and
    a numbered paragraph keeps its list items with it while they fit. With `overlap_words`, each
    passage after the first in a section starts with the last whole sentences of the previous one
    (up to that many words), so a fact that straddles a boundary is still found whole.
    """
    if settings.max_words < 1 or settings.overlap_words < 0:
        raise ValueError("max_words must be >= 1 and overlap_words >= 0")
    units = _units(doc, settings.max_words)
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        words = sum(u.words for u in current)
        if current and unit.section != current[-1].section:
            groups.append(current)
            current = []
        elif current and words + unit.words > settings.max_words:
            groups.append(current)
            current = _overlap_tail(current, settings.overlap_words, settings.max_words, unit)
        current.append(unit)
    if current:
        groups.append(current)
    after_heading = set()  # paragraphs that come straight after a heading
    for previous, para in zip(doc.paragraphs, doc.paragraphs[1:]):
        if previous.kind == "heading" and para.quotable:
            after_heading.add(para.number)
    passages = []
    for group in groups:
        start, end = group[0].start, group[-1].end
        pages = [u.page for u in group if u.page is not None] + [u.page_end for u in group if u.page_end is not None]
        passages.append(Passage(
            id=f"{doc.doc_id}:{start}-{end}", doc_id=doc.doc_id, text=doc.text[start:end],
            start=start, end=end, paragraph=group[0].paragraph, paragraph_end=group[-1].paragraph,
            page=min(pages) if pages else None, page_end=max(pages) if pages else None,
            label=group[0].label, label_end=group[-1].label, heading=group[0].heading,
            opens_section=group[0].paragraph in after_heading and group[0].start == _para_start(doc, group[0]),
            footnote=group[0].footnote,
        ))
    return passages


def _para_start(doc: CleanDocument, unit: _Unit) -> int:
    return doc.paragraphs[unit.paragraph - 1].start


def search_text(passage: Passage, settings: ChunkSettings) -> str:
    """What the retrievers read for a passage: with `heading_context`, its nearest heading first,
    so "Record keeping" is found by the words of its heading; the quote stays the passage alone."""
    wanted = settings.heading_context == "all" or (settings.heading_context == "first" and passage.opens_section)
    if wanted and passage.heading:
        return f"{passage.heading[-1]}\n{passage.text}"
    return passage.text


def _overlap_tail(previous: list[_Unit], overlap_words: int, max_words: int, incoming: _Unit) -> list[_Unit]:
    tail: list[_Unit] = []
    budget = min(overlap_words, max_words - incoming.words)
    for unit in reversed(previous):
        if unit.section != incoming.section or unit.words > budget:
            break
        tail.insert(0, unit)
        budget -= unit.words
    # The tail must not be the whole previous passage, or passages would repeat.
    return tail if len(tail) < len(previous) else tail[1:]
