"""The ONNX encoder: exported from the local weights, checked against PyTorch, used only when it passed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.config import Settings
from bot.search.embedcache import cache_key
from bot.search.embedder import Embedder
from bot.search.onnx_encoder import (
    CHECK_FILE,
    EncoderUnavailable,
    OnnxEmbedder,
    cache_dir,
    load_embedder,
    prepare,
    read_check,
)

pytestmark = pytest.mark.slow
TEXTS = ["Is it illegal to make a fake nude of a classmate?", "dsl training", "x " * 400, ""]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("onnx")
    settings = Settings()
    check = prepare(settings.resolved_model_path(), settings.index.max_seq_length, ["a sample passage"], root=root)
    return root, check


def test_an_export_is_checked_against_pytorch_and_its_vectors_match(prepared, embedder):
    root, check = prepared
    settings = Settings()
    assert check.passed and check.max_abs_diff <= check.tolerance
    assert read_check(settings.resolved_model_path(), settings.index.max_seq_length, root) == check
    onnx = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length, runtime="auto", root=root)
    assert isinstance(onnx, OnnxEmbedder) and onnx.dimension == 384
    torch = Embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    assert np.abs(onnx.encode(TEXTS) - torch.encode(TEXTS)).max() <= check.tolerance
    assert np.abs(onnx.encode_query(TEXTS[0]) - torch.encode_query(TEXTS[0])).max() <= check.tolerance
    assert onnx.encode([]).shape == (0, 384) and onnx.words() == torch.words()


def test_an_export_that_failed_its_check_is_never_used(prepared, tmp_path):
    root, _ = prepared
    settings = Settings()
    model, length = settings.resolved_model_path(), settings.index.max_seq_length
    path = cache_dir(model, length, root) / CHECK_FILE
    saved = path.read_text(encoding="utf-8")
    try:
        path.write_text(json.dumps({**json.loads(saved), "passed": False, "max_abs_diff": 0.1}), encoding="utf-8")
        assert isinstance(load_embedder(model, length, runtime="auto", root=root), Embedder)
        with pytest.raises(EncoderUnavailable, match="differed from PyTorch"):
            load_embedder(model, length, runtime="onnx", root=root)
    finally:
        path.write_text(saved, encoding="utf-8")
    assert isinstance(load_embedder(model, length, runtime="auto", root=tmp_path), Embedder)  # none exported
    assert isinstance(load_embedder(model, length, runtime="torch", root=root), Embedder)


def test_benchmark_vectors_are_cached_per_runtime(prepared, embedder):
    root, _ = prepared
    settings = Settings()
    onnx = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length, runtime="onnx", root=root)
    torch = Embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    assert cache_key(TEXTS, onnx) != cache_key(TEXTS, torch)
