"""Turn a source file into plain text, page by page.

HTML goes through trafilatura's main-text extractor (menus, footers and comments are dropped);
PDF through pypdf, one entry per page so that citations can name the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ExtractionError(ValueError):
    """A source file could not be read as text; the message names the file."""


@dataclass(frozen=True)
class Page:
    number: int | None  # 1-based page number for paginated formats, else None
    text: str


@dataclass(frozen=True)
class ExtractedText:
    pages: tuple[Page, ...]
    paginated: bool


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract_text_file(path: Path) -> ExtractedText:
    return ExtractedText((Page(None, _decode(path.read_bytes(), path)),), paginated=False)


def extract_html(path: Path) -> ExtractedText:
    import trafilatura

    html = _decode(path.read_bytes(), path)
    text = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=True,
        include_links=False, include_images=False, with_metadata=False,
    )
    if not text or not text.strip():
        raise ExtractionError(f"{path.name}: no main text found in the HTML")
    return ExtractedText((Page(None, text.replace("\r\n", "\n")),), paginated=False)


def extract_pdf(path: Path) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = tuple(Page(i, (page.extract_text() or "").replace("\r\n", "\n"))
                      for i, page in enumerate(reader.pages, start=1))
    except (PdfReadError, ValueError, OSError) as exc:
        raise ExtractionError(f"{path.name}: cannot read PDF ({exc})") from None
    if not any(p.text.strip() for p in pages):
        raise ExtractionError(f"{path.name}: the PDF has no extractable text (scanned images need OCR first)")
    return ExtractedText(pages, paginated=True)


_EXTRACTORS = {"text": extract_text_file, "html": extract_html, "pdf": extract_pdf}


def extract(path: Path, fmt: str) -> ExtractedText:
    """Read `path` as format `fmt` ("text", "html" or "pdf")."""
    return _EXTRACTORS[fmt](Path(path))
