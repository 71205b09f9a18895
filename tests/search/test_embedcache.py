"""The embedding cache: repeats served from disk, a changed input never, an unwritable folder harmless."""

from pathlib import Path

import numpy as np
import pytest

from bot.search.embedcache import cache_key, cached_encode


@pytest.mark.slow
def test_embedding_cache_serves_repeats_and_never_a_changed_input(tmp_path: Path, embedder):
    texts = ["fake nude images of pupils", "school dinner menu"]
    first, cached = cached_encode(texts, embedder, tmp_path, progress=False)
    assert not cached
    again, cached = cached_encode(texts, embedder, tmp_path, progress=False)
    assert cached and np.array_equal(first, again)
    changed = ["fake nude images of pupils", "school dinner menus"]
    assert cache_key(changed, embedder) != cache_key(texts, embedder)
    vectors, cached = cached_encode(changed, embedder, tmp_path, progress=False)
    assert not cached and not np.array_equal(vectors[1], first[1])


def test_a_cache_folder_that_cannot_be_written_still_gives_the_vectors(tmp_path: Path, embedder):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    vectors, cached = cached_encode(["school dinner menu"], embedder, blocked, progress=False)
    assert not cached and vectors.shape == (1, embedder.dimension)
    assert np.array_equal(vectors, embedder.encode(["school dinner menu"]))
