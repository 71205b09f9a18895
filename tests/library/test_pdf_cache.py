"""A PDF is read once: the same bytes and the same reading code give the kept blocks back."""

from __future__ import annotations

from bot.library import pdf_cache
from bot.library.extract import _read_pdf
from tests.library.test_extract import make_pdf


def test_the_same_pdf_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pdf_cache, "_MEMORY", type(pdf_cache._MEMORY)())
    reads = []

    def read(path):
        reads.append(path)
        return _read_pdf(path)

    pdf = tmp_path / "policy.pdf"
    make_pdf(pdf, [["Our policy."], ["Staff tell the lead the same day."]])
    first = pdf_cache.cached(pdf, read)
    assert pdf_cache.cached(pdf, read) is first and len(reads) == 1  # from memory
    monkeypatch.setattr(pdf_cache, "_MEMORY", type(pdf_cache._MEMORY)())  # a new process
    assert pdf_cache.cached(pdf, read) == first and len(reads) == 1  # from the cache folder
    make_pdf(pdf, [["Our policy, version 2."], ["Staff tell the lead at once."]])
    second = pdf_cache.cached(pdf, read)
    assert len(reads) == 2 and second != first
    assert "at once" in " ".join(block.text for block in second.blocks)
