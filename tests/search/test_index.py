"""Index build and load: atomic writes, verification, stale and corrupt indexes, new formats."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import bot.search.index as index_module
from bot.config import ChunkSettings, IndexSettings, Settings
from bot.search.embedcache import model_fingerprint
from bot.search.index import IndexLoadError, build_index, load_index, read_manifest, staleness
from tests.conftest import PROJECT_ROOT, settings_for, write_manifest
from tests.library.test_clean import all_phrases
from tests.library.test_extract import HTML, PDF_PAGES, make_pdf

pytestmark = pytest.mark.slow


def test_build_then_load_round_trips_passages_and_search(built: Settings, embedder):
    index = load_index(built, embedder=embedder)
    manifest = index.manifest
    assert manifest["counts"]["documents"] == 1 and manifest["counts"]["passages"] == len(index.passages) > 0
    assert manifest["model"] == {"name": built.index.model_name, "dimension": 384, "runtime": embedder.runtime,
                                 "fingerprint": model_fingerprint(embedder.path)[:16]}
    assert set(manifest["sources"]) == {"manifest.toml", "handbook.txt"}
    assert manifest["settings"] == built.index.as_dict()
    assert {"sentence-transformers", "faiss-cpu", "rank-bm25", "python"} <= set(manifest["versions"])
    text = index.documents["handbook"].text
    assert "SITE FOOTER" not in text
    for passage in index.passages:
        assert text[passage.start:passage.end] == passage.text
    top = index.bm25.search("forward the image", 1)[0]
    assert "Do not copy, print or forward it." in index.by_id[top.id].text
    top = index.dense.search("who should a disclosure be passed on to", 1)[0]
    assert "designated safeguarding lead" in index.by_id[top.id].text


def test_a_rebuild_embeds_only_the_texts_that_changed_and_its_vectors_match_a_fresh_build(
        built: Settings, embedder, tmp_path: Path, monkeypatch):
    """A publish keeps the vectors of every passage and sentence an earlier build embedded with the
    same model, runtime and settings; only the new document's texts go through the model."""
    seeds = Path(built.seeds_dir)
    (seeds / "note.txt").write_text("Staff log every report of a shared image on the same day.\n", encoding="utf-8")
    write_manifest(seeds, [
        {"id": "handbook", "file": "handbook.txt", "title": "Staff handbook", "publisher": "Test School",
         "date": "2025-01-31", "end_before": "SITE FOOTER"},
        {"id": "note", "file": "note.txt", "title": "Reporting note", "publisher": "Test School", "date": "2025-02-01"}])
    embedded: list[str] = []

    class Counting:
        """The embedder, noting every text it is asked to embed."""

        def __getattr__(self, name):
            return getattr(embedder, name)

        def encode(self, texts, *args, **kwargs):
            embedded.extend(texts)
            return embedder.encode(texts, *args, **kwargs)

    previous = load_index(built, embedder=embedder, check_sources=False)
    again = replace(built, index_dir=tmp_path / "again")
    build_index(again, embedder=Counting(), progress=False, previous=previous)
    assert embedded and all("same day" in text for text in embedded)
    fresh = replace(built, index_dir=tmp_path / "fresh")
    build_index(fresh, embedder=embedder, progress=False, reuse=False)
    reused, rebuilt = load_index(again, embedder=embedder), load_index(fresh, embedder=embedder)
    assert [p.id for p in reused.passages] == [p.id for p in rebuilt.passages]
    ids = [p.id for p in rebuilt.passages]
    assert np.allclose(reused.dense.vectors(ids), rebuilt.dense.vectors(ids), atol=1e-5)
    assert np.allclose(reused.sentence_vectors, rebuilt.sentence_vectors, atol=1e-5)

    # in place, the index already there lends its vectors, read without building BM25 over its
    # passages (only its vectors are wanted); other settings lend none
    embedded.clear()
    with monkeypatch.context() as patched:
        patched.setattr(index_module, "bm25_retriever", lambda *args: pytest.fail("BM25 built for a rebuild"))
        build_index(again, embedder=Counting(), progress=False)
    assert embedded == []
    other = replace(again, index=replace(again.index, max_seq_length=128))
    build_index(other, embedder=Counting(), progress=False)
    assert len(embedded) > len(ids)


