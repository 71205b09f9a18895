"""Apply a document's manifest rules to its blocks, giving the cleaned text that is quoted.

The cleaned text is the kept blocks joined by blank lines, in reading order, with each footnote
moved to the end (kept, linked to its marker, never inside a sentence). Every passage, quote and
evidence label is an exact substring of it. Each `Paragraph` remembers what the document itself
calls it: its kind (heading, paragraph, list item, footnote, navigation), the document's own
number, the headings above it and its pages, which is what a citation names.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from bot.library.extract import ExtractedText
from bot.library.manifest import CleaningRules
from bot.library.structure import FOOTNOTE, HEADING, QUOTABLE_KINDS, WEB_ADDRESS, Block

PARAGRAPH_SEPARATOR = "\n\n"
NOTE_WORDS = 10  # a footnote of this many words or more, with no link in it, is guidance


class CleaningError(ValueError):
    """The manifest rules do not fit the document; the message says which rule."""


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, counted over the kept blocks (stable within one build)
    start: int
    end: int
    page: int | None
    kind: str = "paragraph"  # heading, paragraph, item, footnote, navigation
    label: str | None = None  # the document's own number: "50", "5.2", "Annex A"
    heading: tuple[str, ...] = ()  # the headings above it, outermost first
    page_end: int | None = None
    level: int = 0  # heading level (headings only)
    markers: tuple[str, ...] = ()  # footnote markers taken out of its words
    says: bool = False  # a footnote that is guidance in words of its own, not a reference

    @property
    def quotable(self) -> bool:
        return self.kind in QUOTABLE_KINDS or (self.kind == FOOTNOTE and self.says)

    def to_record(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> Paragraph:
        return cls(**{**record, "heading": tuple(record.get("heading", ())),
                      "markers": tuple(record.get("markers", ()))})


@dataclass(frozen=True)
class CleanDocument:
    doc_id: str
    text: str
    paragraphs: tuple[Paragraph, ...]


def _select_region(blocks: tuple[Block, ...], rules: CleaningRules, doc_id: str) -> list[Block]:
    """The blocks between start_at and end_before, found in the blocks' joined text."""
    if rules.start_at is None and rules.end_before is None:
        return list(blocks)
    offsets, pos = [], 0
    for block in blocks:
        offsets.append(pos)
        pos += len(block.text) + len(PARAGRAPH_SEPARATOR)
    joined = PARAGRAPH_SEPARATOR.join(b.text for b in blocks)
    start, end = 0, len(joined)
    if rules.start_at is not None:
        start = joined.find(rules.start_at)
        if start < 0:
            raise CleaningError(f"{doc_id}: start_at text {rules.start_at[:60]!r} not found in the file")
    if rules.end_before is not None:
        found = joined.find(rules.end_before, start)
        if found < 0:
            # blocks are joined by a blank line, so a rule written against the raw file's single
            # line breaks ("\nHashtags\n") is tried with them too
            found = joined.find(rules.end_before.replace("\n", PARAGRAPH_SEPARATOR), start)
        if found < 0:
            raise CleaningError(f"{doc_id}: end_before text {rules.end_before[:60]!r} not found after start_at")
        end = found
    kept = []
    for block, offset in zip(blocks, offsets):
        lo, hi = max(offset, start), min(offset + len(block.text), end)
        if lo >= hi:
            continue
        text = block.text[lo - offset:hi - offset].strip()
        if text:
            kept.append(replace(block, text=text))
    return kept


def _heading_paths(blocks: list[Block]) -> list[tuple[str, ...]]:
    """For each block, the headings above it: a heading closes any of the same or a lower level."""
    stack: list[tuple[int, str]] = []
    paths = []
    for block in blocks:
        if block.kind == HEADING and block.level >= 1:
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            paths.append(tuple(text for _, text in stack))
            stack.append((block.level, block.text))
            continue
        paths.append(tuple(text for _, text in stack))
    return paths


def _kept_notes(notes: list[Block], body: list[Block]) -> list[Block]:
    """Footnotes of the pages the kept guidance is on."""
    pages = [b.page for b in body if b.page is not None]
    if not pages:
        return notes if body else []
    return [n for n in notes if n.page is None or min(pages) <= n.page <= max(pages)]


# "See Part four", "Full details are in ...", "Further information ... can be found in ...": a
# footnote that sends the reader elsewhere says nothing of its own
_POINTER = re.compile(r"\b(see|can be found|found in|full details|(further|more|detailed) (information|details))\b",
                      re.IGNORECASE)


def guidance_note(block: Block, body: str = "") -> bool:
    """A footnote that says something a member of staff may ask about ("Consensual image sharing
    ... may require a different response"; "teachers need not report a case to the police if ...
    another teacher has already reported the case"): quotable like the paragraph it annotates.
    Not a pointer to a web page or to another part, nor a footnote whose words the body already
    says (`body`: the document's other text), which would only repeat a quote."""
    words = block.text.split()[1 if block.label else 0:]
    own = " ".join(words)
    return (block.kind == FOOTNOTE and len(words) >= NOTE_WORDS and block.linked < 0.5
            and not WEB_ADDRESS.search(own) and not _POINTER.search(own) and own[:80] not in body)


def _note_start(block: Block) -> int:
    """Where a footnote's own words start: after its number, which is not part of what it says."""
    if block.label and block.text.startswith(f"{block.label} "):
        return len(block.label) + 1
    return 0


def _note_headings(notes: list[Block], kept: list[Block], paths: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each footnote's headings: those of the paragraph on its page (or the page before) that
    carries its marker, so a quoted footnote is cited where its reader finds it."""
    found = []
    for note in notes:
        owner: tuple[str, ...] = ()
        for block, path in zip(kept, paths):
            if note.label in block.markers and block.page is not None and note.page is not None \
                    and block.page <= note.page <= (block.page_end or block.page) + 1 and block.kind != HEADING:
                owner = path
        found.append(owner)
    return found


def clean_document(doc_id: str, extracted: ExtractedText, rules: CleaningRules) -> CleanDocument:
    """Select the guidance region, drop unwanted blocks, move footnotes to the end, join the rest."""
    drops = [re.compile(p) for p in rules.patterns]
    body = tuple(b for b in extracted.blocks if b.kind != FOOTNOTE)
    kept = _select_region(body, rules, doc_id)
    notes = _kept_notes([b for b in extracted.blocks if b.kind == FOOTNOTE], kept)
    kept = [b for b in kept if not any(d.search(b.text) for d in drops)]
    notes = [b for b in notes if not any(d.search(b.text) for d in drops)]
    paths = _heading_paths(kept)
    body_text = " ".join(" ".join(b.text.split()) for b in kept)
    ordered = list(zip(kept, paths)) + list(zip(notes, _note_headings(notes, kept, paths)))
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    cursor = 0
    for block, path in ordered:
        if pieces:
            cursor += len(PARAGRAPH_SEPARATOR)
        pieces.append(block.text)
        note = block.kind == FOOTNOTE
        paragraphs.append(Paragraph(
            number=len(paragraphs) + 1, start=cursor + (_note_start(block) if note else 0),
            end=cursor + len(block.text), page=block.page,
            kind=block.kind, label=block.label, heading=path, page_end=block.page_end, level=block.level,
            markers=block.markers, says=note and guidance_note(block, body_text),
        ))
        cursor += len(block.text)
    if not any(p.quotable for p in paragraphs):
        raise CleaningError(f"{doc_id}: no text left after cleaning")
    return CleanDocument(doc_id, PARAGRAPH_SEPARATOR.join(pieces), tuple(paragraphs))
