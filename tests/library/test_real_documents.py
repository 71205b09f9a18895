"""The structure reader on the real guidance PDFs, not only on made-up ones.

KCSIE 2025 Part one ships in the default library, so it is always checked. The longer documents
in ../shared/library (KCSIE 2024, Working together 2023, the KCSIE 2025 full text: about 400
pages with Part one) are checked too where that folder is beside the checkout.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from bot.config import ChunkSettings
from bot.library.clean import CleanDocument, clean_document
from bot.library.extract import extract
from bot.library.manifest import CleaningRules
from bot.library.passages import Passage, split_passages
from tests.conftest import PROJECT_ROOT

PART_ONE = PROJECT_ROOT / "seeds" / "kcsie-2025-part-one.pdf"
SHARED = PROJECT_ROOT.parent / "shared" / "library"
# document, format, numbered paragraphs it holds
REAL = [(PART_ONE, "pdf", 74), (SHARED / "kcsie-2024.pdf", "pdf", 565),
        (SHARED / "working-together-2023.pdf", "pdf", 403), (SHARED / "kcsie-2025-full.txt", "text", 562)]
_GLUED_MARKER = re.compile(r"\b[a-z]{3,}[.,;:)]?\d{1,3}\b")
_NUMBER_START = re.compile(r"(?:^|\n\n)(\d{1,3})\.\s")


@cache
def read(path: Path, fmt: str) -> tuple[CleanDocument, tuple[Passage, ...]]:
    # as in the manifests: the last page, the licence notice, is not guidance
    doc = clean_document(path.stem, extract(path, fmt), CleaningRules(end_before="© Crown copyright"))
    return doc, tuple(split_passages(doc, ChunkSettings()))


def documents() -> list:
    return [pytest.param(path, fmt, count, id=path.stem, marks=[pytest.mark.slow] if path != PART_ONE else [])
            for path, fmt, count in REAL]


def need(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path.name} is not beside this checkout")


@pytest.mark.parametrize("path, fmt, count", documents())
def test_every_numbered_paragraph_is_found_once_in_order(path, fmt, count):
    need(path)
    doc, _ = read(path, fmt)
    numbers = []
    for para in doc.paragraphs:
        if para.kind == "paragraph" and para.label and "." not in para.label \
                and doc.text[para.start:para.end].startswith(f"{para.label}."):
            numbers.append(int(para.label))
    assert numbers == list(range(1, count + 1))


@pytest.mark.parametrize("path, fmt, count", documents())
def test_no_passage_crosses_a_numbered_paragraph(path, fmt, count):
    need(path)
    doc, passages = read(path, fmt)
    for passage in passages:
        starts = [int(m.group(1)) for m in _NUMBER_START.finditer(passage.text)]
        labelled = [n for n in starts if str(n) == passage.label]
        assert len(labelled) <= 1 and passage.label == passage.label_end, passage.text[:200]
        if labelled:
            assert passage.text.startswith(f"{passage.label}."), passage.text[:200]


@pytest.mark.parametrize("path, fmt, count", documents())
def test_no_passage_holds_a_contents_line_or_a_heading_glued_to_a_number(path, fmt, count):
    need(path)
    doc, passages = read(path, fmt)
    headings = {doc.text[p.start:p.end] for p in doc.paragraphs if p.kind == "heading"}
    headings = {h for h in headings if len(h) > 15}
    for passage in passages:
        assert not re.search(r"(\.\s?){6,}", passage.text), passage.text[:200]  # dot leaders
        if fmt == "text":  # laid-out text keeps footnote markers as plain numbers after words
            continue
        for heading in headings:
            assert not re.search(re.escape(heading) + r" \d{1,3}\b", passage.text), (heading, passage.text[:200])


@pytest.mark.parametrize("path, fmt, count", documents())
def test_footnote_markers_never_stay_inside_words(path, fmt, count):
    need(path)
    if fmt != "pdf":
        pytest.skip("text laid out from a PDF has no font sizes to tell a marker from a number")
    _, passages = read(path, fmt)
    glued = [m.group(0) for p in passages for m in _GLUED_MARKER.finditer(p.text)]
    assert glued == []


@pytest.mark.parametrize("path, fmt, count", documents())
def test_running_lines_are_not_quoted(path, fmt, count):
    need(path)
    doc, passages = read(path, fmt)
    for passage in passages:
        for piece in passage.text.split("\n\n"):
            assert not re.fullmatch(r"(page\s*)?\d{1,3}", piece.strip(), re.IGNORECASE), passage.text[:200]
        assert "© Crown copyright" not in passage.text


def test_part_one_contents_links_and_footnotes_are_recognised():
    doc, passages = read(PART_ONE, "pdf")
    quoted = "\n".join(p.text for p in passages)
    kinds = {doc.text[p.start:p.end][:60]: p.kind for p in doc.paragraphs}
    # the contents page, and the annex's lists of further reading, are navigation: never quoted
    assert "Why is all of this important? 18" not in quoted and "Summary 3" not in quoted
    for entry in ("Childline – For free and confidential advice", "UK Safer Internet Centre – To report and remove",
                  "Prevent duty guidance – Home Office guidance"):
        assert entry not in quoted
        assert any(k.startswith(entry[:40]) and v == "navigation" for k, v in kinds.items()), entry
    # prose under a heading whose section ends in a list of links is still guidance, quoted
    for prose in ("An individual will be required to provide their consent before any support",
                  "Refuge runs the National Domestic Abuse Helpline, which can be called free of charge"):
        assert prose in quoted
    # footnote markers come out of the words, the footnotes are kept apart and linked
    assert "sexual harassment such as sexual comments" in quoted and "harassment7" not in doc.text
    footnote = next(p for p in doc.paragraphs if p.kind == "footnote" and p.label == "7")
    assert doc.text[footnote.start - 2:footnote.end].startswith("7 For further information about sexual harassment")
    assert doc.text[footnote.start:footnote.end].startswith("For further")  # its number is not its words
    assert any("7" in p.markers for p in doc.paragraphs if p.kind == "item")
    # the heading is not glued to the sentence after it
    assert not any(p.text.startswith("What school and college staff should do") for p in passages)


def test_a_footnote_that_is_guidance_is_quoted_and_cited_as_a_footnote():
    """Part one's footnote 5 is the only place it says consensual image sharing may not be abusive
    but is still illegal: it is a passage of its own, under the heading of the paragraph that
    carries its marker, cited by its number; a footnote that only points to a web page is not."""
    from bot.answer.compose import citation

    doc, passages = read(PART_ONE, "pdf")
    note = next(p for p in passages if p.text.startswith("Consensual image sharing, especially between older"))
    assert (note.footnote, note.label, note.page) == ("5", None, 10)
    assert note.text.endswith("semi-nude images and videos.") and "\n" not in note.text
    assert note.heading[-1] == "Safeguarding issues"
    cited = citation("Department for Education", "Keeping children safe in education 2025", "2025", note)
    assert cited.endswith("footnote 5 (page 10), under \u2018Safeguarding issues\u2019")
    fgm = next(p for p in passages if p.footnote == "23")
    assert "need not report a case to the police" in fgm.text
    assert not any("legislation.gov.uk" in p.text for p in passages if p.footnote)
    assert not any(p.footnote == "19" for p in passages)  # "As defined in the Terrorism Act 2000 (TACT 2000) http://..."


def test_part_one_paragraph_50_is_cited_as_the_document_numbers_it():
    from bot.answer.compose import citation

    doc, passages = read(PART_ONE, "pdf")
    passage = next(p for p in passages if p.text.startswith("50. If staff have any concerns"))
    assert (passage.label, passage.page) == ("50", 14)
    assert passage.heading[-1] == "What school and college staff should do if they have concerns about a child"
    assert citation("Department for Education", "Keeping children safe in education 2025, Part one", "2025-09-01",
                    passage) == ("Department for Education, Keeping children safe in education 2025, Part one "
                                 "(2025-09-01), paragraph 50 (page 14), under ‘What school and college staff "
                                 "should do if they have concerns about a child’")
    # the list that paragraph 52 introduces stays with it
    options = next(p for p in passages if p.text.startswith("52. Options will then include:"))
    assert "• undertaking an early help assessment" in options.text and options.label == "52"