def test_corrupt_files_are_refused_with_a_one_line_rebuild_message(built: Settings, embedder):
    manifest = read_manifest(built.index_dir)
    target = built.index_dir / manifest["files"]["passages"]["name"]
    target.write_text(target.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(IndexLoadError) as caught:
        load_index(built, embedder=embedder)
    message = str(caught.value)
    assert "corrupt" in message and "python -m bot index" in message and "\n" not in message


@pytest.mark.parametrize("damage", ["missing manifest", "garbled manifest", "missing file"])
def test_partial_indexes_are_refused(built: Settings, embedder, damage):
    manifest_path = built.index_dir / "manifest.json"
    if damage == "missing manifest":
        manifest_path.unlink()
    elif damage == "garbled manifest":
        manifest_path.write_text('{"format": 1, "fil', encoding="utf-8")
    else:
        (built.index_dir / read_manifest(built.index_dir)["files"]["dense"]["name"]).unlink()
    with pytest.raises(IndexLoadError, match="python -m bot index"):
        load_index(built, embedder=embedder)


def test_changed_seeds_or_settings_make_the_index_stale(built: Settings, embedder):
    other_chunking = replace(built, index=IndexSettings(chunk=ChunkSettings(max_words=7)))
    with pytest.raises(IndexLoadError, match="settings changed"):
        load_index(other_chunking, embedder=embedder)
    source = built.seeds_dir / "handbook.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    with pytest.raises(IndexLoadError, match="stale.*handbook.txt"):
        load_index(built, embedder=embedder)


def test_a_crash_while_swapping_files_in_leaves_the_old_index_loadable(built, embedder, monkeypatch):
    before = read_manifest(built.index_dir)
    source = built.seeds_dir / "handbook.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("same day", "same day, in writing"),
                      encoding="utf-8")
    real_replace, calls = os.replace, []

    def crash_on_second_move(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if the process were stopped between two renames
        return real_replace(src, dst)

    monkeypatch.setattr("bot.search.index.os.replace", crash_on_second_move)
    with pytest.raises(KeyboardInterrupt):
        build_index(built, embedder=embedder, progress=False)
    monkeypatch.setattr("bot.search.index.os.replace", real_replace)
    assert read_manifest(built.index_dir) == before
    old = load_index(built, embedder=embedder, check_sources=False)
    assert all("in writing" not in p.text for p in old.passages)
    assert not list(built.index_dir.glob(".tmp-*"))
    build_index(built, embedder=embedder, progress=False)  # the next build succeeds and tidies up
    assert any("in writing" in p.text for p in load_index(built, embedder=embedder).passages)
    names = {f["name"] for f in read_manifest(built.index_dir)["files"].values()}
    assert {p.name for p in built.index_dir.iterdir()} == names | {"manifest.json"}


def test_killing_the_index_command_midway_leaves_the_old_index_loadable(built: Settings, embedder):
    before = read_manifest(built.index_dir)
    big = built.seeds_dir / "big.txt"
    big.write_text("\n\n".join(f"Paragraph {i} about reporting online images to the safeguarding lead. " * 6
                               for i in range(3000)), encoding="utf-8")
    write_manifest(built.seeds_dir, [
        {"id": "handbook", "file": "handbook.txt", "title": "Staff handbook", "publisher": "Test School",
         "date": "2025-01-31", "end_before": "SITE FOOTER"},
        {"id": "big", "file": "big.txt", "title": "Big", "publisher": "Test School"},
    ])
    command = [sys.executable, "-m", "bot", "index", "--seeds", str(built.seeds_dir),
               "--index-dir", str(built.index_dir)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    seen = b""
    deadline = time.monotonic() + 120
    while b"Batches" not in seen and time.monotonic() < deadline and process.poll() is None:
        seen += os.read(process.stderr.fileno(), 4096)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert read_manifest(built.index_dir) == before
    index = load_index(built, embedder=embedder, check_sources=False)
    assert len(index.passages) == before["counts"]["passages"]


def test_added_pdf_and_html_documents_become_searchable_with_locations(txt_seeds: Path, tmp_path: Path, embedder):
    make_pdf(txt_seeds / "sextortion.pdf", PDF_PAGES)
    (txt_seeds / "council.html").write_text(HTML, encoding="utf-8")
    write_manifest(txt_seeds, [
        {"id": "handbook", "file": "handbook.txt", "title": "Staff handbook", "publisher": "Test School",
         "end_before": "SITE FOOTER"},
        {"id": "sextortion", "file": "sextortion.pdf", "title": "Sextortion guide", "publisher": "Test Agency"},
        {"id": "council", "file": "council.html", "title": "Online safety guidance", "publisher": "Example Council"},
    ])
    settings = settings_for(txt_seeds, tmp_path / "index")
    subprocess.run([sys.executable, "-m", "bot", "index", "--quiet", "--seeds", str(txt_seeds),
                    "--index-dir", str(settings.index_dir)], cwd=PROJECT_ROOT, check=True, capture_output=True)
    index = load_index(settings, embedder=embedder)
    hit = index.bm25.search("not their fault help is available", 1)[0]
    passage = index.by_id[hit.id]
    assert passage.doc_id == "sextortion" and passage.page == 2
    hit = index.dense.search("who decides on a referral to social care and the police?", 1)[0]
    passage = index.by_id[hit.id]
    assert passage.doc_id == "council" and passage.page is None and passage.paragraph >= 1
    assert index.documents["council"].text[passage.start:passage.end] == passage.text


# The committed default index -------------------------------------------------------------------

def test_default_index_is_fresh_for_seeds_and_settings():
    settings = Settings()
    reasons = staleness(read_manifest(settings.index_dir), settings.seeds_dir, settings.index)
    assert reasons == [], f"index/ is stale ({'; '.join(reasons)}): run `make index` and commit index/"


@pytest.fixture(scope="module")
def default_index(embedder):
    return load_index(Settings(), embedder=embedder)


def test_default_index_passages_are_exact_spans_of_their_documents(default_index):
    assert default_index.passages
    for passage in default_index.passages:
        text = default_index.documents[passage.doc_id].text
        assert text[passage.start:passage.end] == passage.text


@pytest.mark.parametrize("group, phrase", all_phrases())
def test_default_index_holds_no_boilerplate_or_unrelated_articles(default_index, group, phrase):
    for passage in default_index.passages:
        assert phrase.lower() not in passage.text.lower(), f"{group} text {phrase!r} in passage {passage.id}"


def test_both_bm25_engines_serve_the_same_ranking_from_one_index(built: Settings, embedder):
    reference = load_index(replace(built, bm25_engine="rank-bm25"), embedder=embedder)
    fast = load_index(replace(built, bm25_engine="bm25s"), embedder=embedder)
    assert type(reference.bm25).__name__ == "BM25Retriever" and type(fast.bm25).__name__ == "FastBM25Retriever"
    for question in ("who do I report an image to", "never forward the image", "same day"):
        assert [(h.id, round(h.score, 4)) for h in fast.bm25.search(question, 5)] == \
            [(h.id, round(h.score, 4)) for h in reference.bm25.search(question, 5)]
