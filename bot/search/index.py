"""Build, write and load the search index.

Writing is atomic: everything is built in a temporary folder first; data files have
content-addressed names, are moved into the index folder beside the old ones, and only then is
`manifest.json` replaced (a single rename). A build killed at any point leaves the previous
manifest pointing at its own, untouched files. Loading verifies the manifest, every file's
hash, the source hashes and the settings, and refuses anything stale, partial or corrupt.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import faiss

from bot.config import IndexSettings, Settings
from bot.library.clean import Paragraph
from bot.library.corpus import LibraryDocument, load_library, passages_of
from bot.library.manifest import MANIFEST_NAME, SeedManifest, load_manifest
from bot.library.passages import Passage
from bot.search.analyzer import Analyzer
from bot.search.bm25 import BM25Retriever, FastBM25Retriever
from bot.search.dense import DenseRetriever, index_for
from bot.search.embedder import Embedder

INDEX_FORMAT = 1
MANIFEST_FILE = "manifest.json"
REBUILD_HINT = "rebuild it with: python -m bot index"
_VERSIONED = ("numpy", "faiss-cpu", "rank-bm25", "sentence-transformers", "torch", "transformers",
              "PyStemmer", "trafilatura", "pypdf")


class IndexLoadError(RuntimeError):
    """The index cannot be used as it is; the message is one line and says how to rebuild."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_fingerprint(manifest: SeedManifest) -> dict[str, str]:
    """sha256 of the seeds manifest and of every source file it names."""
    prints = {MANIFEST_NAME: sha256_file(manifest.path)}
    for entry in manifest.documents:
        prints[entry.file] = sha256_file(manifest.source_path(entry))
    return prints


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@dataclass
class BuildReport:
    passages: int
    documents: int
    bytes_on_disk: int
    seconds: float
    index_dir: Path


def _write_json(path: Path, data) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _document_record(doc: LibraryDocument) -> dict:
    entry = doc.entry
    return {
        "id": entry.id, "file": entry.file, "title": entry.title, "publisher": entry.publisher,
        "date": entry.date, "date_note": entry.date_note, "url": entry.url, "url_note": entry.url_note,
        "licence": entry.licence, "text": doc.clean.text,
        "paragraphs": [[p.number, p.start, p.end, p.page] for p in doc.clean.paragraphs],
    }


