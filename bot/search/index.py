"""Build, write and load the search index.

Beside each passage the index keeps the spans of its sentences and their embeddings, so the
answer stage can judge and highlight quotes sentence by sentence without running the model on
the library at question time.

Writing is atomic: everything is built in a temporary folder first; data files have
content-addressed names, are moved into the index folder beside the old ones, and only then is
`manifest.json` replaced (a single rename). A build killed at any point leaves the previous
manifest pointing at its own, untouched files. Loading verifies the manifest, every file's
hash, the source hashes and the settings, and refuses anything stale, partial or corrupt.
"""

from __future__ import annotations

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
import numpy as np

from bot.config import IndexSettings, Settings
from bot.library.clean import Paragraph
from bot.library.corpus import LibraryDocument, build_library, sha256_file, source_fingerprint
from bot.library.manifest import load_manifest
from bot.library.passages import Passage, search_text
from bot.search.analyzer import Analyzer
from bot.search.bm25 import BM25Retriever, FastBM25Retriever
from bot.search.dense import DenseRetriever, index_for
from bot.search.embedcache import model_fingerprint
from bot.search.embedder import Embedder
from bot.search.onnx_encoder import load_embedder, prepare, read_check, runtime_setting

INDEX_FORMAT = 4  # 3: the documents' own structure (kinds, numbers, headings); 4: footnotes that are guidance are passages
MANIFEST_FILE = "manifest.json"
REBUILD_HINT = "rebuild it with: python -m bot index"
INDEX_ROLES = ("passages", "documents", "dense", "sentences")
_VERSIONED = ("numpy", "faiss-cpu", "rank-bm25", "sentence-transformers", "torch", "transformers",
              "PyStemmer", "trafilatura", "pdfplumber", "pdfminer.six", "python-docx")


