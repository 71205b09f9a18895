"""PDF pages to `Line`s with their layout, read with pdfplumber (pdfminer.six underneath).

pdfplumber gives every word its font, size and position, and every page its hyperlinks. That is
what tells a heading (larger or bold) from body text, the document's paragraph number (at the
left margin) from a list item (indented), a footnote marker (small, raised digits) from the word
it follows, the footnotes (small type at the foot of the page) from the body, and a list of links
from guidance. Reading the words alone, as pypdf's plain text does, loses all of it: on the KCSIE
2025 Part one PDF, pypdf's text glues footnote markers into 19 words ("harassment7", "videos.5")
and gives no way to tell a heading, a footnote or a contents line from a sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bot.library.structure import FOOTNOTE, PAGE_NUMBER, Line, drop_running_lines

_MARKER = re.compile(r"^(\d{1,3}|[*†‡§])$")
_MARKERS = re.compile(r"(\d{1,6}|[*†‡§])(,\d{1,3})*")  # "133,134,135": several notes on one word
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass(frozen=True)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    symbol: bool
    linked: bool


class PdfReadFailure(ValueError):
    """pdfplumber could not read the file."""


def _words(page, links) -> list[_Word]:
    raw = page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=True, keep_blank_chars=False)
    words = []
    for w in raw:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        linked = any(x0 <= cx <= x1 and top - 2 <= cy <= bottom + 2 for x0, top, x1, bottom in links)
        font = w.get("fontname") or ""
        words.append(_Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], round(float(w["size"]), 1),
                           bool(_BOLD.search(font)), "symbol" in font.lower() or "wingding" in font.lower(),
                           linked))
    return words


def _group_lines(words: list[_Word]) -> list[list[_Word]]:
    """Words in reading order, grouped into lines: a word joins the line it overlaps vertically."""
    lines: list[list[_Word]] = []
    for word in words:
        if lines:
            line = lines[-1]
            top = min(w.top for w in line)
            bottom = max(w.bottom for w in line)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap > 0.3 * min(bottom - top, word.bottom - word.top) and word.x0 >= line[-1].x1 - 1:
                line.append(word)
                continue
        lines.append([word])
    return lines


def _line_size(words: list[_Word]) -> float:
    sizes: Counter[float] = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    return sizes.most_common(1)[0][0]


def _line(words: list[_Word], page_number: int, page_height: float, body: float) -> Line:
    size = _line_size(words)
    kept, markers = [], []
    for i, w in enumerate(words):
        raised = w.size <= 0.8 * size and w.bottom < max(x.bottom for x in words) - 0.5
        marker = _MARKERS.fullmatch(w.text.rstrip(",.;:)"))
        if i > 0 and raised and marker and w.text.rstrip(",.;:)"):
            markers.extend(marker.group(0).split(","))
            trail = w.text[len(marker.group(0)):]
            if trail and kept:  # "home 14," -> "home,": the punctuation belongs to the sentence
                kept[-1] = replace(kept[-1], text=kept[-1].text + trail, x1=w.x1)
            continue
        kept.append(w)
    text = ""
    for i, w in enumerate(kept):
        piece = "•" if w.symbol and len(w.text) == 1 else w.text
        if i and w.x0 - kept[i - 1].x1 > 0.8:
            text += " "
        text += piece
    first = words[0]
    footnote_marker = None
    if size <= 0.9 * body and first.size < size and _MARKER.match(first.text) and len(words) > 1:
        footnote_marker = first.text
        text = text[len(first.text):].strip()
    non_marker = [w for w in kept if not w.symbol and w.text.strip("•")]
    return Line(
        text=text, page=page_number, size=size, bold=bool(non_marker) and all(w.bold for w in non_marker),
        top=min(w.top for w in words), x0=first.x0, height=page_height, markers=tuple(markers),
        linked=sum(len(w.text) for w in kept if w.linked) / max(1, sum(len(w.text) for w in kept)),
        footnote_marker=footnote_marker,
    )


def _mark_footnotes(lines: list[Line], body: float) -> None:
    """Small type at the foot of a page, starting with a footnote number, is the page's footnotes."""
    end = len(lines)
    while end > 0 and PAGE_NUMBER.match(lines[end - 1].text.strip()):
        end -= 1
    start = end
    while start > 0 and (lines[start - 1].size or body) <= 0.9 * body:
        start -= 1
    region = lines[start:end]
    if not region or region[0].footnote_marker is None:
        for line in region:
            line.footnote_marker = None
        return
    for line in region:
        line.kind = FOOTNOTE


