"""On-disk cache of embeddings for texts that are embedded again and again: benchmark corpora,
and the example questions the answer engine learns its triage and intent models from each time it
loads (at start-up and after every publish, where they took most of the load time).

Only texts the project holds are cached here, never a staff member's question. The key covers
everything that changes the vectors: the exact texts, the model (its name and the hashes of its
weight and config files) and the encoder settings. A changed input therefore
gets a new key and is never served from a stale entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT
from bot.search.embedder import Embedder

DEFAULT_CACHE_DIR = Path(os.environ.get("BOT_CACHE_DIR", PROJECT_ROOT / ".cache"))


def model_fingerprint(model_path: Path) -> str:
    return _fingerprint(str(Path(model_path).resolve()))


@lru_cache(maxsize=8)
def _fingerprint(model_path: str) -> str:
    """Hashing the weights takes a fraction of a second; a process asks once per model."""
    root = Path(model_path)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".txt", ".model"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cache_key(texts: Sequence[str], embedder: Embedder) -> str:
    digest = hashlib.sha256()
    settings = {"model": model_fingerprint(embedder.path), "max_seq_length": embedder.max_seq_length,
                "normalised": True}
    if embedder.runtime != "torch":  # PyTorch's keys stay as they were before other runtimes existed
        settings["runtime"] = embedder.runtime
    digest.update(json.dumps(settings).encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


def cached_encode(texts: Sequence[str], embedder: Embedder, cache_dir: Path = DEFAULT_CACHE_DIR,
                  progress: bool = True) -> tuple[np.ndarray, bool]:
    """Embeddings of `texts`, from the cache when present; returns (vectors, was_cached).
    A cache folder that cannot be written (a read-only deployment) costs only the time saved."""
    key = cache_key(texts, embedder)
    path = Path(cache_dir) / "embeddings" / f"{key}.npy"
    if path.is_file():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), embedder.dimension):
                return vectors, True
        except (ValueError, OSError):
            pass  # unreadable entry: recompute and overwrite
    vectors = embedder.encode(texts, batch_size=64, progress=progress)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return vectors, False
    try:
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, vectors, allow_pickle=False)
        os.replace(tmp, path)  # atomic: a process reading meanwhile sees no entry or a whole one
    except OSError:
        Path(tmp).unlink(missing_ok=True)
    return vectors, False
