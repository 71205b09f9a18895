"""A school's library folder: documents edited, removed and restored exactly, rules in plain words."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.library.clean import clean_document
from bot.library.extract import ExtractedText
from bot.library.manifest import CleaningRules, load_manifest
from bot.library.school import (
    UploadError,
    add_document,
    document_fields,
    remove_document,
    removed_documents,
    restore_document,
    update_document,
)

POLICY = (b"Blue Door Academy staff procedure\n\nStaff tell the DSL the same day.\n\n"
          b"Page 1 of 2 (version 3)\n\nThe DSL decides whether to tell the parents.\n")
GUIDE = b"Guidance for all staff.\n\nRecord what you saw in the words used.\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "guide.txt").write_bytes(GUIDE)
    (folder / "manifest.toml").write_text('[[document]]\nid = "guide"\nfile = "guide.txt"\ntitle = "Guide"\n'
                                          'publisher = "DfE"\n', encoding="utf-8")
    return folder


def test_a_removed_document_is_restored_byte_for_byte_with_its_details(library, tmp_path):
    doc_id = add_document(library, POLICY, {"title": "Our policy", "publisher": "Blue Door", "date": "2026-09-01",
                                            "internal": True, "kind": "school policy", "procedures": True,
                                            "drop_containing": ["Page 1 of 2 ("]})
    entry = document_fields(library, doc_id)
    removed_dir = tmp_path / "removed"
    remove_document(library, doc_id, removed_dir)
    assert doc_id not in {d.id for d in load_manifest(library).documents}
    assert not (library / entry["file"]).exists()
    [kept] = removed_documents(removed_dir)
    assert kept.entry["title"] == "Our policy"
    restore_document(library, removed_dir, kept.name)
    assert hashlib.sha256((library / entry["file"]).read_bytes()).digest() == hashlib.sha256(POLICY).digest()
    assert document_fields(library, doc_id) == entry
    assert removed_documents(removed_dir) == []
    with pytest.raises(UploadError):
        restore_document(library, removed_dir, kept.name)


def test_restoring_an_old_edition_puts_back_that_the_new_one_replaces_it(library, tmp_path):
    new = add_document(library, b"Guidance for all staff, 2026 edition.\n", {"title": "Guide 2026", "publisher": "DfE",
                                                                             "replaces": "guide"})
    removed_dir = tmp_path / "removed"
    remove_document(library, "guide", removed_dir)
    assert "replaces" not in document_fields(library, new)
    restore_document(library, removed_dir, removed_documents(removed_dir)[0].name)
    assert document_fields(library, new)["replaces"] == "guide"


def test_a_restore_name_that_is_not_a_removal_is_refused(library, tmp_path):
    for name in ("../guide", "20261130T000000000000-../../x", "nothing"):
        with pytest.raises(UploadError):
            restore_document(library, tmp_path / "removed", name)


def test_details_are_changed_but_never_the_id_or_file(library):
    before, after = update_document(library, "guide", {"id": "other", "file": "x.txt", "title": "Guide (2025)",
                                                      "publisher": "DfE", "date": "2025-09-01", "internal": False})
    assert after["id"] == "guide" and after["file"] == "guide.txt" and after["date"] == "2025-09-01"
    assert "internal" not in after and before["title"] == "Guide"
    with pytest.raises(UploadError):
        update_document(library, "guide", {"title": "G", "publisher": "P", "replaces": "guide"})


def test_a_plain_text_rule_with_regex_characters_leaves_out_just_those_paragraphs():
    extracted = ExtractedText.from_text(POLICY.decode())
    clean = clean_document("p", extracted, CleaningRules(drop_containing=("Page 1 of 2 (",)))
    assert "Page 1 of 2" not in clean.text and "The DSL decides" in clean.text
    untouched = clean_document("p", extracted, CleaningRules(drop_containing=("Page 1 of 2 (x)",)))
    assert "Page 1 of 2 (version 3)" in untouched.text


def test_a_schools_copies_of_shared_documents_follow_the_operator_and_its_own_are_never_touched(library, tmp_path):
    from bot.library.school import ensure_library, sync_shared

    school = tmp_path / "school"
    ensure_library(school, library)  # the school's library starts as a copy of the shared one
    own = add_document(school, POLICY, {"title": "Our policy", "publisher": "Blue Door", "date": "2026-09-01",
                                        "internal": True, "kind": "school policy", "procedures": True})
    assert sync_shared(school, library) == []  # nothing changed: no rebuild asked for

    added = add_document(library, b"Trips guidance.\n\nSend consent forms six weeks ahead.\n",
                         {"title": "Trips", "publisher": "County", "date": "2026-09-01", "internal": True})
    assert sync_shared(school, library) == ["added 'Trips'"]
    (library / "guide.txt").write_bytes(GUIDE + b"\nA new paragraph.\n")
    assert sync_shared(school, library) == ["updated 'Guide'"]
    assert (school / "guide.txt").read_bytes() == GUIDE + b"\nA new paragraph.\n"

    remove_document(school, added, tmp_path / "removed")  # the school takes a shared document out
    update_document(library, added, {**document_fields(library, added), "title": "Trips (2027)"})
    assert sync_shared(school, library) == []  # ... and it stays out, whatever the operator changes
    remove_document(library, "guide", tmp_path / "operator-removed")
    assert sync_shared(school, library) == ["removed 'Guide'"]
    ids = [doc.id for doc in load_manifest(school).documents]
    assert ids == [own] and not (school / "guide.txt").exists()
    assert (school / f"{own}.txt").read_bytes() == POLICY  # the school's own document, untouched
