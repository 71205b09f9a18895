"""Turn a source file into the blocks of its own structure (headings, numbered paragraphs, lists).

Each format is read by a kept library that knows it, then reduced to lines for the one structure
builder (`structure.py`):
- PDF: pdfplumber, with font size, boldness, position and links (`pdf.py`);
- Word (.docx): python-docx, with the document's heading and list styles; running headers and
  footers live apart from the body there and are never read;
- HTML: trafilatura's main text (menus, footers and comments dropped) as Markdown, so its
  headings and lists survive;
- Markdown and plain text: `#` headings and `-` lists, blank lines, and for text cut into pages by
  form feeds (text made from a PDF), the same repetition rule for running headers and footers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.library.structure import Block, BlockBuilder, Line, plain_headings, text_lines, unwrapped


class ExtractionError(ValueError):
    """A source file could not be read as text; the message names the file."""


@dataclass(frozen=True)
class ExtractedText:
    """A document as blocks in reading order, and whether it has pages a citation can name."""

    blocks: tuple[Block, ...]
    paginated: bool
    # running headers, footers and page numbers found by repetition and left out, once each
    left_out: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, text: str, markdown: bool = False) -> ExtractedText:
        return cls(tuple(text_blocks(text, markdown)), paginated="\f" in text)


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_blocks(text: str, markdown: bool = False) -> list[Block]:
    """Blocks of plain text or Markdown; form feeds, where present, separate pages."""
    chunks = text.split("\f")
    paginated = len(chunks) > 1
    per_line = unwrapped(text)
    pages = [text_lines(chunk, page=number if paginated else None, markdown=markdown, line_paragraphs=per_line)
             for number, chunk in enumerate(chunks, start=1)]
    for lines in pages[1:]:  # a page break is no blank line: whether a paragraph goes on is the builder's call
        if lines and not per_line:
            lines[0].gap_before = False
    if not markdown and not per_line:  # a line-per-paragraph text (copied from a web page) has no
        pages = [plain_headings(lines) for lines in pages]  # layout to tell a heading by
    return BlockBuilder().build(pages)


def extract_text_file(path: Path) -> ExtractedText:
    markdown = path.suffix.lower() in (".md", ".markdown")
    return ExtractedText.from_text(_decode(path.read_bytes(), path), markdown=markdown)


def extract_html(path: Path) -> ExtractedText:
    import trafilatura

    html = _decode(path.read_bytes(), path)
    text = trafilatura.extract(
        html, output_format="markdown", include_comments=False, include_tables=True,
        include_links=False, include_images=False, include_formatting=False, with_metadata=False,
    )
    if not text or not text.strip():
        raise ExtractionError(f"{path.name}: no main text found in the HTML")
    return ExtractedText.from_text(text.replace("\r\n", "\n"), markdown=True)


def extract_pdf(path: Path) -> ExtractedText:
    """A PDF's blocks. Reading a PDF's layout is most of a library build (14 of 19 seconds for the
    42 pages of KCSIE Part one), and every publish reads every document again, so the result is
    kept by the file's content and the reading code's own hash (`pdf_cache.py`)."""
    from bot.library.pdf_cache import cached

    return cached(path, _read_pdf)


def _read_pdf(path: Path) -> ExtractedText:
    from bot.library.pdf import PdfReadFailure, pdf_lines

    dropped: list[str] = []
    try:
        pages = pdf_lines(path, dropped)
    except PdfReadFailure as exc:
        raise ExtractionError(f"{path.name}: cannot read PDF ({exc})") from None
    if not any(line.text.strip() for lines in pages for line in lines):
        raise ExtractionError(f"{path.name}: the PDF has no extractable text (scanned images need OCR first)")
    return ExtractedText(tuple(BlockBuilder().build(pages, drop_running=False)), paginated=True,
                         left_out=tuple(dict.fromkeys(dropped)))


def _docx_level(style_name: str) -> int | None:
    name = style_name.lower()
    if name == "title":
        return 0
    if name.startswith("heading"):
        digits = "".join(ch for ch in name if ch.isdigit())
        return int(digits) if digits else 1
    return None


def extract_docx(path: Path) -> ExtractedText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph as WordParagraph

    try:
        document = docx.Document(str(path))
        lines: list[Line] = []
        for item in document.iter_inner_content():
            if isinstance(item, WordParagraph):
                text = item.text.strip()
                if not text:
                    continue
                style = item.style.name if item.style is not None else ""
                numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
                listed = "list" in style.lower() or numbered
                level = _docx_level(style)
                lines.append(Line(text, gap_before=True, heading_level=level, item=listed and level is None))
            elif isinstance(item, Table):
                for row in item.rows:
                    cells = []
                    for cell in row.cells:
                        value = " ".join(cell.text.split())
                        if value and value not in cells:
                            cells.append(value)
                    if cells:
                        lines.append(Line(" – ".join(cells), gap_before=True))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ExtractionError(f"{path.name}: cannot read the Word document ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - a malformed upload must give a clear message, not a 500
        raise ExtractionError(f"{path.name}: cannot read the Word document ({type(exc).__name__})") from None
    if not lines:
        raise ExtractionError(f"{path.name}: the Word document has no text")
    return ExtractedText(tuple(BlockBuilder().build([lines])), paginated=False)


_EXTRACTORS = {"text": extract_text_file, "html": extract_html, "pdf": extract_pdf, "docx": extract_docx}


def extract(path: Path, fmt: str) -> ExtractedText:
    """Read `path` as format `fmt` ("text", "html", "pdf" or "docx")."""
    return _EXTRACTORS[fmt](Path(path))
