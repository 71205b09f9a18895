"""A document's own structure, read from its lines: headings, numbered paragraphs, lists, footnotes.

Every format is reduced to `Line`s, each with whatever layout its format gives (a PDF gives font
size, boldness, position and links; plain text gives indentation and blank lines; Word gives
styles), and one builder turns lines into `Block`s. Keeping one builder means the rules that
decide "this is the document's paragraph 50" or "this is a contents page" are the same whether
the school uploads a PDF, a Word file or text, and a fix to one helps them all.

What is recognised, and why:
- running headers, footers and page numbers repeat across pages in the same place, so they are
  found by repetition and dropped, without anyone writing a rule;
- a contents page is a run of lines that end in page numbers (or dot leaders); a list of links is
  a run of short unnumbered entries that carry hyperlinks or addresses: both are kept as
  `navigation`, which is shown in the source view but never quoted;
- a paragraph number is a number at the start of a line that continues the document's own
  sequence (50 follows 49), so a numbered list inside paragraph 52 does not become paragraph 1;
- footnote markers are the small raised digits inside a line; they are taken out of the words
  and the footnote text, found at the foot of its page, is kept as a block of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

HEADING, PARAGRAPH, ITEM, FOOTNOTE, NAVIGATION = "heading", "paragraph", "item", "footnote", "navigation"
QUOTABLE_KINDS = frozenset({PARAGRAPH, ITEM})

_BULLET = re.compile(r"^([•●▪■◦○·‣⁃*–—-]|o(?=\s))\s*")
_ORDINAL_ITEM = re.compile(r"^(\(?[a-z]\)|\(?[ivx]{1,4}\)|[a-z]\.|[ivx]{1,4}\.)\s+")
_NUMBER = re.compile(r"^(\d{1,3})\.(?=\s|$)")
_DOTTED_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?(?=\s|$)")
_ANNEX = re.compile(r"^((?:Annex|Appendix|Schedule)\s+[A-Z0-9]{1,2})\b[:.\s]", re.IGNORECASE)
_TOC_LEADER = re.compile(r"(\.\s?){4,}\s*\d{0,3}\s*$|…{2,}\s*\d{0,3}\s*$")
_TOC_ENDING = re.compile(r"[^.,;:!]\s+(\d{1,3})$")
PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
PROSE_WORDS = 40
WEB_ADDRESS = re.compile(r"https?://|www\.|\.gov\.uk|\.org\.uk|\.org\b|\.co\.uk|\.com\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")


@dataclass
class Line:
    """One line of a document, with the layout its format could tell."""

    text: str
    page: int | None = None
    size: float | None = None  # font size (PDF)
    bold: bool = False
    top: float | None = None  # distance from the top of the page (PDF), or the line index (text)
    x0: float | None = None  # left edge (PDF) or indentation in characters (text)
    height: float | None = None  # page height (PDF)
    gap_before: bool = False  # a blank line or a clear vertical gap precedes it
    heading_level: int | None = None  # known from the format (Markdown #, Word heading styles)
    item: bool = False  # known from the format to be a list item (Word list styles, Markdown -)
    markers: tuple[str, ...] = ()  # footnote markers taken out of this line
    linked: float = 0.0  # share of the line's characters inside hyperlinks (PDF)
    footnote_marker: str | None = None  # this line starts the footnote with this marker
    kind: str | None = None  # forced kind (footnote lines found by layout)


@dataclass
class Block:
    """A heading, a paragraph, a list item, a footnote or a piece of navigation, unwrapped."""

    kind: str
    text: str
    page: int | None = None
    page_end: int | None = None
    level: int = 0  # heading level, 1 = highest; 0 for a title or a non-heading
    label: str | None = None  # the document's own number for it: "50", "5.2", "Annex A"
    markers: tuple[str, ...] = ()  # footnote markers taken out of its words
    linked: float = 0.0


@dataclass(frozen=True)
class StructureOptions:
    """How sure the builder must be; the defaults were set on the real guidance PDFs."""

    number_at_margin: float = 3.0  # points: a paragraph number sits at the body's left margin
    max_number_skip: int = 3  # 50 may follow 47 (a number lost in a table), not 12


def join_lines(parts: list[str]) -> str:
    """Undo hard wrapping: one space between lines, none after a hyphen that ends a line."""
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if text.endswith("-") and not text.endswith(" -") and part[:1].islower():
            text += part
        else:
            text = f"{text} {part}" if text else part
    return text


def shape(text: str) -> str:
    """A line's shape for repetition: digits stand for any number, spacing and case ignored."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def drop_running_lines(pages: list[list[Line]], zone: int = 3, dropped: list[str] | None = None) -> list[list[Line]]:
    """Remove running headers, footers and page numbers: lines near a page's top or bottom whose
    shape repeats on many pages, and lone page numbers there. Each line removed is added to
    `dropped` when given (the admin preview shows them as left out)."""
    if not pages:
        return pages
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = lines[:zone] + lines[-zone:]
        counts.update({shape(line.text) for line in edge})
    total = len(pages)
    needed = 2 if total <= 4 else max(3, round(0.2 * total))
    kept_pages = []
    for lines in pages:
        edge = set(range(min(zone, len(lines)))) | set(range(max(0, len(lines) - zone), len(lines)))
        kept = []
        for i, line in enumerate(lines):
            text = line.text.strip()
            if i in edge and (PAGE_NUMBER.match(text) or (total > 1 and counts[shape(text)] >= needed
                                                            and len(text) < 160)):
                if dropped is not None:
                    dropped.append(text)
                continue
            kept.append(line)
        kept_pages.append(kept)
    return kept_pages


