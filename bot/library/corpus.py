"""From seeds folder to one `Library`: cleaned documents, passages, their sentences, fingerprints.

This is the library stage's front door: the index build asks for a `Library` once and gets
everything it needs, without reaching into extraction or cleaning itself. No model, no index files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.config import ChunkSettings
from bot.library.clean import CleanDocument, clean_document
from bot.library.extract import extract
from bot.library.manifest import MANIFEST_NAME, DocumentEntry, SeedManifest, load_manifest
from bot.library.passages import Passage, passage_sentences, split_passages


@dataclass(frozen=True)
class LibraryDocument:
    entry: DocumentEntry
    clean: CleanDocument


@dataclass(frozen=True)
class Library:
    """Everything the index is built from, checked: every passage and sentence matches its span."""

    manifest: SeedManifest
    documents: list[LibraryDocument]
    passages: list[Passage]
    sentences: dict[str, tuple[tuple[int, int], ...]]  # passage id -> sentence spans in its document
    fingerprint: dict[str, str]  # file name -> sha256, for the manifest and the files it names


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


def load_documents(manifest: SeedManifest) -> list[LibraryDocument]:
    """Extract and clean every document the manifest lists."""
    docs = []
    for entry in manifest.documents:
        extracted = extract(manifest.source_path(entry), entry.format)
        docs.append(LibraryDocument(entry, clean_document(entry.id, extracted, entry.rules)))
    return docs


def passages_of(docs: list[LibraryDocument], chunk: ChunkSettings) -> list[Passage]:
    passages = []
    for doc in docs:
        for passage in split_passages(doc.clean, chunk):
            if doc.clean.text[passage.start:passage.end] != passage.text:  # the invariant quotes rely on
                raise AssertionError(f"passage {passage.id} does not match its span")
            passages.append(passage)
    return passages


def load_library(seeds_dir: Path) -> tuple[SeedManifest, list[LibraryDocument]]:
    manifest = load_manifest(seeds_dir)
    return manifest, load_documents(manifest)


def build_library(seeds_dir: Path, chunk: ChunkSettings) -> Library:
    """The whole library for `seeds_dir`, cut into passages and sentences with `chunk`."""
    manifest, docs = load_library(seeds_dir)
    fingerprint = source_fingerprint(manifest)
    passages = passages_of(docs, chunk)
    clean = {d.entry.id: d.clean for d in docs}
    sentences = {p.id: passage_sentences(clean[p.doc_id], p) for p in passages}
    return Library(manifest, docs, passages, sentences, fingerprint)