def _heading_levels(pages: list[list[Line]], body: float) -> None:
    """Larger type, or bold type at body size that does not read as a sentence, is a heading;
    sizes rank the levels. Type 1.8 times the body size or more is the title page's and stays out
    of heading paths. Bold runs are judged whole: a bold sentence over three lines that ends in a
    full stop is emphasis, not three headings."""
    sizes = sorted({line.size for lines in pages for line in lines
                    if line.size and line.size >= 1.12 * body and line.kind is None}, reverse=True)
    ranks = {size: rank for rank, size in enumerate(s for s in sizes if s < 1.8 * body)}
    bold_level = len(ranks) + 1
    for lines in pages:
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.kind is not None or not line.size or line.footnote_marker:
                i += 1
                continue
            text = line.text.strip()
            if line.size >= 1.8 * body:
                line.heading_level = 0
            elif line.size >= 1.12 * body and len(text.split()) <= 30:
                line.heading_level = ranks[line.size] + 1
            elif line.bold and abs(line.size - body) < 0.6:
                j = i + 1
                while j < len(lines) and lines[j].bold and abs((lines[j].size or 0) - body) < 0.6 \
                        and not lines[j].gap_before and lines[j].kind is None:
                    j += 1
                run = lines[i:j]
                joined = " ".join(r.text.strip() for r in run)
                previous = lines[i - 1].text.strip() if i > 0 else ""
                mid_paragraph = i > 0 and not line.gap_before and not re.search(r"[.!?:;]$", previous)
                if text[:1].isupper() or text[:1].isdigit():
                    if len(joined.split()) <= 25 and not re.search(r"[.,;:]$", joined) and not mid_paragraph:
                        for r in run:
                            r.heading_level = bold_level
                i = j
                continue
            i += 1


def _gaps(lines: list[Line]) -> None:
    """A vertical gap clearly larger than the usual line spacing starts a new paragraph."""
    steps = [b.top - a.top for a, b in zip(lines, lines[1:])
             if b.page == a.page and a.size and b.size and abs(a.size - b.size) < 0.6 and b.top > a.top]
    usual = sorted(steps)[len(steps) // 4] if steps else None  # the line pitch inside a paragraph
    for a, b in zip(lines, lines[1:]):
        if b.page != a.page:
            b.gap_before = False
        elif usual is not None:
            pitch = b.top - a.top
            b.gap_before = pitch > max(1.3 * usual, 1.6 * (b.size or 0)) or pitch <= 0


def pdf_lines(path: Path, dropped: list[str] | None = None) -> list[list[Line]]:
    """Every page's lines, with size, boldness, position, links, markers and footnotes marked; the
    running headers, footers and page numbers removed are added to `dropped` when given."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(str(path)) as pdf:
            raw_pages = []
            for number, page in enumerate(pdf.pages, start=1):
                links = [(h["x0"], h["top"], h["x1"], h["bottom"]) for h in page.hyperlinks]
                raw_pages.append((number, float(page.height), _group_lines(_words(page, links))))
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfReadFailure(str(exc) or type(exc).__name__) from None
    sizes: Counter[float] = Counter()
    for _, _, groups in raw_pages:
        for group in groups:
            for w in group:
                sizes[w.size] += len(w.text)
    body = sizes.most_common(1)[0][0] if sizes else 12.0
    pages = []
    for number, height, groups in raw_pages:
        lines = [_line(group, number, height, body) for group in groups]
        pages.append([line for line in lines if line.text.strip() or line.footnote_marker])
    pages = drop_running_lines(pages, dropped=dropped) if len(pages) > 1 else pages
    for lines in pages:
        _mark_footnotes(lines, body)
    # a footnote marker that the layout put on a line of its own (after a heading) is no text
    pages = [[line for line in lines if not (line.kind is None and line.footnote_marker is None
                                             and _MARKER.match(line.text.strip()) and (line.size or body) < 0.85 * body)]
             for lines in pages]
    _gaps([line for lines in pages for line in lines])
    _heading_levels(pages, body)
    return pages
