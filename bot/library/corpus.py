"""From seeds folder to cleaned documents and passages (no model, no index files)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import ChunkSettings
from bot.library.clean import CleanDocument, clean_document
from bot.library.extract import extract
from bot.library.manifest import DocumentEntry, SeedManifest, load_manifest
from bot.library.passages import Passage, split_passages


@dataclass(frozen=True)
class LibraryDocument:
    entry: DocumentEntry
    clean: CleanDocument


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
