from pathlib import Path

import pytest

from bot.library.manifest import ManifestError, load_manifest
from tests.conftest import PROJECT_ROOT, write_manifest


def test_default_manifest_lists_the_seed_files_with_citation_fields():
    manifest = load_manifest(PROJECT_ROOT / "seeds")
    ids = [d.id for d in manifest.documents]
    assert ids == ["bbc-ai-csam-teacher-guidance", "derbyshire-pcc-ai-csam-laws", "kcsie-2025-part-one"]
    for doc in manifest.documents:
        assert doc.title and doc.publisher and doc.licence
    bbc, derbyshire, kcsie = manifest.documents
    # Neither news file states its exact date: it must be marked unknown, not guessed.
    assert bbc.date is None and bbc.date_note and derbyshire.date is None and derbyshire.date_note
    # KCSIE: the Open Government Licence, procedures, and plain words on which edition it is.
    assert "Open Government Licence v3.0" in kcsie.licence and kcsie.procedures
    assert "September 2025 edition" in kcsie.caution and "1 September 2026" in kcsie.caution
    assert kcsie.url.startswith("https://www.gov.uk/")
    # The BBC story's republished address is known; the press release's is not.
    assert bbc.url == "https://test.daily8.com/en/article/89fb5226c41483b98b0c572007dfc2ba"
    assert derbyshire.url is None and derbyshire.url_note
    assert "Check the current law" in derbyshire.caution and bbc.caution is None


def test_seed_files_are_kept_exactly_as_received():
    shared = PROJECT_ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("the shared seeds folder is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert (PROJECT_ROOT / "seeds" / original.name).read_bytes() == original.read_bytes()


@pytest.mark.parametrize("entry, message", [
    ({"id": "Bad Id", "file": "a.txt", "title": "t", "publisher": "p"}, "may use only"),
    ({"id": "a", "file": "missing.txt", "title": "t", "publisher": "p"}, "not found"),
    ({"id": "a", "file": "a.doc", "title": "t", "publisher": "p"}, "unsupported file type"),
    ({"id": "a", "file": "a.txt", "title": "t", "publisher": "p", "replaces": "nothing"}, "not another document"),
    ({"id": "a", "file": "a.txt", "publisher": "p"}, "'title' is required"),
    ({"id": "a", "file": "a.txt", "title": "t", "publisher": "p", "date": "June 2025"}, "YYYY-MM-DD"),
    ({"id": "a", "file": "a.txt", "title": "t", "publisher": "p", "colour": "red"}, "unknown field"),
    ({"id": "a", "file": "a.txt", "title": "t", "publisher": "p", "drop_paragraphs": ["("]}, "bad drop_paragraphs"),
])
def test_bad_manifest_entries_are_refused_with_a_reason(tmp_path: Path, entry, message):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "a.doc").write_text("text", encoding="utf-8")
    write_manifest(tmp_path, [entry])
    with pytest.raises(ManifestError, match=message):
        load_manifest(tmp_path)


def test_duplicate_ids_and_broken_toml_are_refused(tmp_path: Path):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    entry = {"id": "a", "file": "a.txt", "title": "t", "publisher": "p"}
    write_manifest(tmp_path, [entry, entry])
    with pytest.raises(ManifestError, match="used twice"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.toml").write_text("[[document]\nid = ", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(tmp_path)


def test_a_new_edition_names_the_one_it_replaces_and_outlives_its_removal(tmp_path: Path):
    from bot.library.school import add_document, remove_document

    (tmp_path / "old.txt").write_text("The 2024 edition says this.", encoding="utf-8")
    write_manifest(tmp_path, [{"id": "kcsie-2024", "file": "old.txt", "title": "KCSIE 2024", "publisher": "DfE"}])
    new_id = add_document(tmp_path, b"The 2025 edition says this.", {
        "title": "KCSIE 2025", "publisher": "DfE", "kind": "statutory guidance", "replaces": "kcsie-2024"})
    entry = next(e for e in load_manifest(tmp_path).documents if e.id == new_id)
    assert entry.replaces == "kcsie-2024" and entry.kind == "statutory guidance"
    remove_document(tmp_path, "kcsie-2024")
    assert load_manifest(tmp_path).documents[0].replaces is None
