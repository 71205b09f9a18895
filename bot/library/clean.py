"""Apply a document's manifest rules to its extracted text, giving the cleaned text that is quoted.

The cleaned text is the kept paragraphs joined by blank lines, each paragraph with its line
wrapping undone. Every passage, quote and evidence label is an exact substring of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.library.extract import ExtractedText
from bot.library.manifest import CleaningRules

PARAGRAPH_SEPARATOR = "\n\n"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_BREAKS = re.compile(r"[ \t]*\n[ \t]*")
_PDF_PARAGRAPH_END = re.compile(r"[.!?:;\"”’)]$")


class CleaningError(ValueError):
    """The manifest rules do not fit the document; the message says which rule."""


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, counted over the kept paragraphs
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class CleanDocument:
    doc_id: str
    text: str
    paragraphs: tuple[Paragraph, ...]


def _select_region(text: str, rules: CleaningRules, doc_id: str) -> tuple[int, int]:
    start, end = 0, len(text)
    if rules.start_at is not None:
        found = text.find(rules.start_at)
        if found < 0:
            raise CleaningError(f"{doc_id}: start_at text {rules.start_at[:60]!r} not found in the file")
        start = found
    if rules.end_before is not None:
        found = text.find(rules.end_before, start)
        if found < 0:
            raise CleaningError(f"{doc_id}: end_before text {rules.end_before[:60]!r} not found after start_at")
        end = found
    return start, end


def _split_blocks(text: str, paginated: bool) -> list[tuple[int, int]]:
    """Paragraph spans in `text`: blank-line separated blocks if there are any, else one per line.

    PDF text is hard-wrapped, so there a line also ends a paragraph when it ends a sentence and is
    clearly shorter than the page's full lines.
    """
    if paginated:
        return _split_wrapped(text)
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    spans, pos = [], 0
    for match in separator.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return spans


def _split_wrapped(text: str) -> list[tuple[int, int]]:
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    longest = max((len(text[s:e].strip()) for s, e in lines), default=0)
    spans, block_start = [], None
    for i, (s, e) in enumerate(lines):
        stripped = text[s:e].strip()
        if not stripped:
            if block_start is not None:
                spans.append((block_start, lines[i - 1][1]))
                block_start = None
            continue
        if block_start is None:
            block_start = s
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        next_text = text[nxt[0]:nxt[1]].strip() if nxt else ""
        ends_paragraph = (
            bool(_PDF_PARAGRAPH_END.search(stripped))
            and len(stripped) < 0.8 * longest
            and (not next_text or next_text[0].isupper() or next_text[0].isdigit() or next_text[0] in "•-–*")
        )
        if ends_paragraph:
            spans.append((block_start, e))
            block_start = None
    if block_start is not None:
        spans.append((block_start, lines[-1][1]))
    return spans


def _unwrap(paragraph: str) -> str:
    return _LINE_BREAKS.sub(" ", paragraph.strip())


def clean_document(doc_id: str, extracted: ExtractedText, rules: CleaningRules) -> CleanDocument:
    """Select the guidance region, split it into paragraphs, drop unwanted ones, join the rest."""
    joined_parts, page_starts, pos = [], [], 0
    for page in extracted.pages:
        page_starts.append((pos, page.number))
        joined_parts.append(page.text)
        pos += len(page.text) + len(PARAGRAPH_SEPARATOR)
    raw = PARAGRAPH_SEPARATOR.join(joined_parts)
    region_start, region_end = _select_region(raw, rules, doc_id)
    drops = [re.compile(p) for p in rules.drop_paragraphs]

    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    cursor = 0
    for page_index, (page_start, page_number) in enumerate(page_starts):
        page_end = page_starts[page_index + 1][0] - len(PARAGRAPH_SEPARATOR) if page_index + 1 < len(page_starts) \
            else len(raw)
        lo, hi = max(page_start, region_start), min(page_end, region_end)
        if lo >= hi:
            continue
        for s, e in _split_blocks(raw[lo:hi], extracted.paginated):
            text = _unwrap(raw[lo + s:lo + e])
            if not text or any(d.search(text) for d in drops):
                continue
            if pieces:
                cursor += len(PARAGRAPH_SEPARATOR)
            pieces.append(text)
            paragraphs.append(Paragraph(len(paragraphs) + 1, cursor, cursor + len(text), page_number))
            cursor += len(text)
    if not paragraphs:
        raise CleaningError(f"{doc_id}: no text left after cleaning")
    return CleanDocument(doc_id, PARAGRAPH_SEPARATOR.join(pieces), tuple(paragraphs))