def _number_of(text: str) -> tuple[str | None, str]:
    """The paragraph number a line starts with, and the text after it."""
    for pattern in (_DOTTED_NUMBER, _NUMBER):
        match = pattern.match(text)
        if match and text[match.end():].strip():
            return match.group(1), text[match.end():].strip()
    return None, text


def _accept_number(label: str, last: str | None, options: StructureOptions, upcoming: list[int]) -> bool:
    """Does `label` continue the document's own numbering after `last`? The first number starts
    a sequence when it is small or one of the next three numbers (`upcoming`) continues it (an
    extract may start at 50)."""
    if "." in label:  # 5.2 follows 5, 5.1 or 4.3; a dotted number is rarely a list item
        return True
    value = int(label)
    if last is None:
        return value <= 3 or value + 1 in upcoming[:3]
    previous = int(last.split(".")[0])
    return previous < value <= previous + options.max_number_skip


def _is_note(line: Line) -> bool:
    """A footnote's line: the layout found it at the foot of its page."""
    return line.kind == FOOTNOTE or line.footnote_marker is not None


@dataclass
class _Open:
    kind: str
    lines: list[Line] = field(default_factory=list)
    label: str | None = None
    level: int = 0


class BlockBuilder:
    """Turns the lines of a whole document into blocks (one builder per document)."""

    def __init__(self, options: StructureOptions | None = None):
        self.options = options or StructureOptions()

    def build(self, pages: list[list[Line]], drop_running: bool = True, dropped: list[str] | None = None) -> list[Block]:
        """Blocks of a document given as pages of lines (running lines already gone if not
        `drop_running`; those removed here are added to `dropped` when given)."""
        pages = drop_running_lines(pages, dropped=dropped) if drop_running and len(pages) > 1 else pages
        every = [line for page in pages for line in page]
        # footnotes are read apart, so a paragraph that runs on past them to the next page stays whole
        notes = [line for line in every if _is_note(line)]
        lines = [line for line in every if not _is_note(line)] + notes
        navigation = self._contents_lines(lines)
        margin = self._left_margin(lines)
        candidates = []  # (line index, number) of every line that starts with a plain number
        for i, line in enumerate(lines):
            label, _ = _number_of(line.text.strip())
            if label and "." not in label and line.heading_level is None:
                candidates.append((i, int(label)))
        # for each such line, the next three numbers: do they continue a sequence it would start?
        following = {i: [v for _, v in candidates[k + 1:k + 4]] for k, (i, _) in enumerate(candidates)}
        blocks: list[Block] = []
        current: _Open | None = None
        last_number: str | None = None

        def close() -> None:
            nonlocal current
            if current and current.lines:
                blocks.append(self._block(current))
            current = None

        for index, line in enumerate(lines):
            text = line.text.strip()
            if not text:
                continue
            if index in navigation:
                if not (current and current.kind == NAVIGATION):
                    close()
                    current = _Open(NAVIGATION)
                current.lines.append(line)
                continue
            if _is_note(line):
                if line.footnote_marker is not None or not (current and current.kind == FOOTNOTE):
                    close()
                    current = _Open(FOOTNOTE, label=line.footnote_marker)
                current.lines.append(line)
                continue
            if line.heading_level is not None:
                continuing = (current and current.kind == HEADING and current.level == line.heading_level
                              and not line.gap_before and current.lines[-1].page == line.page)
                if not continuing:
                    close()
                    label, _ = _number_of(text)
                    annex = _ANNEX.match(text)
                    current = _Open(HEADING, level=line.heading_level,
                                    label=label or (annex.group(1) if annex else None))
                current.lines.append(line)
                continue
            label, _ = _number_of(text)
            # at the body's left margin; or a little in from it (a boxed section) when it is exactly
            # the next number
            at_margin = margin is None or line.x0 is None or abs(line.x0 - margin) <= self.options.number_at_margin \
                or (label is not None and "." not in label and last_number is not None and "." not in last_number
                    and -6 <= line.x0 - margin <= 12 and int(label) == int(last_number) + 1)
            if label and at_margin and _accept_number(label, last_number, self.options, following.get(index, [])):
                close()
                last_number = label
                current = _Open(PARAGRAPH, label=label)
                current.lines.append(line)
                continue
            bullet = line.item or bool(_ORDINAL_ITEM.match(text)) or (
                bool(_BULLET.match(text)) and (text[0] not in "–—-" or margin is None or line.x0 is None
                                               or line.x0 > margin + 5))
            if bullet:
                close()
                current = _Open(ITEM)
                current.lines.append(line)
                continue
            if current is None or current.kind in (HEADING, NAVIGATION, FOOTNOTE) or line.gap_before \
                    or self._page_break_ends(current, line) or self._indent_ends_item(current, line):
                close()
                current = _Open(PARAGRAPH)
            current.lines.append(line)
        close()
        return self._sections_of_links(self._links_as_navigation(self._numbered(blocks)))

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _left_margin(lines: list[Line]) -> float | None:
        positions = Counter(round(line.x0) for line in lines if line.x0 is not None and line.heading_level is None)
        return float(positions.most_common(1)[0][0]) if positions else None

    @staticmethod
    def _page_break_ends(current: _Open, line: Line) -> bool:
        """A new page continues the paragraph unless the last line closed a sentence and this one
        starts a new one."""
        last = current.lines[-1]
        if last.page == line.page:
            return False
        return bool(_SENTENCE_END.search(last.text.strip())) and not line.text.strip()[:1].islower()

    @staticmethod
    def _indent_ends_item(current: _Open, line: Line) -> bool:
        """Text back at the margin after a list item's hanging indent is a new paragraph."""
        if current.kind != ITEM or line.x0 is None or current.lines[0].x0 is None:
            return False
        return line.x0 < current.lines[0].x0 - 2

    @staticmethod
    def _contents_lines(lines: list[Line]) -> set[int]:
        """Indexes of lines that belong to a contents page: runs of lines ending in page numbers."""
        candidates = []
        leaders: set[int] = set()
        for i, line in enumerate(lines):
            text = line.text.strip()
            if _TOC_LEADER.search(text):
                candidates.append(i)
                leaders.add(i)
                continue
            match = _TOC_ENDING.search(text)
            if match and int(match.group(1)) <= 400 and not re.search(r"[.,;:]$", text[:match.start(1)].strip()):
                candidates.append(i)
        found: set[int] = set()
        run: list[int] = []
        for i in candidates + [10**9]:
            if run and i - run[-1] <= 2:
                run.append(i)
                continue
            if len(run) >= 3 or (run and set(run) <= leaders):  # dot leaders need no company
                found.update(range(run[0], run[-1] + 1))
                title = run[0] - 1  # "Contents" just above the run
                if title >= 0 and re.match(r"^(table of )?(contents|figures|tables)$", lines[title].text.strip(),
                                           re.IGNORECASE):
                    found.add(title)
            run = [i]
        return found

    def _numbered(self, blocks: list[Block]) -> list[Block]:
        """Give every block under a numbered paragraph that paragraph's number, until a heading."""
        label = None
        out = []
        for block in blocks:
            if block.kind == HEADING:
                label = None
            elif block.kind == PARAGRAPH and block.label:
                label = block.label
            elif block.kind in QUOTABLE_KINDS and label:
                block = replace(block, label=label)
            out.append(block)
        return out

    @staticmethod
    def _links_as_navigation(blocks: list[Block]) -> list[Block]:
        """Unnumbered entries that are mostly a link, or a run of three or more short linked entries,
        are a list of links (further reading), not guidance to quote."""

        def linked(block: Block) -> bool:
            if block.kind not in QUOTABLE_KINDS or block.label:
                return False
            return block.linked > 0.05 or bool(WEB_ADDRESS.search(block.text)) and len(block.text.split()) < 45

        out = list(blocks)
        i = 0
        while i < len(out):
            j = i
            while j < len(out) and linked(out[j]):
                j += 1
            if j - i >= 3:
                for k in range(i, j):
                    out[k] = replace(out[k], kind=NAVIGATION)
            elif j > i:
                for k in range(i, j):
                    if out[k].linked >= 0.5:
                        out[k] = replace(out[k], kind=NAVIGATION)
            i = max(j, i + 1)
        return out

    @staticmethod
    def _sections_of_links(blocks: list[Block]) -> list[Block]:
        """Under a heading where most unnumbered entries (its subsections' included) are links, the
        rest are links too: an entry cut by a page break, an entry whose link was not marked. A
        paragraph of prose with no link in it stays guidance: KCSIE's "Channel" section says "An
        individual will be required to provide their consent ..." above a list of e-learning
        links, and "Refuge runs the National Domestic Abuse Helpline ..." heads a list of others."""
        out = list(blocks)
        for h, heading in enumerate(blocks):
            if heading.kind != HEADING:
                continue
            end = next((k for k in range(h + 1, len(blocks)) if blocks[k].kind == HEADING
                        and (blocks[k].level <= heading.level or heading.level == 0)), len(blocks))
            section = [i for i in range(h + 1, end) if out[i].kind in QUOTABLE_KINDS | {NAVIGATION}
                       and not out[i].label]
            links = sum(1 for i in section if out[i].kind == NAVIGATION)
            if section and links >= 3 and links >= 0.5 * len(section):
                for i in section:
                    if not _prose(out[i]):
                        out[i] = replace(out[i], kind=NAVIGATION)
        return out

    @staticmethod
    def _block(open_block: _Open) -> Block:
        lines = open_block.lines
        text = join_lines([line.text for line in lines])
        if open_block.kind == ITEM:
            text = _BULLET.sub("• ", text, count=1) if _BULLET.match(text) else text
        if open_block.kind == FOOTNOTE and open_block.label and not text.startswith(open_block.label):
            text = f"{open_block.label} {text}"
        chars = sum(len(line.text) for line in lines) or 1
        linked = sum(line.linked * len(line.text) for line in lines) / chars
        markers = tuple(m for line in lines for m in line.markers)
        pages = [line.page for line in lines if line.page is not None]
        return Block(open_block.kind, text, pages[0] if pages else None, pages[-1] if pages else None,
                     open_block.level, open_block.label, markers, linked)


