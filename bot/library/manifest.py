"""The seeds manifest: which files are guidance, who published them, and which part of each is kept.

A school adds a document by dropping the file into the seeds folder and adding a [[document]]
entry; nothing else needs a programmer.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.toml"
SUPPORTED_FORMATS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class ManifestError(ValueError):
    """The seeds manifest cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class CleaningRules:
    """Rules that select the guidance text inside a source file."""

    start_at: str | None = None
    end_before: str | None = None
    drop_paragraphs: tuple[str, ...] = ()  # regular expressions
    drop_containing: tuple[str, ...] = ()  # plain text: a paragraph containing it is left out

    @property
    def patterns(self) -> tuple[str, ...]:
        """Every rule that leaves a paragraph out, as a regular expression."""
        return self.drop_paragraphs + tuple(re.escape(text) for text in self.drop_containing)


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    file: str
    title: str
    publisher: str
    date: str | None = None
    date_note: str | None = None
    url: str | None = None
    url_note: str | None = None
    licence: str | None = None
    rules: CleaningRules = field(default_factory=CleaningRules)
    # Written by the safeguarding lead and shown with every quote from this document, e.g. that
    # it describes proposals before Parliament and the current law should be checked.
    caution: str | None = None
    # True when the document sets out what staff should do (a school policy, the NCA/IWF guide):
    # only then may its passages answer a question that asks what to do.
    procedures: bool = False
    # The id of an earlier edition this document replaces (KCSIE 2025 replaces KCSIE 2024): when
    # both say the same thing the newer is quoted, and quotes from the older are marked as such.
    replaces: str | None = None
    # What sort of document it is, for reports by type: one of DOCUMENT_KINDS.
    kind: str | None = None
    # An internal document (the school's own policy): it has no web address, and that is not a gap.
    internal: bool = False

    @property
    def format(self) -> str:
        return SUPPORTED_FORMATS[Path(self.file).suffix.lower()]

    def source_info(self) -> dict:
        """The citation fields the answer object carries for this document."""
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "url": self.url,
        }


@dataclass(frozen=True)
class SeedManifest:
    directory: Path
    documents: tuple[DocumentEntry, ...]

    @property
    def path(self) -> Path:
        return self.directory / MANIFEST_NAME

    def source_path(self, entry: DocumentEntry) -> Path:
        return self.directory / entry.file


_TEXT_FIELDS = ("id", "file", "title", "publisher", "date", "date_note", "url", "url_note", "licence",
                "title_note", "start_at", "end_before", "caution", "replaces", "kind")
_REQUIRED = ("id", "file", "title", "publisher")
DOCUMENT_KINDS = ("news", "statutory guidance", "school policy", "guidance", "other")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _entry(raw: dict, position: int, directory: Path) -> DocumentEntry:
    where = f"{MANIFEST_NAME} document #{position}"
    unknown = set(raw) - set(_TEXT_FIELDS) - {"drop_paragraphs", "drop_containing", "procedures", "internal"}
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in _REQUIRED:
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise ManifestError(f"{where}: '{name}' is required and must be text")
    for name in _TEXT_FIELDS:
        if name in raw and not isinstance(raw[name], str):
            raise ManifestError(f"{where}: '{name}' must be text")
    doc_id = raw["id"]
    if not _ID_PATTERN.match(doc_id):
        raise ManifestError(f"{where}: id '{doc_id}' may use only lower-case letters, digits, '.', '_' and '-'")
    if raw.get("date") and not DATE.match(raw["date"]):
        raise ManifestError(f"{where} ({doc_id}): date must be YYYY-MM-DD; put anything less exact in date_note")
    suffix = Path(raw["file"]).suffix.lower()
    if suffix not in SUPPORTED_FORMATS:
        raise ManifestError(f"{where} ({doc_id}): unsupported file type '{suffix}' "
                            f"(use one of {', '.join(sorted(SUPPORTED_FORMATS))})")
    if Path(raw["file"]).name != raw["file"]:
        raise ManifestError(f"{where} ({doc_id}): file must be a plain name inside the seeds folder")
    if not (directory / raw["file"]).is_file():
        raise ManifestError(f"{where} ({doc_id}): file '{raw['file']}' not found in {directory}")
    drops = raw.get("drop_paragraphs", [])
    if not isinstance(drops, list) or not all(isinstance(d, str) for d in drops):
        raise ManifestError(f"{where} ({doc_id}): drop_paragraphs must be a list of regular expressions")
    for pattern in drops:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ManifestError(f"{where} ({doc_id}): bad drop_paragraphs pattern {pattern!r}: {exc}") from None
    if raw.get("kind") is not None and raw["kind"] not in DOCUMENT_KINDS:
        raise ManifestError(f"{where} ({doc_id}): kind must be one of {', '.join(DOCUMENT_KINDS)}")
    containing = raw.get("drop_containing", [])
    if not isinstance(containing, list) or not all(isinstance(d, str) and d for d in containing):
        raise ManifestError(f"{where} ({doc_id}): drop_containing must be a list of plain texts")
    for name in ("procedures", "internal"):
        if not isinstance(raw.get(name, False), bool):
            raise ManifestError(f"{where} ({doc_id}): {name} must be true or false")
    rules = CleaningRules(raw.get("start_at"), raw.get("end_before"), tuple(drops), tuple(containing))
    return DocumentEntry(
        id=doc_id, file=raw["file"], title=raw["title"], publisher=raw["publisher"],
        date=raw.get("date"), date_note=raw.get("date_note"), url=raw.get("url"),
        url_note=raw.get("url_note"), licence=raw.get("licence"), rules=rules,
        caution=raw.get("caution"), procedures=raw.get("procedures", False), replaces=raw.get("replaces"),
        kind=raw.get("kind"), internal=raw.get("internal", False),
    )


def load_manifest(directory: Path) -> SeedManifest:
    """Read and check `manifest.toml` in `directory`; raise ManifestError with a readable message."""
    directory = Path(directory)
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"no {MANIFEST_NAME} in {directory}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path} is not valid TOML: {exc}") from None
    raw_docs = data.get("document", [])
    if not isinstance(raw_docs, list) or not raw_docs:
        raise ManifestError(f"{path} lists no [[document]] entries")
    entries = tuple(_entry(raw, i, directory) for i, raw in enumerate(raw_docs, start=1))
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ManifestError(f"{path}: document id '{entry.id}' is used twice")
        seen.add(entry.id)
    for entry in entries:
        if entry.replaces is not None and (entry.replaces not in seen or entry.replaces == entry.id):
            raise ManifestError(f"{path}: document '{entry.id}' replaces '{entry.replaces}', "
                                "which is not another document in this library")
    return SeedManifest(directory=directory, documents=entries)