def build_index(settings: Settings, embedder: Embedder | None = None, progress: bool = True) -> BuildReport:
    """Build the index for `settings.seeds_dir` into `settings.index_dir`, atomically."""
    started = time.perf_counter()
    index_dir = Path(settings.index_dir)
    manifest, docs = load_library(settings.seeds_dir)
    fingerprint = source_fingerprint(manifest)
    passages = passages_of(docs, settings.index.chunk)
    analyzer = Analyzer(settings.index.tokenizer)
    embedder = embedder or Embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    vectors = embedder.encode([p.text for p in passages], progress=progress)

    index_dir.mkdir(parents=True, exist_ok=True)
    for leftover in index_dir.glob(".tmp-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
    try:
        staged = {
            "passages": tmp / "passages.jsonl",
            "documents": tmp / "documents.json",
            "dense": tmp / "dense.faiss",
        }
        with open(staged["passages"], "w", encoding="utf-8") as handle:
            for passage in passages:
                record = passage.to_dict() | {"terms": analyzer(passage.text)}
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _write_json(staged["documents"], [_document_record(d) for d in docs])
        faiss.write_index(index_for(vectors)[0], str(staged["dense"]))  # exact unless very large

        files = {}
        for role, path in staged.items():
            digest = sha256_file(path)
            final_name = f"{path.stem}-{digest[:16]}{path.suffix}"
            files[role] = {"name": final_name, "sha256": digest, "bytes": path.stat().st_size}
        seconds = time.perf_counter() - started
        index_manifest = {
            "format": INDEX_FORMAT,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(seconds, 2),
            "settings": settings.index.as_dict(),
            "model": {"name": settings.index.model_name, "dimension": embedder.dimension},
            "sources": fingerprint,
            "counts": {"documents": len(docs), "passages": len(passages)},
            "files": files,
            "versions": _versions(),
        }
        _write_json(tmp / MANIFEST_FILE, index_manifest)
        for role, path in staged.items():
            os.replace(path, index_dir / files[role]["name"])
        _fsync_dir(index_dir)
        os.replace(tmp / MANIFEST_FILE, index_dir / MANIFEST_FILE)  # the commit point
        _fsync_dir(index_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    keep = {MANIFEST_FILE} | {f["name"] for f in files.values()}
    for old in index_dir.iterdir():
        if old.is_file() and old.name not in keep and old.name.split("-")[0] in ("passages", "documents", "dense"):
            old.unlink()
    size = sum((index_dir / name).stat().st_size for name in keep)
    return BuildReport(len(passages), len(docs), size, time.perf_counter() - started, index_dir)


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / MANIFEST_FILE
    if not path.is_file():
        raise IndexLoadError(f"no index at {index_dir} (missing {MANIFEST_FILE}); {REBUILD_HINT}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise IndexLoadError(f"index manifest {path} is corrupt; {REBUILD_HINT}") from None
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT or "files" not in data:
        raise IndexLoadError(f"index at {index_dir} has an unknown or partial manifest; {REBUILD_HINT}")
    return data


def staleness(index_manifest: dict, seeds_dir: Path, index_settings: IndexSettings) -> list[str]:
    """What differs between the built index and the current seeds and settings (empty: fresh)."""
    reasons = []
    try:
        current = source_fingerprint(load_manifest(seeds_dir))
    except (ValueError, OSError) as exc:
        return [f"seeds cannot be read ({exc})"]
    built = index_manifest.get("sources", {})
    changed = sorted(name for name in set(built) | set(current) if built.get(name) != current.get(name))
    if changed:
        reasons.append("seeds changed: " + ", ".join(changed))
    if index_manifest.get("settings") != index_settings.as_dict():
        reasons.append("index settings changed")
    return reasons


def verify_files(index_dir: Path, index_manifest: dict) -> None:
    for role in ("passages", "documents", "dense"):
        info = index_manifest["files"].get(role)
        if not isinstance(info, dict):
            raise IndexLoadError(f"index at {index_dir} lacks its {role} file; {REBUILD_HINT}")
        path = Path(index_dir) / info["name"]
        if not path.is_file():
            raise IndexLoadError(f"index file {info['name']} is missing from {index_dir}; {REBUILD_HINT}")
        if sha256_file(path) != info["sha256"]:
            raise IndexLoadError(f"index file {info['name']} is corrupt (hash mismatch); {REBUILD_HINT}")


@dataclass
class StoredDocument:
    """A cleaned document as the index holds it, with its citation fields."""

    id: str
    title: str
    publisher: str
    text: str
    paragraphs: list[Paragraph]
    date: str | None = None
    date_note: str | None = None
    url: str | None = None
    url_note: str | None = None
    licence: str | None = None
    file: str = ""

    def source_info(self) -> dict:
        return {"id": self.id, "title": self.title, "publisher": self.publisher, "date": self.date,
                "url": self.url}


@dataclass
class SearchIndex:
    """A loaded, verified index: passages, documents, and the two retrievers over them."""

    manifest: dict
    passages: list[Passage]
    documents: dict[str, StoredDocument]
    bm25: BM25Retriever
    dense: DenseRetriever
    by_id: dict[str, Passage] = field(init=False)
    passage_counts: dict[str, int] = field(init=False)  # document id -> passages, for the library views

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.passages}
        self.passage_counts: dict[str, int] = {}
        for passage in self.passages:
            self.passage_counts[passage.doc_id] = self.passage_counts.get(passage.doc_id, 0) + 1


def bm25_retriever(settings: Settings, ids: list[str], terms: list[list[str]], analyzer: Analyzer):
    """The reference engine for small libraries; bm25s (identical scores) for large ones."""
    bm25 = settings.index.bm25
    engine = settings.bm25_engine
    if engine == "auto":
        engine = "bm25s" if len(ids) >= settings.bm25s_from_passages else "rank-bm25"
    if engine == "bm25s" and bm25.idf == "lucene":
        return FastBM25Retriever(ids, terms, analyzer, k1=bm25.k1, b=bm25.b)
    return BM25Retriever(ids, terms, analyzer, k1=bm25.k1, b=bm25.b, idf=bm25.idf)


def load_index(settings: Settings, embedder: Embedder | None = None, check_sources: bool = True) -> SearchIndex:
    """Load and verify the index at `settings.index_dir`; raise IndexLoadError if it cannot be trusted."""
    index_dir = Path(settings.index_dir)
    index_manifest = read_manifest(index_dir)
    verify_files(index_dir, index_manifest)
    if check_sources:
        reasons = staleness(index_manifest, settings.seeds_dir, settings.index)
        if reasons:
            raise IndexLoadError(f"index at {index_dir} is stale ({'; '.join(reasons)}); {REBUILD_HINT}")
    files = index_manifest["files"]
    try:
        passages, terms = [], []
        with open(index_dir / files["passages"]["name"], encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                terms.append(record.pop("terms"))
                passages.append(Passage(**record))
        raw_docs = json.loads((index_dir / files["documents"]["name"]).read_text(encoding="utf-8"))
        documents = {}
        for raw in raw_docs:
            paragraphs = [Paragraph(*p) for p in raw.pop("paragraphs")]
            documents[raw["id"]] = StoredDocument(paragraphs=paragraphs, **raw)
        vectors = faiss.read_index(str(index_dir / files["dense"]["name"]))
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise IndexLoadError(f"index at {index_dir} cannot be read ({type(exc).__name__}); {REBUILD_HINT}") from None
    dimension = index_manifest.get("model", {}).get("dimension")
    if embedder is None:
        embedder = Embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    if embedder.dimension != dimension or vectors.d != dimension:
        raise IndexLoadError(f"index at {index_dir} was built with a {dimension}-dimension model but the "
                             f"configured model gives {embedder.dimension}; {REBUILD_HINT}")
    ids = [p.id for p in passages]
    analyzer = Analyzer(settings.index.tokenizer)
    bm25 = bm25_retriever(settings, ids, terms, analyzer)
    return SearchIndex(index_manifest, passages, documents, bm25, DenseRetriever(ids, vectors, embedder))