def _prose(block: Block) -> bool:
    """A paragraph of PROSE_WORDS or more with no link or address in it: guidance, not an entry
    of a list of links."""
    return (block.kind == PARAGRAPH and not block.linked and len(block.text.split()) >= PROSE_WORDS
            and not WEB_ADDRESS.search(block.text))


def text_lines(text: str, page: int | None = None, markdown: bool = False,
               line_paragraphs: bool = False) -> list[Line]:
    """Lines of plain text or Markdown, with blank lines and Markdown syntax turned into layout.

    With `line_paragraphs` every line is a paragraph of its own (text copied from a web page,
    where a line is an unwrapped paragraph)."""
    lines = []
    gap = True
    for raw in text.split("\n"):
        if not raw.strip():
            gap = True
            continue
        stripped = raw.strip()
        level = None
        item = False
        if markdown:
            heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
            if heading:
                level, stripped = len(heading.group(1)), heading.group(2).strip().strip("#").strip()
            elif re.match(r"^[-*+]\s+", stripped):
                item, stripped = True, "• " + re.sub(r"^[-*+]\s+", "", stripped)
            stripped = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), stripped)
        stripped = re.sub(r"[ \t]{2,}", " ", stripped)  # text laid out from a PDF pads with runs of spaces
        indent = len(raw) - len(raw.lstrip())
        lines.append(Line(stripped, page=page, x0=float(indent), gap_before=gap or line_paragraphs,
                          heading_level=level, item=item))
        gap = False
    return lines


def unwrapped(text: str) -> bool:
    """Text whose lines are long (over 120 characters on average) holds one paragraph a line."""
    lengths = [len(line) for line in text.split("\n") if line.strip()]
    return bool(lengths) and sum(lengths) / len(lengths) > 120


def plain_headings(lines: list[Line]) -> list[Line]:
    """In text without markup, a short line standing alone (blank lines around it, no closing
    punctuation) is a heading."""
    out = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        alone = line.gap_before and (nxt is None or nxt.gap_before or nxt.page != line.page)
        if line.heading_level is None and alone and 1 <= len(text.split()) <= 14 and not _SENTENCE_END.search(text) \
                and not _BULLET.match(text) and not PAGE_NUMBER.match(text) and text[:1].isupper() \
                and nxt is not None:
            line = replace(line, heading_level=2)
        out.append(line)
    return out
