"""Evaluation libraries, evidence found across editions, and the paragraph-number check."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.labelled import GoldSpan, locate_everywhere, near_copies
from bot.evaluation.profiles import ProfileError, document_kinds, lay_out
from bot.library.manifest import load_manifest


def test_the_news_library_holds_only_the_news_seeds(tmp_path: Path):
    folder = lay_out("news", tmp_path / "news")
    assert [d.id for d in load_manifest(folder).documents] == ["bbc-ai-csam-teacher-guidance",
                                                               "derbyshire-pcc-ai-csam-laws"]
    assert set(document_kinds(folder).values()) == {"news"}


def test_the_real_library_says_which_document_is_missing(tmp_path: Path):
    with pytest.raises(ProfileError, match="kcsie-2024.pdf"):
        lay_out("real", tmp_path / "real", shared=tmp_path / "nowhere")


def test_evidence_is_found_word_for_word_in_every_edition_and_as_a_near_copy():
    documents = {
        "kcsie-2025": "50. If staff have any concerns about a child’s welfare, they should act on them immediately.",
        "kcsie-2024": "55.  If staff have any concerns about a child's welfare,\nthey should act on them immediately.",
        "news": "Nothing about this.",
        "kcsie-2023": "If staff have concerns about a child's welfare, they should act on them at once and immediately.",
    }
    evidence = "If staff have any concerns about a child's welfare, they should act on them immediately."
    found = locate_everywhere(evidence, documents)
    assert sorted(g.doc_id for g in found) == ["kcsie-2024", "kcsie-2025"]
    span = next(g for g in found if g.doc_id == "kcsie-2025")
    assert documents["kcsie-2025"][span.start:span.end].endswith("act on them immediately")
    near = near_copies(evidence, documents, found)
    assert near == [GoldSpan("kcsie-2023", 0, len(documents["kcsie-2023"]))]


def test_a_near_copy_in_another_part_of_the_same_document_is_the_same_guidance():
    part_one = "12. All staff should receive safeguarding updates, as required, and at least annually."
    part_two = "124. All staff should receive regular safeguarding updates as required and at least annually."
    documents = {"kcsie-2025": f"{part_one}\n\n{part_two}", "news": "Nothing about this."}
    evidence = "All staff should receive safeguarding updates, as required, and at least annually."
    found = locate_everywhere(evidence, documents)
    assert [g.doc_id for g in found] == ["kcsie-2025"]
    near = near_copies(evidence, documents, found)
    second = len(part_one) + 2
    assert near and all(g.doc_id == "kcsie-2025" and g.start >= second for g in near)
    assert not any(g.start < found[0].end and found[0].start < g.end for g in near)  # not the place it was copied from


def test_a_cited_number_is_checked_against_a_second_reading_of_the_pdf(tmp_path: Path):
    from bot.bench.publish import make_pdf
    from bot.evaluation.paragraphs import check_quotes

    pdf = tmp_path / "guide.pdf"
    make_pdf(pdf, [["1. Staff should read this guidance every year without fail.",
                    "2. Staff should speak to the designated safeguarding lead about any concern."]])
    quote = "2. Staff should speak to the designated safeguarding lead about any concern."
    answer = {"passages": [{"source": {"id": "guide"}, "quote": quote,
                            "location": {"start": 0, "end": len(quote), "label": "2", "label_end": "2"}}]}
    result = check_quotes([answer], {"guide": pdf}, [{"guide": {(0, 10): "2"}}])
    assert result["against_pypdf"]["quotes"] == 1 and result["against_pypdf"]["agree"] == 1
    assert result["against_labels"] == {"quotes": 1, "agree": 1}
    wrong = {"passages": [dict(answer["passages"][0], location={"start": 0, "end": 5, "label": "1"})]}
    assert check_quotes([wrong], {"guide": pdf}, [{}])["against_pypdf"]["disagreements"][0]["pypdf"] == 2