class IndexLoadError(RuntimeError):
    """The index cannot be used as it is; the message is one line and says how to rebuild."""


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of the named packages (and Python), recorded beside what they built."""
    found = {"python": platform.python_version()}
    for name in names:
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
        "licence": entry.licence, "caution": entry.caution, "procedures": entry.procedures,
        "replaces": entry.replaces, "kind": entry.kind,
        "text": doc.clean.text,
        "paragraphs": [p.to_record() for p in doc.clean.paragraphs],
    }


def encoder_for_build(settings: Settings, sample: list[str]) -> Embedder:
    """The encoder a build uses: ONNX once its export has been checked against PyTorch on a sample
    of this build's own passages (exported and checked here the first time), PyTorch otherwise."""
    model_path, length = settings.resolved_model_path(), settings.index.max_seq_length
    if runtime_setting() == "auto" and read_check(model_path, length) is None:
        prepare(model_path, length, sample[:: max(1, len(sample) // 48)])
    return load_embedder(model_path, length)


def model_record(settings: Settings, embedder: Embedder) -> dict:
    """The model as the manifest records it: its name, its vectors' size and the runtime that made
    them (ONNX and PyTorch agree only to a tolerance, so vectors are reused only within one)."""
    return {"name": settings.index.model_name, "dimension": embedder.dimension, "runtime": embedder.runtime,
            "fingerprint": model_fingerprint(embedder.path)[:16]}


def reusable_vectors(previous: SearchIndex | StoredIndex | None, settings: Settings,
                     embedder: Embedder) -> dict[str, np.ndarray]:
    """Each text an earlier build embedded (a passage as searched, a sentence), with its vector,
    where that build used this model, runtime and index settings; empty otherwise. A publish then
    embeds only what changed (a school's new policy) rather than the whole library again, which
    takes minutes at 585 pages. `previous` is the serving index or, for `bot index`, the files
    already in place (read without building retrievers over them)."""
    if previous is None or previous.manifest.get("settings") != settings.index.as_dict() \
            or previous.manifest.get("model") != model_record(settings, embedder):
        return {}
    chunk = settings.index.chunk
    ids = [p.id for p in previous.passages]
    dense = previous.dense if isinstance(previous, SearchIndex) else DenseRetriever(ids, previous.vectors, None)
    known = dict(zip((search_text(p, chunk) for p in previous.passages), dense.vectors(ids)))
    row = 0  # the sentence vectors run passage by passage, in passage order
    for passage in previous.passages:
        text = previous.documents[passage.doc_id].text
        for start, end in previous.sentence_spans[passage.id]:
            known[text[start:end]] = previous.sentence_vectors[row]
            row += 1
    return known


def encode_reusing(texts: list[str], embedder: Embedder, known: dict[str, np.ndarray],
                   progress: bool = False) -> np.ndarray:
    """The vectors of `texts`: those in `known` as they are, the rest embedded once each."""
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    fresh = dict(zip(missing, embedder.encode(missing, progress=progress))) if missing else {}
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row] = known[text] if text in known else fresh[text]
    return out


def previous_index(settings: Settings) -> StoredIndex | None:
    """The index files already at `settings.index_dir`, whatever their sources, or None where
    there are none that read: only their vectors are wanted, so no retriever is built, and a build
    never depends on them."""
    try:
        return read_index(settings, check_sources=False)
    except IndexLoadError:
        return None


def build_index(settings: Settings, embedder: Embedder | None = None, progress: bool = True,
                previous: SearchIndex | StoredIndex | None = None, reuse: bool = True) -> BuildReport:
    """Build the index for `settings.seeds_dir` into `settings.index_dir`, atomically.

    Texts already embedded by `previous` (default: the index in `settings.index_dir`, if any) keep
    their vectors; `reuse=False` embeds everything afresh."""
    started = time.perf_counter()
    index_dir = Path(settings.index_dir)
    library = build_library(settings.seeds_dir, settings.index.chunk)
    docs, passages, fingerprint = library.documents, library.passages, library.fingerprint
    analyzer = Analyzer(settings.index.tokenizer)
    searched = [search_text(p, settings.index.chunk) for p in passages]
    embedder = embedder or encoder_for_build(settings, searched)
    if reuse and previous is None:
        previous = previous_index(settings)
    known = reusable_vectors(previous, settings, embedder) if reuse else {}
    vectors = encode_reusing(searched, embedder, known, progress)
    texts = {d.entry.id: d.clean.text for d in docs}
    sentence_texts = [texts[p.doc_id][s:e] for p in passages for s, e in library.sentences[p.id]]
    sentence_vectors = encode_reusing(sentence_texts, embedder, known, progress)

    index_dir.mkdir(parents=True, exist_ok=True)
    for leftover in index_dir.glob(".tmp-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
    try:
        staged = {
            "passages": tmp / "passages.jsonl",
            "documents": tmp / "documents.json",
            "dense": tmp / "dense.faiss",
            "sentences": tmp / "sentences.npy",
        }
        with open(staged["passages"], "w", encoding="utf-8") as handle:
            for passage, text in zip(passages, searched):
                record = passage.to_dict() | {"terms": analyzer(text),
                                              "sentences": [list(span) for span in library.sentences[passage.id]]}
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _write_json(staged["documents"], [_document_record(d) for d in docs])
        faiss.write_index(index_for(vectors)[0], str(staged["dense"]))  # exact unless very large
        with open(staged["sentences"], "wb") as handle:
            np.save(handle, sentence_vectors, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())

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
            "model": model_record(settings, embedder),
            "sources": fingerprint,
            "counts": {"documents": len(docs), "passages": len(passages), "sentences": len(sentence_texts)},
            "files": files,
            "versions": package_versions(_VERSIONED),
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
        if old.is_file() and old.name not in keep and old.name.split("-")[0] in INDEX_ROLES:
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
    for role in INDEX_ROLES:
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
    caution: str | None = None
    procedures: bool = False
    replaces: str | None = None
    kind: str | None = None  # one of the manifest's DOCUMENT_KINDS; None in indexes built before it was kept

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
    sentence_spans: dict[str, tuple[tuple[int, int], ...]]  # passage id -> its sentences in the document
    sentence_vectors: np.ndarray  # one normalised row per sentence, passages in order
    by_id: dict[str, Passage] = field(init=False)
    sentence_rows: dict[str, int] = field(init=False)  # passage id -> row of its first sentence
    passage_counts: dict[str, int] = field(init=False)  # document id -> passages, for the library views

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.passages}
        self.sentence_rows, row = {}, 0
        for passage in self.passages:
            self.sentence_rows[passage.id] = row
            row += len(self.sentence_spans[passage.id])  # read_index checked the vectors' count
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


@dataclass
class StoredIndex:
    """An index's files as read and verified, before any retriever is built over them: what a
    rebuild needs to keep the vectors it can (`reusable_vectors`), and what `load_index` serves."""

    manifest: dict
    passages: list[Passage]
    terms: list[list[str]]  # each passage's analysed words, for BM25
    documents: dict[str, StoredDocument]
    vectors: faiss.Index  # one normalised row per passage, passages in order
    sentence_spans: dict[str, tuple[tuple[int, int], ...]]
    sentence_vectors: np.ndarray


def read_index(settings: Settings, check_sources: bool = True) -> StoredIndex:
    """Read and verify the index files at `settings.index_dir`; raise IndexLoadError if they cannot
    be trusted (a file missing or altered, or, with `check_sources`, sources changed since)."""
    index_dir = Path(settings.index_dir)
    index_manifest = read_manifest(index_dir)
    verify_files(index_dir, index_manifest)
    if check_sources:
        reasons = staleness(index_manifest, settings.seeds_dir, settings.index)
        if reasons:
            raise IndexLoadError(f"index at {index_dir} is stale ({'; '.join(reasons)}); {REBUILD_HINT}")
    files = index_manifest["files"]
    try:
        passages, terms, sentences = [], [], {}
        with open(index_dir / files["passages"]["name"], encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                terms.append(record.pop("terms"))
                spans = tuple((int(s), int(e)) for s, e in record.pop("sentences"))
                passages.append(Passage.from_record(record))
                sentences[passages[-1].id] = spans
        raw_docs = json.loads((index_dir / files["documents"]["name"]).read_text(encoding="utf-8"))
        documents = {}
        for raw in raw_docs:
            paragraphs = [Paragraph.from_record(p) for p in raw.pop("paragraphs")]
            documents[raw["id"]] = StoredDocument(paragraphs=paragraphs, **raw)
        vectors = faiss.read_index(str(index_dir / files["dense"]["name"]))
        sentence_vectors = np.load(index_dir / files["sentences"]["name"], allow_pickle=False)
    except (KeyError, TypeError, ValueError, RuntimeError, OSError) as exc:
        raise IndexLoadError(f"index at {index_dir} cannot be read ({type(exc).__name__}); {REBUILD_HINT}") from None
    if vectors.ntotal != len(passages):
        raise IndexLoadError(f"index has {vectors.ntotal} passage vectors for {len(passages)} passages; {REBUILD_HINT}")
    sentence_count = sum(map(len, sentences.values()))
    if sentence_count != len(sentence_vectors):
        raise IndexLoadError(f"index has {len(sentence_vectors)} sentence vectors for {sentence_count} sentences; "
                             f"{REBUILD_HINT}")
    return StoredIndex(index_manifest, passages, terms, documents, vectors, sentences, sentence_vectors)


def load_index(settings: Settings, embedder: Embedder | None = None, check_sources: bool = True) -> SearchIndex:
    """Load and verify the index at `settings.index_dir`; raise IndexLoadError if it cannot be trusted."""
    stored = read_index(settings, check_sources)
    index_dir = Path(settings.index_dir)
    dimension = stored.manifest.get("model", {}).get("dimension")
    if embedder is None:
        embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    if embedder.dimension != dimension or stored.vectors.d != dimension \
            or stored.sentence_vectors.shape[1:] != (dimension,):
        raise IndexLoadError(f"index at {index_dir} was built with a {dimension}-dimension model but the "
                             f"configured model gives {embedder.dimension}; {REBUILD_HINT}")
    ids = [p.id for p in stored.passages]
    analyzer = Analyzer(settings.index.tokenizer)
    bm25 = bm25_retriever(settings, ids, stored.terms, analyzer)
    return SearchIndex(stored.manifest, stored.passages, stored.documents, bm25,
                       DenseRetriever(ids, stored.vectors, embedder), stored.sentence_spans, stored.sentence_vectors)
