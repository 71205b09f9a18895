from pathlib import Path

import pytest

from bot.bench.publish import make_pdf
from bot.library.clean import clean_document
from bot.library.extract import ExtractionError, extract
from bot.library.manifest import CleaningRules

HTML = """<!doctype html><html><head><title>Online safety guidance</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/contact">Contact us</a></nav>
<header><h1>Example Council</h1></header>
<main><article>
<h2>Responding to AI-generated images of pupils</h2>
<p>When staff learn that an AI-generated sexual image of a pupil exists, they should treat it as child sexual abuse
material and inform the designated safeguarding lead without delay.</p>
<p>Staff should not view, copy, download or forward the image, even to collect evidence for an investigation,
because doing so may itself be an offence and can cause further harm to the child.</p>
<p>The designated safeguarding lead decides whether to refer the matter to children's social care and the police,
and records every decision with the reasons for it in the school's safeguarding records.</p>
</article></main>
<footer><p>Cookie preferences. Copyright Example Council. Sign up for our newsletter.</p></footer>
</body></html>"""


PDF_PAGES = [
    ["Guidance for schools on sextortion.",
     "Financially motivated sextortion is a form of blackmail in which a child is threatened with the release "
     "of sexual images unless they pay money or send more images."],
    ["Children who are being blackmailed should be told that it is not their fault and that help is available.",
     "Staff should not contact the person making the threats."],
]


def test_html_main_text_is_extracted_without_navigation_or_footer(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    text = clean_document("page", extract(path, "html"), CleaningRules()).text
    assert "treat it as child sexual abuse material" in text
    assert "records every decision" in text
    assert "Contact us" not in text and "Cookie preferences" not in text


def test_pdf_text_keeps_page_numbers_per_paragraph(tmp_path: Path):
    path = tmp_path / "guide.pdf"
    make_pdf(path, PDF_PAGES)
    doc = clean_document("guide", extract(path, "pdf"), CleaningRules())
    pages = {doc.text[p.start:p.end]: p.page for p in doc.paragraphs}
    blackmail = next(t for t in pages if t.startswith("Financially motivated"))
    assert pages[blackmail] == 1
    assert "unless they pay money or send more images." in blackmail  # wrapped lines joined
    assert pages[next(t for t in pages if t.startswith("Children who are being blackmailed"))] == 2


def test_unreadable_files_raise_a_clear_error(tmp_path: Path):
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(ExtractionError, match="bad.pdf"):
        extract(bad_pdf, "pdf")
    latin1 = tmp_path / "old.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ExtractionError, match="not UTF-8"):
        extract(latin1, "text")


POLICY = [
    ("4. What staff must do straight away", [
        "4.1 Tell the designated safeguarding lead at once, in person, and never view or forward the image.",
        "4.2 The lead will then decide the next steps, which may include:",
        "- speaking to the pupil with a trusted adult present",
        "- a referral to children's social care",
    ]),
    ("5. Informing parents", [
        "5.1 The lead decides whether to tell parents, and normally does so unless this would put the pupil at risk.",
    ]),
]


def test_a_word_policy_keeps_its_numbered_sections_lists_and_drops_its_footer(tmp_path: Path):
    from bot.bench.publish import make_docx

    path = tmp_path / "policy.docx"
    make_docx(path, "Oakfield Primary School staff procedure", POLICY, footer="Oakfield - Version 2 - Page 1")
    doc = clean_document("policy", extract(path, "docx"), CleaningRules())
    paragraphs = [(p.kind, p.label, doc.text[p.start:p.end]) for p in doc.paragraphs]
    assert ("heading", "5", "5. Informing parents") in paragraphs
    assert ("paragraph", "4.2", "4.2 The lead will then decide the next steps, which may include:") in paragraphs
    # list items belong to the numbered paragraph that introduces them
    assert ("item", "4.2", "a referral to children's social care") in paragraphs
    assert "Version 2" not in doc.text  # the running header and footer are not the policy's words
    informing = next(p for p in doc.paragraphs if doc.text[p.start:p.end].startswith("5.1"))
    assert informing.heading == ("5. Informing parents",)


def test_a_broken_word_file_gets_a_clear_error(tmp_path: Path):
    bad = tmp_path / "policy.docx"
    bad.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ExtractionError, match="policy.docx"):
        extract(bad, "docx")
